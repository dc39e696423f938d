"""What the handlers share: configuration, storage, the worker pool, per-chat locks, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from bot.access import AccessPolicy
from bot.config import Config
from bot.pool import WorkerPool
from bot.sources import Source
from bot.storage import Storage

P = ParamSpec("P")
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Kept in `application.bot_data["services"]`; built once by `app.build_application`."""

    config: Config
    storage: Storage
    pool: WorkerPool
    clock: Callable[[], datetime] = utc_now
    locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    saves: dict[int, asyncio.Lock] = field(default_factory=dict)
    runtime_allowed: frozenset[int] = frozenset()
    sources: dict[str, Source] = field(default_factory=dict)

    def sources_for(self, chat_id: int) -> dict[str, Source]:
        """The configured sources this chat may use."""
        return {name: s for name, s in self.sources.items() if chat_id in s.chats}

    @property
    def policy(self) -> AccessPolicy:
        config = self.config
        return AccessPolicy(config.admin_user_ids, config.allowed_user_ids, config.allowed_chat_ids)

    def lock(self, chat_id: int) -> asyncio.Lock:
        """One lock per chat: two uploads in a chat are handled one after the other."""
        return self.locks.setdefault(chat_id, asyncio.Lock())

    def saving(self, chat_id: int) -> asyncio.Lock:
        """Held while a chat's new analysis is being stored, which may outlast the sending of its
        summary: whoever reads the chat's last analysis waits for it."""
        return self.saves.setdefault(chat_id, asyncio.Lock())

    async def db(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a storage call in a thread, off the event loop."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def work(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run heavy work in the worker pool, under its memory and time limits (JobTooLarge past
        them); typed, so mypy checks what crosses into it."""
        return await self.pool.run(function, *args, **kwargs)
