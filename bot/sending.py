"""Every text the bot sends leaves through here: Telegram's limits are known in this module only."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup

TELEGRAM_TEXT_LIMIT = 4096
SECTION_BREAK = "\n\n"  # reports put a blank line between two sections


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split so that each part fits one Telegram message: between sections where whole sections
    fit, else at line ends, and a line longer than the limit is cut. Nothing else is lost."""
    parts: list[str] = []
    current = ""
    for section in text.split(SECTION_BREAK):
        candidate = f"{current}{SECTION_BREAK}{section}" if current else section
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        pieces = _split_lines(section, limit)
        parts += pieces[:-1]
        current = pieces[-1] if pieces else ""
    if current:
        parts.append(current)
    return parts


def _split_lines(text: str, limit: int) -> list[str]:
    """Split at line ends, each part at most `limit` long; a longer line is cut."""
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
    """Send text of any length, split as `split_message` does, the keyboard under the last part."""
    parts = split_message(html)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await bot.send_message(chat_id, part, reply_markup=markup if last else None)
