"""/settings: criterion, cut-offs, period, language and time zone. A change of a figure's setting
re-runs the analysis on the stored table once (stored as a new analysis of the same upload); a
language re-sends the stored summary in it; the rest re-renders the settings only."""

from __future__ import annotations

import html
import math
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from analysis.errors import InputError
from analysis.period import PeriodSpec, parse_period
from analysis.settings import Criterion, Thresholds
from bot import callbacks
from bot.chat_settings import ChatSettings
from bot.context import BotContext
from bot.flows.analyses import rerun, resend_summary
from bot.handlers.start import say_stale
from reports.formatting import Formatter
from reports.messages import Messages, available_languages, catalogue

CUT_PRESETS = ((80, 15), (70, 20), (50, 30))
_BUTTON_SETTINGS = {
    "crit": "criterion",
    "cut": "cutoffs",
    "per": "period",
    "lang": "language",
    "tz": "timezone",
}
_CRITERIA = {
    "sales": Criterion.SALES.value,
    "ventes": Criterion.SALES.value,
    "profit": Criterion.PROFIT.value,
    "benefice": Criterion.PROFIT.value,
    "bénéfice": Criterion.PROFIT.value,
}
_SWITCH = {"on": True, "oui": True, "yes": True, "off": False, "non": False, "no": False}
TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/London",
    "America/Montreal",
    "UTC",
)


def _period_text(m: Messages, spec: PeriodSpec) -> str:
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
        a=f.number(settings.thresholds.a),
        b=f.number(settings.thresholds.b),
        period=_period_text(m, settings.period),
        language=catalogue(m.language)["language.name"],
        timezone=settings.timezone or timezone,
    )


def _keyboard(m: Messages, settings: ChatSettings, today: date) -> InlineKeyboardMarkup:
    def mark(label: str, chosen: bool) -> str:
        return f"✓ {label}" if chosen else label

    criteria = [
        InlineKeyboardButton(
            mark(m(f"criterion.{c}"), settings.criterion == c),
            callback_data=callbacks.setting("crit", c.value),
        )
        for c in Criterion
    ]
    cuts = [
        InlineKeyboardButton(
            mark(f"{a}/{b}", settings.thresholds == Thresholds(a, b)),
            callback_data=callbacks.setting("cut", a, b),
        )
        for a, b in CUT_PRESETS
    ]
    periods = [
        PeriodSpec(),
        PeriodSpec(kind="months", months=12),
        PeriodSpec(kind="months", months=24),
        PeriodSpec(kind="year", year=today.year - 1),
        PeriodSpec(kind="year", year=today.year),
    ]
    period_buttons = [
        InlineKeyboardButton(
            mark(_period_text(m, p), settings.period == p),
            callback_data=callbacks.setting("per", p.label()),
        )
        for p in periods
    ]
    languages = [
        InlineKeyboardButton(
            mark(catalogue(code)["language.name"], settings.language == code),
            callback_data=callbacks.setting("lang", code),
        )
        for code in available_languages()
    ]
    zones = [
        InlineKeyboardButton(
            mark(zone.split("/")[-1], settings.timezone == zone),
            callback_data=callbacks.setting("tz", zone),
        )
        for zone in TIMEZONES
    ]
    return InlineKeyboardMarkup([criteria, cuts, period_buttons, languages, zones[:3], zones[3:]])


async def settings_command(update: Update, context: BotContext) -> None:
    """/settings alone shows the buttons; `/settings cutoffs 75 20` and the like set a value."""
    args = context.args or []
    if not args:
        await _show(context)
        return
    m = context.messages(await context.chat_settings())
    change = _typed_change(args, m)
    if isinstance(change, str):
        await context.send(change)
        return
    await _apply(context, change)


