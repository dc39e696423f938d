"""/settings: criterion, cut-offs, period, language and time zone; a change re-runs the analysis
on the stored table, and the re-run is stored as a new analysis."""

from __future__ import annotations

import html
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.errors import InputError
from analysis.period import parse_period
from analysis.settings import Thresholds
from bot import work
from bot.chat_settings import ChatSettings
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
from reports.messages import Messages, available_languages, catalogue

CUT_PRESETS = ((80, 15), (70, 20), (50, 30))
REMINDER_SETTINGS = frozenset({"timezone", "contract_days", "contract_b", "heads_up_days"})
_SWITCH = {"on": True, "oui": True, "yes": True, "off": False, "non": False, "no": False}
TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/London",
    "America/Montreal",
    "UTC",
)


def _period_text(m: Messages, period: str) -> str:
    spec = parse_period(period)
    if spec.kind == "all":
        return m("bot.period_all")
    if spec.kind == "months":
        return m.plural("bot.period_months", spec.months, months=spec.months)
    return spec.label()


def _title(m: Messages, settings: ChatSettings, timezone: str) -> str:
    f = Formatter(m.language)
    return m(
        "bot.settings_title",
        criterion=m(f"criterion.{settings.criterion}"),
        a=f.number(settings.cut_a),
        b=f.number(settings.cut_b),
        period=_period_text(m, settings.period),
        language=catalogue(m.language)["language.name"],
        timezone=settings.timezone or timezone,
    )


def _keyboard(m: Messages, settings: ChatSettings, today: date) -> InlineKeyboardMarkup:
    def mark(label: str, chosen: bool) -> str:
        return f"✓ {label}" if chosen else label

    criteria = [
        InlineKeyboardButton(
            mark(m(f"criterion.{c}"), settings.criterion == c), callback_data=f"set:crit:{c}"
        )
        for c in ("sales", "profit")
    ]
    cuts = [
        InlineKeyboardButton(
            mark(f"{a}/{b}", (settings.cut_a, settings.cut_b) == (a, b)),
            callback_data=f"set:cut:{a}:{b}",
        )
        for a, b in CUT_PRESETS
    ]
    periods = ["all", "12m", "24m", str(today.year - 1), str(today.year)]
    period_buttons = [
        InlineKeyboardButton(
            mark(_period_text(m, p), settings.period == p), callback_data=f"set:per:{p}"
        )
        for p in periods
    ]
    languages = [
        InlineKeyboardButton(
            mark(catalogue(code)["language.name"], settings.language == code),
            callback_data=f"set:lang:{code}",
        )
        for code in available_languages()
    ]
    zones = [
        InlineKeyboardButton(
            mark(zone.split("/")[-1], settings.timezone == zone), callback_data=f"set:tz:{zone}"
        )
        for zone in TIMEZONES
    ]
    return InlineKeyboardMarkup([criteria, cuts, period_buttons, languages, zones[:3], zones[3:]])


async def settings_command(update: Update, context: Context) -> None:
    """/settings alone shows the buttons; `/settings cutoffs 75 20` and the like set a value."""
    args = context.args or []
    if args:
        change = _typed_change(args)
        if change is None:
            m = Messages(
                language_for(
                    await settings_of(update, context),
                    update,
                    services(context).config.default_language,
                )
            )
            usage = m("bot.settings_usage")
            await context.bot.send_message(
                chat_id_of(update), html.escape(m("bot.settings_bad", usage=usage))
            )
            return
        await _apply(update, context, change)
        return
    await _show(update, context)


async def settings_button(update: Update, context: Context) -> None:
    """The Settings button under a summary, and every settings choice: `set:KIND:VALUE`."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    if query.data == "settings":
        await _show(update, context)
        return
    _, kind, *values = query.data.split(":", 2)
    change = _typed_change(
        [
            {
                "crit": "criterion",
                "cut": "cutoffs",
                "per": "period",
                "lang": "language",
                "tz": "timezone",
            }[kind],
            *":".join(values).split(":"),
        ]
    )
    if change is not None:
        await _apply(update, context, change)


def _typed_change(args: list[str]) -> dict[str, object] | None:
    """A settings change from words, or None when they make no sense."""
    name, values = args[0].lower(), args[1:]
    try:
        if (
            name in ("criterion", "critere", "critère")
            and values
            and values[0] in ("sales", "profit")
        ):
            return {"criterion": values[0]}
        if name in ("cutoffs", "seuils") and len(values) == 2:
            a, b = float(values[0].replace(",", ".")), float(values[1].replace(",", "."))
            Thresholds(a, b)
            return {"cut_a": a, "cut_b": b}
        if name in ("period", "periode", "période") and values:
            return {"period": parse_period(values[0]).label()}
        if name in ("language", "langue") and values and values[0] in available_languages():
            return {"language": values[0]}
        if name in ("timezone", "fuseau") and values:
            ZoneInfo(values[0])
            return {"timezone": values[0]}
        if name in ("contracts", "contrats") and values and 1 <= int(values[0]) <= 366:
            return {"contract_days": int(values[0])}
        if name in ("contracts_b", "contrats_b") and values and values[0] in _SWITCH:
            return {"contract_b": _SWITCH[values[0]]}
        if name in ("headsup", "preavis", "préavis") and values and 0 <= int(values[0]) <= 90:
            return {"heads_up_days": int(values[0])}
    except (ValueError, InputError, ZoneInfoNotFoundError):
        return None
    return None


async def _show(update: Update, context: Context) -> None:
    svc = services(context)
    settings = await settings_of(update, context)
    m = Messages(language_for(settings, update, svc.config.default_language))
    today = local_today(settings, svc.config.default_timezone, svc.clock())
    text = html.escape(
        _title(m, settings, svc.config.default_timezone) + "\n" + m("bot.settings_usage")
    )
    await context.bot.send_message(
        chat_id_of(update), text, reply_markup=_keyboard(m, settings, today)
    )


async def _apply(update: Update, context: Context, change: dict[str, object]) -> None:
    svc = services(context)
    chat_id = chat_id_of(update)
    async with svc.lock(chat_id):
        settings = await svc.db(svc.storage.chats.update, chat_id, svc.clock(), **change)
        m = Messages(language_for(settings, update, svc.config.default_language))
        await context.bot.send_message(
            chat_id,
            html.escape(
                m("bot.settings_saved", setting=_title(m, settings, svc.config.default_timezone))
            ),
        )
        if set(change) <= REMINDER_SETTINGS:
            return  # these change when the bot reminds, not a figure
        await rerun(update, context, settings, m)


async def rerun(update: Update, context: Context, settings: ChatSettings, m: Messages) -> None:
    """Classify the chat's last stored table again with its current settings."""
    svc = services(context)
    chat_id = chat_id_of(update)
    latest = await svc.db(svc.storage.analyses.latest, chat_id)
    if latest is None:
        return
    upload = await svc.db(svc.storage.analyses.upload, latest.upload_id)
    if upload is None:
        return
    job = job_for(
        settings, m.language, local_today(settings, svc.config.default_timezone, svc.clock())
    )
    try:
        outcome = await svc.work(work.analyse_stored, upload.data, upload.meta, job)
    except InputError as error:
        await context.bot.send_message(
            chat_id,
            html.escape(m("bot.status_failed", name=upload.file_name, reason=m.error(error))),
        )
        return
    new = analysis_record(chat_id, upload.file_name, job, outcome, upload_id=upload.id)
    await svc.db(svc.storage.analyses.save, new, svc.clock())
    await context.bot.send_message(chat_id, html.escape(m("bot.settings_rerun")))
    await deliver(context.bot, chat_id, outcome, m)
