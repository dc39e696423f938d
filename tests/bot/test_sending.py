"""Splitting text to Telegram's message limit."""

import datetime as dt
import html
import random

from analysis.pipeline import run
from analysis.settings import AnalysisSettings
from bot.sending import TELEGRAM_TEXT_LIMIT, split_message, units
from reports.text import Section, as_html, summary_sections

from .fake_api import parse_html, refusal


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


def _shown(part: str) -> str:
    """What Telegram shows of a part, or the refusal it would answer."""
    reason = refusal("sendMessage", {"text": part, "parse_mode": "HTML"})
    assert reason is None, (reason, part[:200])
    return parse_html(part)


def test_a_tag_open_across_a_cut_is_closed_and_reopened():
    text = "<b>" + "\n".join(f"ligne {i} &amp; &lt;x&gt; " + "é" * 40 for i in range(300)) + "</b>"
    parts = split_message(text, 500)
    assert len(parts) > 10
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)
    assert all(units(p) <= 500 for p in parts)
    assert "\n".join(_shown(p) for p in parts) == parse_html(text)


def test_a_line_longer_than_a_message_is_cut_between_entities_never_inside():
    text = "<i>" + "&amp;" * 3000 + "</i> <b>fin</b>"
    parts = split_message(text, 1000)
    assert all(units(p) <= 1000 for p in parts)
    assert "".join(_shown(p) for p in parts) == parse_html(text)


def test_emoji_count_as_two_units_as_telegram_counts_them():
    text = "🙂" * 3000
    parts = split_message(text)
    assert [units(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == text


def test_hostile_markup_splits_into_messages_telegram_accepts():
    chooser = random.Random(11)
    names = ["<script>", "A & B", "«Éco»", "🙂" * 3, '"q"', "x" * 300, "&amp;", "\u200b", "z"]
    sections = []
    for index in range(40):
        lines = [
            f"<b>{html.escape(chooser.choice(names))}</b> — <i>{html.escape(chooser.choice(names))}"
            f' <a href="https://example.org/?a=1&amp;b=2">{index}</a></i>'
            for _ in range(chooser.randint(1, 60))
        ]
        if chooser.random() < 0.2:
            lines.append(html.escape(chooser.choice(names)) * chooser.randint(10, 40))
        sections.append("\n".join(lines))
    text = "<blockquote>" + "\n\n".join(sections) + "</blockquote>"
    for limit in (4096, 777, 150):
        parts = split_message(text, limit)
        assert all(units(p) <= limit for p in parts)
        shown = "".join(_shown(p) for p in parts)
        assert shown.replace("\n", "") == parse_html(text).replace("\n", "")


def test_the_a_changes_of_a_source_are_one_message_whatever_the_count():
    from bot.flows.sources import changes_text
    from reports.messages import Messages

    before = {f"old{i}": f"Ancien client <{i}> " + "x" * 150 for i in range(1200)}
    after = {f"new{i}": f"Nouveau client & {i} " + "y" * 150 for i in range(1200)}
    text = changes_text(Messages("fr"), before, after)
    assert split_message(text) == [text]
    shown = parse_html(text)
    entered = shown.count("Nouveau client & ")
    assert 5 < entered < 30 and shown.count("Ancien client <") == entered
    assert f"et 1\u202f{1200 - entered - 1000} autres (/top A pour les clients A)" in shown
