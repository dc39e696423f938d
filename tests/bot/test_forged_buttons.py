"""Forged button data: every press goes through the allow-list, and anything the bot never made
gets "this button is no longer valid", never the apology and never a file named by the data."""

from __future__ import annotations

import random

import pytest

from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

STALE = "Ce bouton n'est plus valable"
APOLOGY = "erreur inattendue"


def _random_data(seed: int) -> str:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))).decode("latin-1")


FORGED = [
    "export:../../etc",
    "export:exe",
    "top:Z:0",
    "top:A:99999999:99999",
    "top:A:0:5000",
    "client:x:y",
    "client:1:99999",
    "set:evil",
    "set:tz:../../../etc/passwd",
    "set:tz:Mars/Olympus",
    "set:cut:100:100",
    "forget:maybe",
    "source:nowhere",
    "sample:1",
    *(_random_data(seed) for seed in range(3)),
]


def test_forged_buttons_are_no_longer_valid_and_real_ones_work(
    telegram: FakeTelegram, running, files, sales_rows
) -> None:
    chat = 170
    mark = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(chat, "✅ Analyse terminée", since=mark, timeout=90)

    for data in FORGED:
        mark = telegram.press(chat, data)
        answer = telegram.wait_text(chat, STALE, since=mark, timeout=20)
        assert answer.method == "sendMessage", data
        assert "/summary" in answer.text
        sent = telegram.calls_to(chat, since=mark)
        assert not any(APOLOGY in c.text for c in sent), data
        assert not any(c.method == "sendDocument" for c in sent), data
        assert any(c.method == "answerCallbackQuery" for c in telegram.calls[mark:]), data

    mark = telegram.press(chat, "top:A:0")
    telegram.wait_text(chat, "A — clients clés", since=mark, timeout=20)
    mark = telegram.press(chat, "export:pdf")
    telegram.wait_for(
        lambda calls: any(c.method == "sendDocument" for c in telegram.calls_to(chat, since=mark)),
        60,
    )
    document = next(c for c in telegram.calls_to(chat, "sendDocument", since=mark))
    assert list(document.files) == ["ventes-abc.pdf"]
    assert not any(STALE in text for text in telegram.texts(chat, since=mark))


def test_an_english_chat_is_told_in_english(telegram: FakeTelegram, running) -> None:
    chat = 171
    mark = telegram.press(chat, "export:../../etc", language="en")
    telegram.wait_text(chat, "This button is no longer valid", since=mark, timeout=20)
