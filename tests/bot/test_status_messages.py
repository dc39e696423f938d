"""Status messages end with ✅ or ❌ and the reason, through the real bot: a download Telegram
refuses, and /source run done or failed."""

from __future__ import annotations

import pytest

from .conftest import RunningBot, make_config
from .fake_api import FakeTelegram, Fault

pytestmark = pytest.mark.e2e

CHAT = 150


def edits(api: FakeTelegram, chat: int, since: int) -> list[str]:
    return [c.text for c in api.calls_to(chat, "editMessageText", since=since)]


def test_a_failed_download_ends_its_status_with_the_reason(telegram, running, files, sales_rows):
    telegram.faults.append(Fault("getFile", "400", description="Bad Request: file is too big"))
    sent = telegram.document(CHAT, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(CHAT, "⏳ Téléchargement de ventes.csv…", since=sent, method="sendMessage")
    ended = telegram.wait_text(CHAT, "❌ ventes.csv", since=sent, method="editMessageText")
    assert ended.text == (
        "❌ ventes.csv : le fichier n'a pas pu être téléchargé depuis Telegram. "
        "Envoyez-le à nouveau."
    )
    assert not [t for t in telegram.texts(CHAT, since=sent) if "Désolé" in t]
    # The next file goes through as usual.
    sent = telegram.document(CHAT, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(CHAT, "✅ Analyse terminée : ventes.csv.", since=sent)


def test_a_report_telegram_refuses_ends_the_status_with_the_reason(
    telegram, running, files, sales_rows
):
    """After the summary: the Excel file refused for good. The analysis is stored and shown; the
    status message says what went wrong instead of staying at ⏳."""
    chat = CHAT + 1
    telegram.faults.append(Fault("sendDocument", "400", description="Bad Request: file is empty"))
    sent = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    ended = telegram.wait_text(chat, "❌ ventes.csv", since=sent, method="editMessageText")
    assert "Désolé, une erreur inattendue" in ended.text
    assert edits(telegram, chat, sent)[-1] == ended.text  # the last word of the status
    assert any("Analyse ABC" in t for t in telegram.texts(chat, since=sent))  # summary was sent
    sent = telegram.text(chat, "/summary")  # and the analysis was stored
    telegram.wait_text(chat, "Analyse ABC", since=sent)


@pytest.fixture
def bot_with_a_source(tmp_path, files, sales_rows):
    export = tmp_path / "export.csv"
    export.write_bytes(files.csv(sales_rows))
    (tmp_path / "sources.toml").write_text(
        f'allowed_dirs = ["{tmp_path}"]\n'
        f'[sources.fichier]\nkind = "file"\nlabel = "Export partagé"\npath = "{export}"\n'
        f"chats = [{CHAT}]\n"
    )
    api = FakeTelegram().start()
    config = make_config(api, tmp_path / "bot.sqlite3", sources_file=tmp_path / "sources.toml")
    bot = RunningBot(config, api).start()
    yield api, export
    bot.stop()
    api.stop()


def test_source_run_ends_its_status_done_or_failed(bot_with_a_source):
    api, export = bot_with_a_source
    # Something unexpected (Telegram refuses the album): the status says so, once.
    api.faults.append(Fault("sendMediaGroup", "400", description="Bad Request: wrong file"))
    sent = api.text(CHAT, "/source run")
    broken = api.wait_text(CHAT, "❌", since=sent, method="editMessageText")
    assert broken.text.startswith("❌ Export partagé : Désolé, une erreur inattendue")
    assert [t for t in api.texts(CHAT, since=sent) if "Désolé" in t] == [broken.text]
    sent = api.text(CHAT, "/source run")
    api.wait_text(CHAT, "⏳ Lecture de la source Export partagé…", since=sent, method="sendMessage")
    api.wait_text(CHAT, "de vos clients apportent", since=sent)
    done = api.wait_text(CHAT, "✅", since=sent, method="editMessageText")
    assert done.text == "✅ Source Export partagé lue et analysée."
    export.unlink()
    sent = api.text(CHAT, "/source run")
    failed = api.wait_text(CHAT, "❌", since=sent, method="editMessageText")
    assert failed.text.startswith("❌ Export partagé : ")
    assert "le fichier n'existe pas sur le serveur" in failed.text
    assert edits(api, CHAT, sent) == [failed.text]
    # The status carries the reason: no second message says it again.
    assert [t for t in api.texts(CHAT, since=sent) if "❌" in t] == [failed.text]


def test_each_photo_of_the_album_has_a_caption(telegram, running, files, sales_rows):
    chat = 151
    sent = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(chat, "✅ Analyse terminée : ventes.csv.", since=sent)
    [album] = telegram.calls_to(chat, "sendMediaGroup", since=sent)
    captions = [item.get("caption") for item in album.params["media"]]
    assert captions[:2] == [
        "Courbe de Pareto : la part de la valeur apportée par les premiers clients.",
        "Catégories A, B, C, D : part des clients et part de la valeur.",
    ]
    assert all(captions)
