"""A database source: resolve the period against the table's last date, run the per-client SQL
(`bot.sources.client_totals_sql`) and clean its rows like any per-client table. Names are merged
(case, accents, white space) after the query, since databases fold case differently."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analysis.errors import InputError
from analysis.ingest.cleaning import clean
from analysis.ingest.reading import RawTable, SourceInfo
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodBounds, PeriodSpec, resolve_period
from analysis.settings import Limits
from bot.sources.client_totals_sql import ROWS, aggregate_statement, relation
from bot.sources.config import Source
from bot.sources.errors import SourceError


def aggregate(
    source: Source,
    period: PeriodSpec,
    engine: sa.Engine | None = None,
    limits: Limits | None = None,
) -> Transactions:
    """Run the aggregation in the database and clean its rows like any per-client table."""
    assert source.database is not None
    limits = limits or Limits()
    own = engine is None
    try:
        # Inside the try: a missing driver or a bad URL is the source's failure, told as one.
        engine = engine or sa.create_engine(source.database)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError) as error:
        raise SourceError(f"{source.title}: {type(error).__name__}: {error}", "database") from None
    try:
        with engine.connect() as connection:
            bounds = None
            if period.kind != "all" and "date" in source.columns:
                table = relation(source)
                last = connection.execute(
                    sa.select(sa.func.max(table.c[source.columns["date"]]))
                ).scalar()
                resolved = resolve_period(period, None, _as_date(last))
                if resolved.start is not None and resolved.end is not None:
                    bounds = (resolved.start, resolved.end)
            # One row per client: past the row limit, the table is refused unread (one more row
            # than the limit is all that travels).
            statement = aggregate_statement(source, bounds).limit(limits.max_rows + 1)
            frame = pd.read_sql(statement, connection)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as error:
        detail = str(error).splitlines()[0]
        raise SourceError(f"{source.title}: {detail}", "database") from None
    finally:
        if own:
            engine.dispose()
    if len(frame) > limits.max_rows:
        raise InputError("too_many_rows", rows=len(frame), limit=limits.max_rows)
    # Each spelling came back once: the most frequent in the table goes first, so that merging
    # names shows it (the rule everywhere: most frequent spelling, ties first seen).
    frame = frame.sort_values(ROWS, ascending=False, kind="stable").drop(columns=[ROWS])
    frame = frame.reset_index(drop=True)
    raw = RawTable(
        frame, np.arange(1, len(frame) + 1), SourceInfo.elsewhere(source.title, "database")
    )
    roles = {str(role): str(role) for role in frame.columns}  # the statement labels by role
    tx = clean(raw, roles, limits)
    return tx if bounds is None else replace(tx, applied_period=PeriodBounds(*bounds))


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(str(value)).date()
