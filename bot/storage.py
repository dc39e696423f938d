"""Everything the bot keeps, behind one class: chats and settings, uploads, analyses, per-client
results and the runtime access list. SQLite by default, any SQLAlchemy URL (PostgreSQL) in
production; the schema is migrated with Alembic at start-up so upgrades keep the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any, overload

import pandas as pd
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from analysis.ingest.columns import fold
from bot.chat_settings import ChatSettings
from bot.models import AccessEntry, Analysis, Chat, ClientResult, Reminder, Upload
from bot.reminders import ContractEnd
from bot.summary import AnalysisSummary

RESULT_BATCH = 5_000


@dataclass(frozen=True)
class AnalysisRecord:
    id: int
    chat_id: int
    upload_id: int
    created_at: datetime
    file_name: str
    criterion: str
    cut_a: float
    cut_b: float
    period: str
    summary: AnalysisSummary
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientRow:
    position: int
    rank: int
    client: str
    client_key: str
    category: str
    value: float
    share: float
    last_purchase: date | None
    contract_end: date | None


@dataclass(frozen=True)
class StoredUpload:
    id: int
    file_name: str
    data: bytes
    meta: dict[str, Any]


@dataclass(frozen=True)
class NewAnalysis:
    """What one analysis writes: the upload (new, or the id of a stored one) and the results."""

    chat_id: int
    file_name: str
    criterion: str
    cut_a: float
    cut_b: float
    period: str
    summary: AnalysisSummary
    texts: dict[str, str]
    clients: pd.DataFrame
    upload_id: int | None = None
    table: bytes | None = None
    table_meta: dict[str, Any] | None = None


def _settings(row: Chat) -> ChatSettings:
    return ChatSettings(
        chat_id=row.id,
        language=row.language,
        timezone=row.timezone,
        criterion=row.criterion,
        cut_a=row.cut_a,
        cut_b=row.cut_b,
        period=row.period,
        remind_every=row.remind_every,
        remind_at=row.remind_at,
        heads_up_days=row.heads_up_days,
        contract_days=row.contract_days,
        contract_b=row.contract_b,
        source_name=row.source_name,
        source_every=row.source_every,
        source_next_at=_aware(row.source_next_at),
        source_failures=row.source_failures,
    )


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns times without their zone; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _record(row: Analysis) -> AnalysisRecord:
    return AnalysisRecord(
        row.id,
        row.chat_id,
        row.upload_id,
        _aware(row.created_at),
        row.file_name,
        row.criterion,
        row.cut_a,
        row.cut_b,
        row.period,
        AnalysisSummary.from_json(dict(row.summary)),
        dict(row.texts),
    )


def _client(row: ClientResult) -> ClientRow:
    return ClientRow(
        row.position,
        row.rank,
        row.client,
        row.client_key,
        row.category,
        row.value,
        row.share,
        row.last_purchase,
        row.contract_end,
    )


def _date(value: Any) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


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


class Storage:
    """The bot's database. Methods are blocking: the bot calls them off its event loop."""

    def __init__(self, url: str) -> None:
        options: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default), keeping the data."""
        config = AlembicConfig()
        config.set_main_option("script_location", str(resources.files("bot") / "migrations"))
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as connection:
            if sqlite:
                # SQLite alters a table by copying it; with foreign keys on, dropping the old
                # copy would cascade into the rows that point at it.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()

    def close(self) -> None:
        self.engine.dispose()

    # --- chats --------------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatSettings:
        with self.sessions() as session:
            row = session.get(Chat, chat_id)
            if row is None:
                return ChatSettings(chat_id)
            return _settings(row)

    def update_chat(self, chat_id: int, now: datetime, **changes: Any) -> ChatSettings:
        with self.sessions.begin() as session:
            row = self._chat_row(session, chat_id, now)
            for name, value in changes.items():
                # Times are stored in UTC: SQLite keeps no offset, and both backends must agree.
                setattr(row, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
        return self.chat(chat_id)

    @staticmethod
    def _chat_row(session: Session, chat_id: int, now: datetime) -> Chat:
        now = now.astimezone(UTC)
        row = session.get(Chat, chat_id)
        if row is None:
            row = Chat(
                id=chat_id, criterion="sales", cut_a=80.0, cut_b=15.0, period="all", created_at=now
            )
            session.add(row)
            session.flush()
        return row

    # --- analyses -----------------------------------------------------------------------------

    def save_analysis(self, new: NewAnalysis, now: datetime) -> int:
        """Store one analysis in one transaction: a failure leaves the previous one intact."""
        now = now.astimezone(UTC)
        with self.sessions.begin() as session:
            self._chat_row(session, new.chat_id, now)
            upload_id = new.upload_id
            if upload_id is None:
                assert new.table is not None and new.table_meta is not None
                upload = Upload(
                    chat_id=new.chat_id,
                    created_at=now,
                    file_name=new.file_name,
                    table_data=new.table,
                    table_meta=new.table_meta,
                )
                session.add(upload)
                session.flush()
                upload_id = upload.id
            analysis = Analysis(
                chat_id=new.chat_id,
                upload_id=upload_id,
                created_at=now,
                file_name=new.file_name,
                criterion=new.criterion,
                cut_a=new.cut_a,
                cut_b=new.cut_b,
                period=new.period,
                summary=new.summary.as_json(),
                texts=new.texts,
            )
            session.add(analysis)
            session.flush()
            rows = _result_rows(analysis.id, new.clients)
            for start in range(0, len(rows), RESULT_BATCH):
                session.execute(insert(ClientResult), rows[start : start + RESULT_BATCH])
            return analysis.id

    def latest_analysis(self, chat_id: int) -> AnalysisRecord | None:
        with self.sessions() as session:
            row = session.scalars(
                select(Analysis)
                .where(Analysis.chat_id == chat_id)
                .order_by(Analysis.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def previous_analysis(self, chat_id: int, before_id: int) -> AnalysisRecord | None:
        with self.sessions() as session:
            row = session.scalars(
                select(Analysis)
                .where(Analysis.chat_id == chat_id, Analysis.id < before_id)
                .order_by(Analysis.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def history(self, chat_id: int, limit: int = 20) -> list[AnalysisRecord]:
        with self.sessions() as session:
            rows = session.scalars(
                select(Analysis)
                .where(Analysis.chat_id == chat_id)
                .order_by(Analysis.id.desc())
                .limit(limit)
            )
            return [_record(row) for row in rows]

    def upload(self, upload_id: int) -> StoredUpload | None:
        with self.sessions() as session:
            row = session.get(Upload, upload_id)
            return (
                None
                if row is None
                else StoredUpload(row.id, row.file_name, row.table_data, dict(row.table_meta))
            )

    def top(
        self, analysis_id: int, category: str, offset: int, limit: int
    ) -> tuple[list[ClientRow], int]:
        """A page of a category's clients, best first, and how many it has in all."""
        with self.sessions() as session:
            where = (ClientResult.analysis_id == analysis_id, ClientResult.category == category)
            total = (
                session.scalar(select(func.count()).select_from(ClientResult).where(*where)) or 0
            )
            rows = session.scalars(
                select(ClientResult)
                .where(*where)
                .order_by(ClientResult.position)
                .offset(offset)
                .limit(limit)
            )
            return [_client(row) for row in rows], int(total)

    def find_clients(self, analysis_id: int, query: str, limit: int = 8) -> list[ClientRow]:
        """Clients whose name contains `query`, case and accents ignored; an exact name first."""
        needle = " ".join(fold(query).split())
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(ClientResult)
                    .where(
                        ClientResult.analysis_id == analysis_id,
                        ClientResult.search.like(pattern, escape="\\"),
                    )
                    .order_by(ClientResult.position)
                    .limit(50)
                )
            )
        exact = [row for row in rows if row.search == needle]
        return [_client(row) for row in (exact or rows)[:limit]]

    def client_at(self, analysis_id: int, position: int) -> ClientRow | None:
        with self.sessions() as session:
            row = session.scalars(
                select(ClientResult).where(
                    ClientResult.analysis_id == analysis_id, ClientResult.position == position
                )
            ).first()
            return None if row is None else _client(row)

    def category_of(self, analysis_id: int, client_key: str) -> str | None:
        with self.sessions() as session:
            return session.scalar(
                select(ClientResult.category).where(
                    ClientResult.analysis_id == analysis_id, ClientResult.client_key == client_key
                )
            )

    def forget(self, chat_id: int) -> None:
        """Delete everything stored for a chat, in one transaction."""
        with self.sessions.begin() as session:
            analyses = select(Analysis.id).where(Analysis.chat_id == chat_id)
            session.execute(delete(ClientResult).where(ClientResult.analysis_id.in_(analyses)))
            session.execute(delete(Analysis).where(Analysis.chat_id == chat_id))
            session.execute(delete(Upload).where(Upload.chat_id == chat_id))
            session.execute(delete(Chat).where(Chat.id == chat_id))

    # --- reminders ----------------------------------------------------------------------------

    def chats_to_sweep(self) -> list[int]:
        """Chats with an analysis, or with a scheduled source."""
        with self.sessions() as session:
            analysed = set(session.scalars(select(Analysis.chat_id).distinct()))
            scheduled = set(
                session.scalars(select(Chat.id).where(Chat.source_next_at.is_not(None)))
            )
            return sorted(analysed | scheduled)

    def members(self, analysis_id: int, category: str) -> dict[str, str]:
        """The clients of a category in an analysis: key -> name."""
        with self.sessions() as session:
            rows = session.execute(
                select(ClientResult.client_key, ClientResult.client).where(
                    ClientResult.analysis_id == analysis_id, ClientResult.category == category
                )
            )
            return {key: name for key, name in rows}

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

    def contract_ends(
        self, analysis_id: int, categories: tuple[str, ...], start: date, end: date
    ) -> list[ContractEnd]:
        with self.sessions() as session:
            rows = session.scalars(
                select(ClientResult)
                .where(
                    ClientResult.analysis_id == analysis_id,
                    ClientResult.category.in_(categories),
                    ClientResult.contract_end.between(start, end),
                )
                .order_by(ClientResult.contract_end, ClientResult.position)
            )
            return [
                ContractEnd(r.client, r.client_key, r.category, r.contract_end, r.value, r.share)
                for r in rows
                if r.contract_end is not None
            ]

    # --- access -------------------------------------------------------------------------------

    def runtime_allowed(self) -> frozenset[int]:
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


def _result_rows(analysis_id: int, clients: pd.DataFrame) -> list[dict[str, Any]]:
    names = clients["client"].astype(str).tolist()
    keys = clients["client_key"].astype(str).tolist()
    categories = clients["category"].astype(str).tolist()
    values = clients["value"].astype(float).tolist()
    shares = clients["share"].astype(float).tolist()
    ranks = clients["rank"].astype(int).tolist()
    last = clients["last_purchase"].tolist()
    ends = (
        clients["contract_end"].tolist()
        if "contract_end" in clients.columns
        else [None] * len(clients)
    )
    searches = [" ".join(fold(name).split()) for name in names]
    return [
        {
            "analysis_id": analysis_id,
            "rank": ranks[i],
            "position": i,
            "client": names[i][:500],
            "client_key": keys[i][:500],
            "search": searches[i][:500],
            "category": categories[i],
            "value": values[i],
            "share": shares[i],
            "last_purchase": _date(last[i]),
            "contract_end": _date(ends[i]),
        }
        for i in range(len(names))
    ]


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
