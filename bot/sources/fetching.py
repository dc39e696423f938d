"""Reading a source: a file on the server or a URL goes through the same loading as an upload;
a database is aggregated per client where it lives (`bot.sources.database`). What is read is
bounded: a file or a site's answer by the input size limit, a download by a total deadline, a
file by the operator's `allowed_dirs`; and a failure is told without the source's content."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlsplit

from analysis.errors import InputError
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodSpec
from analysis.pipeline import load
from analysis.settings import Limits, ReadOptions
from bot.sources.config import Source, resolve_within
from bot.sources.database import aggregate
from bot.sources.errors import SourceError, file_error, without_content

if TYPE_CHECKING:
    import httpx

# The whole download, headers included: httpx's timeouts bound each wait, not the sum, so a site
# sending a byte every few seconds would otherwise never end.
DOWNLOAD_DEADLINE_S = 120.0
READ_TIMEOUT_S = 60.0
MAX_REDIRECTS = 5


def fetch(
    source: Source,
    period: PeriodSpec,
    limits: Limits | None = None,
    *,
    deadline_s: float = DOWNLOAD_DEADLINE_S,
) -> Transactions:
    """Read a source into transactions (a database's already aggregated per client).

    `limits.max_bytes` caps a file and a site's answer; `deadline_s` caps a download."""
    limits = limits or Limits()
    options = ReadOptions(
        sheet=source.sheet,
        roles=dict(source.columns) if source.kind != "database" else {},
        limits=limits,
    )
    try:
        if source.kind == "file":
            assert source.path is not None
            return load(_read_file(source, limits.max_bytes), source.path.name, options)
        if source.kind == "url":
            assert source.url is not None
            return load(
                _download(source.url, limits.max_bytes, deadline_s),
                PurePosixPath(urlparse(source.url).path).name or "source.csv",
                options,
            )
        return aggregate(source, period, limits=limits)
    except InputError as error:
        raise without_content(error, source.title) from None


def _read_file(source: Source, max_bytes: int) -> bytes:
    """The file's bytes, at most `max_bytes` + 1 (the loader refuses more), if the path still
    resolves inside the allowed directories: a symlink may have changed since loading."""
    assert source.path is not None
    resolved = resolve_within(source.path, source.allowed_dirs)
    if resolved is None:
        raise SourceError(f"{source.path}: outside allowed_dirs", "file_outside")
    # The resolved path is opened without following a link swapped in since, and without
    # waiting on a pipe: only a regular file is read.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with open(os.open(resolved, flags), "rb") as file:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise SourceError(f"{source.path}: not a regular file", "file_unreadable")
            if status.st_size > max_bytes:
                raise InputError(
                    "file_too_large", size_mb=status.st_size / 1e6, limit_mb=max_bytes / 1e6
                )
            return file.read(max_bytes + 1)
    except OSError as error:
        raise file_error(source.path, error) from None


def _download(url: str, max_bytes: int, deadline_s: float) -> bytes:
    """The answer's body, within `deadline_s` in all: the download runs in a thread that the
    deadline gives up on (closing its connection and telling it to stop, so that the thread ends
    at its next read)."""
    import httpx

    client = httpx.Client(timeout=min(READ_TIMEOUT_S, deadline_s), follow_redirects=False)
    given_up = threading.Event()
    outcome: list[bytes | BaseException] = []

    def download() -> None:
        try:
            outcome.append(_get(client, url, max_bytes, given_up))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    thread = threading.Thread(target=download, name="source-download", daemon=True)
    thread.start()
    thread.join(deadline_s)
    given_up.set()
    client.close()
    if not outcome:
        raise SourceError(
            f"{_shown(url)}: no complete answer within {deadline_s:g} s", "url_timeout"
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _get(client: httpx.Client, url: str, max_bytes: int, given_up: threading.Event) -> bytes:
    """GET with redirects followed by hand: httpx reads a redirect's body whole, without a cap."""
    import httpx

    try:
        request = client.build_request("GET", url)
        for _ in range(MAX_REDIRECTS + 1):
            response = client.send(request, stream=True)
            try:
                if response.next_request is None:
                    response.raise_for_status()
                    return _body(response, url, max_bytes, given_up)
                request = response.next_request
            finally:
                response.close()  # a redirect's body is never read
            if given_up.is_set():
                raise SourceError(f"{_shown(url)}: abandoned at the deadline", "url_timeout")
        raise SourceError(f"{_shown(url)}: more than {MAX_REDIRECTS} redirects", "url_unreachable")
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise SourceError(f"{_shown(url)}: HTTP {status}", "url_status", status=status) from None
    except httpx.TimeoutException as error:
        raise SourceError(f"{_shown(url)}: {type(error).__name__}", "url_timeout") from None
    except httpx.HTTPError as error:
        raise SourceError(f"{_shown(url)}: {error!r}", "url_unreachable") from None


def _body(response: httpx.Response, url: str, max_bytes: int, given_up: threading.Event) -> bytes:
    """The body, counted as it arrives (decoded: a compressed answer counts what it inflates to),
    refused as soon as it announces or passes `max_bytes`."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, f"announces {declared} bytes", max_bytes)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(url, f"passed {max_bytes} bytes", max_bytes)
        if given_up.is_set():
            raise SourceError(f"{_shown(url)}: abandoned at the deadline", "url_timeout")
    return bytes(body)


def _too_large(url: str, what: str, max_bytes: int) -> SourceError:
    return SourceError(
        f"{_shown(url)}: the answer {what}, over the limit",
        "url_too_large",
        limit_mb=max_bytes // 10**6,
    )


def _shown(url: str) -> str:
    """The address as the log may show it: without its user, password and query, which can
    hold credentials (`https://user:pass@host/export?token=...`)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
