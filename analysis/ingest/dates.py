"""Dates as exports write them: ISO, dd/mm/yyyy, dd.mm.yyyy, mm/dd/yyyy when proven, Excel serials,
and month names in every language of vocab/ ("15 mars 2024", "March 15, 2024", "15-Mar-24").

Each distinct string is parsed once (a million-row log has a few hundred distinct dates), then
mapped back; day-first is assumed unless some value proves the column is month-first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.ingest.codes import encode
from analysis.ingest.vocabulary import vocabulary

_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?$"
_NUMERIC = (
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{2}|\d{4})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SERIAL = r"^\d{5}(?:\.\d+)?$"
# A month written as a word, day before or after it, an optional weekday in front ("lundi 15 mars
# 2024", "Monday, March 15, 2024"), an optional Russian "г." after the year, an optional time.
_WORD = r"[^\W\d_]+\.?"
_NAMED = (
    rf"^(?:(?P<weekday>{_WORD}),?\s+)?"
    rf"(?:(?P<day1>\d{{1,2}})(?:er|st|nd|rd|th)?[\s\-/.]*(?P<month1>{_WORD})"
    rf"|(?P<month2>{_WORD})[\s\-/.]*(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?,?)"
    r"[\s\-/.]+(?P<year>\d{4}|\d{2})(?:\s*(?:г\.?|года?))?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# Excel serial days: 1955-01-01 .. 2119-01-01, so ordinary amounts are not read as dates.
_SERIAL_RANGE = (20090.0, 80000.0)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class ParsedDates:
    """A parsed column: day-precision datetimes (NaT where empty or unreadable)."""

    values: pd.Series
    unreadable: pd.Series
    month_first: bool


def _from_serial(serials: np.ndarray) -> np.ndarray:
    days = np.floor(serials)
    ok = (days >= _SERIAL_RANGE[0]) & (days < _SERIAL_RANGE[1])
    out = np.full(serials.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = (_EXCEL_EPOCH + pd.to_timedelta(days[ok], unit="D")).to_numpy()
    return out


def _fold(word: str) -> str:
    """Lower case, accents and a trailing dot dropped: "Févr." and "fevr" are one word."""
    decomposed = unicodedata.normalize("NFKD", word.strip().lower().rstrip("."))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _month_numbers() -> dict[str, int]:
    """Every month name and abbreviation CLDR knows in the vocabulary's languages (the
    genitive "марта" included), folded, to its number; plus English "sept"."""
    from babel.dates import get_month_names  # only files with month names pay for babel

    numbers = {"sept": 9}
    for locale in vocabulary().languages:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, locale)
                numbers.update({_fold(name): month for month, name in names.items()})
    return numbers


@cache
def _weekday_names() -> frozenset[str]:
    """Weekday names and abbreviations in the same languages, folded."""
    from babel.dates import get_day_names

    return frozenset(
        _fold(name)
        for locale in vocabulary().languages
        for width in ("wide", "abbreviated")
        for name in get_day_names(width, "format", locale).values()
    )


def _parse_named(uniques: pd.Series) -> np.ndarray:
    """Dates whose month is a word; NaT where the word is not a month (or not a weekday in
    front), so "15 mardi 2024" or "Client 12 2024" stay unreadable."""
    parts = uniques.str.extract(_NAMED)
    day = parts["day1"].fillna(parts["day2"])
    month_word = parts["month1"].fillna(parts["month2"]).map(_fold, na_action="ignore")
    month = month_word.map(_month_numbers())
    weekday_ok = parts["weekday"].isna() | parts["weekday"].map(
        lambda w: isinstance(w, str) and _fold(w) in _weekday_names()
    )
    ok = (month.notna() & day.notna() & parts["year"].notna() & weekday_ok).to_numpy(dtype=bool)
    out = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    if ok.any():
        year = parts.loc[ok, "year"].astype(int).to_numpy()
        year = np.where(year < 70, 2000 + year, np.where(year < 100, 1900 + year, year))
        frame = pd.DataFrame(
            {"year": year, "month": month[ok].astype(int), "day": day[ok].astype(int)}
        )
        out[ok] = pd.to_datetime(frame.reset_index(drop=True), errors="coerce").to_numpy()
    return out


def _parse_unique(uniques: pd.Series) -> tuple[np.ndarray, bool]:
    """Parse distinct strings; returns datetimes (NaT where unreadable) and month-first."""
    out = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    iso = uniques.str.match(_ISO).to_numpy(dtype=bool)
    if iso.any():
        parsed = pd.to_datetime(uniques[iso], format="ISO8601", errors="coerce", utc=True)
        out[iso] = parsed.dt.tz_localize(None).dt.floor("D").to_numpy()
    parts = uniques.str.extract(_NUMERIC)
    numeric = parts["a"].notna().to_numpy() & ~iso
    month_first = False
    if numeric.any():
        a = parts.loc[numeric, "a"].astype(int).to_numpy()
        b = parts.loc[numeric, "b"].astype(int).to_numpy()
        c_text = parts.loc[numeric, "c"]
        c = c_text.astype(int).to_numpy()
        year_first = parts.loc[numeric, "a"].str.len().to_numpy() == 4
        c = np.where(c_text.str.len().to_numpy() == 2, np.where(c < 70, 2000 + c, 1900 + c), c)
        not_year_first = ~year_first
        month_first = bool((b[not_year_first] > 12).any() and not (a[not_year_first] > 12).any())
        day = np.where(year_first, c, np.where(month_first, b, a))
        month = np.where(year_first, b, np.where(month_first, a, b))
        year = np.where(year_first, a, c)
        frame = pd.DataFrame({"year": year, "month": month, "day": day})
        out[numeric] = pd.to_datetime(frame, errors="coerce").to_numpy()
    serial = uniques.str.match(_SERIAL).to_numpy(dtype=bool) & ~iso & ~numeric
    if serial.any():
        out[serial] = _from_serial(uniques[serial].astype(float).to_numpy())
    named = uniques.str.contains(r"[^\W\d_]", regex=True).to_numpy(dtype=bool) & ~iso & ~numeric
    if named.any():
        out[named] = _parse_named(uniques[named])
    return out, month_first


def parse_dates(column: pd.Series) -> ParsedDates:
    """Parse a column of dates, whatever the spreadsheet or export made of them."""
    index = column.index
    if pd.api.types.is_datetime64_any_dtype(column):
        values = column.dt.tz_localize(None) if getattr(column.dt, "tz", None) else column
        values = values.astype("datetime64[ns]").dt.floor("D")
        return ParsedDates(values, pd.Series(False, index=index), False)
    if pd.api.types.is_numeric_dtype(column):
        parsed = _from_serial(column.astype("float64").to_numpy())
        unreadable = column.notna().to_numpy() & np.isnat(parsed)
        return ParsedDates(
            pd.Series(parsed, index=index), pd.Series(unreadable, index=index), False
        )
    if column.dtype == object:
        stamps = column.map(
            lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year")
        )
        if stamps.any():
            rest = parse_dates(column.where(~stamps).astype("str").where(~stamps & column.notna()))
            typed = pd.to_datetime(column.where(stamps), errors="coerce").dt.floor("D")
            values = typed.where(stamps, rest.values).astype("datetime64[ns]")
            return ParsedDates(values, rest.unreadable & ~stamps, rest.month_first)
        numeric = column.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        if numeric.any() and numeric[column.notna()].all():
            return parse_dates(column.astype("float64"))
    encoded = encode(column)
    uniques = pd.Series(pc.utf8_trim_whitespace(encoded.uniques).to_pandas(), dtype="str")
    parsed, month_first = _parse_unique(uniques)
    blank = (uniques == "").to_numpy()
    values = encoded.spread(parsed, np.datetime64("NaT")).astype("datetime64[ns]")
    unreadable = encoded.present & ~encoded.spread(blank, True) & np.isnat(values)
    return ParsedDates(
        pd.Series(values, index=index), pd.Series(unreadable, index=index), month_first
    )
