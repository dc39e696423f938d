"""Numbers as exports write them: `1 234,56 €`, `(12,5)`, `1,234.56`, `12 %`, `-3'200.00 CHF`.

The decimal mark is decided per column from all its values, never cell by cell: every distinct
value votes (weighted by how often it occurs) from where its separators stand, and a value that
contradicts the column's convention is unreadable rather than silently misread. All text work is
done once per distinct value.

A number of magnitude `MAX_MAGNITUDE` or more is refused like an unreadable one: no real amount
comes near it, and a few such values (a typed `1e308`) would overflow every sum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.ingest.codes import as_text, encode

# Spaces of every kind (no-break and narrow no-break included), apostrophes used as thousands
# separators, plus signs, and currency signs or codes. Letters never belong to a number, so codes
# are removed without word boundaries (RE2's \b only knows ASCII words, and `руб` is not one).
_NOISE = r"[\s\x{00a0}\x{202f}\x{2009}'’+€$£₽¥]|(?i:eur|usd|rub|gbp|chf|cad|руб)\.?|р\."
_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "₽": "RUB", "¥": "JPY"}
_CURRENCY_CODES = re.compile(r"(?i)\b(EUR|USD|RUB|GBP|CHF|CAD|руб)")
# Ten thousand billion: above any real amount, far below where float sums lose cents or overflow.
MAX_MAGNITUDE = 1e13
# A number in the column's convention, or in exponent form as programs write large floats
# (`9.99e12`, `1e+13`: the plus sign is noise), never with thousands separators.
_VALID = {
    ",": r"^-?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?$|^-?\d+(?:,\d+)?[eE]-?\d+$",
    ".": r"^-?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?$|^-?\d+(?:\.\d+)?[eE]-?\d+$",
}


@dataclass(frozen=True)
class ParsedNumbers:
    """A parsed column: values (NaN where empty or unreadable) and which cells were unreadable;
    of those, `too_large` marks the numbers of magnitude `MAX_MAGNITUDE` or more."""

    values: pd.Series
    unreadable: pd.Series
    decimal: str
    currency: str | None
    decided: bool = True
    too_large: pd.Series | None = None

    def large(self) -> pd.Series:
        """`too_large`, all False when not set."""
        if self.too_large is None:
            return pd.Series(False, index=self.values.index)
        return self.too_large


def detect_currency(texts: Iterable[object]) -> str | None:
    """The currency a sample of cells (or a header) shows, as an ISO code."""
    for text in texts:
        if not isinstance(text, str):
            continue
        for sign, code in _CURRENCY_SIGNS.items():
            if sign in text:
                return code
        if match := _CURRENCY_CODES.search(text):
            code = match.group(1).upper()
            return "RUB" if code == "РУБ" else code
    return None


def _np(array: pa.Array) -> np.ndarray:
    values: np.ndarray = array.to_numpy(zero_copy_only=False)
    return values


@dataclass(frozen=True)
class _Cleaned:
    """Distinct values reduced to digits, separators and a leading minus, with sign and scale."""

    text: pa.Array
    factor: np.ndarray


def _clean(uniques: pa.Array) -> _Cleaned:
    text = pc.utf8_trim_whitespace(uniques)
    if pc.any(pc.match_substring_regex(text, r"[^0-9.,\-]")).as_py():
        text = pc.replace_substring_regex(text, _NOISE, "")
    factor = np.ones(len(text))
    percent = _np(pc.ends_with(text, "%"))
    parens = _np(pc.and_(pc.starts_with(text, "("), pc.ends_with(text, ")")))
    trailing = _np(pc.and_(pc.ends_with(text, "-"), pc.invert(pc.starts_with(text, "-"))))
    if percent.any() or parens.any() or trailing.any():
        text = pc.replace_substring_regex(text, r"^\(|\)$|%$|-$", "")
        factor = np.where(percent, 0.01, 1.0) * np.where(parens | trailing, -1.0, 1.0)
    return _Cleaned(text, factor)


def _votes(text: pa.Array, weights: np.ndarray) -> tuple[int, int]:
    """Weighted evidence for (comma decimal, dot decimal) from separator counts and positions."""
    commas = _np(pc.count_substring(text, ","))
    dots = _np(pc.count_substring(text, "."))
    reversed_text = pc.utf8_reverse(text)
    after_comma = _np(pc.find_substring(reversed_text, ","))
    after_dot = _np(pc.find_substring(reversed_text, "."))
    both = (commas > 0) & (dots > 0)
    comma_decimal = (
        (both & (after_comma < after_dot))
        | (dots > 1)
        | ((commas == 1) & (dots == 0) & (after_comma != 3))
    )
    dot_decimal = (
        (both & (after_dot < after_comma))
        | (commas > 1)
        | ((dots == 1) & (commas == 0) & (after_dot != 3))
    )
    return int(weights[comma_decimal].sum()), int(weights[dot_decimal].sum())


def decide_decimal(votes: tuple[int, int], hint: str | None) -> tuple[str, bool]:
    """The column's decimal mark, and whether the column itself decided it; a column of
    ambiguous values only (`1.234` alone) takes the hint."""
    comma, dot = votes
    if comma != dot:
        return ("," if comma > dot else "."), True
    return hint or ".", False


def _to_float(text: pa.Array, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    valid = pc.and_(
        pc.match_substring_regex(text, _VALID[decimal]), pc.greater(pc.utf8_length(text), 0)
    )
    valid = pc.and_(valid, pc.match_substring_regex(text, r"\d"))
    thousands = "." if decimal == "," else ","
    digits = pc.replace_substring(text, thousands, "")
    if decimal == ",":
        digits = pc.replace_substring(digits, ",", ".")
    digits = pc.if_else(valid, digits, pa.scalar(None, pa.string()))
    values = _np(pc.cast(digits, pa.float64())).astype("float64")
    ok = _np(valid.fill_null(False)).astype(bool)
    return np.where(ok, values, np.nan), ok


def parse_numbers(column: pd.Series, hint: str | None = None) -> ParsedNumbers:
    """Parse one column of numbers written as text, deciding its decimal mark from all values;
    numbers of magnitude `MAX_MAGNITUDE` or more (or infinite) are unreadable."""
    parsed = _parse_numbers(column, hint)
    values = parsed.values.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        large = ~(np.abs(values) < MAX_MAGNITUDE) & ~np.isnan(values)
    if not large.any():
        return parsed
    index = parsed.values.index
    return replace(
        parsed,
        values=pd.Series(np.where(large, np.nan, values), index=index, dtype="float64"),
        unreadable=parsed.unreadable | large,
        too_large=pd.Series(large, index=index),
    )


def _parse_numbers(column: pd.Series, hint: str | None) -> ParsedNumbers:
    index = column.index
    if pd.api.types.is_bool_dtype(column):
        column = column.astype("float64")
    if pd.api.types.is_numeric_dtype(column):
        return ParsedNumbers(column.astype("float64"), pd.Series(False, index=index), ".", None)
    if column.dtype == object:
        typed = column.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        if typed.any():
            return _parse_mixed(column, typed.astype(bool), hint)
    plain = _plain_decimals(column, hint)
    if plain is not None:
        return plain
    encoded = encode(column)
    cleaned = _clean(encoded.uniques)
    decimal, decided = decide_decimal(_votes(cleaned.text, encoded.counts()), hint)
    unique_values, unique_ok = _to_float(cleaned.text, decimal)
    unique_values = unique_values * cleaned.factor
    values = encoded.spread(unique_values, np.nan)
    unreadable = encoded.present & ~encoded.spread(unique_ok, True)
    sample = encoded.uniques.slice(0, 200).to_pylist()
    return ParsedNumbers(
        pd.Series(values, index=index, dtype="float64"),
        pd.Series(unreadable, index=index),
        decimal,
        detect_currency(sample),
        decided,
    )


def _plain_decimals(column: pd.Series, hint: str | None) -> ParsedNumbers | None:
    """The common case of a program's export (`-1234.5`: digits, one optional point inside, an
    optional leading minus), parsed in one pass over the rows; None when any cell is written
    otherwise, or when the column does not decide on a point itself and the hint says comma.
    The result is the general path's, which would spend its time on distinct values."""
    text = as_text(column)
    if text.null_count == len(text) or not _plain_bytes(text):
        return None
    try:
        values = _np(pc.cast(text, pa.float64())).astype("float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a misplaced minus or a second point
    # The general rule's votes, reduced to this case: a point followed by other than three
    # digits proves a decimal point; no cell can vote for a comma.
    point = _np(pc.find_substring(text, ".").fill_null(-1))
    length = _np(pc.binary_length(text).fill_null(0))
    dot_votes = int(((point >= 0) & (length - point - 1 != 3)).sum())
    decimal, decided = decide_decimal((0, dot_votes), hint)
    if decimal != ".":
        return None
    index = column.index
    return ParsedNumbers(
        pd.Series(values, index=index, dtype="float64"),
        pd.Series(np.zeros(len(values), dtype=bool), index=index),
        decimal,
        None,
        decided,
    )


def _plain_bytes(text: pa.Array) -> bool:
    """Whether every cell holds only digits, points and minus signs, and none starts with a
    point (`.5`, `-.5`) or ends with one (`5.`): forms the cast would take and the rule not.
    Read on the bytes themselves: a regular expression over a million cells costs far more."""
    width: type[np.integer[Any]]
    if pa.types.is_string(text.type):
        width = np.int32
    elif pa.types.is_large_string(text.type):
        width = np.int64
    else:
        return False
    offsets = np.frombuffer(text.buffers()[1], dtype=width)[
        text.offset : text.offset + len(text) + 1
    ]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    # Allowed: "-" (45), "." (46) and the digits (48-57); "/" (47) is the one byte between.
    if len(data) and (data.min() < 45 or data.max() > 57 or (data == 47).any()):
        return False
    starts, ends = offsets[:-1] - offsets[0], offsets[1:] - offsets[0]
    filled = ends > starts
    starts, ends = starts[filled], ends[filled]
    first = data[starts]
    second = data[np.minimum(starts + 1, ends - 1)]
    point, minus = ord("."), ord("-")
    return not (
        (first == point).any()
        | ((first == minus) & ((second == point) | (ends - starts == 1))).any()
        | (data[ends - 1] == point).any()
    )


def _parse_mixed(column: pd.Series, typed: pd.Series, hint: str | None) -> ParsedNumbers:
    """A spreadsheet column of numbers with some cells typed as text: parse only the text."""
    text_part = _parse_numbers(
        column.where(~typed).astype("str").where(~typed & column.notna()), hint
    )
    values = column.where(typed).astype("float64").where(typed, text_part.values)
    return ParsedNumbers(
        values,
        text_part.unreadable & ~typed,
        text_part.decimal,
        text_part.currency,
        text_part.decided,
    )
