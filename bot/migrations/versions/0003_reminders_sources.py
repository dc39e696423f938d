"""Review reminders, contract alerts and scheduled sources: per-chat settings, and the reminders
claimed (one row per chat and key, so a reminder is sent once even with several bot instances)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(
            sa.Column("remind_every", sa.String(16), nullable=False, server_default="24m")
        )
        batch.add_column(
            sa.Column("remind_at", sa.String(5), nullable=False, server_default="09:00")
        )
        batch.add_column(
            sa.Column("heads_up_days", sa.Integer, nullable=False, server_default="14")
        )
        batch.add_column(
            sa.Column("contract_days", sa.Integer, nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column("contract_b", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("source_name", sa.String(64)))
        batch.add_column(sa.Column("source_every", sa.String(16)))
        batch.add_column(sa.Column("source_next_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("source_failures", sa.Integer, nullable=False, server_default="0")
        )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("chat_id", "key", name="uq_reminders_chat_key"),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    with op.batch_alter_table("chats") as batch:
        for column in (
            "remind_every",
            "remind_at",
            "heads_up_days",
            "contract_days",
            "contract_b",
            "source_name",
            "source_every",
            "source_next_at",
            "source_failures",
        ):
            batch.drop_column(column)
