"""Every text the bot sends leaves through here: Telegram's limits are known in this module only."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup

TELEGRAM_TEXT_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split at line ends so that each part fits one Telegram message."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        rest = line
        while len(rest) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(rest[:limit])
            rest = rest[limit:]
        candidate = f"{current}\n{rest}" if current else rest
        if len(candidate) > limit:
            parts.append(current)
            current = rest
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


async def send_html(
    bot: Bot, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send text of any length: split at line ends, the keyboard under the last part."""
    parts = split_message(html)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await bot.send_message(chat_id, part, reply_markup=markup if last else None)
