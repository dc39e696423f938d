"""Every text the bot sends leaves through here: Telegram's limits are known in this module only.

A text longer than one message is split between sections where it can, else at line ends, else
(a single line longer than a message) between two characters, never inside a tag or an entity;
each part is balanced HTML: a tag still open where a part ends is closed there and opened again
at the start of the next part. Lengths are counted in UTF-16 code units, as Telegram counts them,
on the markup itself, which is never shorter than the text Telegram shows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message

TELEGRAM_TEXT_LIMIT = 4096
SECTION_BREAK = "\n\n"  # reports put a blank line between two sections

_TOKEN = re.compile(
    r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});|\n+"
)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")


def units(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Token:
    text: str
    size: int
    kind: str  # "open", "close", "newline" or "text" (characters, an entity or another tag)
    name: str = ""
    divisible: bool = False  # plain characters, which a too long line may be cut between


def _tokens(markup: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for match in _TOKEN.finditer(markup):
        if match.start() > position:
            tokens.append(_characters(markup[position : match.start()]))
        token = match.group()
        if token.startswith("\n"):
            tokens.append(_Token(token, len(token), "newline"))
        elif token.startswith("<") and (name := _TAG_NAME.match(token)):
            kind = "close" if token.startswith("</") else "open"
            tokens.append(_Token(token, units(token), kind, name.group(1).lower()))
        else:
            tokens.append(_Token(token, units(token), "text"))
        position = match.end()
    if position < len(markup):
        tokens.append(_characters(markup[position:]))
    return tokens


def _characters(text: str) -> _Token:
    return _Token(text, units(text), "text", divisible=True)


def _divide(token: _Token, room: int) -> tuple[_Token, _Token] | None:
    """Plain characters cut so that the first piece takes at most `room` units."""
    count, size = 0, 0
    for character in token.text:
        width = 2 if ord(character) > 0xFFFF else 1
        if size + width > room:
            break
        count, size = count + 1, size + width
    if count == 0:
        return None
    return _characters(token.text[:count]), _characters(token.text[count:])


def _closing(stack: list[_Token]) -> str:
    return "".join(f"</{tag.name}>" for tag in reversed(stack))


def _after(stack: list[_Token], token: _Token) -> list[_Token]:
    """The open tags once `token` is read."""
    if token.kind == "open":
        return [*stack, token]
    if token.kind == "close":
        for index in range(len(stack) - 1, -1, -1):
            if stack[index].name == token.name:
                return stack[:index] + stack[index + 1 :]
    return stack


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split HTML so that each part fits one Telegram message: at the last section break that
    fits, else the last line end, else the last character; each part balanced (see the module's
    docstring). Nothing else is lost, and no part is empty."""
    tokens = _tokens(text)
    parts: list[str] = []
    start, stack = 0, list[_Token]()
    while start < len(tokens):
        opening = "".join(tag.text for tag in stack)
        size = units(opening)
        running, closing = stack, units(_closing(stack))
        cut: dict[str, tuple[int, int, list[_Token]]] = {}  # kind -> (end, next start, stack)
        end = start
        while end < len(tokens):
            token = tokens[end]
            if token.kind == "newline" and size + closing <= limit:
                kind = "section" if len(token.text) > 1 else "line"
                cut[kind] = (end, end + 1, running)
            following = _after(running, token) if token.kind in ("open", "close") else running
            following_closing = closing if following is running else units(_closing(following))
            if size + token.size + following_closing > limit:
                break
            size += token.size
            running, closing = following, following_closing
            end += 1
            if token.kind != "open":
                cut["char"] = (end, end, running)
        if end == len(tokens):
            chosen = (end, end, running)
        elif "section" in cut or "line" in cut:
            chosen = cut.get("section") or cut["line"]
        elif tokens[end].divisible and (pieces := _divide(tokens[end], limit - size - closing)):
            tokens[end : end + 1] = pieces
            chosen = (end + 1, end + 1, running)
        else:
            chosen = cut.get("char") or (
                start + 1,  # not even one token fits beside the open tags: send it anyway
                start + 1,
                _after(stack, tokens[start]),
            )
        stop, next_start, after = chosen
        body = "".join(token.text for token in tokens[start:stop])
        part = opening + body + _closing(after)
        if _visible(part):
            parts.append(part)
        start, stack = next_start, after
    return parts


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


NAME_IN_LIST = 120  # characters of a name in a list line (a page, an alert); cards show it all


def shorten(name: str, size: int = NAME_IN_LIST) -> str:
    """A name for a list line: cut at `size` characters, with an ellipsis."""
    return name if len(name) <= size else name[: size - 1].rstrip() + "…"


def fitting(lines: list[str], *, reserved: int = 0, limit: int = TELEGRAM_TEXT_LIMIT) -> int:
    """How many of `lines`, one per line, fit in one message beside `reserved` units."""
    size = reserved
    for count, line in enumerate(lines):
        size += units(line) + 1
        if size > limit:
            return count
    return len(lines)


async def send_html(
    bot: Bot, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send HTML of any length, split as `split_message` does, the keyboard under the last part;
    returns the last message sent."""
    return await _send_parts(bot, chat_id, split_message(html), markup)


async def _send_parts(
    bot: Bot, chat_id: int, parts: list[str], markup: InlineKeyboardMarkup | None
) -> Message | None:
    sent = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await bot.send_message(chat_id, part, reply_markup=markup if last else None)
    return sent


async def edit_html(
    message: Message, html: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace a message's text (a status, a page); what does not fit in it follows in new
    messages, the keyboard under the last."""
    parts = split_message(html) or [html]
    await message.edit_text(parts[0], reply_markup=markup if len(parts) == 1 else None)
    if len(parts) > 1:
        await _send_parts(message.get_bot(), message.chat_id, parts[1:], markup)
