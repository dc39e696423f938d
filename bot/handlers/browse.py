"""Reading the stored analyses: /top, /client, /summary, /export, /history."""

from __future__ import annotations

import html
from pathlib import PurePath

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.result import CATEGORIES
from bot import work
from bot.chat_settings import ChatSettings
from bot.handlers.common import (
    Context,
    chat_id_of,
    language_for,
    local_today,
    send_html,
    services,
    settings_of,
    summary_keyboard,
)
from bot.storage import AnalysisRecord, ClientRow
from reports.formatting import Formatter
from reports.messages import Messages
from reports.text import Section, as_html, top_lines

PAGE = 10
MAX_PAGE = 50


async def _context(
    update: Update, context: Context
) -> tuple[Messages, ChatSettings, AnalysisRecord | None]:
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    latest = await svc.db(svc.storage.analyses.latest, chat_id_of(update))
    if latest is None:
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.no_analysis")))
    return m, settings, latest


def _formatter(m: Messages, analysis: AnalysisRecord) -> Formatter:
    return Formatter(m.language, analysis.summary.money_currency)


async def top(update: Update, context: Context) -> None:
    """/top [A|B|C|D] [N]: a category's clients, best first."""
    args = context.args or []
    letter = args[0].upper() if args else "A"
    count = int(args[1]) if len(args) > 1 and args[1].isdigit() else PAGE
    m, _, latest = await _context(update, context)
    if latest is None:
        return
    if letter not in CATEGORIES:
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.top_usage")))
        return
    text, markup = await _top_page(
        context, m, latest, letter, offset=0, count=max(1, min(count, MAX_PAGE))
    )
    await context.bot.send_message(chat_id_of(update), text, reply_markup=markup)


async def top_button(update: Update, context: Context) -> None:
    """The Top buttons and the page buttons: `top:LETTER:OFFSET[:COUNT]`."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, letter, offset, *rest = query.data.split(":")
    m, _, latest = await _context(update, context)
    if latest is None:
        return
    count = int(rest[0]) if rest else PAGE
    text, markup = await _top_page(context, m, latest, letter, offset=int(offset), count=count)
    if int(offset) == 0 and not rest:
        await context.bot.send_message(chat_id_of(update), text, reply_markup=markup)
    else:
        await query.edit_message_text(text, reply_markup=markup)


async def _top_page(
    context: Context, m: Messages, latest: AnalysisRecord, letter: str, *, offset: int, count: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    svc = services(context)
    rows, total = await svc.db(svc.storage.analyses.top, latest.id, letter, offset, count)
    if total == 0:
        return html.escape(m("bot.top_empty", category=letter)), None
    f = _formatter(m, latest)
    title = m(
        "bot.top_title",
        label=m(f"category.{letter}"),
        count=m.plural("count.clients", total, count=f.number(total)),
    )
    text = as_html([Section(top_lines(rows, m, f), title=title)])
    buttons = []
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_previous"),
                callback_data=f"top:{letter}:{max(0, offset - count)}:{count}",
            )
        )
    if offset + count < total:
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_next"), callback_data=f"top:{letter}:{offset + count}:{count}"
            )
        )
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


async def client(update: Update, context: Context) -> None:
    """/client NAME: one client's card, or a short pick list when several match."""
    query = " ".join(context.args or []).strip()
    m, _, latest = await _context(update, context)
    if latest is None:
        return
    chat_id = chat_id_of(update)
    if not query:
        await context.bot.send_message(chat_id, html.escape(m("bot.client_usage")))
        return
    svc = services(context)
    found = await svc.db(svc.storage.analyses.find, latest.id, query)
    if not found:
        await context.bot.send_message(chat_id, html.escape(m("bot.client_none", query=query)))
    elif len(found) == 1:
        await context.bot.send_message(chat_id, await _card(context, m, latest, found[0]))
    else:
        buttons = [
            [
                InlineKeyboardButton(
                    row.client[:60], callback_data=f"client:{latest.id}:{row.position}"
                )
            ]
            for row in found
        ]
        await context.bot.send_message(
            chat_id,
            html.escape(m("bot.client_pick", query=query)),
            reply_markup=InlineKeyboardMarkup(buttons),
        )


