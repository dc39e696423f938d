"""Splitting text to Telegram's message limit."""

import datetime as dt

from analysis.pipeline import run
from analysis.settings import AnalysisSettings
from bot.sending import TELEGRAM_TEXT_LIMIT, split_message
from reports.text import Section, as_html, summary_sections


def test_long_messages_are_split_at_line_ends():
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    parts = split_message(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text
    assert split_message("y" * 2500, 1000) == ["y" * 1000, "y" * 1000, "y" * 500]


def test_sections_are_kept_whole_when_they_fit():
    sections = [
        Section(tuple(f"{title} line {i}" for i in range(size)), title=title)
        for title, size in [("first", 10), ("second", 12), ("third", 30), ("fourth", 3)]
    ]
    text = as_html(sections)
    parts = split_message(text, 250)
    assert all(len(p) <= 250 for p in parts)
    # "first" and "second" together are over the limit: each gets a part of its own.
    assert parts[0] == as_html(sections[:1]) and parts[1] == as_html(sections[1:2])
    # "third" alone is over the limit: it is split at line ends, "fourth" follows in its last part.
    assert parts[2].startswith("<b>third</b>\nthird line 0\n")
    assert parts[-1].endswith("third line 29\n\n" + as_html(sections[3:]))
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")  # nothing lost, in order
    assert split_message("", 250) == []


def test_a_summary_fits_one_message(files):
    rows = [["Client", "Montant"], ["<b>Evil</b> & Co", "10"], ["Autre", "1"]]
    result = run(files.csv(rows), "<x>.csv", AnalysisSettings())
    html = as_html(summary_sections(result, "en", dt.date(2025, 2, 1)))
    assert split_message(html) == [html]
    assert len(html) <= TELEGRAM_TEXT_LIMIT
