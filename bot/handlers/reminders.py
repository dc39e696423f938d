"""/remind and /contracts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import callbacks
from bot.context import BotContext
from bot.flows.analyses import latest_analysis
from bot.flows.reminders import (
    CONTRACTS_PAGE,
    contract_ends_ahead,
    contracts_page,
    counted_from_text,
    interval_text,
    last_run,
    review_state,
)
from bot.handlers.start import say_stale
from bot.reminders import ContractEnd, next_review_moment, parse_hour, parse_interval
from bot.sending import edit_html
from bot.storage import AnalysisRecord
from reports.formatting import Formatter
from reports.messages import Messages


async def remind(update: Update, context: BotContext) -> None:
    """/remind [6m|1y|90d|off|at HH:MM]: set the review reminder, or show it."""
    svc = context.services
    chat_id = context.chat_id
    args = [a.lower() for a in context.args or []]
    _, m = await context.chat_messages()
    notes: list[str] = []
    if args == ["off"]:
        await svc.db(svc.storage.chats.update, chat_id, svc.clock(), remind_every="off")
        await context.send(m("remind.set_off"))
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
        await context.send(m("remind.usage"))
        return
    await context.send("\n".join([await _state(context, m), *notes]))


async def _state(context: BotContext, m: Messages) -> str:
    svc = context.services
    chat_id = context.chat_id
    settings = await context.chat_settings()
    run = await last_run(svc, chat_id)
    sent = await svc.db(svc.storage.reminders.sent_keys, chat_id, "review:")
    state = review_state(settings, run, svc.config.default_timezone, sent)
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
    if run is None or moment is None:
        lines.append(m("remind.state_no_analysis"))
    else:
        local = moment.astimezone(ZoneInfo(state.timezone))
        lines.append(
            m("remind.state_next", date=f.date(local.date()), hour=local.strftime("%H:%M"))
        )
        lines.append(counted_from_text(m, state, run))
    return "\n".join(lines)


async def contracts(update: Update, context: BotContext) -> None:
    """/contracts: the coming contract ends of key clients (and B clients, as a setting)."""
    svc = context.services
    settings, m = await context.chat_messages()
    latest = await latest_analysis(svc, context.chat_id)
    if latest is None:
        await context.send(m("bot.no_analysis"))
        return
    if not latest.summary.has_contracts:
        await context.send(m("remind.contracts_no_column"))
        return
    ends = await contract_ends_ahead(svc, settings, latest.id, context.reply().today(settings))
    if not ends:
        categories = "/".join(settings.contract_categories)
        await context.send(
            m("remind.contracts_none", categories=categories, days=settings.contract_days)
        )
        return
    text, markup = _page(m, latest, ends, settings.contract_days, 0)
    await context.send_html(text, markup)


async def contracts_button(update: Update, context: BotContext) -> None:
    """A page of /contracts: `contracts:ANALYSIS:OFFSET`."""
    query = update.callback_query
    assert query is not None and query.message is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.ContractsPage)  # the handler's pattern
    await query.answer()
    svc = context.services
    settings, m = await context.chat_messages()
    latest = await latest_analysis(svc, context.chat_id)
    if latest is None or latest.id != button.analysis_id:
        await say_stale(context)
        return
    ends = await contract_ends_ahead(svc, settings, latest.id, context.reply().today(settings))
    if button.offset >= len(ends):
        await say_stale(context)
        return
    text, markup = _page(m, latest, ends, settings.contract_days, button.offset)
    assert isinstance(query.message, Message)
    await edit_html(query.message, text, markup)


def _page(
    m: Messages, latest: AnalysisRecord, ends: list[ContractEnd], days: int, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    f = Formatter(m.language, latest.summary.money_currency)
    text, following = contracts_page(m, f, ends, days, offset)
    buttons = []
    if offset > 0:
        previous = max(0, offset - CONTRACTS_PAGE)
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_previous"), callback_data=callbacks.contracts(latest.id, previous)
            )
        )
    if following < len(ends):
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_next"), callback_data=callbacks.contracts(latest.id, following)
            )
        )
    return text, InlineKeyboardMarkup([buttons]) if buttons else None
