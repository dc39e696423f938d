"""Module-level jobs the worker pool tests send to workers (a worker imports them by name)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def add(a: int, b: int = 0) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def fail(message: str) -> int:
    raise ValueError(message)


def die() -> int:
    """The worker dies as an abort in a native reader or the OOM killer would leave it."""
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def sleep(seconds: float, pid_file: Path | None = None) -> float:
    """Sleeps; first writes its worker's pid to `pid_file`, so a test can check it is gone."""
    if pid_file is not None:
        pid_file.write_text(str(os.getpid()))
    time.sleep(seconds)
    return seconds


def wait_for(path: Path) -> str:
    """Runs until the test creates `path` (10 s at most): a job certainly in flight meanwhile."""
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "done" if path.exists() else "gave up"


WARMED = False


def warm() -> None:
    global WARMED  # noqa: PLW0603 (the worker's state is what the test looks at)
    WARMED = True


def warmed() -> tuple[int, bool]:
    return os.getpid(), WARMED
