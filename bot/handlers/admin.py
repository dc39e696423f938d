"""Privacy: the access guard, /allow and /deny for admins, and /forget for everyone."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot import callbacks
from bot.context import BotContext


async def guard(update: Update, context: BotContext) -> None:
    """Runs before every handler: unknown users get their id to pass on, and nothing else.
    Nothing is read from storage for them: the reply is in their Telegram language."""
    svc = context.services
    user, chat = update.effective_user, update.effective_chat
    if svc.policy.allows(user.id if user else None, chat.id if chat else None, svc.runtime_allowed):
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat is not None and user is not None:
        await context.send(context.messages()("bot.refused", user_id=user.id))
    raise ApplicationHandlerStop


async def allow(update: Update, context: BotContext) -> None:
    """/allow ID (admins): let a user or chat in, stored so it survives restarts."""
    target = await _admin_target(update, context)
    if target is None:
        return
    svc = context.services
    assert update.effective_user is not None
    await svc.db(svc.storage.access.allow, target, update.effective_user.id, svc.clock())
    svc.runtime_allowed = await svc.db(svc.storage.access.allowed)
    _, m = await context.chat_messages()
    await context.send(m("bot.allowed", id=target))


async def deny(update: Update, context: BotContext) -> None:
    """/deny ID (admins): remove a runtime entry; ids from the environment stay, and it says so."""
    target = await _admin_target(update, context)
    if target is None:
        return
    svc = context.services
    _, m = await context.chat_messages()
    removed = await svc.db(svc.storage.access.deny, target)
    svc.runtime_allowed = await svc.db(svc.storage.access.allowed)
    if svc.policy.from_configuration(target):
        key = "bot.deny_from_env"
    else:
        key = "bot.denied" if removed else "bot.deny_unknown"
    await context.send(m(key, id=target))


async def _admin_target(update: Update, context: BotContext) -> int | None:
    svc = context.services
    _, m = await context.chat_messages()
    user = update.effective_user
    if user is None or user.id not in svc.config.admin_user_ids:
        await context.send(m("bot.admin_only"))
        return None
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("-").isdigit():
        await context.send(m("bot.allow_usage"))
        return None
    return int(args[0])


async def forget(update: Update, context: BotContext) -> None:
    """/forget: ask first, with a button."""
    _, m = await context.chat_messages()
    buttons = [
        [
            InlineKeyboardButton(m("bot.forget_yes"), callback_data=callbacks.forget("yes")),
            InlineKeyboardButton(m("bot.forget_no"), callback_data=callbacks.forget("no")),
        ]
    ]
    await context.send(m("bot.forget_confirm"), InlineKeyboardMarkup(buttons))


async def forget_button(update: Update, context: BotContext) -> None:
    """The confirmation: delete everything stored for the chat, or nothing."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.Forget)  # the handler's pattern
    await query.answer()
    svc = context.services
    _, m = await context.chat_messages()
    if button.confirmed:
        async with svc.lock(context.chat_id):
            await svc.db(svc.storage.forget, context.chat_id)
        await query.edit_message_text(html.escape(m("bot.forgotten")))
    else:
        await query.edit_message_text(html.escape(m("bot.forget_cancelled")))
