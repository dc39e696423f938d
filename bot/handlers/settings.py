"""/settings: criterion, cut-offs, period, language and time zone; a change re-runs the analysis
on the stored table, and the re-run is stored as a new analysis."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from analysis.errors import InputError
from analysis.period import PeriodSpec, parse_period
from analysis.settings import Criterion, Thresholds
from bot import callbacks
from bot.chat_settings import ChatSettings
from bot.context import BotContext
from bot.flows.analyses import rerun
from bot.handlers.start import say_stale
from reports.formatting import Formatter
from reports.messages import Messages, available_languages, catalogue

CUT_PRESETS = ((80, 15), (70, 20), (50, 30))
REMINDER_SETTINGS = frozenset({"timezone", "contract_days", "contract_b", "heads_up_days"})
_BUTTON_SETTINGS = {
    "crit": "criterion",
    "cut": "cutoffs",
    "per": "period",
    "lang": "language",
    "tz": "timezone",
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
    change = _typed_change(args)
    if change is None:
        m = context.messages(await context.chat_settings())
        await context.send(m("bot.settings_bad", usage=m("bot.settings_usage")))
        return
    await _apply(context, change)


async def settings_button(update: Update, context: BotContext) -> None:
    """The Settings button under a summary, and every settings choice: `set:KIND:VALUE`."""
    query = update.callback_query
    assert query is not None
    button = callbacks.parse(query.data)
    await query.answer()
    if isinstance(button, callbacks.ShowSettings):
        await _show(context)
        return
    assert isinstance(button, callbacks.Setting)  # the handler's pattern
    change = _typed_change([_BUTTON_SETTINGS[button.kind], *button.values])
    if change is None:  # well formed, but not a value this version offers (an unknown zone)
        await say_stale(context)
        return
    await _apply(context, change)


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


async def _show(context: BotContext) -> None:
    settings, m = await context.chat_messages()
    timezone = context.services.config.default_timezone
    text = _title(m, settings, timezone) + "\n" + m("bot.settings_usage")
    await context.send(text, _keyboard(m, settings, context.reply().today(settings)))


async def _apply(context: BotContext, change: dict[str, object]) -> None:
    """Store the change, say so, and re-run the last analysis when it changes a figure."""
    svc = context.services
    async with svc.lock(context.chat_id):
        settings = await svc.db(svc.storage.chats.update, context.chat_id, svc.clock(), **change)
        m = context.messages(settings)
        timezone = svc.config.default_timezone
        await context.send(m("bot.settings_saved", setting=_title(m, settings, timezone)))
        if set(change) <= REMINDER_SETTINGS:
            return  # these change when the bot reminds, not a figure
        await rerun(context.reply(), settings, m)
