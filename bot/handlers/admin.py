"""Privacy: the access guard, /allow and /deny for admins, and /forget for everyone."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.common import (
    Context,
    chat_id_of,
    language_for,
    messages_for,
    services,
    settings_of,
)
from reports.messages import Messages, available_languages


async def guard(update: Update, context: Context) -> None:
    """Runs before every handler: unknown users get their id to pass on, and nothing else."""
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    if svc.policy.allows(user.id if user else None, chat.id if chat else None, svc.runtime_allowed):
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat is not None and user is not None:
        code = (user.language_code or "").split("-")[0]
        m = Messages(code if code in available_languages() else svc.config.default_language)
        await context.bot.send_message(chat.id, html.escape(m("bot.refused", user_id=user.id)))
    raise ApplicationHandlerStop


async def allow(update: Update, context: Context) -> None:
    """/allow ID (admins): let a user or chat in, stored so it survives restarts."""
    target = await _admin_target(update, context)
    if target is None:
        return
    svc = services(context)
    assert update.effective_user is not None
    await svc.db(svc.storage.access.allow, target, update.effective_user.id, svc.clock())
    svc.runtime_allowed = await svc.db(svc.storage.access.allowed)
    m = await messages_for(update, context)
    await context.bot.send_message(chat_id_of(update), html.escape(m("bot.allowed", id=target)))


async def deny(update: Update, context: Context) -> None:
    """/deny ID (admins): remove a runtime entry; ids from the environment stay, and it says so."""
    target = await _admin_target(update, context)
    if target is None:
        return
    svc = services(context)
    m = await messages_for(update, context)
    removed = await svc.db(svc.storage.access.deny, target)
    svc.runtime_allowed = await svc.db(svc.storage.access.allowed)
    if svc.policy.from_configuration(target):
        key = "bot.deny_from_env"
    else:
        key = "bot.denied" if removed else "bot.deny_unknown"
    await context.bot.send_message(chat_id_of(update), html.escape(m(key, id=target)))


async def _admin_target(update: Update, context: Context) -> int | None:
    svc = services(context)
    m = await messages_for(update, context)
    user = update.effective_user
    if user is None or user.id not in svc.config.admin_user_ids:
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.admin_only")))
        return None
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("-").isdigit():
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.allow_usage")))
        return None
    return int(args[0])


async def forget(update: Update, context: Context) -> None:
    """/forget: ask first, with a button."""
    m = await messages_for(update, context)
    buttons = [
        [
            InlineKeyboardButton(m("bot.forget_yes"), callback_data="forget:yes"),
            InlineKeyboardButton(m("bot.forget_no"), callback_data="forget:no"),
        ]
    ]
    await context.bot.send_message(
        chat_id_of(update),
        html.escape(m("bot.forget_confirm")),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def forget_button(update: Update, context: Context) -> None:
    """The confirmation: delete everything stored for the chat, or nothing."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    if query.data == "forget:yes":
        async with svc.lock(chat_id_of(update)):
            await svc.db(svc.storage.forget, chat_id_of(update))
        await query.edit_message_text(html.escape(m("bot.forgotten")))
    else:
        await query.edit_message_text(html.escape(m("bot.forget_cancelled")))
