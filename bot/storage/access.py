"""The runtime access list: user and chat ids an admin allowed with `/allow`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import AccessEntry


class Access:
    """Runtime allow and deny. Methods are blocking: call them off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def allowed(self) -> frozenset[int]:
        with self.sessions() as session:
            return frozenset(session.scalars(select(AccessEntry.telegram_id)))

    def allow(self, telegram_id: int, by: int, now: datetime) -> None:
        with self.sessions.begin() as session:
            if session.get(AccessEntry, telegram_id) is None:
                session.add(
                    AccessEntry(telegram_id=telegram_id, added_by=by, added_at=now.astimezone(UTC))
                )

    def deny(self, telegram_id: int) -> bool:
        """Remove a runtime entry; False when there was none."""
        with self.sessions.begin() as session:
            row = session.get(AccessEntry, telegram_id)
            if row is None:
                return False
            session.delete(row)
            return True
