"""/source: list the sources this chat may use, choose one, run it, schedule it."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.errors import InputError
from bot.handlers.common import Context, chat_id_of, language_for, services, settings_of
from bot.reminders import parse_interval
from bot.source_runs import failure_reason, next_scheduled, run_source, schedule_text
from bot.sources import SourceError
from reports.messages import Messages


async def source(update: Update, context: Context) -> None:
    """/source [NAME | run | every 1m|7d|off]."""
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    allowed = svc.sources_for(chat_id)
    args = context.args or []
    if not allowed:
        await context.bot.send_message(chat_id, html.escape(m("source.none")))
        return
    if not args:
        await _list(update, context, m)
        return
    command = args[0].lower()
    if command == "run":
        chosen = allowed.get(settings.source_name or "") or (
            next(iter(allowed.values())) if len(allowed) == 1 else None
        )
        if chosen is None:
            await context.bot.send_message(chat_id, html.escape(m("source.pick_first")))
            return
        async with svc.lock(chat_id):
            try:
                await run_source(context.bot, svc, settings, chosen, svc.clock())
            except (SourceError, InputError) as error:
                reason = failure_reason(m, error)
                await context.bot.send_message(
                    chat_id, html.escape(m("bot.status_failed", name=chosen.title, reason=reason))
                )
        return
    if command == "every" and len(args) == 2:
        await _schedule(update, context, m, args[1].lower())
        return
    if args[0] in allowed:
        await svc.db(svc.storage.chats.update, chat_id, svc.clock(), source_name=args[0])
        await _list(update, context, m)
        return
    await context.bot.send_message(
        chat_id, html.escape(m("source.unknown", name=args[0]) + " " + m("source.usage"))
    )


async def source_button(update: Update, context: Context) -> None:
    """A source picked in the list: `source:NAME`."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    context.args = [query.data.split(":", 1)[1]]
    await source(update, context)


async def _list(update: Update, context: Context, m: Messages) -> None:
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await svc.db(svc.storage.chats.get, chat_id)
    allowed = svc.sources_for(chat_id)
    lines = [f"<b>{html.escape(m('source.list_title'))}</b>"]
    for name, item in allowed.items():
        mark = "✓ " if name == settings.source_name else "• "
        lines.append(
            html.escape(
                mark
                + m("source.line", name=name, label=item.title, kind=m(f"source.kind_{item.kind}"))
            )
        )
    if settings.source_name in allowed:
        schedule = schedule_text(m, settings, svc.config.default_timezone)
        lines.append(html.escape(m("source.chosen", name=settings.source_name, schedule=schedule)))
    lines.append(html.escape(m("source.usage")))
    buttons = [[InlineKeyboardButton(name, callback_data=f"source:{name}")] for name in allowed]
    await context.bot.send_message(
        chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons)
    )


async def _schedule(update: Update, context: Context, m: Messages, every: str) -> None:
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await svc.db(svc.storage.chats.get, chat_id)
    if settings.source_name not in svc.sources_for(chat_id):
        await context.bot.send_message(chat_id, html.escape(m("source.pick_first")))
        return
    now = svc.clock()
    if every == "off":
        settings = await svc.db(
            svc.storage.chats.update,
            chat_id,
            now,
            source_every=None,
            source_next_at=None,
            source_failures=0,
        )
    else:
        interval = parse_interval(every)
        if interval is None:
            await context.bot.send_message(chat_id, html.escape(m("source.usage")))
            return
        anchor = now.day
        label = f"{interval.months}m/{anchor}" if interval.months else f"{interval.days}d"
        planned = await svc.db(svc.storage.chats.update, chat_id, now, source_every=label)
        first = next_scheduled(planned, now, svc.config.default_timezone)
        settings = await svc.db(
            svc.storage.chats.update, chat_id, now, source_next_at=first, source_failures=0
        )
    await context.bot.send_message(
        chat_id, html.escape(schedule_text(m, settings, svc.config.default_timezone))
    )
