"""Analyse, store, reply: a new upload (and those a stopped bot left, at start-up), a re-run of
the stored table under new settings, and a report of the last analysis again."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import PurePath

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from analysis.errors import InputError
from analysis.period import parse_period
from analysis.settings import AnalysisSettings, Criterion, Thresholds
from bot import work
from bot.chat_settings import ChatSettings, SettingsOverrides
from bot.flows.reply import Reply
from bot.services import Services
from bot.storage import AnalysisRecord, NewAnalysis, Pending
from bot.storage.database import unreachable
from reports.messages import Messages

log = logging.getLogger(__name__)


def job_for(
    reply: Reply, settings: ChatSettings, m: Messages, overrides: SettingsOverrides | None = None
) -> work.Job:
    """What the worker gets: the chat's settings with the overrides, its language, its day."""
    return work.Job(settings.analysis_settings(overrides), m.language, reply.today(settings))


def analysis_record(
    chat_id: int,
    file_name: str,
    job: work.Job,
    outcome: work.Outcome,
    upload_id: int | None,
    *,
    pending_id: int | None = None,
) -> NewAnalysis:
    """What storing an outcome writes: a new upload's table, or the id of the one re-analysed;
    and the recorded upload it finishes, if any."""
    settings = job.settings
    return NewAnalysis(
        chat_id=chat_id,
        file_name=file_name,
        criterion=settings.criterion.value,
        cut_a=settings.thresholds.a,
        cut_b=settings.thresholds.b,
        period=settings.period.label(),
        summary=outcome.summary,
        texts=outcome.texts,
        clients=outcome.result.clients,
        upload_id=upload_id,
        table=None if upload_id is not None else outcome.table,
        table_meta=None if upload_id is not None else outcome.table_meta,
        pending_id=pending_id,
    )


def stored_settings(record: AnalysisRecord) -> AnalysisSettings:
    """The settings a stored analysis was made with (its period, when it could not apply, is
    left out again rather than refused: the analysis was made)."""
    return AnalysisSettings(
        Criterion(record.criterion),
        Thresholds(record.cut_a, record.cut_b),
        parse_period(record.period),
        period_required=False,
    )


async def publish(
    reply: Reply,
    m: Messages,
    job: work.Job,
    outcome: work.Outcome,
    file_name: str,
    *,
    upload_id: int | None = None,
    note: str | None = None,
    pending_id: int | None = None,
    with_charts: bool = True,
) -> None:
    """Store the analysis and send its summary with the buttons (a note, if any, as its first
    line), then its charts unless told not to. The summary does not wait: it goes out while the
    analysis is stored (readers of the chat's last analysis wait for the save, see
    `latest_analysis`) and the charts are drawn."""
    services = reply.services
    charts = asyncio.ensure_future(
        services.work(work.charts, outcome.result, job.language)
        if with_charts
        else asyncio.sleep(0, result=[])
    )
    saving = services.saving(reply.chat_id)
    await saving.acquire()  # before the summary is out, so that no button press can overtake it

    async def save() -> None:
        try:
            record = analysis_record(
                reply.chat_id, file_name, job, outcome, upload_id, pending_id=pending_id
            )
            await services.db(services.storage.analyses.save, record, reply.now())
        finally:
            saving.release()

    saved = asyncio.ensure_future(save())
    try:
        text = outcome.texts[m.language]
        await reply.summary(text if note is None else f"{html.escape(note)}\n\n{text}", m)
        await saved
    except BaseException:
        charts.cancel()
        await asyncio.gather(saved, return_exceptions=True)
        raise
    await reply.charts(await charts)


async def latest_analysis(services: Services, chat_id: int) -> AnalysisRecord | None:
    """The chat's last analysis, once any analysis being stored for it is."""
    async with services.saving(chat_id):
        return await services.db(services.storage.analyses.latest, chat_id)


async def analyse_upload(
    reply: Reply,
    name: str,
    fetch: Callable[[], Awaitable[bytes]],
    overrides: SettingsOverrides,
    pending: Pending | None = None,
) -> None:
    """The whole upload flow, with a status message kept current: the summary as soon as the
    clients are classified, then the charts, then the Excel file. A recorded upload (`pending`)
    is removed with the storing of its analysis, or when it is refused; a resumed one shows its
    progress in the status message it had. The caller holds the chat's lock: one upload at a
    time per chat."""
    services = reply.services
    settings = await reply.settings()
    m = reply.messages(settings)
    await reply.bot.send_chat_action(reply.chat_id, ChatAction.TYPING)
    status = await _status_message(reply, m("bot.status_download", name=name), pending)
    try:
        data = await fetch()
    except TelegramError as error:  # getFile refused ("file is too big"), the download failed
        log.warning("Could not download %s for chat %s: %s", name, reply.chat_id, error)
        await status(m("bot.status_download_failed", name=name))
        if pending is not None:
            await services.db(services.storage.pending.done, pending.id)
        return
    await status(m("bot.status_analyse", name=name))
    job = job_for(reply, settings, m, overrides)
    try:
        outcome = await services.work(
            work.analyse_file, data, name, job, services.config.max_file_bytes
        )
    except InputError as error:
        await status(m("bot.status_failed", name=name, reason=m.error(error)))
        if pending is not None:
            await services.db(services.storage.pending.done, pending.id)
        return
    try:
        await publish(reply, m, job, outcome, name, pending_id=pending.id if pending else None)
        await status(m("bot.status_excel"))
        excel = await services.work(work.report_of, outcome.result, job, "xlsx")
        await reply.bot.send_document(
            reply.chat_id, excel, filename=f"{PurePath(name).stem}-abc.xlsx"
        )
    except InputError as error:  # the charts or the report need more than a worker may spend
        await status(m("bot.status_failed", name=name, reason=m.error(error)))
        return
    except Exception as error:  # the status message ends with the reason, never left at ⏳
        log.exception("Upload %s of chat %s failed after its analysis", name, reply.chat_id)
        reason = m("bot.service_unavailable" if unreachable(error) else "bot.apology")
        await status(m("bot.status_failed", name=name, reason=reason))
        return
    await status(m("bot.status_done", name=name))


