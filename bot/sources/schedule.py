"""When a scheduled source runs: the next run after a moment, and the retry policy on failure."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analysis.period import add_months

MAX_RETRIES = 3
RETRY_AFTER = timedelta(hours=1)


def next_run(every: str, after: datetime, hour: time, timezone: str, anchor_day: int) -> datetime:
    """The first scheduled run after `after`: monthly on the anchor day (clamped to the month's
    end), or every N days, at the reminder hour in the chat's zone."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    day = local.date()
    if every.endswith("m"):
        months = int(every[:-1])
        candidate = _clamped(day.year, day.month, anchor_day)
        while datetime.combine(candidate, hour, tzinfo=zone) <= after:
            nxt = add_months(candidate.replace(day=1), months)
            candidate = _clamped(nxt.year, nxt.month, anchor_day)
        return datetime.combine(candidate, hour, tzinfo=zone)
    days = int(every[:-1])
    candidate = day
    while datetime.combine(candidate, hour, tzinfo=zone) <= after:
        candidate += timedelta(days=days)
    return datetime.combine(candidate, hour, tzinfo=zone)


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
