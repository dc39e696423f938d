"""/source: list the sources this chat may use, choose one, run it, schedule it."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.flows.sources import next_scheduled, run_source_now, schedule_text
from bot.handlers.start import say_stale
from bot.reminders import parse_interval
from reports.messages import Messages


async def source(update: Update, context: BotContext) -> None:
    """/source [NAME | run | every 1m|7d|off]."""
    svc = context.services
    chat_id = context.chat_id
    settings, m = await context.chat_messages()
    allowed = svc.sources_for(chat_id)
    args = context.args or []
    if not allowed:
        await context.send(m("source.none"))
        return
    if not args:
        await _list(context, m)
        return
    command = args[0].lower()
    if command == "run":
        chosen = allowed.get(settings.source_name or "") or (
            next(iter(allowed.values())) if len(allowed) == 1 else None
        )
        if chosen is None:
            await context.send(m("source.pick_first"))
            return
        async with svc.lock(chat_id):
            await run_source_now(context.reply(), settings, chosen)
        return
    if command == "every" and len(args) == 2:
        await _schedule(context, m, args[1].lower())
        return
    if args[0] in allowed:
        await svc.db(svc.storage.chats.update, chat_id, svc.clock(), source_name=args[0])
        await _list(context, m)
        return
    await context.send(m("source.unknown", name=args[0]) + " " + m("source.usage"))


async def source_button(update: Update, context: BotContext) -> None:
    """A source picked in the list: `source:NAME`."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.SourcePick)  # the handler's pattern
    await query.answer()
    if button.name not in context.services.sources_for(context.chat_id):
        await say_stale(context)
        return
    context.args = [button.name]
    await source(update, context)


async def _list(context: BotContext, m: Messages) -> None:
    svc = context.services
    settings = await context.chat_settings()
    allowed = svc.sources_for(context.chat_id)
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
    buttons = [
        [InlineKeyboardButton(name, callback_data=callbacks.source(name))] for name in allowed
    ]
    await context.send_html("\n".join(lines), InlineKeyboardMarkup(buttons))


async def _schedule(context: BotContext, m: Messages, every: str) -> None:
    svc = context.services
    chat_id = context.chat_id
    settings = await context.chat_settings()
    if settings.source_name not in svc.sources_for(chat_id):
        await context.send(m("source.pick_first"))
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
            await context.send(m("source.usage"))
            return
        anchor = now.day
        label = f"{interval.months}m/{anchor}" if interval.months else f"{interval.days}d"
        planned = await svc.db(svc.storage.chats.update, chat_id, now, source_every=label)
        first = next_scheduled(planned, now, svc.config.default_timezone)
        settings = await svc.db(
            svc.storage.chats.update, chat_id, now, source_next_at=first, source_failures=0
        )
    await context.send(schedule_text(m, settings, svc.config.default_timezone))
