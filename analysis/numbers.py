"""Numbers as exports write them: `1 234,56 €`, `(12,5)`, `1,234.56`, `12 %`, `-3'200.00 CHF`.

The decimal mark is decided per column from all its values, never cell by cell: every value is
reduced to its shape (`1 234,56` -> `dddd,dd`), the few distinct shapes vote, and a value whose
shape contradicts the column's convention is unreadable rather than silently misread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Spaces of every kind (no-break and narrow no-break included), apostrophes used as thousands
# separators, plus signs, and currency signs or codes.
_NOISE = r"[\s\x{00a0}\x{202f}\x{2009}'’+€$£₽¥]|(?i:\b(?:eur|usd|rub|gbp|chf|cad|руб)\b\.?|р\.)"
_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "₽": "RUB", "¥": "JPY"}
_CURRENCY_CODES = re.compile(r"(?i)\b(EUR|USD|RUB|GBP|CHF|CAD|руб)\b")
_BODY = re.compile(r"^-?\(?-?([d.,]*d)\)?-?%?$")


@dataclass(frozen=True)
class ParsedNumbers:
    """A parsed column: values (NaN where empty or unreadable) and which cells were unreadable."""

    values: pd.Series
    unreadable: pd.Series
    decimal: str
    currency: str | None
    decided: bool = True


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


def _vote(shape: str) -> tuple[int, int]:
    """Evidence one shape gives for (comma decimal, dot decimal)."""
    body = shape.strip("-()%")
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return (1, 0) if body.rfind(",") > body.rfind(".") else (0, 1)
    if commas > 1:
        return (0, 1)
    if dots > 1:
        return (1, 0)
    if commas == 1 and len(body) - body.rfind(",") - 1 != 3:
        return (1, 0)
    if dots == 1 and len(body) - body.rfind(".") - 1 != 3:
        return (0, 1)
    return (0, 0)


def decide_decimal(shapes: pd.Series, hint: str | None) -> tuple[str, bool]:
    """The column's decimal mark from its shapes and their counts, and whether the column itself
    decided it; a column of ambiguous values (`1.234` alone) takes the hint."""
    comma = dot = 0
    for shape, count in shapes.items():
        vote_comma, vote_dot = _vote(str(shape))
        comma += vote_comma * int(count)
        dot += vote_dot * int(count)
    if comma != dot:
        return ("," if comma > dot else "."), True
    return hint or ".", False


def _shape_is_valid(shape: str, decimal: str) -> bool:
    if not _BODY.match(shape):
        return False
    body = shape.strip("-()%")
    if shape.count("-") > 1 or shape.count("(") != shape.count(")"):
        return False
    thousands = "." if decimal == "," else ","
    integer, _, fraction = body.partition(decimal)
    if decimal in fraction or thousands in fraction:
        return False
    if thousands in integer:
        groups = integer.split(thousands)
        return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    return bool(integer or fraction)


def _shape_sign(shape: str) -> float:
    negative = shape.startswith("(") or shape.endswith("-") or shape.endswith("-%")
    return -1.0 if negative else 1.0


def parse_numbers(column: pd.Series, hint: str | None = None) -> ParsedNumbers:
    """Parse one column of numbers written as text, deciding its decimal mark from all values."""
    if pd.api.types.is_bool_dtype(column):
        column = column.astype("float64")
    if pd.api.types.is_numeric_dtype(column):
        values = column.astype("float64")
        return ParsedNumbers(values, pd.Series(False, index=column.index), ".", None, True)
    text = column.astype("str").where(column.notna())
    text = text.str.replace(_NOISE, "", regex=True)
    text = text.where(text != "")
    present = text.notna()
    shapes = text.str.replace(r"[0-9]", "d", regex=True)
    counts = shapes.value_counts()
    decimal, decided = decide_decimal(counts, hint)
    known = counts.index.astype(str)
    valid = np.array([_shape_is_valid(s, decimal) for s in known], dtype=bool)
    sign = np.array([_shape_sign(s) for s in known])
    percent = np.array([0.01 if s.endswith("%") else 1.0 for s in known])
    codes = pd.Categorical(shapes, categories=known).codes
    has_shape = codes >= 0
    index = np.where(has_shape, codes, 0)
    thousands = "." if decimal == "," else ","
    digits = text.str.replace(f"[{re.escape(thousands)}()%]|-$", "", regex=True)
    if decimal == ",":
        digits = digits.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(digits, errors="coerce").astype("float64").to_numpy()
    ok = has_shape & valid[index]
    factor = np.where(has_shape, sign[index] * percent[index], 1.0)
    result = np.where(ok, numbers * factor, np.nan)
    unreadable = present.to_numpy() & ~(ok & ~np.isnan(numbers))
    currency = detect_currency(column.dropna().head(200))
    return ParsedNumbers(
        pd.Series(result, index=column.index, dtype="float64"),
        pd.Series(unreadable, index=column.index),
        decimal,
        currency,
        decided,
    )
