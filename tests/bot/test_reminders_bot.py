"""Reminders through the real bot: /remind, /contracts, and the sweep delivering messages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.jobs import sweep

from .fake_api import FakeTelegram

PARIS = ZoneInfo("Europe/Paris")


def upload(api: FakeTelegram, chat: int, data: bytes, name: str) -> None:
    api.document(chat, data, name)
    api.wait_for(lambda calls: any(t.startswith("✅") for t in api.texts(chat)), 90)


def test_remind_is_set_shown_and_delivered(telegram, running, files, sales_rows):
    chat = 170
    telegram.text(chat, "/remind")
    telegram.wait_text(chat, "Le premier rappel sera calculé après votre première analyse.")
    upload(telegram, chat, files.csv(sales_rows), "v.csv")
    telegram.text(chat, "/remind 6m")
    shown = telegram.wait_text(
        chat, "Revue de la base clients tous les 6 mois, rappel à 09:00 (Europe/Paris)"
    )
    today = dt.datetime.now(PARIS).date()
    assert "Prochain rappel : le" in shown.text
    telegram.text(chat, "/remind at 08:30")
    telegram.wait_text(chat, "rappel à 08:30")
    telegram.text(chat, "/remind 36m")
    telegram.wait_text(chat, "la méthode recommande de refaire l'analyse au moins tous les 24 mois")
    telegram.text(chat, "/remind 6m")
    telegram.wait_for(
        lambda calls: (
            len([t for t in telegram.texts(chat) if "tous les 6 mois, rappel à 08:30" in t]) == 2
        )
    )
    telegram.text(chat, "/remind bientôt")
    telegram.wait_text(chat, "Utilisez /remind 6m")

    from analysis.period import add_months

    due_day = add_months(today, 6)
    before = len(telegram.texts(chat))
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(8, 29), tzinfo=PARIS))
    )
    heads_up = telegram.wait_text(chat, "Dans 14 jours")
    assert "A 1 · B 2 · C 2 · D 1" in heads_up.text
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(8, 30), tzinfo=PARIS))
    )
    telegram.wait_text(chat, "C'est aujourd'hui : la revue de votre base clients est due (6 mois")
    count = len(telegram.texts(chat))
    running.call(
        sweep(running.application, dt.datetime.combine(due_day, dt.time(10, 0), tzinfo=PARIS))
    )
    assert len(telegram.texts(chat)) == count  # not repeated
    assert count == before + 2, telegram.texts(chat)[before:]
    telegram.text(chat, "/remind off")
    telegram.wait_text(chat, "Rappels de revue désactivés.")
    running.call(
        sweep(
            running.application,
            dt.datetime.combine(due_day + dt.timedelta(days=7), dt.time(9), tzinfo=PARIS),
        )
    )
    telegram.text(chat, "/remind")
    telegram.wait_text(chat, "Rappels de revue désactivés. /remind 24m pour les réactiver.")
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
    telegram.text(chat, "/contracts")
    listed = telegram.wait_text(chat, "Contrats à renouveler dans les 30 jours")
    assert "Dupont (A) — fin le" in listed.text and "Martin" not in listed.text
    morning = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9, 5), tzinfo=PARIS)
    running.call(sweep(running.application, morning))
    announced = [t for t in telegram.texts(chat) if "Contrats à renouveler" in t]
    assert len(announced) == 2
    running.call(sweep(running.application, morning + dt.timedelta(days=1)))
    assert len([t for t in telegram.texts(chat) if "Contrats à renouveler" in t]) == 2
    telegram.text(chat, "/settings contracts_b on")
    telegram.wait_text(chat, "Réglage enregistré")
    telegram.text(chat, "/contracts")
    telegram.wait_for(lambda calls: any("Martin (B)" in t for t in telegram.texts(chat)))