async def settings_button(update: Update, context: BotContext) -> None:
    """The Settings button under a summary, and every settings choice: `set:KIND:VALUE`. A choice
    edits the settings message in place, its ✓ marks current."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    await query.answer()
    if isinstance(button, callbacks.ShowSettings):
        await _show(context)
        return
    assert isinstance(button, callbacks.Setting)  # the handler's pattern
    m = context.messages(await context.chat_settings())
    change = _typed_change([_BUTTON_SETTINGS[button.kind], *button.values], m)
    if isinstance(change, str):  # well formed, but not a value this version offers
        await say_stale(context)
        return
    message = query.message if isinstance(query.message, Message) else None
    await _apply(context, change, message)


def _number(text: str) -> float:
    value = float(text.replace(",", ".").replace("%", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _cutoffs_change(values: list[str], m: Messages) -> dict[str, object] | str:
    """Two cut-offs, or the rule they break, said with the numbers given."""
    usage = m("bot.settings_cutoffs_usage")
    if len(values) != 2:
        return usage
    try:
        a, b = _number(values[0]), _number(values[1])
    except ValueError:
        return usage
    f = Formatter(m.language)
    if not 0 < a <= 100:
        return m("bot.settings_cutoff_a_range", a=f.number(a)) + " " + usage
    if b < 0:
        return m("bot.settings_cutoff_b_negative", b=f.number(b)) + " " + usage
    if a + b > 100:
        rule = m("bot.settings_cutoffs_sum", a=f.number(a), b=f.number(b), sum=f.number(a + b))
        return rule + " " + usage
    Thresholds(a, b)
    return {"cut_a": a, "cut_b": b}


def _whole(text: str, low: int, high: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _typed_change(args: list[str], m: Messages) -> dict[str, object] | str:
    """A settings change from words, or the sentence saying which rule they break."""
    name, values = args[0].lower(), args[1:]
    first = values[0] if values else ""
    if name in ("criterion", "critere", "critère"):
        if first.lower() in _CRITERIA:
            return {"criterion": _CRITERIA[first.lower()]}
        return m("bot.settings_refused_criterion")
    if name in ("cutoffs", "seuils"):
        return _cutoffs_change(values, m)
    if name in ("period", "periode", "période"):
        try:
            return {"period": parse_period(first).label()} if values else m("bot.settings_usage")
        except InputError as error:
            return m.error(error)
    if name in ("language", "langue"):
        if first in available_languages():
            return {"language": first}
        return m("bot.settings_refused_language", languages=", ".join(available_languages()))
    if name in ("timezone", "fuseau"):
        try:
            ZoneInfo(first)
        except (ValueError, OSError, ZoneInfoNotFoundError):
            return m("bot.settings_refused_timezone")
        return {"timezone": first}
    if name in ("contracts", "contrats"):
        days = _whole(first, 1, 366)
        return m("bot.settings_refused_contracts") if days is None else {"contract_days": days}
    if name in ("contracts_b", "contrats_b"):
        if first.lower() in _SWITCH:
            return {"contract_b": _SWITCH[first.lower()]}
        return m("bot.settings_refused_switch")
    if name in ("headsup", "preavis", "préavis"):
        days = _whole(first, 0, 90)
        return m("bot.settings_refused_headsup") if days is None else {"heads_up_days": days}
    return m("bot.settings_bad", usage=m("bot.settings_usage"))


def _view(m: Messages, settings: ChatSettings, timezone: str) -> str:
    return _title(m, settings, timezone) + "\n" + m("bot.settings_usage")


async def _show(context: BotContext) -> None:
    settings, m = await context.chat_messages()
    timezone = context.services.config.default_timezone
    await context.send(
        _view(m, settings, timezone), _keyboard(m, settings, context.reply().today(settings))
    )


def _refigures(before: ChatSettings, after: ChatSettings) -> bool:
    """Whether the change moves a figure: the criterion, the cut-offs or the period."""
    return (before.criterion, before.thresholds, before.period) != (
        after.criterion,
        after.thresholds,
        after.period,
    )


async def _apply(
    context: BotContext, change: dict[str, object], message: Message | None = None
) -> None:
    """Store the change and show the settings: in place under a button, else one message. Then
    re-analyse the last table once when a figure moves; a new language re-sends the stored
    summary in it; anything else (time zone, contracts, heads-up) changes no figure."""
    svc = context.services
    async with svc.lock(context.chat_id):
        before = await context.chat_settings()
        settings = await svc.db(svc.storage.chats.update, context.chat_id, svc.clock(), **change)
        m = context.messages(settings)
        view = _view(m, settings, svc.config.default_timezone)
        keyboard = _keyboard(m, settings, context.reply().today(settings))
        if settings == before:
            if message is None:
                await context.send(m("bot.settings_unchanged") + "\n" + view, keyboard)
            return
        if message is None:
            await context.send(m("bot.settings_saved") + "\n" + view, keyboard)
        else:
            await _edit(message, html.escape(view), keyboard)
        if _refigures(before, settings):
            await rerun(context.reply(), settings, m)
        elif m.language != context.messages(before).language:
            await resend_summary(context.reply(), m)


async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup) -> None:
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as error:
        # Two taps on the same choice, the second arriving after the first's edit.
        if "not modified" not in str(error).lower():
            raise
