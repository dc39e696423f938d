"""Reading the stored analyses: /top, /client, /summary, /export, /history."""

from __future__ import annotations

import html
from dataclasses import replace
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from analysis.result import CATEGORIES
from bot import callbacks
from bot.chat_settings import ChatSettings
from bot.context import BotContext
from bot.flows.analyses import latest_analysis, send_report
from bot.flows.reply import summary_keyboard
from bot.handlers.start import say_stale
from bot.sending import edit_html, fitting, shorten, units
from bot.storage import AnalysisRecord, ClientRow
from reports.formatting import Formatter
from reports.messages import Messages
from reports.text import Section, as_html, top_lines

PAGE = 10
MAX_PAGE = callbacks.MAX_PAGE


async def _context(context: BotContext) -> tuple[Messages, ChatSettings, AnalysisRecord | None]:
    """The messages, the settings and the last analysis; without one, the chat is told."""
    settings, m = await context.chat_messages()
    latest = await latest_analysis(context.services, context.chat_id)
    if latest is None:
        await context.send(m("bot.no_analysis"))
    return m, settings, latest


def _formatter(m: Messages, analysis: AnalysisRecord) -> Formatter:
    return Formatter(m.language, analysis.summary.money_currency)


async def top(update: Update, context: BotContext) -> None:
    """/top [A|B|C|D] [N]: a category's clients, best first."""
    args = context.args or []
    letter = args[0].upper() if args else "A"
    count = int(args[1]) if len(args) > 1 and args[1].isdigit() else PAGE
    m, _, latest = await _context(context)
    if latest is None:
        return
    if letter not in CATEGORIES:
        await context.send(m("bot.top_usage"))
        return
    text, markup = await _top_page(
        context, m, latest, letter, offset=0, count=max(1, min(count, MAX_PAGE))
    )
    await context.send_html(text, markup)


async def top_button(update: Update, context: BotContext) -> None:
    """The Top buttons and the page buttons: `top:LETTER:OFFSET[:COUNT]`."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.TopPage)  # the handler's pattern
    await query.answer()
    m, _, latest = await _context(context)
    if latest is None:
        return
    count = button.count or PAGE
    text, markup = await _top_page(
        context, m, latest, button.letter, offset=button.offset, count=count
    )
    if button.offset == 0 and button.count is None:
        await context.send_html(text, markup)
    else:
        assert isinstance(query.message, Message)
        await edit_html(query.message, text, markup)


async def _top_page(
    context: BotContext,
    m: Messages,
    latest: AnalysisRecord,
    letter: str,
    *,
    offset: int,
    count: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    svc = context.services
    rows, total = await svc.db(svc.storage.analyses.top, latest.id, letter, offset, count)
    if total == 0:
        return html.escape(m("bot.top_empty", category=letter)), None
    f = _formatter(m, latest)
    title = m(
        "bot.top_title",
        label=m(f"category.{letter}"),
        count=m.plural("count.clients", total, count=f.number(total)),
    )
    lines = top_lines([replace(row, client=shorten(row.client)) for row in rows], m, f)
    # A page is one message (a button edits it in place): as many of the clients as fit.
    heading = units(html.escape(title)) + len("<b></b>")
    shown = max(1, fitting([html.escape(line) for line in lines], reserved=heading))
    text = as_html([Section(lines[:shown], title=title)])
    buttons = []
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_previous"),
                callback_data=callbacks.top(letter, max(0, offset - shown), shown),
            )
        )
    if offset + shown < total:
        buttons.append(
            InlineKeyboardButton(
                m("bot.button_next"), callback_data=callbacks.top(letter, offset + shown, shown)
            )
        )
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


async def client(update: Update, context: BotContext) -> None:
    """/client NAME: one client's card, or a short pick list when several match."""
    query = " ".join(context.args or []).strip()
    m, _, latest = await _context(context)
    if latest is None:
        return
    if not query:
        await context.send(m("bot.client_usage"))
        return
    svc = context.services
    found = await svc.db(svc.storage.analyses.find, latest.id, query)
    if not found:
        await context.send(m("bot.client_none", query=query))
    elif len(found) == 1:
        await context.send_html(await _card(context, m, latest, found[0]))
    else:
        buttons = [
            [
                InlineKeyboardButton(
                    row.client[:60], callback_data=callbacks.client(latest.id, row.position)
                )
            ]
            for row in found
        ]
        await context.send(m("bot.client_pick", query=query), InlineKeyboardMarkup(buttons))


