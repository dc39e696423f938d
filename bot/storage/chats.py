"""Chats and their settings: one row per chat, created on first write with the defaults of
`bot.models.Chat`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from analysis.period import parse_period
from analysis.settings import Criterion, Thresholds
from bot.chat_settings import ChatSettings
from bot.models import Chat
from bot.storage.database import aware


class Chats:
    """Read and change a chat's settings. Methods are blocking: call them off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get(self, chat_id: int) -> ChatSettings:
        """The chat's settings; the defaults for a chat never seen."""
        with self.sessions() as session:
            row = session.get(Chat, chat_id)
            if row is None:
                return ChatSettings(chat_id)
            return _settings(row)

    def update(self, chat_id: int, now: datetime, **changes: Any) -> ChatSettings:
        """Set the named columns (creating the chat if new) and return the settings as stored."""
        with self.sessions.begin() as session:
            row = chat_row(session, chat_id, now)
            for name, value in changes.items():
                # Times are stored in UTC: SQLite keeps no offset, and both backends must agree.
                setattr(row, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
        return self.get(chat_id)

    @staticmethod
    def forget(session: Session, chat_id: int) -> None:
        """Delete the chat's row, inside the caller's transaction (see `Storage.forget`)."""
        session.execute(delete(Chat).where(Chat.id == chat_id))


def chat_row(session: Session, chat_id: int, now: datetime) -> Chat:
    """The chat's row, added (with the column defaults) and flushed when it is new."""
    row = session.get(Chat, chat_id)
    if row is None:
        row = Chat(id=chat_id, created_at=now.astimezone(UTC))
        session.add(row)
        session.flush()
    return row


def _settings(row: Chat) -> ChatSettings:
    return ChatSettings(
        chat_id=row.id,
        language=row.language,
        timezone=row.timezone,
        criterion=Criterion(row.criterion),
        thresholds=Thresholds(row.cut_a, row.cut_b),
        period=parse_period(row.period),
        remind_every=row.remind_every,
        remind_at=row.remind_at,
        heads_up_days=row.heads_up_days,
        contract_days=row.contract_days,
        contract_b=row.contract_b,
        source_name=row.source_name,
        source_every=row.source_every,
        source_next_at=aware(row.source_next_at),
        source_failures=row.source_failures,
    )
