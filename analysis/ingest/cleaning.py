"""A raw table to clean transactions: roles applied, values parsed, totals and bad rows set aside,
and every client given one identity however its name was typed.

`clean` reads as the list of its steps; each step is a small function below it, in order.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputError
from analysis.ingest.codes import Encoded, encode
from analysis.ingest.columns import ColumnRoles, fold, resolve_roles
from analysis.ingest.dates import ParsedDates, parse_dates
from analysis.ingest.identity import fold_names, identify, normalised, without_controls
from analysis.ingest.numbers import ParsedNumbers, detect_currency, parse_numbers
from analysis.ingest.reading import RawTable
from analysis.ingest.transactions import Shape, SkippedRow, Transactions
from analysis.ingest.vocabulary import vocabulary
from analysis.settings import Limits

NUMBER_ROLES = ("sales", "profit", "quantity", "orders")
DATE_ROLES = ("date", "contract_end", "last_purchase")
TEXT_ROLES = ("segment", "manager")
_EXAMPLES = 5


def clean(raw: RawTable, explicit_roles: dict[str, str], limits: Limits) -> Transactions:
    """Turn a raw table into transactions, or say in one InputError what is wrong with it."""
    frame, columns = _named_columns(raw.frame, limits)
    roles = _roles(columns, explicit_roles)
    frame, rows = _without_blank_rows(frame, raw.row_numbers, columns)
    parsed = _parse_columns(frame, roles, raw.source.delimiter)
    table = _canonical_table(frame, rows, roles, parsed, columns)
    folded = _folded_client_names(parsed)
    keep, skipped = _drop_total_rows(table.frame, rows, roles, parsed, folded)
    keep, unreadable = _drop_unreadable_rows(table.unreadable, keep, frame, rows, limits)
    skipped.extend(unreadable)
    if not keep.any():
        raise InputError("header_only", found=columns)
    skipped.extend(
        SkippedRow(number, None, text[:80], "malformed_line") for number, text in raw.skipped_lines
    )
    out, spellings = _with_identity(table.frame, keep, parsed, folded)
    clients = len(out["client_key"].cat.categories)
    skipped.sort(key=lambda s: s.row)
    return Transactions(
        out,
        roles,
        _shape(out, clients),
        raw.source,
        tuple(skipped),
        spellings,
        clients,
        table.currency,
        table.carried,
    )


def _named_columns(frame: pd.DataFrame, limits: Limits) -> tuple[pd.DataFrame, list[str]]:
    """Headers as text; a table without rows, or wider than the limit, is refused."""
    if len(frame.columns) > limits.max_columns:
        raise InputError("too_many_columns", columns=len(frame.columns), limit=limits.max_columns)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if frame.empty:
        raise InputError("header_only", found=columns)
    return frame, columns


def _roles(columns: list[str], explicit_roles: dict[str, str]) -> ColumnRoles:
    """Column roles, with a client and a value column or an InputError saying which is missing."""
    roles = resolve_roles(columns, explicit_roles)
    if "client" not in roles and "client_id" not in roles:
        raise InputError("no_client_column", found=columns)
    if "sales" not in roles and "profit" not in roles:
        raise InputError("no_value_column", found=columns)
    return roles


def _without_blank_rows(
    frame: pd.DataFrame, rows: np.ndarray, columns: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with no cell at all are dropped (with their numbers); no other row, no table."""
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.all():
        raise InputError("header_only", found=columns)
    if blank.any():
        return frame.loc[~blank].reset_index(drop=True), rows[~blank]
    return frame, rows


@dataclass(frozen=True)
class ParsedColumns:
    """Each role's column parsed: numbers, dates, normalised text, invoice codes."""

    numbers: dict[str, ParsedNumbers]
    dates: dict[str, ParsedDates]
    texts: dict[str, Encoded]
    invoice_codes: np.ndarray | None