async def client_button(update: Update, context: Context) -> None:
    """A choice in the pick list: `client:ANALYSIS:POSITION`."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, analysis_id, position = query.data.split(":")
    m, _, latest = await _context(update, context)
    if latest is None or latest.id != int(analysis_id):
        return
    svc = services(context)
    row = await svc.db(svc.storage.analyses.client_at, latest.id, int(position))
    if row is not None:
        await context.bot.send_message(chat_id_of(update), await _card(context, m, latest, row))


async def _card(context: Context, m: Messages, latest: AnalysisRecord, row: ClientRow) -> str:
    svc = services(context)
    f = _formatter(m, latest)
    card = m(
        "bot.client_card",
        client=row.client,
        category=row.category,
        rank=row.rank,
        value=f.money(row.value),
        share=f.percent(row.share),
        last=f.date(row.last_purchase),
    )
    previous = await svc.db(svc.storage.analyses.previous, latest.chat_id, latest.id)
    if previous is not None:
        before = await svc.db(svc.storage.analyses.category_of, previous.id, row.client_key)
        card += "\n" + (
            m("bot.client_previous", category=before) if before else m("bot.client_new")
        )
    return html.escape(card)


async def summary(update: Update, context: Context) -> None:
    """/summary: the last analysis again."""
    m, _, latest = await _context(update, context)
    if latest is not None:
        text = latest.texts.get(m.language) or next(iter(latest.texts.values()))
        await send_html(context.bot, chat_id_of(update), text, summary_keyboard(m))


async def export(update: Update, context: Context) -> None:
    """/export xlsx|pdf: the reports of the last analysis again."""
    kind = (context.args or [""])[0].lower().lstrip(".")
    m, settings, latest = await _context(update, context)
    if latest is None:
        return
    if kind not in ("xlsx", "pdf", "excel"):
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.export_usage")))
        return
    await _send_report(
        update, context, m, settings, latest, kind="pdf" if kind == "pdf" else "xlsx"
    )


async def export_button(update: Update, context: Context) -> None:
    """The PDF (or Excel) button under a summary: `export:pdf`."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    m, settings, latest = await _context(update, context)
    if latest is not None:
        await _send_report(update, context, m, settings, latest, kind=query.data.split(":")[1])


async def _send_report(
    update: Update,
    context: Context,
    m: Messages,
    settings: ChatSettings,
    latest: AnalysisRecord,
    *,
    kind: str,
) -> None:
    svc = services(context)
    upload = await svc.db(svc.storage.analyses.upload, latest.upload_id)
    if upload is None:
        return
    today = local_today(settings, svc.config.default_timezone, svc.clock())
    job = work.Job(latest.criterion, latest.cut_a, latest.cut_b, latest.period, m.language, today)
    content = await svc.work(work.report_file, upload.data, upload.meta, job, kind)
    await context.bot.send_document(
        chat_id_of(update), content, filename=f"{PurePath(latest.file_name).stem}-abc.{kind}"
    )


async def history(update: Update, context: Context) -> None:
    """/history: past analyses with their date, file, criterion and category counts."""
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    records = await svc.db(svc.storage.analyses.history, chat_id_of(update))
    if not records:
        await context.bot.send_message(chat_id_of(update), html.escape(m("bot.history_empty")))
        return
    f = Formatter(m.language)
    lines = [f"<b>{html.escape(m('bot.history_title'))}</b>"]
    for record in records:
        counts = record.summary.counts()
        when = record.created_at
        lines.append(
            html.escape(
                m(
                    "bot.history_line",
                    date=f.short_date(when.date()),
                    file=record.file_name,
                    criterion=m(f"criterion.{record.criterion}"),
                    a=counts["A"],
                    b=counts["B"],
                    c=counts["C"],
                    d=counts["D"],
                )
            )
        )
    await send_html(context.bot, chat_id_of(update), "\n".join(lines))