async def client_button(update: Update, context: BotContext) -> None:
    """A choice in the pick list: `client:ANALYSIS:POSITION`."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.ClientPick)  # the handler's pattern
    await query.answer()
    m, _, latest = await _context(context)
    if latest is None:
        return
    svc = context.services
    row = None
    if latest.id == button.analysis_id:
        row = await svc.db(svc.storage.analyses.client_at, latest.id, button.position)
    if row is None:  # a list from an older analysis, or a position it never had
        await say_stale(context)
        return
    await context.send_html(await _card(context, m, latest, row))


async def _card(context: BotContext, m: Messages, latest: AnalysisRecord, row: ClientRow) -> str:
    svc = context.services
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
    if row.contract_open_ended or row.contract_end is not None:
        end = m("contract.open_ended") if row.contract_open_ended else f.date(row.contract_end)
        card += "\n" + m("bot.client_contract", date=end)
    previous = await svc.db(svc.storage.analyses.previous, latest.chat_id, latest.id)
    if previous is not None:
        before = await svc.db(svc.storage.analyses.category_of, previous.id, row.client_key)
        card += "\n" + (
            m("bot.client_previous", category=before) if before else m("bot.client_new")
        )
    return html.escape(card)


async def summary(update: Update, context: BotContext) -> None:
    """/summary: the last analysis again."""
    m, _, latest = await _context(context)
    if latest is not None:
        text = latest.texts.get(m.language) or next(iter(latest.texts.values()))
        await context.send_html(text, summary_keyboard(m))


async def export(update: Update, context: BotContext) -> None:
    """/export xlsx|pdf: the reports of the last analysis again."""
    kind = (context.args or [""])[0].lower().lstrip(".")
    m, settings, latest = await _context(context)
    if latest is None:
        return
    if kind not in ("xlsx", "pdf", "excel"):
        await context.send(m("bot.export_usage"))
        return
    await send_report(context.reply(), settings, m, latest, "pdf" if kind == "pdf" else "xlsx")


async def export_button(update: Update, context: BotContext) -> None:
    """The PDF (or Excel) button under a summary: `export:pdf`."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    assert isinstance(button, callbacks.Export)  # the handler's pattern
    await query.answer()
    m, settings, latest = await _context(context)
    if latest is not None:
        await send_report(context.reply(), settings, m, latest, button.kind)


async def history(update: Update, context: BotContext) -> None:
    """/history: one line per upload or source run (its time, file, criterion and category
    counts as last analysed); re-runs under new settings are not new lines."""
    svc = context.services
    settings, m = await context.chat_messages()
    runs = await svc.db(svc.storage.analyses.runs, context.chat_id)
    if not runs:
        await context.send(m("bot.history_empty"))
        return
    f = Formatter(m.language)
    zone = ZoneInfo(settings.timezone or svc.config.default_timezone)
    lines = [f"<b>{html.escape(m('bot.history_title'))}</b>"]
    for run in runs:
        counts = run.latest.summary.counts()
        when = run.created_at.astimezone(zone)
        lines.append(
            html.escape(
                m(
                    "bot.history_line",
                    date=f.short_date(when.date()),
                    time=when.strftime("%H:%M"),
                    file=run.file_name,
                    criterion=m(f"criterion.{run.latest.criterion}"),
                    a=counts["A"],
                    b=counts["B"],
                    c=counts["C"],
                    d=counts["D"],
                )
            )
        )
    await context.send_html("\n".join(lines))
