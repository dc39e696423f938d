"""Messages past Telegram's 4096 characters, through the real bot and the stand-in Bot API (which
refuses them as Telegram does): alerts name a few and say how many more, commands page with
buttons, and a message refused for good is settled, never sent again at every sweep."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import sweep

from .fake_api import TEXT_LIMIT, FakeTelegram, Fault, parse_html

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
CLIENTS = 1200  # equal amounts: all of them A
THOUSANDS = "\u202f"  # the French thousands separator


def long_name(index: int) -> str:
    return f"Société <Générale> & Fils des établissements réunis du grand ouest n°{index:05d} " + (
        "é" * (95 - 70)
    )


def renewal_wave(today: dt.date) -> list[list[str]]:
    end = (today + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    return [["Client", "Montant", "Fin de contrat"]] + [
        [long_name(i), "1000", end] for i in range(CLIENTS)
    ]


def upload(api: FakeTelegram, chat: int, data: bytes, name: str) -> None:
    sent = api.document(chat, data, name)
    api.wait_for(
        lambda calls: any(t.startswith(("✅", "❌")) for t in api.texts(chat, since=sent)), 120
    )


def refused(api: FakeTelegram, chat: int, since: int) -> list[str]:
    return [
        f"{c.method} {c.answered}"
        for c in api.calls[since:]
        if c.chat_id == chat and c.answered != "ok"
    ]


def shown(text: str) -> int:
    return len(parse_html(text).encode("utf-16-le")) // 2


def morning(days: int) -> dt.datetime:
    today = dt.datetime.now(PARIS).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(9, 5), tzinfo=PARIS)


def test_a_renewal_wave_is_one_alert_that_says_how_many_more(telegram, running, files):
    chat = 190
    upload(telegram, chat, files.csv(renewal_wave(dt.datetime.now(PARIS).date())), "vague.csv")
    swept = telegram.mark()
    running.call(sweep(running.application, morning(1)))
    alerts = [
        c
        for c in telegram.calls_to(chat, "sendMessage", since=swept)
        if "Contrats à renouveler" in c.text
    ]
    assert len(alerts) == 1, [c.text[:80] for c in alerts]
    alert = alerts[0].text
    assert alert.strip().endswith(
        f"… et 1{THOUSANDS}180 autres : /contracts pour la liste complète."
    )
    assert alert.count("Société <Générale> & Fils") == 20
    assert refused(telegram, chat, swept) == []
    # Settled: the next sweep sends nothing more.
    swept = telegram.mark()
    running.call(sweep(running.application, morning(1) + dt.timedelta(minutes=5)))
    assert telegram.texts(chat, since=swept) == []

    # /contracts: one page at a time, with buttons that turn the page in place.
    sent = telegram.text(chat, "/contracts")
    first = telegram.wait_text(chat, "Contrats à renouveler", since=sent)
    assert f"1 à 20 sur 1{THOUSANDS}200" in first.text and shown(first.params["text"]) <= TEXT_LIMIT
    keyboard = first.params["reply_markup"]["inline_keyboard"]
    [[following]] = keyboard
    assert following["text"] == "Suivants ▶" and following["callback_data"].endswith(":20")
    assert len(telegram.texts(chat, since=sent)) == 1
    pressed = telegram.press(chat, following["callback_data"])
    page = telegram.wait_text(
        chat, f"21 à 40 sur 1{THOUSANDS}200", since=pressed, method="editMessageText"
    )
    assert page.text.count("Société <Générale>") == 20
    buttons = [b["text"] for b in page.params["reply_markup"]["inline_keyboard"][0]]
    assert buttons == ["◀ Précédents", "Suivants ▶"]
    assert refused(telegram, chat, sent) == []
    # A page of another analysis, or past the end, or forged: no longer valid, never the apology.
    analysis = following["callback_data"].split(":")[1]
    for data in ("contracts:99999:0", f"contracts:{analysis}:5000000", "contracts:0:-1"):
        pressed = telegram.press(chat, data)
        telegram.wait_text(chat, "Ce bouton n'est plus valable", since=pressed)
        assert not [t for t in telegram.texts(chat, since=pressed) if "Désolé" in t]


def test_top_with_long_names_pages_within_one_message(telegram, running, files):
    chat = 191
    rows = [["Client", "Montant"]] + [[long_name(i), str(10_000 - i)] for i in range(300)]
    upload(telegram, chat, files.csv(rows), "top.csv")
    sent = telegram.text(chat, "/top A 50")
    page = telegram.wait_text(chat, "au total", since=sent)
    assert telegram.texts(chat, since=sent) == [page.text]  # one message, not two
    assert shown(page.params["text"]) <= TEXT_LIMIT
    [[following]] = page.params["reply_markup"]["inline_keyboard"]
    listed = page.text.count("Société <Générale>")
    assert 20 <= listed < 50 and following["callback_data"] == f"top:A:{listed}:{listed}"
    pressed = telegram.press(chat, following["callback_data"])
    turned = telegram.wait_text(chat, f"{listed + 1}. Société", since=pressed)
    assert turned.method == "editMessageText"
    assert refused(telegram, chat, sent) == []
    assert not [t for t in telegram.texts(chat, since=sent) if "Désolé" in t]


def three_contracts(today: dt.date) -> list[list[str]]:
    end = (today + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    return [
        ["Client", "Montant", "Fin de contrat"],
        ["Dupont", "9000", end],
        ["Martin", "500", end],
        ["Petit", "100", end],
    ]


def test_an_alert_telegram_refuses_is_settled_and_told_once(telegram, running, files):
    chat = 192
    upload(telegram, chat, files.csv(three_contracts(dt.datetime.now(PARIS).date())), "c.csv")
    telegram.faults.append(
        Fault("sendMessage", "400", description="Bad Request: message is too long")
    )
    swept = telegram.mark()
    running.call(sweep(running.application, morning(1)))
    telegram.wait_text(chat, "Telegram a refusé un message", since=swept)
    assert refused(telegram, chat, swept) == ["sendMessage 400"]
    swept = telegram.mark()
    running.call(sweep(running.application, morning(1) + dt.timedelta(minutes=5)))
    running.call(sweep(running.application, morning(2)))
    assert [c for c in telegram.calls[swept:] if c.chat_id == chat] == []


def test_a_blocked_chat_is_not_sent_the_alert_again(telegram, running, files):
    chat = 193
    upload(telegram, chat, files.csv(three_contracts(dt.datetime.now(PARIS).date())), "c.csv")
    telegram.blocked.add(chat)
    try:
        swept = telegram.mark()
        running.call(sweep(running.application, morning(1)))
        assert refused(telegram, chat, swept) == ["sendMessage 403"]  # nothing more tried
        swept = telegram.mark()
        running.call(sweep(running.application, morning(1) + dt.timedelta(minutes=5)))
        assert [c for c in telegram.calls[swept:] if c.chat_id == chat] == []
    finally:
        telegram.blocked.discard(chat)
