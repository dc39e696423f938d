"""Pending uploads: recorded when a file arrives, removed once its analysis is stored (or refused
with a sentence); those left by a stopped bot are claimed, one bot instance each, at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from analysis.period import parse_period
from analysis.settings import Criterion
from bot.chat_settings import SettingsOverrides
from bot.models import PendingUpload

RECEIVED = "received"
RESUMED = "resumed"


@dataclass(frozen=True)
class NewUpload:
    """A file as it arrived: where from, which file, the caption's overrides, who sent it."""

    chat_id: int
    message_id: int
    file_id: str
    file_name: str
    overrides: SettingsOverrides
    language: str | None


@dataclass(frozen=True)
class Pending:
    """A recorded upload; `resumed` once a start-up has taken it up again."""

    id: int
    upload: NewUpload
    status_message_id: int | None = None
    resumed: bool = False


class PendingUploads:
    """Methods are blocking: call them off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, new: NewUpload, now: datetime) -> Pending | None:
        """Record an upload; None when its message is recorded already (a redelivered update)."""
        overrides = new.overrides
        row = PendingUpload(
            chat_id=new.chat_id,
            message_id=new.message_id,
            file_id=new.file_id,
            file_name=new.file_name,
            criterion=overrides.criterion.value if overrides.criterion else None,
            period=overrides.period.label() if overrides.period else None,
            language=new.language,
            state=RECEIVED,
            received_at=now.astimezone(UTC),
        )
        try:
            with self.sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            return None
        return Pending(row.id, new)

    def status_sent(self, pending_id: int, message_id: int) -> None:
        """The status message the upload's progress is shown in."""
        with self.sessions.begin() as session:
            session.execute(
                update(PendingUpload)
                .where(PendingUpload.id == pending_id)
                .values(status_message_id=message_id)
            )

    def done(self, pending_id: int) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(PendingUpload).where(PendingUpload.id == pending_id))

    def unfinished(self) -> list[Pending]:
        """Every recorded upload, oldest first: at start-up, those a stopped bot left."""
        with self.sessions() as session:
            rows = session.scalars(select(PendingUpload).order_by(PendingUpload.id))
            return [_pending(row) for row in rows]

    def claim(self, pending: Pending) -> bool:
        """Take a left upload up, atomically: True for one caller only, however many bot
        instances try. A received upload becomes resumed; a resumed one (interrupted a second
        time) is removed, for the caller to ask the chat to resend it."""
        state = RESUMED if pending.resumed else RECEIVED
        with self.sessions.begin() as session:
            mine = PendingUpload.id == pending.id, PendingUpload.state == state
            if pending.resumed:
                result = session.execute(delete(PendingUpload).where(*mine))
            else:
                result = session.execute(update(PendingUpload).where(*mine).values(state=RESUMED))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    @staticmethod
    def forget(session: Session, chat_id: int) -> None:
        """Delete the chat's pending uploads, inside the caller's transaction."""
        session.execute(delete(PendingUpload).where(PendingUpload.chat_id == chat_id))


def _pending(row: PendingUpload) -> Pending:
    overrides = SettingsOverrides(
        Criterion(row.criterion) if row.criterion else None,
        parse_period(row.period) if row.period else None,
    )
    upload = NewUpload(
        row.chat_id, row.message_id, row.file_id, row.file_name, overrides, row.language
    )
    return Pending(row.id, upload, row.status_message_id, row.state == RESUMED)
