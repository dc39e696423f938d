"""Analysis periods: the whole file, the last N months, a calendar year, or explicit dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from analysis.errors import InputError

PeriodKind = Literal["all", "months", "year", "range"]


@dataclass(frozen=True)
class PeriodSpec:
    """A period as the user asked for it, before the data says where it ends."""

    kind: PeriodKind = "all"
    months: int = 0
    year: int = 0
    start: date | None = None
    end: date | None = None

    def label(self) -> str:
        """The short form the CLI and the bot accept (`12m`, `2025`, `FROM..TO`, `all`)."""
        if self.kind == "months":
            return f"{self.months}m"
        if self.kind == "year":
            return str(self.year)
        if self.kind == "range":
            return f"{self.start}..{self.end}"
        return "all"


@dataclass(frozen=True)
class PeriodBounds:
    """The period actually analysed; both days included. None where the data has no dates."""

    start: date | None
    end: date | None


_MONTHS = re.compile(r"^(\d{1,3})\s*(m|mo|mois|months?)$")
_YEARS = re.compile(r"^(\d{1,2})\s*(y|a|ans?|years?)$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|to|au)\s*(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> PeriodSpec:
    """Parse `all`, `12m`, `2y`, `2025` or `2024-01-01..2024-06-30`."""
    value = text.strip().lower()
    if value in ("", "all", "tout", "whole"):
        return PeriodSpec()
    if match := _MONTHS.match(value):
        months = int(match.group(1))
        if months > 0:
            return PeriodSpec(kind="months", months=months)
    if match := _YEARS.match(value):
        years = int(match.group(1))
        if years > 0:
            return PeriodSpec(kind="months", months=12 * years)
    if _YEAR.match(value):
        return PeriodSpec(kind="year", year=int(value))
    if match := _RANGE.match(value):
        try:
            start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            raise InputError("bad_period", value=text) from None
        if start <= end:
            return PeriodSpec(kind="range", start=start, end=end)
    raise InputError("bad_period", value=text)


def add_months(day: date, months: int) -> date:
    """Move by whole months, clamping to the month's end (29 Feb + 12 months = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve_period(spec: PeriodSpec, first: date | None, last: date | None) -> PeriodBounds:
    """Turn a spec into bounds, given the first and last dates found in the data."""
    if spec.kind == "all":
        return PeriodBounds(first, last)
    if spec.kind == "year":
        return PeriodBounds(date(spec.year, 1, 1), date(spec.year, 12, 31))
    if spec.kind == "range":
        return PeriodBounds(spec.start, spec.end)
    if last is None:
        return PeriodBounds(None, None)
    return PeriodBounds(add_months(last, -spec.months) + timedelta(days=1), last)
