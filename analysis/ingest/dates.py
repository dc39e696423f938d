"""Dates as exports write them: ISO, dd/mm/yyyy, dd.mm.yyyy, mm/dd/yyyy when proven, Excel serials,
and month names in every language of vocab/ ("15 mars 2024", "March 15, 2024", "15-Mar-24").

Each distinct string is parsed once (a million-row log has a few hundred distinct dates), then
mapped back; day-first is assumed unless some value proves the column is month-first.

Dates are parsed to whole days over the full calendar (years 1 to 9999), never through pandas'
nanosecond range, so `01/01/0001` or `31/12/9999` are read as what they are instead of wrapping
around. Only dates of `YEARS` are kept; a date in `OPEN_ENDED_FROM` or later is what exports
write for "no end" (a contract without an end date); any other is unreadable.
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
# The years a date is kept from (inclusive); the year from which a date means "no end".
YEARS = (1900, 2100)
OPEN_ENDED_FROM = 2200
# Excel serial days from 1955-01-01, so ordinary amounts are not read as dates; up to Excel's last
# day, 9999-12-31 (serials past 2119 give dates outside YEARS: "no end" or unreadable).
_SERIAL_RANGE = (20090.0, 2958466.0)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Days over the whole calendar while parsing; the kept values are nanosecond datetimes.
_DAYS = "datetime64[D]"
_NAT = np.datetime64("NaT", "D")
_FIRST_DAY = np.datetime64(f"{YEARS[0]}-01-01", "D")
_LAST_DAY = np.datetime64(f"{YEARS[1]}-12-31", "D")
_OPEN_ENDED_DAY = np.datetime64(f"{OPEN_ENDED_FROM}-01-01", "D")


@dataclass(frozen=True)
class ParsedDates:
    """A parsed column: day-precision datetimes (NaT where empty, unreadable or outside `YEARS`).

    `unreadable` marks the cells that are neither empty nor a date of `YEARS`; of those,
    `out_of_range` marks the real dates outside `YEARS` and `open_ended` the dates in
    `OPEN_ENDED_FROM` or later.
    """

    values: pd.Series
    unreadable: pd.Series
    month_first: bool
    out_of_range: pd.Series
    open_ended: pd.Series


def _from_serial(serials: np.ndarray) -> np.ndarray:
    days = np.floor(serials)
    ok = (days >= _SERIAL_RANGE[0]) & (days < _SERIAL_RANGE[1])
    out = np.full(serials.shape, _NAT, dtype=_DAYS)
    out[ok] = _EXCEL_EPOCH + days[ok].astype(np.int64).astype("timedelta64[D]")
    return out


def _from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from year, month and day numbers over the whole calendar; NaT where no such day
    exists (31/02, month 13, year 0)."""
    year, month, day = (np.asarray(part, dtype=np.int64) for part in (year, month, day))
    ok = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype(_DAYS) + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # 31/02 would roll into March
    return np.where(ok, days, _NAT)


def _stamp_day(value: object) -> np.datetime64:
    """A typed cell (datetime, date, Timestamp, numpy datetime) as its day, time zone dropped."""
    if isinstance(value, np.datetime64):
        day_of: np.datetime64 = value.astype(_DAYS)
        return day_of
    year, month, day = (getattr(value, part, None) for part in ("year", "month", "day"))
    if not all(isinstance(part, int) for part in (year, month, day)):
        return _NAT  # NaT, or an object that only looks like a date
    days: np.datetime64 = _from_parts(np.array([year]), np.array([month]), np.array([day]))[0]
    return days


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
    out = np.full(len(uniques), _NAT, dtype=_DAYS)
    if ok.any():
        year = parts.loc[ok, "year"].astype(int).to_numpy()
        year = np.where(year < 70, 2000 + year, np.where(year < 100, 1900 + year, year))
        out[ok] = _from_parts(
            year, month[ok].astype(int).to_numpy(), day[ok].astype(int).to_numpy()
        )
    return out


def _parse_unique(uniques: pd.Series) -> tuple[np.ndarray, bool]:
    """Parse distinct strings; returns days (NaT where unreadable) and month-first."""
    out = np.full(len(uniques), _NAT, dtype=_DAYS)
    iso = uniques.str.match(_ISO).to_numpy(dtype=bool)
    if iso.any():
        parsed = pd.to_datetime(uniques[iso], format="ISO8601", errors="coerce", utc=True)
        out[iso] = parsed.dt.tz_localize(None).to_numpy().astype(_DAYS)
        # pandas before 3 cannot hold a day outside its nanosecond range: such days (where a
        # time zone no longer matters) are read from their numbers.
        far = iso & np.isnat(out)
        if far.any():
            ymd = uniques[far].str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})").astype(int)
            out[far] = _from_parts(ymd[0].to_numpy(), ymd[1].to_numpy(), ymd[2].to_numpy())
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
        out[numeric] = _from_parts(year, month, day)
    serial = uniques.str.match(_SERIAL).to_numpy(dtype=bool) & ~iso & ~numeric
    if serial.any():
        out[serial] = _from_serial(uniques[serial].astype(float).to_numpy())
    named = uniques.str.contains(r"[^\W\d_]", regex=True).to_numpy(dtype=bool) & ~iso & ~numeric
    if named.any():
        out[named] = _parse_named(uniques[named])
    return out, month_first


def parse_dates(column: pd.Series) -> ParsedDates:
    """Parse a column of dates, whatever the spreadsheet or export made of them."""
    days, unreadable, month_first = _parse_days(column)
    # NaT compares false with everything: it is neither kept nor out of range.
    kept = (days >= _FIRST_DAY) & (days <= _LAST_DAY)
    out_of_range = ~kept & ~np.isnat(days)
    index = column.index
    values = (days if kept.all() else np.where(kept, days, _NAT)).astype("datetime64[ns]")
    return ParsedDates(
        pd.Series(values, index=index),
        pd.Series(unreadable | out_of_range, index=index),
        month_first,
        pd.Series(out_of_range, index=index),
        pd.Series(days >= _OPEN_ENDED_DAY, index=index),
    )


def _parse_days(column: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """A column's days (NaT where empty or unreadable), its unreadable cells, and month-first."""
    if pd.api.types.is_datetime64_any_dtype(column):
        values = column.dt.tz_localize(None) if getattr(column.dt, "tz", None) else column
        days = values.to_numpy().astype(_DAYS)
        return days, np.zeros(len(days), dtype=bool), False
    if pd.api.types.is_numeric_dtype(column):
        days = _from_serial(column.astype("float64").to_numpy())
        return days, column.notna().to_numpy() & np.isnat(days), False
    if column.dtype == object:
        stamps = column.map(
            lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year")
        )
        if stamps.any():
            rest = _parse_days(column.where(~stamps).astype("str").where(~stamps & column.notna()))
            typed = np.array([_stamp_day(v) for v in column[stamps]], dtype=_DAYS)
            days = rest[0].copy()
            days[stamps.to_numpy(dtype=bool)] = typed
            return days, rest[1] & ~stamps.to_numpy(dtype=bool), rest[2]
        numeric = column.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        if numeric.any() and numeric[column.notna()].all():
            return _parse_days(column.astype("float64"))
    encoded = encode(column)
    uniques = pd.Series(pc.utf8_trim_whitespace(encoded.uniques).to_pandas(), dtype="str")
    parsed, month_first = _parse_unique(uniques)
    blank = (uniques == "").to_numpy()
    days = encoded.spread(parsed, _NAT).astype(_DAYS)
    unreadable = encoded.present & ~encoded.spread(blank, True) & np.isnat(days)
    return days, unreadable, month_first
