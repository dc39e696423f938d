"""Chats and their settings, uploaded tables, analyses and per-client results."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("language", sa.String(8)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("criterion", sa.String(8), nullable=False, server_default="sales"),
        sa.Column("cut_a", sa.Float, nullable=False, server_default="80"),
        sa.Column("cut_b", sa.Float, nullable=False, server_default="15"),
        sa.Column("period", sa.String(32), nullable=False, server_default="all"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "chat_id",
            sa.BigInteger,
            sa.ForeignKey("chats.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("table_data", sa.LargeBinary, nullable=False),
        sa.Column("table_meta", sa.JSON, nullable=False),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "chat_id",
            sa.BigInteger,
            sa.ForeignKey("chats.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "upload_id", sa.Integer, sa.ForeignKey("uploads.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("criterion", sa.String(8), nullable=False),
        sa.Column("cut_a", sa.Float, nullable=False),
        sa.Column("cut_b", sa.Float, nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("texts", sa.JSON, nullable=False),
    )
    op.create_table(
        "client_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "analysis_id",
            sa.Integer,
            sa.ForeignKey("analyses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("client", sa.String(500), nullable=False),
        sa.Column("client_key", sa.String(500), nullable=False),
        sa.Column("search", sa.String(500), nullable=False),
        sa.Column("category", sa.String(1), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("share", sa.Float, nullable=False),
        sa.Column("last_purchase", sa.Date),
        sa.Column("contract_end", sa.Date),
    )
    op.create_index(
        "ix_results_category", "client_results", ["analysis_id", "category", "position"]
    )
    op.create_index("ix_results_key", "client_results", ["analysis_id", "client_key"])


def downgrade() -> None:
    for table in ("client_results", "analyses", "uploads", "chats"):
        op.drop_table(table)
