"""Everything the bot keeps, one module per table group: `chats` (settings), `analyses` (uploads,
analyses, per-client results), `access` (the runtime list), `reminders` (claims, sent keys),
`pending` (uploads not yet analysed); the `database` module holds the engine, sessions and
migrations. `Storage` composes them over one database; the record types are re-exported here
for callers."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.storage.access import Access
from bot.storage.analyses import (
    Analyses,
    AnalysisRecord,
    ClientRow,
    NewAnalysis,
    RunRecord,
    StoredUpload,
)
from bot.storage.chats import Chats
from bot.storage.database import Database
from bot.storage.pending import NewUpload, Pending, PendingUploads
from bot.storage.reminders import Claim, Reminders

__all__ = [
    "AnalysisRecord",
    "Claim",
    "ClientRow",
    "NewAnalysis",
    "NewUpload",
    "Pending",
    "RunRecord",
    "Storage",
    "StoredUpload",
]


class Storage:
    """The bot's database and its table groups. Methods are blocking: the bot calls them off its
    event loop."""

    def __init__(self, url: str) -> None:
        self.database = Database(url)
        sessions = self.database.sessions
        self.chats = Chats(sessions)
        self.analyses = Analyses(sessions)
        self.access = Access(sessions)
        self.reminders = Reminders(sessions)
        self.pending = PendingUploads(sessions)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default), keeping the data."""
        self.database.migrate(revision)

    def close(self) -> None:
        self.database.close()

    def forget(self, chat_id: int) -> None:
        """Delete everything stored for a chat, across groups, in one transaction."""
        with self.database.sessions.begin() as session:
            self.analyses.forget(session, chat_id)
            self.chats.forget(session, chat_id)
            self.pending.forget(session, chat_id)