async def download(bot: Bot, file_id: str) -> bytes:
    """A file sent to the bot; its id stays valid, so a resumed upload downloads it again."""
    telegram_file = await bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


async def resume_uploads(bot: Bot, services: Services) -> None:
    """At start-up: the uploads a stopped bot left unfinished are analysed as the originals
    would have been, each by one bot instance only. One that fails again, or was interrupted
    a second time, is not tried again: its chat is asked to send the file again."""
    by_chat: dict[int, list[Pending]] = {}
    for pending in await services.db(services.storage.pending.unfinished):
        by_chat.setdefault(pending.upload.chat_id, []).append(pending)
    await asyncio.gather(*(_resume_chat(bot, services, left) for left in by_chat.values()))


async def _resume_chat(bot: Bot, services: Services, left: list[Pending]) -> None:
    chat_id = left[0].upload.chat_id
    async with services.lock(chat_id):
        for pending in left:
            if not await services.db(services.storage.pending.claim, pending):
                continue  # another bot instance took it
            upload = pending.upload
            reply = Reply(bot, services, chat_id, upload.language)
            if not pending.resumed:
                try:
                    fetch = partial(download, bot, upload.file_id)
                    await analyse_upload(reply, upload.file_name, fetch, upload.overrides, pending)
                    continue
                except Exception:
                    log.exception("Could not resume upload %s of chat %s", pending.id, chat_id)
            await _ask_to_resend(reply, pending)


async def _ask_to_resend(reply: Reply, pending: Pending) -> None:
    """The chat is told, in its status message if it still can be edited, to send it again."""
    services = reply.services
    try:
        await services.db(services.storage.pending.done, pending.id)
        m = reply.messages(await reply.settings())
        name = pending.upload.file_name
        text = m("bot.status_failed", name=name, reason=m("bot.upload_interrupted"))
        if pending.status_message_id is not None:
            try:
                await _edit(reply, pending.status_message_id, text)
                return
            except BadRequest:
                pass
        await reply.text(text)
    except Exception:  # one chat's trouble must not stop the others being resumed
        log.exception("Could not ask chat %s to resend upload %s", reply.chat_id, pending.id)


async def rerun(reply: Reply, settings: ChatSettings, m: Messages) -> None:
    """Classify the chat's last stored table again with its current settings; stored as a new
    analysis of the same upload (the review still counts from the upload), and told in one
    message: the summary, with a first line saying why (the charts are the PDF's)."""
    services = reply.services
    latest = await services.db(services.storage.analyses.latest, reply.chat_id)
    if latest is None:
        return
    upload = await services.db(services.storage.analyses.upload, latest.upload_id)
    if upload is None:
        return
    job = job_for(reply, settings, m)
    try:
        outcome = await services.work(work.analyse_stored, upload.data, upload.meta, job)
    except InputError as error:
        await reply.text(m("bot.status_failed", name=upload.file_name, reason=m.error(error)))
        return
    await publish(
        reply,
        m,
        job,
        outcome,
        upload.file_name,
        upload_id=upload.id,
        note=m("bot.settings_rerun"),
        with_charts=False,
    )


async def resend_summary(reply: Reply, m: Messages) -> None:
    """The last analysis' summary again, in the language of `m`: its texts are stored in every
    language, so nothing is analysed again (and nothing new is stored)."""
    latest = await latest_analysis(reply.services, reply.chat_id)
    if latest is None:
        return
    text = latest.texts.get(m.language)
    if text is not None:
        await reply.summary(text, m)


async def send_report(
    reply: Reply, settings: ChatSettings, m: Messages, latest: AnalysisRecord, kind: str
) -> None:
    """The Excel or PDF report of the last analysis again, with the settings it was made with."""
    services = reply.services
    upload = await services.db(services.storage.analyses.upload, latest.upload_id)
    if upload is None:
        return
    job = work.Job(stored_settings(latest), m.language, reply.today(settings))
    content = await services.work(work.report_file, upload.data, upload.meta, job, kind)
    await reply.bot.send_document(
        reply.chat_id, content, filename=f"{PurePath(latest.file_name).stem}-abc.{kind}"
    )


async def _status_message(
    reply: Reply, text: str, pending: Pending | None
) -> Callable[[str], Awaitable[None]]:
    """Show `text` in the upload's status message (the one a resumed upload had, if it can still
    be edited, else a new one, recorded) and return how to change it."""
    message_id = pending.status_message_id if pending is not None else None
    if message_id is not None:
        try:
            await _edit(reply, message_id, text)
        except BadRequest:
            message_id = None
    if message_id is None:
        message = await reply.bot.send_message(reply.chat_id, html.escape(text))
        message_id = message.message_id
        if pending is not None:
            services = reply.services
            await services.db(services.storage.pending.status_sent, pending.id, message_id)

    async def show(text: str) -> None:
        await _edit(reply, message_id, text)

    return show


async def _edit(reply: Reply, message_id: int, text: str) -> None:
    await reply.bot.edit_message_text(
        html.escape(text), chat_id=reply.chat_id, message_id=message_id
    )