def _parse_columns(frame: pd.DataFrame, roles: ColumnRoles, delimiter: str | None) -> ParsedColumns:
    """Parse every role's column; columns are parsed side by side: Arrow's kernels release the
    GIL, so two cores share the work."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        dates = {
            role: pool.submit(parse_dates, frame[roles.mapping[role]])
            for role in DATE_ROLES
            if role in roles
        }
        texts = {
            role: pool.submit(normalised, frame[roles.mapping[role]])
            for role in (*TEXT_ROLES, "client", "client_id")
            if role in roles
        }
        invoice = (
            pool.submit(encode, frame[roles.mapping["invoice"]]) if "invoice" in roles else None
        )
        numbers = _parse_number_columns(frame, roles, delimiter, pool)
        return ParsedColumns(
            numbers,
            {role: future.result() for role, future in dates.items()},
            {role: future.result() for role, future in texts.items()},
            invoice.result().codes if invoice is not None else None,
        )


def _parse_number_columns(
    frame: pd.DataFrame, roles: ColumnRoles, delimiter: str | None, pool: Executor
) -> dict[str, ParsedNumbers]:
    """Parse numeric roles; a column its own values cannot decide takes the file's convention."""
    hint = "," if delimiter == ";" else None
    futures = {
        role: pool.submit(parse_numbers, frame[roles.mapping[role]], hint)
        for role in NUMBER_ROLES
        if role in roles
    }
    parsed = {role: future.result() for role, future in futures.items()}
    decided = {p.decimal for p in parsed.values() if p.decided and p.decimal != hint}
    if len(decided) == 1:
        file_mark = decided.pop()
        for role, numbers in parsed.items():
            if not numbers.decided:
                parsed[role] = parse_numbers(frame[roles.mapping[role]], file_mark)
    return parsed


@dataclass(frozen=True)
class CanonicalTable:
    """Rows under canonical role names (clients not yet identified), the unreadable cells found
    per column, the currency seen, and the carried columns."""

    frame: pd.DataFrame
    unreadable: list[tuple[str, str, pd.Series]]
    currency: str | None
    carried: tuple[str, ...]


def _canonical_table(
    frame: pd.DataFrame,
    rows: np.ndarray,
    roles: ColumnRoles,
    parsed: ParsedColumns,
    columns: list[str],
) -> CanonicalTable:
    """The parsed columns under their role names, the other columns under their own, gathered
    first and made a frame once (adding thousands of columns one by one is quadratic)."""
    built: dict[str, object] = {"row": rows}
    unreadable: list[tuple[str, str, pd.Series]] = []
    currency = None
    for role, numbers in parsed.numbers.items():
        built[role] = numbers.values.to_numpy()
        currency = currency or numbers.currency
        if role in ("sales", "profit"):
            column = roles.mapping[role]
            if numbers.values.notna().sum() == 0 and frame[column].notna().any():
                raise InputError("no_numeric_value_column", column=column, found=columns)
    for role, dates in parsed.dates.items():
        built[role] = dates.values.to_numpy()
    if "contract_end" in parsed.dates:
        built["contract_open_ended"] = parsed.dates["contract_end"].open_ended.to_numpy()
    unreadable.extend(_unreadable_cells(roles, parsed))
    for role in TEXT_ROLES:
        if role in parsed.texts:
            built[role] = parsed.texts[role].categorical()
    if parsed.invoice_codes is not None:
        # Invoice ids only ever tell purchases apart: their codes are enough, and a million
        # distinct ids need no white-space folding.
        built["invoice"] = parsed.invoice_codes
    carried = tuple(roles.carried(columns))
    for column in carried:
        built[column] = without_controls(frame[column]).to_numpy()
    currency = currency or detect_currency([roles.get("sales") or "", roles.get("profit") or ""])
    return CanonicalTable(pd.DataFrame(built), unreadable, currency, carried)


def _unreadable_cells(
    roles: ColumnRoles, parsed: ParsedColumns
) -> list[tuple[str, str, pd.Series]]:
    """The cells each parsed column could not use, as (column, reason, mask): unreadable amounts
    and sale dates; in every numeric column, numbers too large to be amounts; in every date
    column, dates outside the years kept (a contract end meaning "no end" excepted)."""
    cells: list[tuple[str, str, pd.Series]] = []
    for role, numbers in parsed.numbers.items():
        column, too_large = roles.mapping[role], numbers.large()
        if role in ("sales", "profit"):
            cells.append((column, "unreadable_number", numbers.unreadable & ~too_large))
        if too_large.any():
            cells.append((column, "too_large_number", too_large))
    for role, dates in parsed.dates.items():
        if role == "date":
            cells.append((roles.mapping[role], "unreadable_date", dates.unreadable))
        elif role == "contract_end":
            cells.append(
                (roles.mapping[role], "unreadable_date", dates.out_of_range & ~dates.open_ended)
            )
        else:
            cells.append((roles.mapping[role], "unreadable_date", dates.out_of_range))
    return cells


