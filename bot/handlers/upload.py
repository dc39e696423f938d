"""A document arrives: check its name and size, then the upload flow analyses and answers."""

from __future__ import annotations

from pathlib import PurePath

from telegram import Update

from analysis.errors import InputError
from analysis.ingest.formats import SUPPORTED_EXTENSIONS
from bot.captions import parse_caption
from bot.context import BotContext
from bot.flows.analyses import analyse_upload
from reports.formatting import Formatter


async def document(update: Update, context: BotContext) -> None:
    """Analyse an uploaded spreadsheet with the chat's settings and the caption's overrides."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    name = doc.file_name or "file"
    svc = context.services
    # The lock is taken before the first await, so a chat's files are handled in the order sent.
    async with svc.lock(context.chat_id):
        m = context.messages(await context.chat_settings())
        extension = PurePath(name).suffix.lower()
        if extension not in SUPPORTED_EXTENSIONS:
            error = InputError("unsupported_format", kind=extension or "?", extension=extension)
            await context.send(m.error(error))
            return
        if doc.file_size and doc.file_size > svc.config.max_file_bytes:
            f = Formatter(m.language)
            size, limit = f.number(doc.file_size / 1e6, 1), f.number(svc.config.max_file_mb, 0)
            await context.send(m("bot.too_big", size=size, limit=limit))
            return

        async def fetch() -> bytes:
            telegram_file = await doc.get_file()
            return bytes(await telegram_file.download_as_bytearray())

        await analyse_upload(context.reply(), name, fetch, parse_caption(message.caption))
