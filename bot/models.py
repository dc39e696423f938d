"""Database tables (SQLAlchemy 2). The schema is versioned by the migrations in `migrations/`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from analysis.period import PeriodSpec
from analysis.settings import Criterion, Thresholds


class Base(DeclarativeBase):
    pass


class Chat(Base):
    """A Telegram chat and its settings; a new chat starts with the defaults of analysis/."""

    __tablename__ = "chats"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    criterion: Mapped[str] = mapped_column(String(8), default=Criterion.SALES.value)
    cut_a: Mapped[float] = mapped_column(Float, default=Thresholds().a)
    cut_b: Mapped[float] = mapped_column(Float, default=Thresholds().b)
    period: Mapped[str] = mapped_column(String(32), default=PeriodSpec().label())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    remind_every: Mapped[str] = mapped_column(String(16), default="24m")
    remind_at: Mapped[str] = mapped_column(String(5), default="09:00")
    heads_up_days: Mapped[int] = mapped_column(Integer, default=14)
    contract_days: Mapped[int] = mapped_column(Integer, default=30)
    contract_b: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str | None] = mapped_column(String(64))
    source_every: Mapped[str | None] = mapped_column(String(16))
    source_next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_failures: Mapped[int] = mapped_column(Integer, default=0)


class Upload(Base):
    """An uploaded table, cleaned and kept, so settings changes need no new upload."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(255))
    table_data: Mapped[bytes] = mapped_column(LargeBinary)
    table_meta: Mapped[dict[str, Any]] = mapped_column(JSON)


class Analysis(Base):
    """One run of the classification on an upload, with the parameters it used."""

    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    upload_id: Mapped[int] = mapped_column(Integer, ForeignKey("uploads.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(255))
    criterion: Mapped[str] = mapped_column(String(8))
    cut_a: Mapped[float] = mapped_column(Float)
    cut_b: Mapped[float] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(32))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)


class ClientResult(Base):
    """One client's place in one analysis."""

    __tablename__ = "client_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(Integer, ForeignKey("analyses.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    client: Mapped[str] = mapped_column(String(500))
    client_key: Mapped[str] = mapped_column(String(500))
    search: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(1))
    value: Mapped[float] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)
    last_purchase: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    # The file says the contract has no end (contract_end is then empty).
    contract_open_ended: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_results_category", "analysis_id", "category", "position"),
        Index("ix_results_key", "analysis_id", "client_key"),
    )


class Reminder(Base):
    """A reminder claimed for a chat: its key says which (review due on a date, a contract end)."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("chat_id", "key", name="uq_reminders_chat_key"),)


class AccessEntry(Base):
    """A user or chat id allowed at runtime by an admin (`/allow`)."""

    __tablename__ = "access_entries"
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PendingUpload(Base):
    """An accepted upload not yet analysed and stored: written as soon as the file arrives, so
    that an upload interrupted by a stop is resumed at the next start (`state` "received"), and
    at most once ("resumed"). One row per chat and message: a redelivered update is not taken
    twice."""

    __tablename__ = "pending_uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    file_id: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(255))
    criterion: Mapped[str | None] = mapped_column(String(8))
    period: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", name="uq_pending_uploads_chat_message"),
    )
