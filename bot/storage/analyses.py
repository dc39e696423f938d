"""Analyses: the uploads they read, each run with its parameters and texts, and every client's
place in it (pages of a category, search, members, contract ends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from analysis.ingest.columns import fold
from bot.models import Analysis, ClientResult, PendingUpload, Upload
from bot.reminders import ContractEnd
from bot.storage.chats import chat_row
from bot.storage.database import aware
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
class RunRecord:
    """An upload or a source run (never a re-run under new settings): when the chat last sent
    data, which the review is counted from, and its latest analysis (the current figures)."""

    upload_id: int
    file_name: str
    created_at: datetime
    latest: AnalysisRecord


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
    contract_open_ended: bool = False


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
    pending_id: int | None = None  # the recorded upload this analysis finishes


class Analyses:
    """Write and read analyses and their per-client results. Methods are blocking: call them
    off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def save(self, new: NewAnalysis, now: datetime) -> int:
        """Store one analysis in one transaction: a failure leaves the previous one intact."""
        now = now.astimezone(UTC)
        with self.sessions.begin() as session:
            chat_row(session, new.chat_id, now)
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
            if new.pending_id is not None:
                session.execute(delete(PendingUpload).where(PendingUpload.id == new.pending_id))
            return analysis.id

    def latest(self, chat_id: int) -> AnalysisRecord | None:
        with self.sessions() as session:
            row = session.scalars(
                select(Analysis)
                .where(Analysis.chat_id == chat_id)
                .order_by(Analysis.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def previous(self, chat_id: int, before_id: int) -> AnalysisRecord | None:
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

    def runs(self, chat_id: int, limit: int = 20) -> list[RunRecord]:
        """The chat's uploads and source runs, newest first, each with its latest analysis."""
        with self.sessions() as session:
            newest = (
                select(func.max(Analysis.id).label("id"))
                .where(Analysis.chat_id == chat_id)
                .group_by(Analysis.upload_id)
                .subquery()
            )
            rows = session.execute(
                select(Upload.id, Upload.file_name, Upload.created_at, Analysis)
                .join(Analysis, Analysis.upload_id == Upload.id)
                .where(Analysis.id.in_(select(newest.c.id)))
                .order_by(Upload.id.desc())
                .limit(limit)
            )
            return [
                RunRecord(upload_id, file_name, aware(created_at), _record(analysis))
                for upload_id, file_name, created_at, analysis in rows
            ]

    def last_run(self, chat_id: int) -> RunRecord | None:
        runs = self.runs(chat_id, limit=1)
        return runs[0] if runs else None

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

    def find(self, analysis_id: int, query: str, limit: int = 8) -> list[ClientRow]:
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

    def members(self, analysis_id: int, category: str) -> dict[str, str]:
        """The clients of a category in an analysis: key -> name."""
        with self.sessions() as session:
            rows = session.execute(
                select(ClientResult.client_key, ClientResult.client).where(
                    ClientResult.analysis_id == analysis_id, ClientResult.category == category
                )
            )
            return {key: name for key, name in rows}

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

    @staticmethod
    def forget(session: Session, chat_id: int) -> None:
        """Delete a chat's results, analyses and uploads, inside the caller's transaction (see
        `Storage.forget`)."""
        analyses = select(Analysis.id).where(Analysis.chat_id == chat_id)
        session.execute(delete(ClientResult).where(ClientResult.analysis_id.in_(analyses)))
        session.execute(delete(Analysis).where(Analysis.chat_id == chat_id))
        session.execute(delete(Upload).where(Upload.chat_id == chat_id))


def _record(row: Analysis) -> AnalysisRecord:
    return AnalysisRecord(
        row.id,
        row.chat_id,
        row.upload_id,
        aware(row.created_at),
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
        bool(row.contract_open_ended),
    )


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
    open_ended = (
        clients["contract_open_ended"].fillna(False).astype(bool).tolist()
        if "contract_open_ended" in clients.columns
        else [False] * len(clients)
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
            "contract_open_ended": open_ended[i],
        }
        for i in range(len(names))
    ]


def _date(value: Any) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()
