"""The upload flow's order: the summary goes out as soon as the clients are classified, with its
buttons, before the charts are sent; the Excel file comes last, then the final status."""

from __future__ import annotations

import pytest

from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

SUMMARY = "de vos clients apportent"


def test_the_summary_comes_before_the_charts_and_the_excel(
    telegram: FakeTelegram, running, files, sales_rows
):
    chat = 152
    sent = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(chat, "✅", since=sent, timeout=90)
    calls = telegram.calls_to(chat, "sendMessage", "sendMediaGroup", "sendDocument", since=sent)
    steps = [
        "summary" if SUMMARY in c.text else c.method
        for c in calls
        if c.method != "sendMessage" or SUMMARY in c.text
    ]
    assert steps == ["summary", "sendMediaGroup", "sendDocument"]
    summary = next(c for c in calls if SUMMARY in c.text)
    buttons = [
        button["callback_data"]
        for row in summary.params["reply_markup"]["inline_keyboard"]
        for button in row
    ]
    assert buttons == ["top:A:0", "top:B:0", "top:C:0", "top:D:0", "export:pdf", "settings"]
    edits = [c.text for c in telegram.calls_to(chat, "editMessageText", since=sent)]
    assert edits[-1].startswith("✅")
