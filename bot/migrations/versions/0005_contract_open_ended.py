"""Contracts without an end: a client whose file says "no end" (31/12/9999) has no contract end
date and this flag, so the chat can say "sans échéance" and never announces it as ending."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
# Chained after 0003 on its branch; after 0004 (pending uploads) once both are merged.
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("client_results") as batch:
        batch.add_column(
            sa.Column("contract_open_ended", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("client_results") as batch:
        batch.drop_column("contract_open_ended")
