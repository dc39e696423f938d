"""What is due for a chat at a given moment: review heads-up, due day, weekly nags, contract ends.

Pure functions of (chat state, now): no clock, no database, no Telegram, so every case (daylight
saving changes, a bot down for weeks) is tested by passing times in. Each reminder has a key; a
key recorded as sent is never due again, and several missed reminders make one message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analysis.period import add_months

METHOD_MAX_MONTHS = 24  # "repeat the analysis at least every two years"
NAG_EVERY = timedelta(days=7)
_INTERVAL = re.compile(r"^(\d{1,3})\s*(d|j|w|s|m|y|a)$")
_HOUR = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


@dataclass(frozen=True)
class Interval:
    """A review interval in whole months or days."""

    months: int = 0
    days: int = 0

    def after(self, day: date) -> date:
        return add_months(day, self.months) + timedelta(days=self.days)

    def label(self) -> str:
        return f"{self.months}m" if self.months else f"{self.days}d"

    @property
    def beyond_method(self) -> bool:
        return self.months > METHOD_MAX_MONTHS or (not self.months and self.days > 731)


def parse_interval(text: str) -> Interval | None:
    """`6m`, `1y`, `90d`, `2w` (French `1a`, `90j`, `2s` too); None when not understood."""
    match = _INTERVAL.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if unit in ("m", "y", "a"):
        return Interval(months=count * (12 if unit in ("y", "a") else 1))
    return Interval(days=count * (7 if unit in ("w", "s") else 1))


def parse_hour(text: str) -> time | None:
    match = _HOUR.match(text.strip().lower())
    return time(int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class ReviewState:
    """A chat's review settings and when it last sent data: `last_analysis_at` is its last upload
    or source run, never a re-run under new settings (that would postpone the review)."""

    timezone: str
    interval: Interval | None
    hour: time
    heads_up_days: int
    last_analysis_at: datetime | None
    sent: frozenset[str]


@dataclass(frozen=True)
class Due:
    """One message to send now: its kind, the keys it settles, the review's due date and how
    many days remain until it (in the chat's zone; 0 on the day, negative when late)."""

    kind: str  # "heads_up", "due" or "nag"
    keys: tuple[str, ...]
    due_date: date
    days_left: int = 0


def local_moment(day: date, hour: time, timezone: str) -> datetime:
    """`hour` on `day` in the zone. A time skipped by a spring change is taken at the offset
    before it (so 02:30 becomes 03:30), and an autumn time that happens twice at its first
    occurrence: either way the moment exists once, so a reminder is sent once."""
    return datetime.combine(day, hour, tzinfo=ZoneInfo(timezone))


def review_due_date(state: ReviewState) -> date | None:
    if state.interval is None or state.last_analysis_at is None:
        return None
    last_day = state.last_analysis_at.astimezone(ZoneInfo(state.timezone)).date()
    return state.interval.after(last_day)


def next_review_moment(state: ReviewState, now: datetime) -> datetime | None:
    """When the next message about the review will go out (for `/remind`)."""
    due_date = review_due_date(state)
    if due_date is None:
        return None
    for _kind, key, moment in _schedule(state, due_date, now + NAG_EVERY * 2):
        if moment > now and key not in state.sent:
            return moment
    return None


def _schedule(
    state: ReviewState, due_date: date, until: datetime
) -> list[tuple[str, str, datetime]]:
    """Every review message from the heads-up to the last weekly nag before `until`."""
    moments = []
    if state.heads_up_days > 0:
        heads_up_day = due_date - timedelta(days=state.heads_up_days)
        moments.append(
            (
                "heads_up",
                f"review:{due_date}:heads_up",
                local_moment(heads_up_day, state.hour, state.timezone),
            )
        )
    moments.append(
        ("due", f"review:{due_date}:due", local_moment(due_date, state.hour, state.timezone))
    )
    nag_day = due_date + NAG_EVERY
    while (moment := local_moment(nag_day, state.hour, state.timezone)) <= until:
        moments.append(("nag", f"review:{due_date}:nag:{nag_day}", moment))
        nag_day += NAG_EVERY
    return moments


def review_due(state: ReviewState, now: datetime) -> Due | None:
    """The review message to send at `now`, if any. Missed ones (the bot was down) collapse into
    one message of the latest kind; all their keys are settled by it."""
    due_date = review_due_date(state)
    if due_date is None:
        return None
    missed = [
        (kind, key)
        for kind, key, moment in _schedule(state, due_date, now)
        if moment <= now and key not in state.sent
    ]
    if not missed:
        return None
    kind, keys = missed[-1][0], tuple(key for _, key in missed)
    days_left = (due_date - now.astimezone(ZoneInfo(state.timezone)).date()).days
    if kind == "heads_up" and days_left <= 1:
        # A heads-up sent this late (the bot was down, or the notice is a day) would announce
        # days that are not left: the due message goes instead, and stands for the due day's.
        kind = "due"
        due_key = f"review:{due_date}:due"
        keys += () if due_key in keys or due_key in state.sent else (due_key,)
    return Due(kind, keys, due_date, days_left)


@dataclass(frozen=True)
class ContractEnd:
    client: str
    client_key: str
    category: str
    contract_end: date
    value: float
    share: float


def contracts_due(
    ends: list[ContractEnd],
    now: datetime,
    *,
    timezone: str,
    hour: time,
    window_days: int,
    sent: frozenset[str],
) -> tuple[list[ContractEnd], tuple[str, ...]]:
    """Contract ends to announce at `now`: within the window from today, in the morning at the
    reminder hour, once per client and contract date."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    if now < local_moment(today, hour, timezone):
        return [], ()
    horizon = today + timedelta(days=window_days)
    announce = [
        e for e in ends if today <= e.contract_end <= horizon and contract_key(e) not in sent
    ]
    announce.sort(key=lambda e: (e.contract_end, -e.value))
    return announce, tuple(contract_key(e) for e in announce)


def contract_key(end: ContractEnd) -> str:
    return f"contract:{end.client_key[:200]}:{end.contract_end}"
