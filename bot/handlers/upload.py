"""A document arrives: recorded first, then its name and size checked, then the upload flow
analyses and answers. At start-up, the uploads a stopped bot left are resumed."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import PurePath

from telegram import Update

from analysis.errors import InputError
from analysis.ingest.formats import SUPPORTED_EXTENSIONS
from bot.captions import parse_caption
from bot.context import BotContext
from bot.flows.analyses import analyse_upload, download, resume_uploads
from bot.storage import NewUpload
from reports.formatting import Formatter


async def document(update: Update, context: BotContext) -> None:
    """Analyse an uploaded spreadsheet with the chat's settings and the caption's overrides."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    name = doc.file_name or "file"
    svc = context.services
    overrides = parse_caption(message.caption)
    arrived = NewUpload(
        context.chat_id, message.message_id, doc.file_id, name, overrides, context.user_language
    )
    # Recorded at once, while it may wait for the chat's turn: a stop cannot lose it. The lock is
    # taken before the first await, so a chat's files are handled in the order sent.
    recording = asyncio.ensure_future(svc.db(svc.storage.pending.add, arrived, svc.clock()))
    async with svc.lock(context.chat_id):
        pending = await recording
        if pending is None:
            return  # a redelivered update: the upload recorded first is the one resumed
        try:
            m = context.messages(await context.chat_settings())
            extension = PurePath(name).suffix.lower()
            if extension not in SUPPORTED_EXTENSIONS:
                await svc.db(svc.storage.pending.done, pending.id)
                error = InputError("unsupported_format", kind=extension or "?", extension=extension)
                await context.send(m.error(error))
                return
            if doc.file_size and doc.file_size > svc.config.max_file_bytes:
                await svc.db(svc.storage.pending.done, pending.id)
                f = Formatter(m.language)
                size, limit = f.number(doc.file_size / 1e6, 1), f.number(svc.config.max_file_mb, 0)
                await context.send(m("bot.too_big", size=size, limit=limit))
                return
            fetch = partial(download, context.bot, doc.file_id)
            await analyse_upload(context.reply(), name, fetch, overrides, pending)
        except Exception:
            # The error handler apologises: the upload is not resumed at the next start as well.
            await svc.db(svc.storage.pending.done, pending.id)
            raise


async def resume(context: BotContext) -> None:
    """Start-up job: the uploads a stopped bot left are analysed, or their chats asked to resend."""
    await resume_uploads(context.bot, context.services)
