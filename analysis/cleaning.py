"""A raw table to clean transactions: roles applied, values parsed, totals and bad rows set aside,
and every client given one identity however its name was typed."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.columns import ColumnRoles, fold, resolve_roles
from analysis.dates import parse_dates
from analysis.encoding import Encoded, encode
from analysis.errors import InputError
from analysis.numbers import ParsedNumbers, detect_currency, parse_numbers
from analysis.period import PeriodBounds
from analysis.reading import RawTable, SourceInfo
from analysis.settings import Limits

Shape = Literal["transactions", "per_client"]

NUMBER_ROLES = ("sales", "profit", "quantity", "orders")
DATE_ROLES = ("date", "contract_end", "last_purchase")
TEXT_ROLES = ("segment", "manager")
# Rows whose client is one of these are totals, never clients (compared folded, without a
# trailing colon). Exact names only: "Total Energies" is a client.
TOTAL_NAMES = frozenset(
    fold(name)
    for name in (
        "total",
        "totals",
        "totaux",
        "total general",
        "total général",
        "grand total",
        "sous-total",
        "sous total",
        "sous-totaux",
        "subtotal",
        "sub-total",
        "sub total",
        "total ht",
        "total ttc",
        "итого",
        "всего",
        "итог",
        "общий итог",
    )
)
_SPACES = r"[\s\x0b\x85\x{00a0}\x{202f}\x{2009}]+"
_UNUSUAL_SPACES = ("  ", "\u00a0", "\u202f", "\u2009", "\t", "\n", "\r", "\v", "\x85")
# C0 and C1 control characters other than the white space above: PostgreSQL refuses NUL in text.
_CONTROLS = r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"  # RE2 and Python alike
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

    Canonical columns: `client_key` and `client` (categoricals), `row`, and those of the roles
    found (`sales`, `profit`, `date`, `quantity`, `segment`, `manager`, `contract_end`, `orders`,
    `last_purchase`, and `invoice` as an integer code, -1 where none); other columns of the file
    are carried under their own names.
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
    # Set when the period was applied before the rows arrived (a database aggregated them).
    applied_period: PeriodBounds | None = None

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
    rows = raw.row_numbers
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]

    # Columns are parsed side by side: Arrow's kernels release the GIL, so two cores share it.
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed_dates = {
            role: pool.submit(parse_dates, frame[roles.mapping[role]])
            for role in DATE_ROLES
            if role in roles
        }
        texts = {
            role: pool.submit(_normalised, frame[roles.mapping[role]])
            for role in (*TEXT_ROLES, "client", "client_id")
            if role in roles
        }
        invoice = (
            pool.submit(encode, frame[roles.mapping["invoice"]]) if "invoice" in roles else None
        )
        numbers = _parse_number_columns(frame, roles, raw.source.delimiter, pool)
        dates_by_role = {role: future.result() for role, future in parsed_dates.items()}
        text_by_role = {role: future.result() for role, future in texts.items()}
        invoice_codes = invoice.result().codes if invoice is not None else None

    out = pd.DataFrame({"row": rows})
    unreadable: list[tuple[str, str, pd.Series]] = []
    currency = None
    for role, parsed in numbers.items():
        out[role] = parsed.values.to_numpy()
        currency = currency or parsed.currency
        if role in ("sales", "profit"):
            column = roles.mapping[role]
            if parsed.values.notna().sum() == 0 and frame[column].notna().any():
                raise InputError("no_numeric_value_column", column=column, found=columns)
            unreadable.append((column, "unreadable_number", parsed.unreadable))
    for role, dates in dates_by_role.items():
        out[role] = dates.values.to_numpy()
        if role == "date":
            unreadable.append((roles.mapping[role], "unreadable_date", dates.unreadable))
    for role in TEXT_ROLES:
        if role in text_by_role:
            out[role] = text_by_role[role].categorical()
    if invoice_codes is not None:
        # Invoice ids only ever tell purchases apart: their codes are enough, and a million
        # distinct ids need no white-space folding.
        out["invoice"] = invoice_codes
    carried = tuple(roles.carried(columns))
    for column in carried:
        out[column] = _without_controls(frame[column]).to_numpy()
    currency = currency or detect_currency([roles.get("sales") or "", roles.get("profit") or ""])

    names = text_by_role.get("client")
    ids = text_by_role.get("client_id")
    value_role = "sales" if "sales" in out else "profit"
    skipped: list[SkippedRow] = []
    shown = names if names is not None else ids
    assert shown is not None
    shown_column = roles.mapping.get("client") or roles.mapping["client_id"]
    total_spelling = np.array([name in TOTAL_NAMES for name in _fold(shown.uniques)], dtype=bool)
    is_total = shown.spread(total_spelling, False)
    no_client = ~shown.present & (~ids.present if ids is not None else True)
    has_value = np.nan_to_num(out[value_role].to_numpy()) != 0
    total_rows = is_total | (no_client & has_value)
    shown_text = shown.uniques.to_pylist()
    for index in np.flatnonzero(total_rows):
        code = shown.codes[index]
        skipped.append(
            SkippedRow(
                int(rows[index]), shown_column, None if code < 0 else shown_text[code], "total_row"
            )
        )
    keep = ~total_rows & ~no_client

    bad_rows = np.zeros(len(out), dtype=bool)
    for column, reason, mask in unreadable:
        flagged = mask.to_numpy() & keep
        bad_rows |= flagged
        for index in np.flatnonzero(flagged):
            skipped.append(
                SkippedRow(int(rows[index]), column, str(frame[column].iloc[index]), reason)
            )
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
    skipped.extend(
        SkippedRow(number, None, text[:80], "malformed_line") for number, text in raw.skipped_lines
    )

    out = out.loc[keep].reset_index(drop=True)
    identity = _identify(
        names.kept(keep) if names is not None else None, ids.kept(keep) if ids is not None else None
    )
    out.insert(0, "client", identity.display)
    out.insert(0, "client_key", identity.key)
    clients = len(identity.key.categories)
    has_date = "date" in out
    # Per-client totals: no client twice, or an orders count (when spellings were merged).
    per_client = not has_date and (len(out) == clients or "orders" in out)
    shape: Shape = "per_client" if per_client else "transactions"
    skipped.sort(key=lambda s: s.row)
    return Transactions(
        out,
        roles,
        shape,
        raw.source,
        tuple(skipped),
        identity.spellings,
        clients,
        currency,
        carried,
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


def _normalised(column: pd.Series) -> Encoded:
    """Distinct cells trimmed, inner white space (no-break too) collapsed, numbers written as ids
    without `.0`; empty cells have code -1. The work is done once per distinct value."""
    if pd.api.types.is_float_dtype(column):
        whole = column.dropna()
        if (whole == np.round(whole)).all():
            column = column.astype("Int64")
    encoded = encode(column)
    text = encoded.uniques
    if pc.any(pc.match_substring_regex(text, _CONTROLS)).as_py():
        text = pc.replace_substring_regex(text, _CONTROLS, "")
    if any(pc.any(pc.match_substring(text, mark)).as_py() for mark in _UNUSUAL_SPACES):
        text = pc.replace_substring_regex(text, _SPACES, " ")
    text = pc.utf8_trim_whitespace(text)
    if not pc.any(pc.not_equal(text, encoded.uniques)).as_py():
        return encoded
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    again = pc.dictionary_encode(text)
    remap = again.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = (
        np.where(encoded.present, remap[np.maximum(encoded.codes, 0)], -1)
        if len(remap)
        else encoded.codes
    )
    return Encoded(codes, again.dictionary)


def _without_controls(column: pd.Series) -> pd.Series:
    """A carried column with control characters out of its text cells (white space as spaces)."""
    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        return column
    cleaned = column.str.replace(_CONTROLS, "", regex=True).str.replace(
        r"[\t\n\r\x0b\x0c\x85]", " ", regex=True
    )
    return cleaned.where(cleaned.notna(), column)  # numbers in a mixed column stay numbers


def _fold(text: pa.Array) -> np.ndarray:
    """Vectorised `fold`: case, accents and runs of white space ignored; trailing colons too."""
    array = pc.utf8_normalize(text, "NFKD")
    array = pc.replace_substring_regex(array, r"\p{Mn}+", "")
    array = pc.utf8_lower(array)
    array = pc.replace_substring_regex(array, _SPACES, " ")
    array = pc.utf8_trim(array, " :")
    return array.to_numpy(zero_copy_only=False).astype(object)


@dataclass(frozen=True)
class Identity:
    """Each row's client as a categorical key, the spelling shown for it, and how many distinct
    spellings were merged."""

    key: pd.Categorical
    display: pd.Categorical
    spellings: int


def _identify(names: Encoded | None, ids: Encoded | None) -> Identity:
    """One key per client (its id, else its folded name), shown under its most frequent spelling,
    the first seen on a tie."""
    name_keys: np.ndarray = np.zeros(0, dtype=np.int64)
    name_key_text: np.ndarray = np.zeros(0, dtype=object)
    if names is not None:
        name_keys, name_key_text = pd.factorize(_fold(names.uniques))
    if ids is not None:
        id_keys, id_key_text = pd.factorize(
            np.array([str(v).casefold() for v in ids.uniques.to_pylist()], dtype=object)
        )
        # A row without an id falls back to its name (numbered after the ids).
        by_name = (
            len(id_key_text) + name_keys[np.maximum(names.codes, 0)] if names is not None else 0
        )
        row_key = np.where(ids.present, id_keys[np.maximum(ids.codes, 0)], by_name)
        all_keys = np.concatenate([id_key_text, np.asarray(name_key_text, dtype=object)])
        # The spelling of a row: its name, else its id (spellings are numbered after the names).
        name_count = len(names.uniques) if names is not None else 0
        spelling_codes = np.where(
            names.present if names is not None else False,
            names.codes if names is not None else 0,
            name_count + np.maximum(ids.codes, 0),
        )
        spelling_text = (names.uniques.to_pylist() if names is not None else []) + [
            str(v) for v in ids.uniques.to_pylist()
        ]
    else:
        assert names is not None
        row_key = name_keys[names.codes]
        all_keys = np.asarray(name_key_text, dtype=object)
        spelling_codes = names.codes
        spelling_text = names.uniques.to_pylist()
    row_key, used_keys = pd.factorize(row_key)
    key_names = all_keys[used_keys]
    spelling_count = len(spelling_text)
    counts = np.bincount(spelling_codes, minlength=spelling_count)
    # Arrow numbers distinct values in order of first appearance, so a lower code was seen first.
    first_seen = np.arange(spelling_count)
    used = np.flatnonzero(counts)
    key_of_used = np.zeros(spelling_count, dtype=np.int64)
    key_of_used[spelling_codes] = row_key
    order = np.lexsort((first_seen[used], -counts[used], key_of_used[used]))
    ranked = used[order]
    best_per_key = ranked[np.r_[True, np.diff(key_of_used[ranked]) != 0]]
    display_names = np.array(spelling_text, dtype=object)[best_per_key]
    keys = pd.Categorical.from_codes(row_key, categories=pd.Index(key_names, dtype="str"))
    # Two ids may share a name: the shown names are categories of their own.
    display_of_key, display_names = pd.factorize(display_names)
    display = pd.Categorical.from_codes(
        display_of_key[row_key], categories=pd.Index(display_names, dtype="str")
    )
    return Identity(keys, display, len(used))
