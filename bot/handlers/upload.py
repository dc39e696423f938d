"""A document arrives: download it, analyse it off the event loop, store it, send the results."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from pathlib import PurePath

from telegram import Document, Message, Update
from telegram.constants import ChatAction

from analysis.errors import InputError
from analysis.ingest.formats import SUPPORTED_EXTENSIONS
from bot import work
from bot.captions import parse_caption
from bot.handlers.common import (
    Context,
    analysis_record,
    chat_id_of,
    deliver,
    job_for,
    language_for,
    local_today,
    services,
    settings_of,
)
from reports.formatting import Formatter
from reports.messages import Messages


async def document(update: Update, context: Context) -> None:
    """Analyse an uploaded spreadsheet with the chat's settings and the caption's overrides."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    name = doc.file_name or "file"
    svc = services(context)
    # The lock is taken before the first await, so a chat's files are handled in the order sent.
    async with svc.lock(chat_id_of(update)):
        await _document(update, context, message, doc, name)


async def _document(
    update: Update, context: Context, message: Message, doc: Document, name: str
) -> None:
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    chat_id = chat_id_of(update)
    extension = PurePath(name).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        error = InputError("unsupported_format", kind=extension or "?", extension=extension)
        await context.bot.send_message(chat_id, html.escape(m.error(error)))
        return
    if doc.file_size and doc.file_size > svc.config.max_file_bytes:
        f = Formatter(m.language)
        size, limit = f.number(doc.file_size / 1e6, 1), f.number(svc.config.max_file_mb, 0)
        await context.bot.send_message(
            chat_id, html.escape(m("bot.too_big", size=size, limit=limit))
        )
        return

    async def fetch() -> bytes:
        telegram_file = await doc.get_file()
        return bytes(await telegram_file.download_as_bytearray())

    await analyse_and_send(update, context, name, fetch, parse_caption(message.caption))


async def analyse_and_send(
    update: Update,
    context: Context,
    name: str,
    fetch: Callable[[], Awaitable[bytes]],
    overrides: dict[str, str],
) -> None:
    """The whole upload flow, with a status message kept current. The caller holds the chat's
    lock: one upload at a time per chat."""
    svc = services(context)
    chat_id = chat_id_of(update)
    settings = await svc.db(svc.storage.chat, chat_id)
    m = Messages(language_for(settings, update, svc.config.default_language))
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    status = await context.bot.send_message(
        chat_id, html.escape(m("bot.status_download", name=name))
    )
    data = await fetch()
    await _status(status, m("bot.status_analyse", name=name))
    today = local_today(settings, svc.config.default_timezone, svc.clock())
    job = job_for(settings, m.language, today, overrides)
    try:
        outcome = await svc.work(work.analyse_file, data, name, job, svc.config.max_file_bytes)
    except InputError as error:
        await _status(status, m("bot.status_failed", name=name, reason=m.error(error)))
        return
    new = analysis_record(chat_id, name, job, outcome)
    await svc.db(svc.storage.save_analysis, new, svc.clock())
    await deliver(context.bot, chat_id, outcome, m)
    await _status(status, m("bot.status_excel"))
    excel = await svc.work(work.report_of, outcome.result, job, "xlsx")
    await context.bot.send_document(chat_id, excel, filename=f"{PurePath(name).stem}-abc.xlsx")
    await _status(status, m("bot.status_done", name=name))


async def _status(status: Message, text: str) -> None:
    await status.edit_text(html.escape(text))
