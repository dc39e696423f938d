"""Helpers shared by the handlers: services, language, settings, keyboards, long messages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.ext import ContextTypes

from bot.chat_settings import ChatSettings
from bot.sending import send_html
from bot.services import Services
from bot.storage import NewAnalysis
from bot.work import Job, Outcome
from reports.messages import Messages, available_languages

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    services: Services = context.bot_data["services"]
    return services


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def settings_of(update: Update, context: Context) -> ChatSettings:
    return await services(context).db(services(context).storage.chats.get, chat_id_of(update))


def language_for(settings: ChatSettings, update: Update, default: str) -> str:
    """The chat's setting, else the user's Telegram language when we have it, else the default."""
    if settings.language:
        return settings.language
    user = update.effective_user
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in available_languages() else default


async def messages_for(update: Update, context: Context) -> Messages:
    settings = await settings_of(update, context)
    return Messages(language_for(settings, update, services(context).config.default_language))


def local_today(settings: ChatSettings, default_timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.timezone or default_timezone)).date()


def job_for(
    settings: ChatSettings, language: str, today: date, overrides: dict[str, str] | None = None
) -> Job:
    values = {"criterion": settings.criterion, "period": settings.period, **(overrides or {})}
    return Job(
        values["criterion"], settings.cut_a, settings.cut_b, values["period"], language, today
    )


def summary_keyboard(m: Messages) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(m("bot.button_top", category="A"), callback_data="top:A:0"),
                InlineKeyboardButton(m("bot.button_top", category="B"), callback_data="top:B:0"),
                InlineKeyboardButton(m("bot.button_top", category="C"), callback_data="top:C:0"),
            ],
            [
                InlineKeyboardButton(m("bot.button_d"), callback_data="top:D:0"),
                InlineKeyboardButton(m("bot.button_pdf"), callback_data="export:pdf"),
                InlineKeyboardButton(m("bot.button_settings"), callback_data="settings"),
            ],
        ]
    )


async def deliver(bot: Bot, chat_id: int, outcome: Outcome, m: Messages) -> None:
    """The summary with its buttons, then the charts as one album."""
    await send_html(bot, chat_id, outcome.texts[m.language], summary_keyboard(m))
    if outcome.charts:
        media = [
            InputMediaPhoto(chart.png, filename=f"{chart.name}.png") for chart in outcome.charts
        ]
        await bot.send_media_group(chat_id, media)


def analysis_record(
    chat_id: int, file_name: str, job: Job, outcome: Outcome, upload_id: int | None = None
) -> NewAnalysis:
    """What storing an outcome writes: a new upload's table, or the id of the one re-analysed."""
    return NewAnalysis(
        chat_id=chat_id,
        file_name=file_name,
        criterion=job.criterion,
        cut_a=job.cut_a,
        cut_b=job.cut_b,
        period=job.period,
        summary=outcome.summary,
        texts=outcome.texts,
        clients=outcome.result.clients,
        upload_id=upload_id,
        table=None if upload_id is not None else outcome.table,
        table_meta=None if upload_id is not None else outcome.table_meta,
    )
