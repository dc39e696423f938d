"""The ABC(D) classification: per-client totals over a period, then categories by cumulative share.

Rule (stated in the README): D when a client's total is <= 0. For the others, `before` is the sum
of all totals strictly larger than the client's over the sum of all positive totals: A if
`before` < A-share, B if `before` < A-share + B-share, else C. Totals are compared on a grid of
1e-9 of the positive sum, so float noise neither splits equal totals nor makes zero positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodBounds, resolve_period
from analysis.result import CATEGORIES, CLIENT_COLUMNS, AnalysisResult, CategoryStats
from analysis.settings import AnalysisSettings, Thresholds

GRID = 1e-9


@dataclass(frozen=True)
class Graded:
    """Categories of a vector of totals, with the quantities they were decided on."""

    categories: np.ndarray
    grid_values: np.ndarray
    positive_total: float


def categorize(values: np.ndarray, thresholds: Thresholds) -> Graded:
    """Categories ('A'..'D') for totals, by the rule in this module's docstring."""
    values = np.asarray(values, dtype="float64")
    out = np.full(values.shape, "D", dtype="<U1")
    raw_positive = float(values[values > 0].sum())
    if raw_positive <= 0 or not np.isfinite(raw_positive):
        return Graded(out, np.zeros_like(values), 0.0)
    grid = np.rint(values / (raw_positive * GRID))
    positive = grid > 0
    # Grid values are whole numbers summing to about 1e9, so these sums are exact in float64
    # whatever the order: equal totals always see the same `before`.
    levels, inverse = np.unique(grid[positive], return_inverse=True)
    level_sums = np.bincount(inverse, weights=grid[positive], minlength=len(levels))
    running = np.cumsum(level_sums)
    grid_total = running[-1]
    before = grid_total - running[inverse]
    a_limit = thresholds.a * grid_total
    b_limit = (thresholds.a + thresholds.b) * grid_total
    graded = np.where(before * 100 < a_limit, "A", np.where(before * 100 < b_limit, "B", "C"))
    out[positive] = graded
    return Graded(out, grid, float(values[positive].sum()))


def _period_rows(tx: Transactions, settings: AnalysisSettings) -> tuple[np.ndarray, PeriodBounds]:
    """Which rows fall in the asked period, and the period's bounds."""
    frame = tx.frame
    spec = settings.period
    if tx.applied_period is not None:
        return np.ones(len(frame), dtype=bool), tx.applied_period
    if not tx.has_dates:
        if spec.kind != "all":
            raise InputError("period_needs_dates", found=tx.columns_found())
        return np.ones(len(frame), dtype=bool), PeriodBounds(None, None)
    dates = frame["date"]
    first, last = dates.min(), dates.max()
    bounds = resolve_period(
        spec,
        None if pd.isna(first) else first.date(),
        None if pd.isna(last) else last.date(),
    )
    if spec.kind == "all" or bounds.start is None or bounds.end is None:
        return np.ones(len(frame), dtype=bool), bounds
    inside = dates.between(pd.Timestamp(bounds.start), pd.Timestamp(bounds.end))
    return inside.to_numpy(dtype=bool), bounds


def client_totals(
    tx: Transactions, settings: AnalysisSettings
) -> tuple[pd.DataFrame, PeriodBounds]:
    """One row per client of the file: value over the period, purchases, first and last ones."""
    criterion = settings.criterion
    frame = tx.frame
    if criterion not in frame.columns:
        code = "no_profit_column" if criterion == "profit" else "no_value_column"
        raise InputError(code, found=tx.columns_found())
    inside, bounds = _period_rows(tx, settings)
    keys = frame["client_key"].astype("category").cat
    codes = keys.codes.to_numpy().astype(np.int64)
    count = len(keys.categories)
    amounts = np.nan_to_num(frame[criterion].to_numpy(dtype="float64"))
    totals = pd.DataFrame(
        {"value": np.bincount(codes[inside], weights=amounts[inside], minlength=count)}
    )
    if tx.shape == "per_client":
        activity = _per_client_activity(frame, codes)
    else:
        activity = _purchases(frame, codes, inside, count, criterion)
    totals = totals.join(activity)
    by_client = frame.drop(columns=["client_key"]).groupby(codes, sort=True, observed=True)
    totals["client"] = by_client["client"].first().astype("str")
    totals["client_key"] = pd.Series(keys.categories.astype("str"), dtype="str")
    carried = [c for c in ("segment", "manager", *tx.carried) if c in frame.columns]
    if carried:
        totals = totals.join(by_client[carried].last())
    if "contract_end" in frame.columns:
        totals["contract_end"] = by_client["contract_end"].max()
    return totals, bounds


def _purchases(
    frame: pd.DataFrame, codes: np.ndarray, inside: np.ndarray, count: int, criterion: str
) -> pd.DataFrame:
    """Purchases per client: distinct invoices, else distinct dates, else rows; refunds excluded."""
    amount = "sales" if "sales" in frame.columns else criterion
    bought = inside & (np.nan_to_num(frame[amount].to_numpy(dtype="float64")) > 0)
    clients = codes[bought]
    if "invoice" in frame.columns:
        invoice = _codes(frame["invoice"])[bought]
        # A row without an invoice number counts as a purchase of its own.
        invoice = np.where(
            invoice >= 0, invoice, invoice.max(initial=0) + 1 + np.arange(len(invoice))
        )
        purchases = _distinct_pairs(clients, invoice, count)
    elif "date" in frame.columns:
        days = frame["date"].to_numpy()[bought].astype("datetime64[D]").astype(np.int64)
        purchases = _distinct_pairs(clients, days - days.min(initial=0), count)
    else:
        purchases = np.bincount(clients, minlength=count)
    activity = pd.DataFrame({"purchases": purchases})
    if "date" in frame.columns:
        dates = pd.Series(frame["date"].to_numpy()[bought])
        grouped = dates.groupby(clients)
        activity["first_purchase"] = grouped.min()
        activity["last_purchase"] = grouped.max()
    return activity


