"""/start, /help and the sample file."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.sample import SAMPLE_NAME, sample_bytes
from bot import callbacks
from bot.chat_settings import SettingsOverrides
from bot.context import BotContext
from bot.flows.analyses import analyse_upload


async def start(update: Update, context: BotContext) -> None:
    """Welcome, what to send, and a button to try the sample at once."""
    _, m = await context.chat_messages()
    text = "\n\n".join(m(key) for key in ("bot.welcome", "bot.columns_hint", "bot.try_sample"))
    button = InlineKeyboardButton(m("bot.sample_button"), callback_data=callbacks.SAMPLE)
    await context.send(text, InlineKeyboardMarkup([[button]]))


async def help_command(update: Update, context: BotContext) -> None:
    """The list of commands."""
    _, m = await context.chat_messages()
    await context.send(m("bot.help"))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose data is none the bot makes (forged, or from an older version)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await say_stale(context)


async def say_stale(context: BotContext) -> None:
    """This button is no longer valid: never the apology, and nothing done with its data."""
    _, m = await context.chat_messages()
    await context.send(m("bot.button_stale"))


async def sample(update: Update, context: BotContext) -> None:
    """Send the sample file, then analyse it as if the user had sent it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    svc = context.services
    settings, m = await context.chat_messages()
    # Generating the sample is pandas work: the worker pool does it, not the event loop.
    data = await svc.work(sample_bytes, context.reply().today(settings))
    await context.bot.send_document(
        context.chat_id, data, filename=SAMPLE_NAME, caption=m("bot.sample_caption")
    )

    async def fetch() -> bytes:
        return data

    async with svc.lock(context.chat_id):
        await analyse_upload(context.reply(), SAMPLE_NAME, fetch, SettingsOverrides())
