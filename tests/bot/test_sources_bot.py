"""/source through the real bot: choose, run, schedule; failures retried hourly, three times."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.jobs import sweep

from .conftest import RunningBot, make_config
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT, OTHER = 180, 181


@pytest.fixture
def bot_with_sources(tmp_path, files, sales_rows):
    export = tmp_path / "export.csv"
    export.write_bytes(files.csv(sales_rows))
    database = tmp_path / "erp.sqlite3"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE ventes (nom TEXT, montant REAL, jour DATE)"))
        connection.execute(
            sa.text(
                "INSERT INTO ventes VALUES ('Alpha', 800, '2025-01-01'), ('Beta', 150, '2025-01-02'), ('Gamma', 50, '2025-01-03')"
            )
        )
    (tmp_path / "sources.toml").write_text(
        f'allowed_dirs = ["{tmp_path}"]\n'
        f'[sources.fichier]\nkind = "file"\nlabel = "Export partagé"\npath = "{export}"\nchats = [{CHAT}]\n'
        f'[sources.erp]\nkind = "database"\nlabel = "ERP"\ndatabase = "sqlite:///{database}"\ntable = "ventes"\n'
        f'chats = [{CHAT}]\ncolumns = {{ client = "nom", sales = "montant", date = "jour" }}\n'
    )
    api = FakeTelegram().start()
    config = make_config(api, tmp_path / "bot.sqlite3", sources_file=tmp_path / "sources.toml")
    bot = RunningBot(config, api).start()
    yield api, bot, export, engine
    bot.stop()
    api.stop()
    engine.dispose()


def test_sources_are_chosen_run_compared_and_scheduled(bot_with_sources):
    api, bot, _, engine = bot_with_sources
    sent = api.text(OTHER, "/source")
    api.wait_text(OTHER, "Aucune source configurée pour cette conversation", since=sent)
    sent = api.text(CHAT, "/source")
    listing = api.wait_text(CHAT, "Sources de données de cette conversation", since=sent)
    assert (
        "fichier — Export partagé (fichier)" in listing.text
        and "erp — ERP (base de données)" in listing.text
    )
    sent = api.press(CHAT, "source:erp")
    api.wait_text(CHAT, "Source choisie : erp. Pas d'analyse automatique", since=sent)
    sent = api.text(CHAT, "/source run")
    api.wait_text(CHAT, "⏳ Lecture de la source ERP…", since=sent)
    first = api.wait_text(CHAT, "de vos clients apportent", since=sent)
    assert "Fichier : ERP" in first.text
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO ventes VALUES ('Delta', 5000, '2025-01-04')"))
    sent = api.text(CHAT, "/source run")
    changes = api.wait_text(CHAT, "Depuis la dernière analyse", since=sent)
    assert "Entrés en A : Delta" in changes.text and "Sortis de A : Alpha" in changes.text
    sent = api.text(CHAT, "/source every 7d")
    schedule = api.wait_text(CHAT, "Analyse automatique tous les 7 jours, prochaine le", since=sent)
    assert "à 09:00" in schedule.text
    storage = bot.application.bot_data["services"].storage
    due = storage.chats.get(CHAT).source_next_at
    assert due is not None
    swept = api.mark()
    bot.call(sweep(bot.application, due))
    api.wait_text(CHAT, "⏳ Lecture de la source ERP…", since=swept)
    assert storage.chats.get(CHAT).source_next_at == due + dt.timedelta(days=7)


def test_a_failing_source_is_retried_hourly_then_waits_for_the_next_run(bot_with_sources):
    api, bot, export, _ = bot_with_sources
    sent = api.text(CHAT, "/source fichier")
    api.wait_text(CHAT, "Source choisie : fichier", since=sent)
    sent = api.text(CHAT, "/source every 1m")
    api.wait_text(CHAT, "Analyse automatique chaque mois", since=sent)
    storage = bot.application.bot_data["services"].storage
    scheduled = storage.chats.get(CHAT).source_next_at
    export.unlink()
    now = scheduled
    for attempt in range(1, 4):
        swept = api.mark()
        bot.call(sweep(bot.application, now))
        api.wait_text(CHAT, "Nouvel essai dans une heure", since=swept)
        assert len([t for t in api.texts(CHAT) if "Nouvel essai" in t]) == attempt
        assert storage.chats.get(CHAT).source_next_at == now + dt.timedelta(hours=1)
        now += dt.timedelta(hours=1)
    retries = [t for t in api.texts(CHAT) if "Nouvel essai" in t]
    # The cause in French, without the server's path (a source's address can hold secrets).
    assert "le fichier n'existe pas sur le serveur" in retries[0]
    assert str(export.parent) not in retries[0]
    swept = api.mark()
    bot.call(sweep(bot.application, now))
    final = api.wait_text(CHAT, "n'a toujours pas pu être lue", since=swept)
    assert "prochain passage prévu le" in final.text
    following = storage.chats.get(CHAT).source_next_at
    assert following is not None and following > now + dt.timedelta(days=20)
    assert storage.analyses.latest(CHAT) is None  # nothing half-written


def test_an_unexpected_failure_of_a_scheduled_run_keeps_the_schedule(bot_with_sources):
    """Telegram refusing the album mid-run is no source's fault: the slot is already claimed, so
    the run is planned again an hour later instead of the schedule stopping for good."""
    from .fake_api import Fault

    api, bot, _, _ = bot_with_sources
    sent = api.text(CHAT, "/source fichier")
    api.wait_text(CHAT, "Source choisie : fichier", since=sent)
    sent = api.text(CHAT, "/source every 7d")
    api.wait_text(CHAT, "Analyse automatique tous les 7 jours", since=sent)
    storage = bot.application.bot_data["services"].storage
    due = storage.chats.get(CHAT).source_next_at
    api.faults.append(Fault("sendMediaGroup", "400", description="Bad Request: wrong file"))
    swept = api.mark()
    bot.call(sweep(bot.application, due))
    ended = api.wait_text(CHAT, "❌", since=swept, method="editMessageText")
    assert "Désolé" in ended.text
    assert storage.chats.get(CHAT).source_next_at == due + dt.timedelta(hours=1)