def _codes(column: pd.Series) -> np.ndarray:
    """Integer codes of a column (-1 where empty), whether it holds codes or ids as text."""
    if pd.api.types.is_integer_dtype(column):
        return column.to_numpy(dtype=np.int64)
    return pd.factorize(column)[0].astype(np.int64)


def _distinct_pairs(clients: np.ndarray, items: np.ndarray, count: int) -> np.ndarray:
    """How many distinct items each client has (items are non-negative integers)."""
    if len(clients) == 0:
        return np.zeros(count, dtype=np.int64)
    width = int(items.max()) + 1
    pairs = pd.unique(clients * width + items)  # a hash table: faster than sorting here
    return np.bincount(pairs // width, minlength=count)


def _per_client_activity(frame: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    activity = pd.DataFrame(index=pd.RangeIndex(int(codes.max()) + 1))
    if "orders" in frame.columns:
        activity["purchases"] = frame["orders"].groupby(codes).sum(min_count=1)
    if "last_purchase" in frame.columns:
        activity["last_purchase"] = frame["last_purchase"].groupby(codes).max()
    return activity


def analyze(tx: Transactions, settings: AnalysisSettings) -> AnalysisResult:
    """Classify the clients of a table; the single entry point of the analysis."""
    totals, bounds = client_totals(tx, settings)
    graded = categorize(totals["value"].to_numpy(), settings.thresholds)
    if graded.positive_total <= 0:
        raise InputError("nothing_to_rank", criterion=settings.criterion, clients=len(totals))
    clients = _client_table(totals, graded, bounds)
    categories = _category_stats(clients, graded.positive_total)
    top = clients["value"].clip(lower=0)
    one_off = clients["one_off"]
    return AnalysisResult(
        criterion=settings.criterion,
        period=bounds,
        period_spec=settings.period,
        thresholds=settings.thresholds,
        clients=clients,
        categories=categories,
        total=float(clients["value"].sum()),
        positive_total=graded.positive_total,
        pareto_client_share=categories[0].clients / len(clients),
        one_off_share=None if one_off.isna().all() else float(one_off.fillna(False).mean()),
        top1_share=float(top.iloc[:1].sum() / graded.positive_total),
        top10_share=float(top.iloc[:10].sum() / graded.positive_total),
        segments=_segments(clients),
        skipped=tx.skipped,
        columns=dict(tx.roles.mapping),
        shape=tx.shape,
        source=tx.source,
        spellings=tx.spellings,
        currency=tx.currency,
    )


def _client_table(totals: pd.DataFrame, graded: Graded, bounds: PeriodBounds) -> pd.DataFrame:
    """The per-client table, best first (ties by name), with shares, ranks and activity."""
    table = totals.assign(category=graded.categories, _grid=graded.grid_values).reset_index(
        drop=True
    )
    table = table.sort_values(["_grid", "client"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    positive_total = graded.positive_total
    table["share"] = table["value"] / positive_total
    table["cumulative_share"] = table["value"].clip(lower=0).cumsum() / positive_total
    table["rank"] = table["_grid"].rank(method="min", ascending=False).astype("int64")
    table["category"] = pd.Categorical(table["category"], categories=list(CATEGORIES))
    if "purchases" in table.columns:
        purchases = table["purchases"].astype("Float64")
        table["purchases"] = purchases.astype("Int64")
        table["one_off"] = (purchases == 1).astype("boolean")
    else:
        table["purchases"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["one_off"] = pd.array([pd.NA] * len(table), dtype="boolean")
    for column in ("first_purchase", "last_purchase"):
        if column not in table.columns:
            table[column] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    reference = table["last_purchase"].max() if bounds.end is None else pd.Timestamp(bounds.end)
    table["days_since_last"] = (reference - table["last_purchase"]).dt.days.astype("Int64")
    leading = list(CLIENT_COLUMNS)
    rest = [c for c in table.columns if c not in leading and c not in ("_grid", "client_key")]
    rest.append("client_key")
    return table[leading + rest]


def _category_stats(clients: pd.DataFrame, positive_total: float) -> tuple[CategoryStats, ...]:
    counts = clients["category"].value_counts().reindex(list(CATEGORIES), fill_value=0)
    values = clients.groupby("category", observed=False)["value"].sum().reindex(list(CATEGORIES))
    size = len(clients)
    return tuple(
        CategoryStats(
            category=letter,
            clients=int(counts[letter]),
            client_share=int(counts[letter]) / size,
            value=float(values[letter]),
            value_share=float(values[letter]) / positive_total,
        )
        for letter in CATEGORIES
    )


def _segments(clients: pd.DataFrame) -> pd.DataFrame | None:
    """Clients and value per segment and category, when the file has a segment column."""
    if "segment" not in clients.columns:
        return None
    segment = clients["segment"].fillna("—")
    counts = pd.crosstab(segment, clients["category"], dropna=False).reindex(
        columns=list(CATEGORIES), fill_value=0
    )
    values = clients.groupby(segment)["value"].sum()
    table = counts.assign(clients=counts.sum(axis=1), value=values)
    return table.sort_values("value", ascending=False)
