"""The real bot, running on its own event loop in a thread, against the stand-in Bot API."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text
from telegram.ext import Application

from bot.app import build_application, serve
from bot.config import Config
from bot.storage import Storage

from .fake_api import TOKEN, FakeTelegram

T = TypeVar("T")
POSTGRES = os.environ.get("TEST_DATABASE_URL")
ADMIN = 1
USERS = frozenset(range(100, 200))
STRANGER = 999


class RunningBot:
    """Starts the application with `serve` (the same start-up as run_polling) and stops it."""

    def __init__(self, config: Config, api: FakeTelegram, request_timeout: float = 1.5) -> None:
        self.config = config
        self.api = api
        self.request_timeout = request_timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.application: Application | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.failure: BaseException | None = None

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            self.application = build_application(self.config, request_timeout=self.request_timeout)
            await serve(self.application, self.stop_event, poll_timeout=1)

        try:
            asyncio.run(main())
        except BaseException as error:  # surfaced by stop()
            self.failure = error

    def start(self) -> RunningBot:
        mark = self.api.mark()
        self.thread.start()
        self.api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls[mark:]), 60)
        return self

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the bot's event loop (as its own jobs do) and wait for it."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def stop(self) -> None:
        assert self.loop is not None and self.stop_event is not None
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(60)
        assert not self.thread.is_alive(), "the bot did not stop"
        if self.failure is not None:
            raise self.failure


def make_config(api: FakeTelegram, database: Path, **changes: object) -> Config:
    values: dict[str, object] = {
        "token": TOKEN,
        "api_base_url": api.base_url,
        "api_file_url": api.file_url,
        "database_url": f"sqlite:///{database}",
        "data_dir": database.parent,
        "allowed_user_ids": USERS,
        "admin_user_ids": frozenset({ADMIN}),
        "workers": 2,
        **changes,
    }
    return Config(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    api = FakeTelegram().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def running(
    telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    database = tmp_path_factory.mktemp("bot") / "bot.sqlite3"
    bot = RunningBot(make_config(telegram, database), telegram).start()
    yield bot
    bot.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL on SQLite, and on PostgreSQL in a schema of its own (TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL storage tests need a server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def storage(storage_url: str) -> Iterator[Storage]:
    """A migrated store on SQLite, and on PostgreSQL when TEST_DATABASE_URL names a server."""
    store = Storage(storage_url)
    store.migrate()
    yield store
    store.close()
