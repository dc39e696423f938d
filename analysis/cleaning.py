"""A raw table to clean transactions: roles applied, values parsed, totals and bad rows set aside,
and every client given one identity however its name was typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.columns import ColumnRoles, fold, resolve_roles
from analysis.dates import parse_dates
from analysis.errors import InputError
from analysis.numbers import ParsedNumbers, detect_currency, parse_numbers
from analysis.reading import RawTable, SourceInfo
from analysis.settings import Limits

Shape = Literal["transactions", "per_client"]

NUMBER_ROLES = ("sales", "profit", "quantity", "orders")
DATE_ROLES = ("date", "contract_end", "last_purchase")
TEXT_ROLES = ("invoice", "segment", "manager")
# Rows whose client is one of these are totals, never clients (compared folded, without a
# trailing colon). Exact names only: "Total Energies" is a client.
TOTAL_NAMES = frozenset(
    fold(name)
    for name in (
        "total", "totals", "totaux", "total general", "total général", "grand total",
        "sous-total", "sous total", "sous-totaux", "subtotal", "sub-total", "sub total",
        "total ht", "total ttc", "итого", "всего", "итог", "общий итог",
    )
)
_SPACES = r"[\s\x{00a0}\x{202f}\x{2009}]+"
_EXAMPLES = 5


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the analysis, as a spreadsheet numbers it, and why."""

    row: int
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class Transactions:
    """Clean rows, one per sale (or per client): the table every analysis starts from.

    Canonical columns: `client_key`, `client`, `row`, and those of the roles found (`sales`,
    `profit`, `date`, `invoice`, `quantity`, `segment`, `manager`, `contract_end`, `orders`,
    `last_purchase`); other columns of the file are carried under their own names.
    """

    frame: pd.DataFrame
    roles: ColumnRoles
    shape: Shape
    source: SourceInfo
    skipped: tuple[SkippedRow, ...] = ()
    spellings: int = 0
    clients: int = 0
    currency: str | None = None
    carried: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_dates(self) -> bool:
        return "date" in self.frame.columns

    def columns_found(self) -> list[str]:
        return list(self.roles.mapping.values()) + list(self.carried)


def clean(raw: RawTable, explicit_roles: dict[str, str], limits: Limits) -> Transactions:
    """Turn a raw table into transactions, or say in one InputError what is wrong with it."""
    frame = raw.frame
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if frame.empty:
        raise InputError("header_only", found=columns)
    roles = resolve_roles(columns, explicit_roles)
    if "client" not in roles and "client_id" not in roles:
        raise InputError("no_client_column", found=columns)
    if "sales" not in roles and "profit" not in roles:
        raise InputError("no_value_column", found=columns)
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.all():
        raise InputError("header_only", found=columns)
    frame = frame.loc[~blank].reset_index(drop=True)
    rows = raw.row_numbers[~blank]

    out = pd.DataFrame({"row": rows})
    unreadable: list[tuple[str, str, pd.Series]] = []
    numbers = _parse_number_columns(frame, roles, raw.source.delimiter)
    currency = None
    for role, parsed in numbers.items():
        out[role] = parsed.values.to_numpy()
        currency = currency or parsed.currency
        if role in ("sales", "profit"):
            column = roles.mapping[role]
            if parsed.values.notna().sum() == 0 and frame[column].notna().any():
                raise InputError("no_numeric_value_column", column=column, found=columns)
            unreadable.append((column, "unreadable_number", parsed.unreadable))
    for role in DATE_ROLES:
        column = roles.get(role)
        if column is None:
            continue
        dates = parse_dates(frame[column])
        out[role] = dates.values.to_numpy()
        if role == "date":
            unreadable.append((column, "unreadable_date", dates.unreadable))
    for role in TEXT_ROLES:
        column = roles.get(role)
        if column is not None:
            out[role] = _text(frame[column]).to_numpy()
    carried = tuple(roles.carried(columns))
    for column in carried:
        out[column] = frame[column].to_numpy()
    currency = currency or detect_currency(
        [roles.get("sales") or "", roles.get("profit") or ""]
    )

    names = _text(frame[roles.mapping["client"]]) if "client" in roles else None
    ids = _text(frame[roles.mapping["client_id"]]) if "client_id" in roles else None
    identity = ids if ids is not None else names
    assert identity is not None
    value_role = "sales" if "sales" in out else "profit"
    skipped: list[SkippedRow] = []
    keep = np.ones(len(out), dtype=bool)

    client_text = names if names is not None else identity
    folded_names = _fold(client_text.fillna("")).str.rstrip(" :")
    is_total = folded_names.isin(TOTAL_NAMES).to_numpy()
    no_client = identity.isna().to_numpy() & (names.isna().to_numpy() if names is not None else True)
    has_value = out[value_role].fillna(0).to_numpy() != 0
    total_rows = is_total | (no_client & has_value)
    for index in np.flatnonzero(total_rows):
        skipped.append(
            SkippedRow(int(rows[index]), roles.mapping.get("client") or roles.mapping["client_id"],
                       None if no_client[index] else str(client_text.iloc[index]), "total_row")
        )
    keep &= ~total_rows & ~no_client

    bad_rows = np.zeros(len(out), dtype=bool)
    for column, reason, mask in unreadable:
        flagged = mask.to_numpy() & keep
        bad_rows |= flagged
        for index in np.flatnonzero(flagged):
            skipped.append(SkippedRow(int(rows[index]), column, str(frame[column].iloc[index]), reason))
    data_rows = int(keep.sum())
    if bad_rows.sum() > limits.max_unreadable_share * max(data_rows, 1):
        bad = sorted((s for s in skipped if s.reason.startswith("unreadable")), key=lambda s: s.row)
        raise InputError(
            "unreadable_values",
            count=int(bad_rows.sum()),
            rows=data_rows,
            examples=[(s.row, s.column, s.value) for s in bad[:_EXAMPLES]],
        )
    keep &= ~bad_rows
    if not keep.any():
        raise InputError("header_only", found=columns)
    skipped.extend(SkippedRow(number, None, text[:80], "malformed_line")
                   for number, text in raw.skipped_lines)

    out = out.loc[keep].reset_index(drop=True)
    names_kept = names.loc[keep].reset_index(drop=True) if names is not None else None
    ids_kept = ids.loc[keep].reset_index(drop=True) if ids is not None else None
    key, display, spellings = _identify(names_kept, ids_kept)
    out.insert(0, "client", display)
    out.insert(0, "client_key", key)
    clients = int(out["client_key"].nunique())
    has_date = "date" in out
    shape: Shape = (
        "per_client" if not has_date and not out["client_key"].duplicated().any() else "transactions"
    )
    skipped.sort(key=lambda s: s.row)
    return Transactions(
        out, roles, shape, raw.source, tuple(skipped), spellings, clients, currency, carried
    )


