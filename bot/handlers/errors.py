"""The error handler: log with context, apologise to the user (without the database, which may be
what failed), keep running."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.pool import JobTooLarge
from bot.storage.database import unreachable

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Any unexpected error: logged with the update it came from; the user gets an apology, or,
    when the database cannot be reached, the sentence that says to resend in a moment."""
    if isinstance(context.error, JobTooLarge):
        await too_large(update, context, context.error)
        return
    chat = update.effective_chat if isinstance(update, Update) else None
    user = update.effective_user if isinstance(update, Update) else None
    log.error(
        "Unexpected error (chat %s, user %s)",
        chat.id if chat else "-",
        user.id if user else "-",
        exc_info=context.error,
    )
    if chat is None or not isinstance(update, Update):
        return
    try:
        # In the user's language: the chat's settings are in the database, which may be down.
        m = context.messages()
        down = unreachable(context.error)
        await context.send(m("bot.service_unavailable" if down else "bot.apology"))
    except Exception:  # the apology itself must never take the bot down
        log.exception("Could not send the apology to chat %s", chat.id)


async def too_large(update: object, context: BotContext, error: JobTooLarge) -> None:
    """A job past the worker's memory or time limit, where no flow said so (/export): the chat
    gets the one sentence; its worker has already been replaced."""
    chat = update.effective_chat if isinstance(update, Update) else None
    log.warning("A job passed the %s limit (chat %s)", error.reason, chat.id if chat else "-")
    if chat is None:
        return
    try:
        _, m = await context.chat_messages()
        await context.send(m.error(error))
    except Exception:
        log.exception("Could not tell chat %s that its file is too large", chat.id)
