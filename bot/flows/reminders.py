"""What reminders say and read, shared by the sweep (bot/jobs.py) and /remind and /contracts:
the review state of a chat, the contract ends it watches, and their sentences."""

from __future__ import annotations

import html
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.chat_settings import ChatSettings
from bot.reminders import ContractEnd, Due, Interval, ReviewState, parse_hour, parse_interval
from bot.sending import fitting, shorten, units
from bot.services import Services
from bot.storage import RunRecord
from reports.formatting import Formatter
from reports.messages import Messages

DEFAULT_HOUR = time(9, 0)
ALERT_LINES = 20  # contract ends named in one announcement; /contracts lists them all
CONTRACTS_PAGE = 20  # contract ends on one page of /contracts


def interval_text(m: Messages, interval: Interval) -> str:
    if interval.months:
        return m.plural("remind.months", interval.months, count=interval.months)
    return m.plural("remind.days", interval.days, count=interval.days)


def review_state(
    settings: ChatSettings, last_run: RunRecord | None, timezone: str, sent: frozenset[str]
) -> ReviewState:
    """The review counts from the chat's last upload or source run: a re-run under new settings
    or another language is the same data, and must not postpone it."""
    interval = None if settings.remind_every == "off" else parse_interval(settings.remind_every)
    return ReviewState(
        timezone=settings.timezone or timezone,
        interval=interval,
        hour=parse_hour(settings.remind_at) or DEFAULT_HOUR,
        heads_up_days=settings.heads_up_days,
        last_analysis_at=last_run.created_at if last_run else None,
        sent=sent,
    )


async def last_run(services: Services, chat_id: int) -> RunRecord | None:
    """The chat's last upload or source run, once any analysis being stored for it is."""
    async with services.saving(chat_id):
        return await services.db(services.storage.analyses.last_run, chat_id)


def review_text(m: Messages, due: Due, state: ReviewState, run: RunRecord) -> str:
    """The sweep's review message: the heads-up with the days really left, the due day (today or
    tomorrow) or the weekly nag; with the figures of the data it counts from."""
    assert state.interval is not None
    f = Formatter(m.language)
    counts = run.latest.summary.counts()
    values = {
        "due": f.date(due.due_date),
        "last": f.date(run.created_at.astimezone(ZoneInfo(state.timezone)).date()),
        "interval": interval_text(m, state.interval),
        "a": counts["A"],
        "b": counts["B"],
        "c": counts["C"],
        "d": counts["D"],
    }
    if due.kind == "heads_up":
        return m.plural("remind.heads_up", due.days_left, days=due.days_left, **values)
    if due.kind == "due" and due.days_left > 0:
        return m("remind.due_tomorrow", **values)
    return m(f"remind.{due.kind}", **values)


def counted_from_text(m: Messages, state: ReviewState, run: RunRecord) -> str:
    """Which analysis /remind counts the review from: the file and the day it was sent."""
    day = run.created_at.astimezone(ZoneInfo(state.timezone)).date()
    return m("remind.state_from", file=run.file_name, date=Formatter(m.language).date(day))


async def contract_ends_ahead(
    services: Services, settings: ChatSettings, analysis_id: int, today: date
) -> list[ContractEnd]:
    """The contract ends a chat watches: its categories, from today to the end of its window.
    One rule for the daily announcement and for /contracts."""
    return await services.db(
        services.storage.analyses.contract_ends,
        analysis_id,
        settings.contract_categories,
        today,
        today + timedelta(days=settings.contract_days),
    )


def contract_lines(m: Messages, f: Formatter, ends: list[ContractEnd]) -> list[str]:
    """One escaped line per contract end, long names shortened."""
    return [
        html.escape(
            m(
                "remind.contract_line",
                client=shorten(e.client),
                category=e.category,
                date=f.date(e.contract_end),
                value=f.money(e.value),
                share=f.percent(e.share),
            )
        )
        for e in ends
    ]


def _title(m: Messages, days: int) -> str:
    return f"<b>{html.escape(m('remind.contracts_title', days=days))}</b>"


def contracts_alert(m: Messages, f: Formatter, ends: list[ContractEnd], days: int) -> str:
    """The sweep's announcement, always one message: the first contract ends (at most
    ALERT_LINES), then how many more and the command that lists them all."""
    lines = contract_lines(m, f, ends)
    # Room for the last line, whatever the count: "… and 999999 more: /contracts ...".
    more = html.escape(m.plural("remind.contracts_more", 999_999, count=f.number(999_999)))
    shown = fitting(lines[:ALERT_LINES], reserved=units(_title(m, days)) + units(more) + 2)
    text = [_title(m, days), *lines[:shown]]
    if shown < len(lines):
        hidden = len(lines) - shown
        text.append(html.escape(m.plural("remind.contracts_more", hidden, count=f.number(hidden))))
    return "\n".join(text)


def contracts_page(
    m: Messages, f: Formatter, ends: list[ContractEnd], days: int, offset: int
) -> tuple[str, int]:
    """A page of /contracts from `offset`: the text, and where the next page starts."""
    lines = contract_lines(m, f, ends)[offset : offset + CONTRACTS_PAGE]
    head = _title(m, days)
    if len(ends) > CONTRACTS_PAGE:
        position = m(
            "remind.contracts_page",
            first=f.number(offset + 1),
            last=f.number(offset + len(lines)),
            total=f.number(len(ends)),
        )
        head += "\n" + html.escape(position)
    shown = max(1, fitting(lines, reserved=units(head) + 1))
    return "\n".join([head, *lines[:shown]]), offset + shown
