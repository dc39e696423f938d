"""The review reminder counts from the chat's last upload or source run (issue 11, item 3), and a
heads-up never announces days that are not left (item 4); through the real bot."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from analysis.period import add_months
from bot.jobs import sweep
from bot.services import Services, utc_now
from reports.formatting import Formatter

from .conftest import RunningBot
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
NEXT = re.compile(r"Prochain rappel : le .+? à \d\d:\d\d")


def upload(api: FakeTelegram, chat: int, data: bytes, name: str) -> None:
    sent = api.document(chat, data, name)
    api.wait_for(lambda calls: any(t.startswith("✅") for t in api.texts(chat, since=sent)), 90)


def next_reminder(api: FakeTelegram, chat: int) -> str:
    sent = api.text(chat, "/remind")
    shown = api.wait_text(chat, "Revue de la base clients", since=sent)
    found = NEXT.search(shown.text)
    assert found, shown.text
    return shown.text


@pytest.fixture
def services(running: RunningBot) -> Iterator[Services]:
    assert running.application is not None
    services: Services = running.application.bot_data["services"]
    yield services
    services.clock = utc_now


def test_settings_and_language_changes_do_not_postpone_the_review(
    telegram, running, services, files, sales_rows
):
    chat = 150
    upload(telegram, chat, files.csv(sales_rows), "ventes d'été.csv")
    sent = telegram.text(chat, "/remind 6m")
    first = telegram.wait_text(chat, "tous les 6 mois", since=sent).text
    today = dt.datetime.now(PARIS).date()
    counted = f"Compté depuis l'analyse de « ventes d'été.csv » du {Formatter('fr').date(today)}"
    # Five months later, the manager changes the cut-offs and the language: re-runs of the same
    # data, which must not move the review.
    services.clock = lambda: utc_now() + dt.timedelta(days=150)
    sent = telegram.text(chat, "/settings cutoffs 70 20")
    telegram.wait_text(chat, "de vos clients apportent", since=sent)
    assert NEXT.search(next_reminder(telegram, chat))[0] == NEXT.search(first)[0]  # type: ignore[index]
    for language, title in (("en", "ABC analysis of the client base"), ("fr", "Analyse ABC")):
        sent = telegram.text(chat, f"/settings language {language}")
        telegram.wait_text(chat, title, since=sent)
    again = next_reminder(telegram, chat)
    assert NEXT.search(again)[0] == NEXT.search(first)[0]  # type: ignore[index]
    assert counted in first and counted in again


def test_a_late_heads_up_tells_the_real_days_or_becomes_the_due_message(
    telegram, running, files, sales_rows
):
    late, on_time = 151, 152
    upload(telegram, late, files.csv(sales_rows), "v.csv")
    upload(telegram, on_time, files.csv(sales_rows), "v.csv")
    sent = telegram.text(late, "/remind 6m")
    telegram.wait_text(late, "tous les 6 mois", since=sent)
    due_day = add_months(dt.datetime.now(PARIS).date(), 6)
    due_text = Formatter("fr").date(due_day)

    def sweep_on(day: dt.date) -> int:
        mark = telegram.mark()
        moment = dt.datetime.combine(day, dt.time(9, 5), tzinfo=PARIS)
        running.call(sweep(running.application, moment))
        return mark

    # The bot was down for the heads-up: the day before, it is the due message, for tomorrow.
    mark = sweep_on(due_day - dt.timedelta(days=1))
    message = telegram.wait_text(late, "la revue de votre base clients", since=mark)
    assert message.text.startswith(f"C'est demain, le {due_text}"), message.text
    assert "Dans 14 jours" not in message.text
    mark = sweep_on(due_day)
    assert telegram.texts(late, since=mark) == []  # it stood for the due day's message
    # Four days before: the four days really left.
    sent = telegram.text(on_time, "/remind 6m")
    telegram.wait_text(on_time, "tous les 6 mois", since=sent)
    mark = sweep_on(due_day - dt.timedelta(days=4))
    message = telegram.wait_text(on_time, "votre base clients", since=mark)
    assert message.text.startswith(f"Dans 4 jours, le {due_text}"), message.text
