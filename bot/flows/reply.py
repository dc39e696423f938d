"""Where a flow answers: the chat, through the bot, in the chat's reply language; and the
summary's buttons, which every flow that sends a summary puts under it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message

from bot import callbacks
from bot.chat_settings import ChatSettings
from bot.language import reply_language
from bot.sending import edit_html, send_html
from bot.services import Services
from reports.charts import Chart
from reports.messages import Messages


@dataclass(frozen=True)
class Reply:
    """A chat a flow talks to. `user_language` is the Telegram language of the user who asked,
    None for a job; `at` is the moment a job runs for, None to read the clock."""

    bot: Bot
    services: Services
    chat_id: int
    user_language: str | None = None
    at: datetime | None = None

    def now(self) -> datetime:
        return self.at if self.at is not None else self.services.clock()

    def messages(self, settings: ChatSettings) -> Messages:
        default = self.services.config.default_language
        return Messages(reply_language(settings.language, self.user_language, default))

    async def settings(self) -> ChatSettings:
        return await self.services.db(self.services.storage.chats.get, self.chat_id)

    def today(self, settings: ChatSettings) -> date:
        """The chat's date now, in its time zone."""
        return local_today(settings, self.services.config.default_timezone, self.now())

    async def text(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Plain text, escaped here."""
        await self.html(html.escape(text), markup)

    async def html(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """HTML of any length, split to Telegram's limit."""
        await send_html(self.bot, self.chat_id, text, markup)

    async def status(self, text: str) -> Status:
        """A status message (plain text) that the flow edits as it goes, to end with ✅ or ❌."""
        return Status(await send_html(self.bot, self.chat_id, html.escape(text)))

    async def summary(self, html_text: str, m: Messages) -> None:
        await self.html(html_text, summary_keyboard(m))

    async def charts(self, charts: list[Chart]) -> None:
        """The charts as one album, each photo with its caption."""
        if charts:
            m = self.messages(await self.settings())
            media = [
                InputMediaPhoto(
                    chart.png,
                    filename=f"{chart.name}.png",
                    caption=html.escape(m(f"chart.caption_{chart.name}")),
                )
                for chart in charts
            ]
            await self.bot.send_media_group(self.chat_id, media)


@dataclass(frozen=True)
class Status:
    """A status message sent by `Reply.status`."""

    message: Message | None

    async def update(self, text: str) -> None:
        """Replace the status's text (plain text, escaped here)."""
        if self.message is not None:
            await edit_html(self.message, html.escape(text))


def local_today(settings: ChatSettings, default_timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.timezone or default_timezone)).date()


def summary_keyboard(m: Messages) -> InlineKeyboardMarkup:
    """Under every summary: the categories' tops, the PDF and the settings."""

    def top(letter: str, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.top(letter))

    return InlineKeyboardMarkup(
        [
            [top(letter, m("bot.button_top", category=letter)) for letter in "ABC"],
            [
                top("D", m("bot.button_d")),
                InlineKeyboardButton(m("bot.button_pdf"), callback_data=callbacks.export("pdf")),
                InlineKeyboardButton(m("bot.button_settings"), callback_data=callbacks.SETTINGS),
            ],
        ]
    )
