"""Review reminders and contract alerts: time is passed in, never slept."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from bot.reminders import (
    ContractEnd,
    Interval,
    ReviewState,
    contracts_due,
    next_review_moment,
    parse_hour,
    parse_interval,
    review_due,
)

PARIS = "Europe/Paris"
UTC = dt.UTC


def state(
    last: dt.datetime,
    every: str = "24m",
    hour: dt.time = dt.time(9),
    sent: frozenset[str] = frozenset(),
    tz: str = PARIS,
) -> ReviewState:
    return ReviewState(tz, parse_interval(every), hour, 14, last, sent)


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(PARIS))


def test_intervals_and_hours():
    assert parse_interval("6m") == Interval(months=6)
    assert parse_interval("1y") == parse_interval("1a") == Interval(months=12)
    assert parse_interval("90d") == parse_interval("90j") == Interval(days=90)
    assert parse_interval("2w") == Interval(days=14)
    assert parse_interval("0m") is None and parse_interval("soon") is None
    assert Interval(months=36).beyond_method and not Interval(months=24).beyond_method
    assert parse_hour("08:30") == dt.time(8, 30) and parse_hour("8h05") == dt.time(8, 5)
    assert parse_hour("25:00") is None


def test_heads_up_due_day_then_weekly_nags():
    review = state(paris(2024, 2, 29, 16, 0))  # 24 months later is 28 Feb 2026 (clamped)
    assert review_due(review, paris(2026, 2, 14, 8, 59)) is None
    heads_up = review_due(review, paris(2026, 2, 14, 9, 0))
    assert (
        heads_up is not None
        and heads_up.kind == "heads_up"
        and heads_up.due_date == dt.date(2026, 2, 28)
    )
    sent = frozenset(heads_up.keys)
    assert review_due(state(paris(2024, 2, 29, 16), sent=sent), paris(2026, 2, 20)) is None
    due = review_due(state(paris(2024, 2, 29, 16), sent=sent), paris(2026, 2, 28, 9, 0))
    assert due is not None and due.kind == "due" and due.keys == ("review:2026-02-28:due",)
    sent |= set(due.keys)
    nag = review_due(state(paris(2024, 2, 29, 16), sent=sent), paris(2026, 3, 7, 9, 1))
    assert (
        nag is not None and nag.kind == "nag" and nag.keys == ("review:2026-02-28:nag:2026-03-07",)
    )


def test_missed_reminders_make_one_message_then_nothing_until_next_week():
    review = state(paris(2023, 1, 10, 12))
    now = paris(2025, 2, 2, 10)  # down since before the heads-up; due 10 Jan 2025
    missed = review_due(review, now)
    assert missed is not None and missed.kind == "nag"
    assert missed.keys[:2] == ("review:2025-01-10:heads_up", "review:2025-01-10:due")
    assert len(missed.keys) == 5  # heads-up, due day, three weekly nags
    sent = frozenset(missed.keys)
    assert review_due(state(paris(2023, 1, 10, 12), sent=sent), now + dt.timedelta(hours=3)) is None
    later = review_due(state(paris(2023, 1, 10, 12), sent=sent), paris(2025, 2, 7, 9))
    assert later is not None and later.keys == ("review:2025-01-10:nag:2025-02-07",)


def test_a_new_analysis_moves_the_review():
    assert review_due(state(paris(2026, 11, 1, 9)), paris(2026, 12, 1)) is None
    moment = next_review_moment(state(paris(2026, 11, 1, 9), every="6m"), paris(2026, 12, 1))
    assert moment == paris(2027, 4, 17, 9)  # heads-up 14 days before 1 May 2027


@pytest.mark.parametrize("day", [dt.date(2026, 10, 25), dt.date(2026, 3, 29)])
def test_a_reminder_at_02_30_on_a_daylight_saving_day_is_sent_once(day):
    """Autumn: 02:30 happens twice. Spring: it does not happen at all. Either way: once."""
    last = paris(day.year - 2, day.month, day.day, 12)
    # The heads-up went out 14 days before (a late one would become the due message).
    sent: frozenset[str] = frozenset({f"review:{day}:heads_up"})
    sends = []
    now = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(22), tzinfo=UTC)
    while now < dt.datetime.combine(day, dt.time(6), tzinfo=UTC):
        due = review_due(state(last, hour=dt.time(2, 30), sent=sent), now)
        if due is not None and due.kind == "due":
            sends.append(now)
            sent |= set(due.keys)
        elif due is not None:
            sent |= set(due.keys)
        now += dt.timedelta(minutes=5)
    assert len(sends) == 1
    assert sends[0].astimezone(ZoneInfo(PARIS)).date() == day


def test_a_late_heads_up_says_the_days_really_left():
    """Due on 29 Nov 2026 (two years after 29 Nov 2024), heads-up 14 days before."""
    last = paris(2024, 11, 29, 12)
    on_time = review_due(state(last), paris(2026, 11, 15, 9))
    assert on_time is not None and (on_time.kind, on_time.days_left) == ("heads_up", 14)
    late = review_due(state(last), paris(2026, 11, 25, 10))
    assert late is not None and (late.kind, late.days_left) == ("heads_up", 4)
    assert late.keys == ("review:2026-11-29:heads_up",)


@pytest.mark.parametrize(
    ("now", "days_left"), [((2026, 11, 28, 9, 5), 1), ((2026, 11, 29, 8, 59), 0)]
)
def test_a_heads_up_a_day_or_less_before_is_the_due_message(now, days_left):
    last = paris(2024, 11, 29, 12)
    due = review_due(state(last), paris(*now))
    assert due is not None and (due.kind, due.days_left) == ("due", days_left)
    assert due.keys == ("review:2026-11-29:heads_up", "review:2026-11-29:due")
    # It stands for the due day's message: nothing more on the day itself.
    assert review_due(state(last, sent=frozenset(due.keys)), paris(2026, 11, 29, 9, 1)) is None


def ends(*items: tuple[str, dt.date]) -> list[ContractEnd]:
    return [ContractEnd(name, name.lower(), "A", day, 1000.0, 0.1) for name, day in items]


def test_contract_ends_are_announced_in_the_morning_once_per_client_and_date():
    today = dt.date(2026, 11, 27)
    contracts = ends(
        ("Dupont", today + dt.timedelta(days=10)), ("Martin", today + dt.timedelta(days=45))
    )
    kwargs = {"timezone": PARIS, "hour": dt.time(9), "window_days": 30}
    assert contracts_due(contracts, paris(2026, 11, 27, 8, 59), sent=frozenset(), **kwargs) == (
        [],
        (),
    )
    announce, keys = contracts_due(contracts, paris(2026, 11, 27, 9, 0), sent=frozenset(), **kwargs)
    assert [e.client for e in announce] == ["Dupont"]
    assert (
        contracts_due(contracts, paris(2026, 11, 28, 9, 0), sent=frozenset(keys), **kwargs)[0] == []
    )
    renewed = ends(("Dupont", today + dt.timedelta(days=20)))
    assert [
        e.client
        for e in contracts_due(renewed, paris(2026, 11, 28, 9, 0), sent=frozenset(keys), **kwargs)[
            0
        ]
    ] == ["Dupont"]


def test_two_instances_claim_a_reminder_once(storage_url):
    from bot.storage import Storage

    first, second = Storage(storage_url), Storage(storage_url)
    first.migrate()
    now = dt.datetime(2026, 11, 27, 9, tzinfo=UTC)
    claim = first.reminders.claim(7, ("review:2026-11-27:due",), now)
    assert claim is not None
    result: list[object] = []
    other = threading.Thread(
        target=lambda: result.append(second.reminders.claim(7, ("review:2026-11-27:due",), now))
    )
    other.start()
    other.join(0.5)
    assert other.is_alive()  # waits for the first instance to finish sending
    claim.commit()
    other.join(30)
    assert result == [None]
    assert first.reminders.sent_keys(7, "review:") == {"review:2026-11-27:due"}
    failed = first.reminders.claim(7, ("review:2026-12-04:nag",), now)
    assert failed is not None
    failed.rollback()  # the send failed: the next sweep tries again
    retried = second.reminders.claim(7, ("review:2026-12-04:nag",), now)
    assert retried is not None
    retried.commit()
    first.close()
    second.close()