@cache
def total_names() -> frozenset[str]:
    """Folded client names of total rows, from the vocabulary files. Rows whose client is one of
    these are totals, never clients (compared folded, without a trailing colon). Exact names
    only: "Total Energies" is a client."""
    return frozenset(fold(name) for name in vocabulary().totals)


def _folded_client_names(parsed: ParsedColumns) -> pa.Array | None:
    """The distinct client names folded, once: totals are found and spellings merged on them."""
    names = parsed.texts.get("client")
    return None if names is None else fold_names(names.uniques)


def _drop_total_rows(
    out: pd.DataFrame,
    rows: np.ndarray,
    roles: ColumnRoles,
    parsed: ParsedColumns,
    folded: pa.Array | None,
) -> tuple[np.ndarray, list[SkippedRow]]:
    """Rows to keep: not a total, and with a client; totals (named so, or a value without a
    client) are reported as skipped."""
    names = parsed.texts.get("client")
    ids = parsed.texts.get("client_id")
    shown = names if names is not None else ids
    assert shown is not None
    shown_column = roles.mapping.get("client") or roles.mapping["client_id"]
    value_role = "sales" if "sales" in out else "profit"
    shown_folded = folded if names is not None and folded is not None else fold_names(shown.uniques)
    totals = pa.array(sorted(total_names()), type=pa.string())
    total_spelling = pc.is_in(shown_folded, value_set=totals).to_numpy(zero_copy_only=False)
    is_total = shown.spread(total_spelling.astype(bool), False)
    no_client = ~shown.present & (~ids.present if ids is not None else True)
    has_value = np.nan_to_num(out[value_role].to_numpy()) != 0
    total_rows = is_total | (no_client & has_value)
    skipped: list[SkippedRow] = []
    if not total_rows.any():
        return ~no_client, skipped
    shown_text = shown.uniques.to_pylist()
    for index in np.flatnonzero(total_rows):
        code = shown.codes[index]
        text = None if code < 0 else shown_text[code]
        skipped.append(SkippedRow(int(rows[index]), shown_column, text, "total_row"))
    return ~total_rows & ~no_client, skipped


def _drop_unreadable_rows(
    unreadable: list[tuple[str, str, pd.Series]],
    keep: np.ndarray,
    frame: pd.DataFrame,
    rows: np.ndarray,
    limits: Limits,
) -> tuple[np.ndarray, list[SkippedRow]]:
    """Rows to keep once unreadable values are set aside, and those set aside; too many of them
    and the file is refused, with the first few as examples."""
    skipped: list[SkippedRow] = []
    bad_rows = np.zeros(len(keep), dtype=bool)
    for column, reason, mask in unreadable:
        flagged = mask.to_numpy() & keep
        bad_rows |= flagged
        for index in np.flatnonzero(flagged):
            skipped.append(
                SkippedRow(int(rows[index]), column, str(frame[column].iloc[index]), reason)
            )
    data_rows = int(keep.sum())
    if bad_rows.sum() > limits.max_unreadable_share * max(data_rows, 1):
        bad = sorted(skipped, key=lambda s: s.row)
        raise InputError(
            "unreadable_values",
            count=int(bad_rows.sum()),
            rows=data_rows,
            examples=[(s.row, s.column, s.value) for s in bad[:_EXAMPLES]],
        )
    return keep & ~bad_rows, skipped


def _with_identity(
    out: pd.DataFrame, keep: np.ndarray, parsed: ParsedColumns, folded: pa.Array | None
) -> tuple[pd.DataFrame, int]:
    """The kept rows with `client_key` and `client` in front; and how many spellings there were."""
    names = parsed.texts.get("client")
    ids = parsed.texts.get("client_id")
    out = out.loc[keep].reset_index(drop=True)
    identity = identify(
        names.kept(keep) if names is not None else None,
        ids.kept(keep) if ids is not None else None,
        folded,
    )
    out.insert(0, "client", pd.Series(identity.display, index=out.index))
    out.insert(0, "client_key", pd.Series(identity.key, index=out.index))
    return out, identity.spellings


def _shape(out: pd.DataFrame, clients: int) -> Shape:
    """Per-client totals when there is no date and no client twice, or an orders count (when
    spellings were merged); transactions otherwise."""
    per_client = "date" not in out and (len(out) == clients or "orders" in out)
    return "per_client" if per_client else "transactions"
