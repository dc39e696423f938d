"""/remind and /contracts."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from telegram import Update

from bot.handlers.common import (
    Context,
    chat_id_of,
    language_for,
    local_today,
    services,
    settings_of,
)
from bot.jobs import contract_ends_ahead, contracts_text, interval_text, review_state
from bot.reminders import next_review_moment, parse_hour, parse_interval
from reports.formatting import Formatter
from reports.messages import Messages


async def remind(update: Update, context: Context) -> None:
    """/remind [6m|1y|90d|off|at HH:MM]: set the review reminder, or show it."""
    svc = services(context)
    chat_id = chat_id_of(update)
    args = [a.lower() for a in context.args or []]
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    notes: list[str] = []
    if args == ["off"]:
        await svc.db(svc.storage.chats.update, chat_id, svc.clock(), remind_every="off")
        await context.bot.send_message(chat_id, html.escape(m("remind.set_off")))
        return
    if len(args) == 2 and args[0] in ("at", "à", "a") and parse_hour(args[1]):
        hour = parse_hour(args[1])
        assert hour is not None
        await svc.db(
            svc.storage.chats.update, chat_id, svc.clock(), remind_at=hour.strftime("%H:%M")
        )
    elif len(args) == 1 and (interval := parse_interval(args[0])) is not None:
        await svc.db(svc.storage.chats.update, chat_id, svc.clock(), remind_every=interval.label())
        if interval.beyond_method:
            notes.append(m("remind.beyond"))
    elif args:
        await context.bot.send_message(chat_id, html.escape(m("remind.usage")))
        return
    await context.bot.send_message(
        chat_id, html.escape("\n".join([await _state(update, context, m), *notes]))
    )


async def _state(update: Update, context: Context, m: Messages) -> str:
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await svc.db(svc.storage.chats.get, chat_id)
    latest = await svc.db(svc.storage.analyses.latest, chat_id)
    sent = await svc.db(svc.storage.reminders.sent_keys, chat_id, "review:")
    state = review_state(settings, latest, svc.config.default_timezone, sent)
    if state.interval is None:
        return m("remind.state_off")
    f = Formatter(m.language)
    hour = state.hour.strftime("%H:%M")
    lines = [
        m(
            "remind.state",
            interval=interval_text(m, state.interval),
            hour=hour,
            timezone=state.timezone,
            days=state.heads_up_days,
        )
    ]
    moment = next_review_moment(state, svc.clock())
    if latest is None or moment is None:
        lines.append(m("remind.state_no_analysis"))
    else:
        local = moment.astimezone(ZoneInfo(state.timezone))
        lines.append(
            m("remind.state_next", date=f.date(local.date()), hour=local.strftime("%H:%M"))
        )
    return "\n".join(lines)


async def contracts(update: Update, context: Context) -> None:
    """/contracts: the coming contract ends of key clients (and B clients, as a setting)."""
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    latest = await svc.db(svc.storage.analyses.latest, chat_id)
    if latest is None:
        await context.bot.send_message(chat_id, html.escape(m("bot.no_analysis")))
        return
    if not latest.summary.has_contracts:
        await context.bot.send_message(chat_id, html.escape(m("remind.contracts_no_column")))
        return
    today = local_today(settings, svc.config.default_timezone, svc.clock())
    ends = await contract_ends_ahead(svc, settings, latest.id, today)
    if not ends:
        categories = "/".join(settings.contract_categories)
        text = html.escape(
            m("remind.contracts_none", categories=categories, days=settings.contract_days)
        )
    else:
        text = contracts_text(
            m,
            Formatter(m.language, latest.summary.money_currency),
            ends,
            settings.contract_days,
        )
    await context.bot.send_message(chat_id, text)
