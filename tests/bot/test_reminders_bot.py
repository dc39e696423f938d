"""Reminders through the real bot: /remind, /contracts, and the sweep delivering messages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import sweep

from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")


def upload(api: FakeTelegram, chat: int, data: bytes, name: str) -> None:
    sent = api.document(chat, data, name)
    api.wait_for(lambda calls: any(t.startswith("✅") for t in api.texts(chat, since=sent)), 90)


def test_remind_is_set_shown_and_delivered(telegram, running, files, sales_rows):
    chat = 170
    sent = telegram.text(chat, "/remind")
    telegram.wait_text(
        chat, "Le premier rappel sera calculé après votre première analyse.", since=sent
    )
    upload(telegram, chat, files.csv(sales_rows), "v.csv")
    sent = telegram.text(chat, "/remind 6m")
    shown = telegram.wait_text(
        chat, "Revue de la base clients tous les 6 mois, rappel à 09:00 (Europe/Paris)", since=sent
    )
    today = dt.datetime.now(PARIS).date()
    assert "Prochain rappel : le" in shown.text
    sent = telegram.text(chat, "/remind at 08:30")
    telegram.wait_text(chat, "rappel à 08:30", since=sent)
    sent = telegram.text(chat, "/remind 36m")
    telegram.wait_text(
        chat, "la méthode recommande de refaire l'analyse au moins tous les 24 mois", since=sent
    )
    sent = telegram.text(chat, "/remind 6m")
    telegram.wait_text(chat, "tous les 6 mois, rappel à 08:30", since=sent)
    sent = telegram.text(chat, "/remind bientôt")
    telegram.wait_text(chat, "Utilisez /remind 6m", since=sent)

    from analysis.period import add_months

    due_day = add_months(today, 6)
    before = telegram.mark()
    heads_up_day = due_day - dt.timedelta(days=14)
    running.call(
        sweep(running.application, dt.datetime.combine(heads_up_day, dt.time(8, 31), tzinfo=PARIS))
    )
    heads_up = telegram.wait_text(chat, "Dans 14 jours", since=before)
    assert "A 1 · B 2 · C 2 · D 1" in heads_up.text
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(8, 29), tzinfo=PARIS))
    )
    swept = telegram.mark()
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(8, 30), tzinfo=PARIS))
    )
    telegram.wait_text(
        chat, "C'est aujourd'hui : la revue de votre base clients est due (6 mois", since=swept
    )
    count = len(telegram.texts(chat))
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(10, 0), tzinfo=PARIS))
    )
    assert len(telegram.texts(chat)) == count  # not repeated
    assert len(telegram.texts(chat, since=before)) == 2, telegram.texts(chat, since=before)
    sent = telegram.text(chat, "/remind off")
    telegram.wait_text(chat, "Rappels de revue désactivés.", since=sent)
    running.call(
        sweep(
            running.application,
            dt.datetime.combine(due_day + dt.timedelta(days=7), dt.time(9), tzinfo=PARIS),
        )
    )
    sent = telegram.text(chat, "/remind")
    telegram.wait_text(
        chat, "Rappels de revue désactivés. /remind 24m pour les réactiver.", since=sent
    )
    assert not any("en retard" in t for t in telegram.texts(chat))


def test_contract_ends_are_listed_and_announced_once(telegram, running, files):
    chat = 171
    today = dt.datetime.now(PARIS).date()
    soon, later = today + dt.timedelta(days=12), today + dt.timedelta(days=200)
    rows = [
        ["Client", "Montant", "Fin de contrat"],
        ["Dupont", "9000", soon.strftime("%d/%m/%Y")],
        ["Martin", "500", soon.strftime("%d/%m/%Y")],
        ["Durand", "400", later.strftime("%d/%m/%Y")],
        ["Petit", "100", ""],
    ]
    upload(telegram, chat, files.csv(rows), "contrats.csv")
    sent = telegram.text(chat, "/contracts")
    listed = telegram.wait_text(chat, "Contrats à renouveler dans les 30 jours", since=sent)
    assert "Dupont (A) — fin le" in listed.text and "Martin" not in listed.text
    morning = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9, 5), tzinfo=PARIS)
    swept = telegram.mark()
    running.call(sweep(running.application, morning))
    announced = [t for t in telegram.texts(chat, since=swept) if "Contrats à renouveler" in t]
    assert len(announced) == 1
    swept = telegram.mark()
    running.call(sweep(running.application, morning + dt.timedelta(days=1)))
    assert not [t for t in telegram.texts(chat, since=swept) if "Contrats à renouveler" in t]
    sent = telegram.text(chat, "/settings contracts_b on")
    telegram.wait_text(chat, "Réglage enregistré", since=sent)
    sent = telegram.text(chat, "/contracts")
    telegram.wait_text(chat, "Martin (B)", since=sent)
