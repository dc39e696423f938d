"""The error handler: log with context, apologise to the user, keep running."""

from __future__ import annotations

import html
import logging

from telegram import Update

from bot.handlers.common import Context, language_for, services
from reports.messages import Messages

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Any unexpected error: logged with the update it came from; the user gets an apology."""
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
    svc = services(context)
    try:
        settings = await svc.db(svc.storage.chats.get, chat.id)
        m = Messages(language_for(settings, update, svc.config.default_language))
        await context.bot.send_message(chat.id, html.escape(m("bot.apology")))
    except Exception:  # the apology itself must never take the bot down
        log.exception("Could not send the apology to chat %s", chat.id)
