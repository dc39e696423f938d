"""The reminder sweep: a JobQueue job (APScheduler underneath) that runs every few minutes and
once at start-up, sends what is due and records it. A reminder is claimed in the database before
it is sent and the claim is committed once it is, so it goes out once, even when several bot
instances share a PostgreSQL database, and is retried at the next sweep if sending failed for a
passing reason (the network, Telegram's 5xx). A message Telegram refuses for good (400: too long,
unreadable; 403: the bot was blocked) settles the claim all the same: sending it again would be
refused again, every sweep, forever."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.chat_settings import ChatSettings
from bot.context import BotContext
from bot.flows.analyses import latest_analysis
from bot.flows.reminders import (
    DEFAULT_HOUR,
    contract_ends_ahead,
    contracts_alert,
    last_run,
    review_state,
    review_text,
)
from bot.flows.reply import Reply
from bot.flows.sources import run_scheduled_source
from bot.reminders import contracts_due, parse_hour, review_due
from bot.services import Services
from bot.storage import AnalysisRecord
from reports.formatting import Formatter

log = logging.getLogger(__name__)
SWEEP_EVERY_SECONDS = 300


async def sweep_job(context: BotContext) -> None:
    await sweep(context.application, context.services.clock())


async def sweep(application: Application, now: datetime) -> None:
    """Send every reminder due at `now`, chat by chat; one chat's failure does not stop the rest."""
    services: Services = application.bot_data["services"]
    for chat_id in await services.db(services.storage.reminders.chats_to_sweep):
        try:
            reply = Reply(application.bot, services, chat_id, at=now)
            settings = await reply.settings()
            if settings.source_next_at is not None and settings.source_next_at <= now:
                async with services.lock(chat_id):  # not in the middle of an upload
                    await run_scheduled_source(reply, settings)
            latest = await latest_analysis(services, chat_id)
            if latest is None:
                continue
            await _review(reply, settings)
            await _contracts(reply, settings, latest)
        except Exception:
            log.exception("Reminder sweep failed for chat %s", chat_id)


async def _review(reply: Reply, settings: ChatSettings) -> None:
    services, now = reply.services, reply.now()
    run = await last_run(services, settings.chat_id)
    sent = await services.db(services.storage.reminders.sent_keys, settings.chat_id, "review:")
    state = review_state(settings, run, services.config.default_timezone, sent)
    due = review_due(state, now)
    if due is None or state.interval is None or run is None:
        return
    text = review_text(reply.messages(settings), due, state, run)
    await send_claimed(reply, keys=due.keys, text=html.escape(text))


async def _contracts(reply: Reply, settings: ChatSettings, latest: AnalysisRecord) -> None:
    services, now = reply.services, reply.now()
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
        m = reply.messages(settings)
        text = contracts_alert(
            m,
            Formatter(m.language, latest.summary.money_currency),
            announce,
            settings.contract_days,
        )
        await send_claimed(reply, keys=keys, text=text)


async def send_claimed(reply: Reply, *, keys: tuple[str, ...], text: str) -> bool:
    """Claim, send, then commit: False when another instance had already claimed the keys."""
    services = reply.services
    claim = await services.db(services.storage.reminders.claim, reply.chat_id, keys, reply.now())
    if claim is None:
        return False
    try:
        await reply.html(text)
    except (BadRequest, Forbidden) as error:  # refused for good: settled, never sent again
        await services.db(claim.commit)
        log.warning("Telegram refused a reminder for chat %s for good: %s", reply.chat_id, error)
        if isinstance(error, BadRequest):  # the chat can still be reached: told once, in short
            await _say_refused(reply)
        return True
    except BaseException:
        await services.db(claim.rollback)
        raise
    await services.db(claim.commit)
    return True


async def _say_refused(reply: Reply) -> None:
    try:
        await reply.text(reply.messages(await reply.settings())("bot.send_refused"))
    except TelegramError as error:
        log.warning("Could not tell chat %s a reminder was refused: %s", reply.chat_id, error)
