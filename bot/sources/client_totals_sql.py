"""The per-client SQL a database source runs: one row per client travels, whatever the size of
the sales table.

It restates in SQL the purchases rule of `analysis/` (`client_totals` and `_purchases` in
`analysis/abc.py` today; the per-client table's module once it has its own): the value is summed
over the period; a purchase has a positive amount (sales, else profit) inside the period, and is
counted once per distinct day (a database source has no invoice role), else once per row; the last
purchase is the latest such day. Change the rule there, change it here.
The period filter sits inside the aggregates (conditional sums), never in a WHERE clause, so
clients with nothing in the period still come back, with 0, and land in D.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from bot.sources.config import Source

# How many rows of the table each returned row stands for (to order spellings by frequency).
ROWS = "source_rows"


def relation(source: Source) -> sa.FromClause:
    """The source's table, or its query as a subquery, with the configured columns."""
    names = list(source.columns.values())
    if source.table:
        schema, _, table = source.table.rpartition(".")
        return sa.table(table, *(sa.column(n) for n in names), schema=schema or None)
    assert source.query is not None
    return sa.text(source.query).columns(*(sa.column(n) for n in names)).subquery("source")


def aggregate_statement(source: Source, bounds: tuple[date, date] | None) -> sa.Select[Any]:
    """One row per client, the period applied inside the sums (never in a WHERE clause)."""
    table = relation(source)
    col = {role: table.c[name] for role, name in source.columns.items()}
    group = col.get("client_id", col.get("client"))
    assert group is not None
    in_period: sa.ColumnElement[bool] = sa.true()
    if bounds is not None and "date" in col:
        # Half-open on the day after the end, so timestamps on the last day count.
        in_period = sa.and_(col["date"] >= bounds[0], col["date"] < bounds[1] + timedelta(days=1))
    selected: list[sa.ColumnElement[Any]] = [
        group.label("client_id" if "client_id" in col else "client")
    ]
    if "client_id" in col and "client" in col:
        selected.append(sa.func.max(col["client"]).label("client"))
    for role in ("sales", "profit"):
        if role in col:
            selected.append(
                sa.func.coalesce(sa.func.sum(sa.case((in_period, col[role]), else_=0)), 0).label(
                    role
                )
            )
    amount = col.get("sales", col.get("profit"))
    assert amount is not None
    bought = sa.and_(in_period, amount > 0)
    if "date" in col:
        selected.append(sa.func.count(sa.distinct(sa.case((bought, col["date"])))).label("orders"))
        selected.append(sa.func.max(sa.case((bought, col["date"]))).label("last_purchase"))
    else:
        selected.append(sa.func.count(sa.case((bought, 1))).label("orders"))
    for role in ("segment", "manager", "contract_end"):
        if role in col:
            selected.append(sa.func.max(col[role]).label(role))
    selected.append(sa.func.count().label(ROWS))
    return sa.select(*selected).select_from(table).group_by(group)
