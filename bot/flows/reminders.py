"""What reminders say and read, shared by the sweep (bot/jobs.py) and /remind and /contracts:
the review state of a chat, the contract ends it watches, and their sentences."""

from __future__ import annotations

import html
from datetime import date, time, timedelta

from bot.chat_settings import ChatSettings
from bot.reminders import ContractEnd, Interval, ReviewState, parse_hour, parse_interval
from bot.services import Services
from bot.storage import AnalysisRecord
from reports.formatting import Formatter
from reports.messages import Messages

DEFAULT_HOUR = time(9, 0)


def interval_text(m: Messages, interval: Interval) -> str:
    if interval.months:
        return m.plural("remind.months", interval.months, count=interval.months)
    return m.plural("remind.days", interval.days, count=interval.days)


def review_state(
    settings: ChatSettings, latest: AnalysisRecord | None, timezone: str, sent: frozenset[str]
) -> ReviewState:
    interval = None if settings.remind_every == "off" else parse_interval(settings.remind_every)
    return ReviewState(
        timezone=settings.timezone or timezone,
        interval=interval,
        hour=parse_hour(settings.remind_at) or DEFAULT_HOUR,
        heads_up_days=settings.heads_up_days,
        last_analysis_at=latest.created_at if latest else None,
        sent=sent,
    )


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


def contracts_text(m: Messages, f: Formatter, ends: list[ContractEnd], days: int) -> str:
    lines = [f"<b>{html.escape(m('remind.contracts_title', days=days))}</b>"]
    lines += [
        html.escape(
            m(
                "remind.contract_line",
                client=e.client,
                category=e.category,
                date=f.date(e.contract_end),
                value=f.money(e.value),
                share=f.percent(e.share),
            )
        )
        for e in ends
    ]
    return "\n".join(lines)
