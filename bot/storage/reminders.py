"""Reminders: the keys already sent to a chat, claims taken before sending, chats to sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Analysis, Chat, Reminder


@dataclass
class Claim:
    """Reminders claimed in an open transaction."""

    session: Session

    def commit(self) -> None:
        try:
            self.session.commit()
        finally:
            self.session.close()

    def rollback(self) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()


class Reminders:
    """What the reminder sweep reads and claims. Methods are blocking: call them off the loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def chats_to_sweep(self) -> list[int]:
        """Chats with an analysis, or with a scheduled source."""
        with self.sessions() as session:
            analysed = set(session.scalars(select(Analysis.chat_id).distinct()))
            scheduled = set(
                session.scalars(select(Chat.id).where(Chat.source_next_at.is_not(None)))
            )
            return sorted(analysed | scheduled)

    def sent_keys(self, chat_id: int, prefix: str) -> frozenset[str]:
        with self.sessions() as session:
            keys = session.scalars(
                select(Reminder.key).where(
                    Reminder.chat_id == chat_id, Reminder.key.startswith(prefix)
                )
            )
            return frozenset(keys)

    def claim(self, chat_id: int, keys: tuple[str, ...], now: datetime) -> Claim | None:
        """Claim reminders before sending them: the rows are written in a transaction that stays
        open until the message is sent (`Claim.commit`) or has failed (`Claim.rollback`). Another
        bot instance claiming the same keys waits on them, then finds them taken: None."""
        session = self.sessions()
        try:
            sent_at = now.astimezone(UTC)
            session.add_all(Reminder(chat_id=chat_id, key=key, sent_at=sent_at) for key in keys)
            session.flush()
        except IntegrityError:
            session.rollback()
            session.close()
            return None
        return Claim(session)
