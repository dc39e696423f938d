"""Configured data sources: a file on the server, an http(s) URL of a CSV or Excel file, or a
database. The operator defines them in a TOML file (CLIENTBASE_SOURCES), never in a chat, so
credentials stay on the server; each source names the chats that may use it.

For a database the per-client aggregation is pushed down: one row per client travels, whatever
the size of the sales table. The period filter sits inside the aggregate (a conditional sum), not
in a WHERE clause, so clients with nothing in the period still come back, with 0, and land in D.
Names are merged (case, accents, white space) after the query, since databases fold case
differently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analysis.ingest.cleaning import clean
from analysis.ingest.reading import RawTable, SourceInfo
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodBounds, PeriodSpec, add_months, resolve_period
from analysis.pipeline import load
from analysis.settings import Limits, ReadOptions

KINDS = ("file", "url", "database")
DATABASE_ROLES = (
    "client",
    "client_id",
    "sales",
    "profit",
    "date",
    "segment",
    "manager",
    "contract_end",
)
MAX_RETRIES = 3
ROWS = "source_rows"
RETRY_AFTER = timedelta(hours=1)


class SourceError(Exception):
    """A source could not be read, or the sources file is wrong.

    `str()` is the English text for the operator's log, with paths, addresses and the database's
    own words; `code` and `params` name the cause for the chat, worded by the catalogues
    (`source_error.<code>`) without them, since a URL or a database error can carry credentials.
    """

    def __init__(self, message: str, code: str = "config", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the worker pool, so it travels between processes.
        return (_rebuild_source_error, (str(self), self.code, self.params))


def _rebuild_source_error(message: str, code: str, params: dict[str, Any]) -> SourceError:
    return SourceError(message, code, **params)


def _file_error(path: Path, error: OSError) -> SourceError:
    message = f"{path}: {error.strerror or error}"
    if isinstance(error, FileNotFoundError):
        return SourceError(message, "file_missing")
    if isinstance(error, PermissionError):
        return SourceError(message, "file_denied")
    return SourceError(message, "file_unreadable")


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    chats: frozenset[int]
    label: str = ""
    path: Path | None = None
    url: str | None = None
    database: str | None = None
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.label or self.name


def load_sources(path: Path) -> dict[str, Source]:
    """Read and check the operator's TOML file; a mistake is a SourceError naming it."""
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SourceError(f"{path}: {error}") from None
    sources = {}
    for name, spec in document.get("sources", {}).items():
        kind = spec.get("kind")
        if kind not in KINDS:
            raise SourceError(
                f"source {name}: kind must be one of {', '.join(KINDS)}, not {kind!r}"
            )
        needed = {"file": ("path",), "url": ("url",), "database": ("database", "columns")}[kind]
        missing = [key for key in needed if not spec.get(key)]
        if kind == "database" and not (spec.get("table") or spec.get("query")):
            missing.append("table or query")
        if missing:
            raise SourceError(f"source {name}: missing {', '.join(missing)}")
        columns = dict(spec.get("columns", {}))
        has_client = "client" in columns or "client_id" in columns
        has_value = bool({"sales", "profit"} & set(columns))
        if kind == "database" and not (has_client and has_value):
            raise SourceError(
                f"source {name}: columns must name a client and a sales or profit column"
            )
        unknown = set(columns) - set(DATABASE_ROLES)
        if unknown:
            raise SourceError(f"source {name}: unknown column roles {', '.join(sorted(unknown))}")
        sources[name] = Source(
            name=name,
            kind=kind,
            chats=frozenset(int(c) for c in spec.get("chats", [])),
            label=spec.get("label", ""),
            path=Path(spec["path"]) if spec.get("path") else None,
            url=spec.get("url"),
            database=spec.get("database"),
            table=spec.get("table"),
            query=spec.get("query"),
            sheet=spec.get("sheet"),
            columns=columns,
        )
    return sources


