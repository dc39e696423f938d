"""A chat's saved period and files without dates (issue 11, item 2): the file is analysed whole
with one line saying so; a caption's `période: tout` overrides the saved period for one file."""

from __future__ import annotations

import pytest

from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

SUMMARY = "de vos clients apportent"
NOT_APPLIED = "La période réglée pour cette conversation (12 mois) ne s'applique pas"
# No date column at all: one total per client, names with accents and an HTML-like one.
UNDATED = [
    ["Client", "Montant HT"],
    ["Éclair <b>SARL</b>", "8000"],
    ["Beta & Fils", "1000"],
    ["Gamma", "500"],
    ["Delta", "300"],
]


def upload_and_wait(api: FakeTelegram, chat: int, data: bytes, name: str, caption: str | None):
    sent = api.document(chat, data, name, caption=caption)
    api.wait_for(
        lambda calls: any(t.startswith(("✅", "❌")) for t in api.texts(chat, since=sent)), 90
    )
    return api.texts(chat, since=sent)


def test_saved_period_does_not_refuse_an_undated_file(telegram, running, files, sales_rows):
    chat = 140
    sent = telegram.text(chat, "/settings period 12m")
    telegram.wait_text(chat, "12 mois", since=sent)
    texts = upload_and_wait(telegram, chat, files.csv(UNDATED), "totaux.csv", None)
    assert not any("Une période a été demandée" in t for t in texts), texts
    summary = next(t for t in texts if SUMMARY in t)
    assert summary.count(NOT_APPLIED) == 1
    assert texts[-1].startswith("✅")
    # A dated file still gets the saved period, with no such line.
    texts = upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv", None)
    summary = next(t for t in texts if SUMMARY in t)
    assert NOT_APPLIED not in summary
    # The clause asks for the whole file: nothing to say about the period. A caption asking for
    # profit on a file without one is still refused (the user asked for it).
    for caption in ("période: tout", "Period : ALL", "profit\npériode: tout"):
        texts = upload_and_wait(telegram, chat, files.csv(UNDATED), "totaux.csv", caption)
        if caption.startswith("profit"):
            assert not any(SUMMARY in t for t in texts)  # no profit column: refused as before
            continue
        summary = next(t for t in texts if SUMMARY in t)
        assert "ne s'applique pas" not in summary, caption


def test_caption_clause_overrides_the_saved_period_on_a_dated_file(
    telegram, running, files, sales_rows
):
    chat = 141
    sent = telegram.text(chat, "/settings period 2024")
    telegram.wait_text(chat, "2024", since=sent)
    # The saved period (2024) holds none of the file's 2025 rows: refused as empty...
    texts = upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv", None)
    assert not any(SUMMARY in t for t in texts)
    # ...while `période: tout` analyses the whole file.
    texts = upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv", "période : tout")
    summary = next(t for t in texts if SUMMARY in t)
    assert "A — clients clés : 1 client" in summary
