"""Pending uploads: each accepted upload is recorded until its analysis is stored, so that one
interrupted by a stop is resumed at the next start."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "pending_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("file_id", sa.String(255), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("criterion", sa.String(8)),
        sa.Column("period", sa.String(32)),
        sa.Column("language", sa.String(16)),
        sa.Column("status_message_id", sa.BigInteger),
        sa.Column("state", sa.String(16), nullable=False, server_default="received"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_pending_uploads_chat_message"),
    )


def downgrade() -> None:
    op.drop_table("pending_uploads")
