"""Splitting text to Telegram's message limit."""

from bot.sending import split_message


def test_long_messages_are_split_at_line_ends():
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    parts = split_message(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text
    assert split_message("y" * 2500, 1000) == ["y" * 1000, "y" * 1000, "y" * 500]
