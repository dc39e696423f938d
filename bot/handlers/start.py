"""/start, /help and the sample file."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.sample import SAMPLE_NAME, sample_bytes
from bot.handlers.common import (
    Context,
    chat_id_of,
    language_for,
    local_today,
    messages_for,
    services,
    settings_of,
)
from bot.handlers.upload import analyse_and_send
from reports.messages import Messages


async def start(update: Update, context: Context) -> None:
    """Welcome, what to send, and a button to try the sample at once."""
    m = await messages_for(update, context)
    text = "\n\n".join(
        html.escape(m(key)) for key in ("bot.welcome", "bot.columns_hint", "bot.try_sample")
    )
    button = InlineKeyboardButton(m("bot.sample_button"), callback_data="sample")
    await context.bot.send_message(
        chat_id_of(update), text, reply_markup=InlineKeyboardMarkup([[button]])
    )


async def help_command(update: Update, context: Context) -> None:
    """The list of commands."""
    m = await messages_for(update, context)
    await context.bot.send_message(chat_id_of(update), html.escape(m("bot.help")))


async def sample(update: Update, context: Context) -> None:
    """Send the sample file, then analyse it as if the user had sent it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    # Generating the sample is pandas work: the worker pool does it, not the event loop.
    today = local_today(settings, svc.config.default_timezone, svc.clock())
    data = await svc.work(sample_bytes, today)
    await context.bot.send_document(
        chat_id_of(update), data, filename=SAMPLE_NAME, caption=m("bot.sample_caption")
    )

    async def fetch() -> bytes:
        return data

    async with svc.lock(chat_id_of(update)):
        await analyse_and_send(update, context, SAMPLE_NAME, fetch, {})