def fetch(source: Source, period: PeriodSpec, limits: Limits | None = None) -> Transactions:
    """Read a source into transactions (a database's already aggregated per client)."""
    options = ReadOptions(
        sheet=source.sheet,
        roles=dict(source.columns) if source.kind != "database" else {},
        limits=limits or Limits(),
    )
    if source.kind == "file":
        assert source.path is not None
        try:
            data = source.path.read_bytes()
        except OSError as error:
            raise _file_error(source.path, error) from None
        return load(data, source.path.name, options)
    if source.kind == "url":
        assert source.url is not None
        return load(
            _download(source.url),
            PurePosixPath(urlparse(source.url).path).name or "source.csv",
            options,
        )
    return aggregate(source, period)


def _download(url: str) -> bytes:
    import httpx

    try:
        response = httpx.get(url, timeout=60.0, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise SourceError(f"{url}: {error}", "url_status", status=status) from None
    except httpx.TimeoutException as error:
        raise SourceError(f"{url}: {error!r}", "url_timeout") from None
    except httpx.HTTPError as error:
        raise SourceError(f"{url}: {error!r}", "url_unreachable") from None
    return response.content


def _relation(source: Source) -> sa.FromClause:
    names = list(source.columns.values())
    if source.table:
        schema, _, table = source.table.rpartition(".")
        return sa.table(table, *(sa.column(n) for n in names), schema=schema or None)
    assert source.query is not None
    return sa.text(source.query).columns(*(sa.column(n) for n in names)).subquery("source")


def aggregate_statement(source: Source, bounds: tuple[date, date] | None) -> sa.Select[Any]:
    """One row per client, the period applied inside the sums (never in a WHERE clause)."""
    relation = _relation(source)
    col = {role: relation.c[name] for role, name in source.columns.items()}
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
    return sa.select(*selected).select_from(relation).group_by(group)


def aggregate(source: Source, period: PeriodSpec, engine: sa.Engine | None = None) -> Transactions:
    """Run the aggregation in the database and clean its rows like any per-client table."""
    assert source.database is not None
    own = engine is None
    engine = engine or sa.create_engine(source.database)
    try:
        with engine.connect() as connection:
            bounds = None
            if period.kind != "all" and "date" in source.columns:
                relation = _relation(source)
                last = connection.execute(
                    sa.select(sa.func.max(relation.c[source.columns["date"]]))
                ).scalar()
                resolved = resolve_period(period, None, _as_date(last))
                if resolved.start is not None and resolved.end is not None:
                    bounds = (resolved.start, resolved.end)
            frame = pd.read_sql(aggregate_statement(source, bounds), connection)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as error:
        detail = str(error).splitlines()[0]
        raise SourceError(f"{source.title}: {detail}", "database") from None
    finally:
        if own:
            engine.dispose()
    # Each spelling came back once: the most frequent in the table goes first, so that merging
    # names shows it (the rule everywhere: most frequent spelling, ties first seen).
    frame = frame.sort_values(ROWS, ascending=False, kind="stable").drop(columns=[ROWS])
    frame = frame.reset_index(drop=True)
    raw = RawTable(
        frame, np.arange(1, len(frame) + 1), SourceInfo.elsewhere(source.title, "database")
    )
    roles = {str(role): str(role) for role in frame.columns}  # the statement labels by role
    tx = clean(raw, roles, Limits())
    return tx if bounds is None else replace(tx, applied_period=PeriodBounds(*bounds))


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(str(value)).date()


def next_run(every: str, after: datetime, hour: time, timezone: str, anchor_day: int) -> datetime:
    """The first scheduled run after `after`: monthly on the anchor day (clamped to the month's
    end), or every N days, at the reminder hour in the chat's zone."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    day = local.date()
    if every.endswith("m"):
        months = int(every[:-1])
        candidate = _clamped(day.year, day.month, anchor_day)
        while datetime.combine(candidate, hour, tzinfo=zone) <= after:
            nxt = add_months(candidate.replace(day=1), months)
            candidate = _clamped(nxt.year, nxt.month, anchor_day)
        return datetime.combine(candidate, hour, tzinfo=zone)
    days = int(every[:-1])
    candidate = day
    while datetime.combine(candidate, hour, tzinfo=zone) <= after:
        candidate += timedelta(days=days)
    return datetime.combine(candidate, hour, tzinfo=zone)


def _clamped(year: int, month: int, day: int) -> date:
    import calendar

    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
