"""The one rule that picks the language of a reply."""

from __future__ import annotations

from reports.messages import available_languages


def reply_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The chat's setting, else the user's Telegram language when we have its catalogue, else
    the bot's default. Jobs and the guard have no setting or no user: they pass None."""
    if chosen:
        return chosen
    code = (telegram_code or "").split("-")[0].lower()
    return code if code in available_languages() else default
