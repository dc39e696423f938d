"""The context every handler, job and the access guard receive (PTB's custom context): typed
services, the chat and the reply language, instead of the same look-ups in every handler."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.chat_settings import ChatSettings
from bot.flows.reply import Reply
from bot.language import reply_language
from bot.services import Services
from reports.messages import Messages


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """`context` in handlers and jobs."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.user_language: str | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, BotContext, Any, Any, Any, Any]
    ) -> BotContext:
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user is not None:
            context.user_language = update.effective_user.language_code
        return context

    @property
    def services(self) -> Services:
        services: Services = self.bot_data["services"]
        return services

    @property
    def chat_id(self) -> int:
        """The chat of the update or job; handlers of chat updates only."""
        assert self._chat_id is not None
        return self._chat_id

    def reply(self) -> Reply:
        """The chat of this update, for a flow to answer."""
        return Reply(self.bot, self.services, self.chat_id, self.user_language)

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Plain text to the chat, escaped, through the one sending function."""
        await self.reply().text(text, markup)

    async def send_html(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await self.reply().html(text, markup)

    def language(self, settings: ChatSettings | None = None) -> str:
        """The reply language: the one rule, with this update's user."""
        chosen = settings.language if settings is not None else None
        return reply_language(chosen, self.user_language, self.services.config.default_language)

    def messages(self, settings: ChatSettings | None = None) -> Messages:
        return Messages(self.language(settings))

    async def chat_settings(self) -> ChatSettings:
        services = self.services
        return await services.db(services.storage.chats.get, self.chat_id)

    async def chat_messages(self) -> tuple[ChatSettings, Messages]:
        """The chat's settings and the messages in its reply language."""
        settings = await self.chat_settings()
        return settings, self.messages(settings)
