"""The reminder sweep: a JobQueue job (APScheduler underneath) that runs every few minutes and
once at start-up, sends what is due and records it. A reminder is claimed in the database before
it is sent and the claim is committed once it is, so it goes out once, even when several bot
instances share a PostgreSQL database, and is retried at the next sweep if sending failed."""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application, ContextTypes

from bot.chat_settings import ChatSettings
from bot.reminders import (
    ContractEnd,
    Interval,
    ReviewState,
    contracts_due,
    parse_hour,
    parse_interval,
    review_due,
)
from bot.services import Services
from bot.source_runs import run_scheduled_source
from bot.storage import AnalysisRecord
from reports.formatting import Formatter
from reports.messages import Messages

log = logging.getLogger(__name__)
SWEEP_EVERY_SECONDS = 300
DEFAULT_HOUR = time(9, 0)


async def sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.bot_data["services"]
    await sweep(context.application, services.clock())


async def sweep(application: Application, now: datetime) -> None:
    """Send every reminder due at `now`, chat by chat; one chat's failure does not stop the rest."""
    services: Services = application.bot_data["services"]
    for chat_id in await services.db(services.storage.reminders.chats_to_sweep):
        try:
            settings = await services.db(services.storage.chats.get, chat_id)
            if settings.source_next_at is not None and settings.source_next_at <= now:
                async with services.lock(chat_id):  # not in the middle of an upload
                    await run_scheduled_source(application.bot, services, settings, now)
            latest = await services.db(services.storage.analyses.latest, chat_id)
            if latest is None:
                continue
            await _review(application, services, settings, latest, now)
            await _contracts(application, services, settings, latest, now)
        except Exception:
            log.exception("Reminder sweep failed for chat %s", chat_id)


def _language(settings: ChatSettings, services: Services) -> Messages:
    return Messages(settings.language or services.config.default_language)


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


async def _review(
    application: Application,
    services: Services,
    settings: ChatSettings,
    latest: AnalysisRecord,
    now: datetime,
) -> None:
    sent = await services.db(services.storage.reminders.sent_keys, settings.chat_id, "review:")
    state = review_state(settings, latest, services.config.default_timezone, sent)
    due = review_due(state, now)
    if due is None or state.interval is None:
        return
    m = _language(settings, services)
    f = Formatter(m.language)
    counts = latest.summary.counts()
    last_day = latest.created_at.astimezone(ZoneInfo(state.timezone)).date()
    text = m(
        f"remind.{due.kind}",
        days=state.heads_up_days,
        due=f.date(due.due_date),
        last=f.date(last_day),
        interval=interval_text(m, state.interval),
        a=counts["A"],
        b=counts["B"],
        c=counts["C"],
        d=counts["D"],
    )
    await send_claimed(
        application, services, settings.chat_id, keys=due.keys, now=now, text=html.escape(text)
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


async def _contracts(
    application: Application,
    services: Services,
    settings: ChatSettings,
    latest: AnalysisRecord,
    now: datetime,
) -> None:
    timezone = settings.timezone or services.config.default_timezone
    today = now.astimezone(ZoneInfo(timezone)).date()
    ends = await contract_ends_ahead(services, settings, latest.id, today)
    if not ends:
        return
    sent = await services.db(services.storage.reminders.sent_keys, settings.chat_id, "contract:")
    announce, keys = contracts_due(
        ends,
        now,
        timezone=timezone,
        hour=parse_hour(settings.remind_at) or DEFAULT_HOUR,
        window_days=settings.contract_days,
        sent=sent,
    )
    if announce:
        m = _language(settings, services)
        text = contracts_text(
            m,
            Formatter(m.language, latest.summary.money_currency),
            announce,
            settings.contract_days,
        )
        await send_claimed(application, services, settings.chat_id, keys=keys, now=now, text=text)


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


async def send_claimed(
    application: Application,
    services: Services,
    chat_id: int,
    *,
    keys: tuple[str, ...],
    now: datetime,
    text: str,
) -> bool:
    """Claim, send, then commit: False when another instance had already claimed the keys."""
    claim = await services.db(services.storage.reminders.claim, chat_id, keys, now)
    if claim is None:
        return False
    try:
        await application.bot.send_message(chat_id, text)
    except BaseException:
        await services.db(claim.rollback)
        raise
    await services.db(claim.commit)
    return True
