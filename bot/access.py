"""Who may use the bot: private by default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessPolicy:
    """Allowed: admins, listed users or chats, and ids an admin allowed at runtime. Empty lists
    mean admins only."""

    admins: frozenset[int]
    users: frozenset[int]
    chats: frozenset[int]

    def allows(self, user_id: int | None, chat_id: int | None, runtime: frozenset[int]) -> bool:
        if user_id is not None and (
            user_id in self.admins or user_id in self.users or user_id in runtime
        ):
            return True
        return chat_id is not None and (chat_id in self.chats or chat_id in runtime)

    def from_configuration(self, telegram_id: int) -> bool:
        return telegram_id in self.admins or telegram_id in self.users or telegram_id in self.chats
