"""The per-client table: the transaction log turned once into one row per client, which every
model reads (the pattern of lifetimes' `summary_data_from_transaction_data`).

From the cleaned transactions and the settings' period: value by the criterion, the sales and
profit sums when the file has them, purchases, distinct purchase days, first and last purchase,
recency and age in days at the period's end, and the columns carried from the file (taken from
each client's last row: a known defect, kept as it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodBounds, resolve_period
from analysis.settings import AnalysisSettings, Criterion

if TYPE_CHECKING:
    from pandas.api.typing import DataFrameGroupBy

    ByClient = DataFrameGroupBy[Any, Any]

MEASURES = ("sales", "profit")
# Each client's first and last row, when every row has a client and every client a row.
Ends = tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True, eq=False)
class CustomerTable:
    """One row per client of the file, in the order of their keys, over `period`.

    `frame` holds `client_key`, `client`, `value` (by `criterion`), `sales` and `profit` (when
    the file has them), then what the log tells: `purchases`, `purchase_days`, `first_purchase`,
    `last_purchase`, `recency` and `age` (days from those purchases to the period's end), and
    `contract_end` with `contract_open_ended` (a contract without an end), each when known.
    `carried` holds the file's own columns (segment, manager and the columns playing no role),
    apart so their names never meet the measures'.
    """

    frame: pd.DataFrame
    carried: pd.DataFrame
    period: PeriodBounds
    criterion: Criterion

    def __len__(self) -> int:
        return len(self.frame)


def customer_table(tx: Transactions, settings: AnalysisSettings) -> CustomerTable:
    """Summarise the transactions per client over the settings' period."""
    criterion = settings.criterion
    frame = tx.frame
    if criterion not in frame.columns:
        code = "no_profit_column" if criterion == "profit" else "no_value_column"
        raise InputError(code, found=tx.columns_found())
    inside, bounds = period_rows(tx, settings)
    keys = frame["client_key"].astype("category").cat
    codes = keys.codes.to_numpy().astype(np.int64)
    count = len(keys.categories)
    sums = {
        column: _sums(frame[column], codes, inside, count)
        for column in dict.fromkeys((criterion, *MEASURES))
        if column in frame.columns
    }
    table = pd.DataFrame({"value": sums[criterion]})
    for measure in MEASURES:
        if measure in sums:
            table[measure] = sums[measure].copy() if measure == criterion else sums[measure]
    if tx.shape == "per_client":
        activity = _per_client_activity(frame, codes)
    else:
        activity = _purchases(frame, codes, inside, count, criterion)
    table = table.join(activity)
    table = table.join(_ages(table, bounds))
    by_client = frame.drop(columns=["client_key"]).groupby(codes, sort=True, observed=True)
    ends = _end_rows(codes, count)
    table["client"] = _first_names(frame, "client", ends, by_client)
    table["client_key"] = pd.Series(keys.categories.astype("str"), dtype="str")
    if "contract_end" in frame.columns:
        table["contract_end"] = by_client["contract_end"].max()
    if "contract_open_ended" in frame.columns:
        table = _open_ended_contracts(table, by_client["contract_open_ended"].any())
    carried_columns = [c for c in ("segment", "manager", *tx.carried) if c in frame.columns]
    carried = pd.DataFrame(
        {column: _last_values(frame, column, ends, by_client) for column in carried_columns},
        index=pd.RangeIndex(count),
    )
    return CustomerTable(table, carried, bounds, criterion)


def _end_rows(codes: np.ndarray, count: int) -> Ends:
    """Each client's first and last row: a minimum and a maximum per client, cheaper than a
    group-by, which hashes the codes first. None when a row has no client or a client no row
    (the group-by then does the work)."""
    if len(codes) == 0 or codes.min() < 0:
        return None
    rows = np.arange(len(codes), dtype=np.int64)
    first = np.full(count, len(codes), dtype=np.int64)
    last = np.full(count, -1, dtype=np.int64)
    np.minimum.at(first, codes, rows)
    np.maximum.at(last, codes, rows)
    return None if (last < 0).any() else (first, last)


def _first_names(frame: pd.DataFrame, name: str, ends: Ends, by_client: ByClient) -> pd.Series:
    """Each client's name on its first row with one, as text."""
    column = frame[name]
    if ends is None or column.hasnans:
        return by_client[name].first().astype("str")
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Text of each distinct name once, rather than of each client.
        names = column.cat.categories.astype("str")
        return pd.Series(names.take(column.cat.codes.to_numpy()[ends[0]]), dtype="str")
    return pd.Series(column.to_numpy()[ends[0]]).astype("str")


def _last_values(frame: pd.DataFrame, name: str, ends: Ends, by_client: ByClient) -> pd.Series:
    """Each client's value on its last row with one (the group-by's `last`)."""
    column = frame[name]
    if ends is None or column.hasnans:
        return by_client[name].last()
    return column.take(ends[1]).reset_index(drop=True)


def period_rows(tx: Transactions, settings: AnalysisSettings) -> tuple[np.ndarray, PeriodBounds]:
    """Which rows fall in the asked period, and the period's bounds."""
    frame = tx.frame
    spec = settings.period
    if tx.applied_period is not None:
        return np.ones(len(frame), dtype=bool), tx.applied_period
    if not tx.has_dates:
        if spec.kind != "all" and settings.period_required:
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


def _sums(column: pd.Series, codes: np.ndarray, inside: np.ndarray, count: int) -> np.ndarray:
    """Each client's sum of a column over the period's rows (empty cells count as 0)."""
    amounts = np.nan_to_num(column.to_numpy(dtype="float64"))
    return np.bincount(codes[inside], weights=amounts[inside], minlength=count)


def _purchases(
    frame: pd.DataFrame, codes: np.ndarray, inside: np.ndarray, count: int, criterion: str
) -> pd.DataFrame:
    """Purchases per client: distinct invoices, else distinct dates, else rows; refunds excluded.
    With dates, also the distinct purchase days and the first and last purchase."""
    amount = "sales" if "sales" in frame.columns else criterion
    bought = inside & (frame[amount].to_numpy(dtype="float64") > 0)  # an empty cell: no sale
    clients = codes[bought]
    days = None
    if "date" in frame.columns:
        days = frame["date"].to_numpy()[bought].astype("datetime64[D]").astype(np.int64)
    if "invoice" in frame.columns:
        invoice = _codes(frame["invoice"])[bought]
        # A row without an invoice number counts as a purchase of its own.
        invoice = np.where(
            invoice >= 0, invoice, invoice.max(initial=0) + 1 + np.arange(len(invoice))
        )
        purchases = _distinct_pairs(clients, invoice, count)
    elif days is not None:
        purchases = _distinct_pairs(clients, days - days.min(initial=0), count)
    else:
        purchases = np.bincount(clients, minlength=count)
    activity = pd.DataFrame({"purchases": purchases})
    if days is not None:
        activity["purchase_days"] = (
            purchases
            if "invoice" not in frame.columns
            else _distinct_pairs(clients, days - days.min(initial=0), count)
        )
        first, last = _date_range(frame["date"].to_numpy()[bought], clients, count)
        activity["first_purchase"] = first
        activity["last_purchase"] = last
    return activity


def _date_range(dates: np.ndarray, clients: np.ndarray, count: int) -> tuple[pd.Series, pd.Series]:
    """Each client's earliest and latest date (NaT for a client without one): a minimum and a
    maximum per client on the dates' integer form, cheaper than a group-by over every row."""
    known = ~np.isnat(dates)
    ticks, owners = dates[known].view(np.int64), clients[known]
    low = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(low, owners, ticks)
    np.maximum.at(high, owners, ticks)
    seen = np.bincount(owners, minlength=count) > 0
    nat = np.datetime64("NaT").astype(dates.dtype).view(np.int64)
    first = np.where(seen, low, nat).view(dates.dtype)
    last = np.where(seen, high, nat).view(dates.dtype)
    return pd.Series(first), pd.Series(last)


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
    # A hash table is faster than sorting here, and faster still on 32-bit keys when they fit.
    keys = clients * width + items
    if count * width < np.iinfo(np.int32).max:
        keys = keys.astype(np.int32)
    pairs = pd.unique(keys)
    return np.bincount(pairs // width, minlength=count)


def _per_client_activity(frame: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    activity = pd.DataFrame(index=pd.RangeIndex(int(codes.max()) + 1))
    if "orders" in frame.columns:
        activity["purchases"] = frame["orders"].groupby(codes).sum(min_count=1)
    if "last_purchase" in frame.columns:
        activity["last_purchase"] = frame["last_purchase"].groupby(codes).max()
    return activity


def _open_ended_contracts(table: pd.DataFrame, open_ended: pd.Series) -> pd.DataFrame:
    """A client with a contract that has no end ("31/12/9999" in the file) has no contract end
    date, whatever its other rows say, and `contract_open_ended` says why."""
    open_ended = open_ended.reindex(table.index, fill_value=False).astype(bool)
    return table.assign(
        contract_end=table["contract_end"].where(~open_ended),
        contract_open_ended=open_ended,
    )


def _ages(table: pd.DataFrame, bounds: PeriodBounds) -> pd.DataFrame:
    """Days from the last purchase (recency) and the first (age) to the period's end, or to the
    latest purchase of all when the period is open."""
    ages = pd.DataFrame(index=table.index)
    if "last_purchase" not in table.columns:
        return ages
    last = table["last_purchase"]
    reference = last.max() if bounds.end is None else pd.Timestamp(bounds.end)
    ages["recency"] = (reference - last).dt.days.astype("Int64")
    if "first_purchase" in table.columns:
        ages["age"] = (reference - table["first_purchase"]).dt.days.astype("Int64")
    return ages