def _parse_number_columns(
    frame: pd.DataFrame, roles: ColumnRoles, delimiter: str | None
) -> dict[str, ParsedNumbers]:
    """Parse numeric roles; a column its own values cannot decide takes the file's convention."""
    hint = "," if delimiter == ";" else None
    parsed = {
        role: parse_numbers(frame[roles.mapping[role]], hint)
        for role in NUMBER_ROLES
        if role in roles
    }
    decided = {p.decimal for p in parsed.values() if p.decided and p.decimal != hint}
    if len(decided) == 1:
        file_mark = decided.pop()
        for role, numbers in parsed.items():
            if not numbers.decided:
                parsed[role] = parse_numbers(frame[roles.mapping[role]], file_mark)
    return parsed


def _text(column: pd.Series) -> pd.Series:
    """Cells as trimmed text, empty cells as missing; numbers written as ids lose their `.0`."""
    if pd.api.types.is_float_dtype(column):
        as_int = column.dropna()
        if (as_int == np.round(as_int)).all():
            column = column.astype("Int64")
    text = column.astype("str").where(column.notna())
    text = text.str.replace(_SPACES, " ", regex=True).str.strip()
    return text.where(text != "").astype("str")


def _fold(text: pd.Series) -> pd.Series:
    """Vectorised `fold`: case, accents and runs of white space (no-break ones too) ignored."""
    array = pa.array(text.fillna(""), type=pa.string())
    array = pc.utf8_normalize(array, "NFKD")
    array = pc.replace_substring_regex(array, r"\p{Mn}+", "")
    array = pc.utf8_lower(array)
    array = pc.replace_substring_regex(array, _SPACES, " ")
    array = pc.utf8_trim_whitespace(array)
    return pd.Series(array.to_pandas(), index=text.index, dtype="str")


def _identify(
    names: pd.Series | None, ids: pd.Series | None
) -> tuple[pd.Series, pd.Series, int]:
    """One key per client (its id, else its folded name) and the spelling shown for it: the most
    frequent, the first seen on a tie. Also returns how many distinct spellings there were."""
    if ids is not None:
        key = ids.str.casefold()
        spelling = names.fillna(ids) if names is not None else ids
    else:
        assert names is not None
        spelling = names
        codes, uniques = pd.factorize(names)
        key = pd.Series(_fold(pd.Series(uniques, dtype="str")).to_numpy()[codes], index=names.index)
    pairs = pd.DataFrame({"key": key, "spelling": spelling, "position": np.arange(len(key))})
    counts = (
        pairs.groupby(["key", "spelling"], sort=False)["position"]
        .agg(["size", "min"])
        .reset_index()
        .sort_values(["key", "size", "min"], ascending=[True, False, True], kind="stable")
    )
    spellings = len(counts) if ids is None else int(spelling.nunique())
    best = counts.drop_duplicates("key").set_index("key")["spelling"]
    display = key.map(best)
    return key.astype("str"), display.astype("str"), spellings
