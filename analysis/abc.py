"""The ABC(D) classification of the per-client table (analysis.customers), by cumulative share.

Rule (stated in the README): D when a client's total is <= 0. For the others, `before` is the sum
of all totals strictly larger than the client's over the sum of all positive totals: A if
`before` < A-share, B if `before` < A-share + B-share, else C. Totals are compared on a grid of
1e-9 of the positive sum, so float noise neither splits equal totals nor makes zero positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.customers import CustomerTable, customer_table
from analysis.errors import InputError
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodBounds, PeriodSpec
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


# The columns of the per-client table the classification shows, in the order it shows them.
ACTIVITY_COLUMNS = ("purchases", "first_purchase", "last_purchase")


def client_totals(customers: CustomerTable) -> pd.DataFrame:
    """The per-client table restricted to what the classification shows: value, activity,
    client, key, then the carried columns and the contract end."""
    table = customers.frame
    shown = ["value", *(c for c in ACTIVITY_COLUMNS if c in table.columns), "client", "client_key"]
    totals = table[shown].join(customers.carried)
    if "contract_end" in table.columns:
        totals["contract_end"] = table["contract_end"]
    if "contract_open_ended" in table.columns:
        totals["contract_open_ended"] = table["contract_open_ended"]
    return totals


def analyze(tx: Transactions, settings: AnalysisSettings) -> AnalysisResult:
    """Classify the clients of a table; the single entry point of the analysis."""
    customers = customer_table(tx, settings)
    totals, bounds = client_totals(customers), customers.period
    graded = categorize(totals["value"].to_numpy(), settings.thresholds)
    if graded.positive_total <= 0:
        raise InputError("nothing_to_rank", criterion=settings.criterion, clients=len(totals))
    clients = _client_table(totals, graded, bounds)
    categories = _category_stats(clients, graded.positive_total)
    top = clients["value"].clip(lower=0)
    one_off = clients["one_off"]
    not_applied = (
        settings.period
        if settings.period.kind != "all" and not tx.has_dates and tx.applied_period is None
        else None
    )
    return AnalysisResult(
        criterion=settings.criterion,
        period=bounds,
        period_spec=settings.period if not_applied is None else PeriodSpec(),
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
        customers=customers,
        period_not_applied=not_applied,
    )


def _client_table(totals: pd.DataFrame, graded: Graded, bounds: PeriodBounds) -> pd.DataFrame:
    """The per-client table, best first (ties by name), with shares, ranks and activity."""
    # The letters as a categorical from the start: reordering them moves codes, not strings.
    codes: np.ndarray = np.searchsorted(np.array(CATEGORIES), graded.categories)  # sorted letters
    category = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(CATEGORIES)))
    table = totals.assign(category=category, _grid=graded.grid_values).reset_index(drop=True)
    table = table.take(_best_first(table)).reset_index(drop=True)
    positive_total = graded.positive_total
    table["share"] = table["value"] / positive_total
    table["cumulative_share"] = table["value"].clip(lower=0).cumsum() / positive_total
    table["rank"] = table["_grid"].rank(method="min", ascending=False).astype("int64")
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


def _best_first(table: pd.DataFrame) -> np.ndarray:
    """The order of the rows by grid value, largest first, then by name; stable. Arrow's
    two-key sort compares names only within ties, far cheaper than pandas' `sort_values`,
    which first ranks every name; names compare by code point in both."""
    keys = pa.table({"grid": table["_grid"].to_numpy(), "client": pa.array(table["client"].array)})
    order = pc.sort_indices(keys, sort_keys=[("grid", "descending"), ("client", "ascending")])
    return np.asarray(order, dtype=np.int64)


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
