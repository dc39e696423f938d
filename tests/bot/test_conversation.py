"""The bot end to end over real HTTP: uploads, browsing, settings, privacy."""

from __future__ import annotations

import io

import openpyxl
import pytest

from .conftest import ADMIN, STRANGER
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

SUMMARY = "de vos clients apportent"


def upload_and_wait(
    api: FakeTelegram, chat: int, data: bytes, name: str, caption: str | None = None
) -> int:
    """Upload a file and wait until the bot says it is done (✅ or ❌); returns the upload's mark."""
    sent = api.document(chat, data, name, caption=caption)
    api.wait_for(
        lambda calls: any(t.startswith(("✅", "❌")) for t in api.texts(chat, since=sent)), 90
    )
    return sent


@pytest.mark.parametrize(
    ("chat", "maker", "name"),
    [
        (101, "csv", "ventes.csv"),
        (102, "xlsx", "ventes.xlsx"),
        (103, "xls", "ventes.xls"),
        (104, "ods", "ventes.ods"),
        (105, "txt", "export.txt"),
    ],
)
def test_upload_in_each_format(telegram, running, files, sales_rows, chat, maker, name):
    import datetime as dt

    if maker == "xls":
        rows = [sales_rows[0]] + [
            [r[0], dt.date(2025, 1, 15), r[2], float(r[3]), r[4]] for r in sales_rows[1:]
        ]
        data = files.xls({"Ventes": rows})
    elif maker == "txt":
        data = files.csv(sales_rows, delimiter="\t", encoding="utf-16")
    elif maker == "csv":
        data = files.csv(sales_rows)
    else:
        data = getattr(files, maker)({"Ventes": sales_rows})
    sent = upload_and_wait(telegram, chat, data, name)
    texts = telegram.texts(chat, since=sent)
    summary = next(t for t in texts if SUMMARY in t)
    assert "A — clients clés : 1 client (16,7\u00a0%)" in summary
    assert "B — potentiel : 2 clients (33,3\u00a0%)" in summary
    assert "D — sans apport : 1 client" in summary
    album = telegram.calls_to(chat, "sendMediaGroup")
    assert len(album) == 1 and len(album[0].params["media"]) == 3
    assert all(len(content) > 10_000 for content in album[0].files.values())
    document = telegram.calls_to(chat, "sendDocument")[-1]
    ((xlsx_name, xlsx),) = document.files.items()
    assert xlsx_name == name.rsplit(".", 1)[0] + "-abc.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    categories = {row[1]: row[2] for row in book["Clients"].iter_rows(min_row=2, values_only=True)}
    assert categories == {
        "Alpha": "A",
        "Beta": "B",
        "Gamma": "B",
        "Delta": "C",
        "Epsilon": "C",
        "Zeta": "D",
    }
    assert texts[-1] == f"✅ Analyse terminée : {name}."
    keyboard = next(c for c in telegram.calls_to(chat, "sendMessage") if SUMMARY in c.text).params[
        "reply_markup"
    ]
    assert [b["callback_data"] for row in keyboard["inline_keyboard"] for b in row] == [
        "top:A:0",
        "top:B:0",
        "top:C:0",
        "top:D:0",
        "export:pdf",
        "settings",
    ]


def test_top_lists_clients_in_order_and_pages(telegram, running, files):
    chat = 110
    rows = [["Client", "Montant"]] + [[f"Client {i:02d}", str(1000 - i)] for i in range(30)]
    upload_and_wait(telegram, chat, files.csv(rows), "c.csv")
    sent = telegram.text(chat, "/top A 5")
    call = telegram.wait_text(chat, "A — clients clés ·", since=sent)
    lines = call.text.split("\n")
    assert lines[1].startswith("1. Client 00 — 1\u202f000\u00a0€")
    assert [line.split(" — ")[0] for line in lines[1:]] == [
        f"{i + 1}. Client {i:02d}" for i in range(5)
    ]
    buttons = call.params["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["callback_data"] == "top:A:5:5"
    sent = telegram.press(chat, "top:A:5:5")
    edited = telegram.wait_text(chat, "A — clients clés ·", since=sent, method="editMessageText")
    # The page after: the next five, in order, with a button back and a button on.
    assert [line.split(" — ")[0] for line in edited.text.split("\n")[1:]] == [
        f"{i + 1}. Client {i:02d}" for i in range(5, 10)
    ]
    pages = edited.params["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in pages] == ["top:A:0:5", "top:A:10:5"]
    sent = telegram.press(chat, "top:D:0")
    telegram.wait_text(chat, "Aucun client en D.", since=sent)
    sent = telegram.text(chat, "/top Z")
    telegram.wait_text(chat, "Utilisez /top A", since=sent)


def test_client_search_history_and_settings_rerun(telegram, running, files, sales_rows):
    chat = 120
    upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv")
    sent = telegram.text(chat, "/client alpha")
    card = telegram.wait_text(chat, "Catégorie A · rang 1", since=sent)
    assert card.text.startswith("Alpha\n")
    sent = telegram.press(chat, "set:cut:50:30")
    telegram.wait_text(chat, "Nouvelle analyse du dernier fichier", since=sent)
    telegram.wait_text(chat, SUMMARY, since=sent)
    sent = telegram.text(chat, "/client ALPHA")
    telegram.wait_text(chat, "À l'analyse précédente : catégorie A.", since=sent)
    sent = telegram.text(chat, "/client e")
    pick = telegram.wait_text(chat, "Plusieurs clients correspondent", since=sent)
    choices = [b[0]["text"] for b in pick.params["reply_markup"]["inline_keyboard"]]
    assert choices == ["Beta", "Delta", "Epsilon", "Zeta"]
    sent = telegram.text(chat, "/settings criterion profit")
    telegram.wait_text(chat, "Analyse par bénéfice demandée", since=sent)
    sent = telegram.text(chat, "/history")
    history = telegram.wait_text(chat, "Analyses de cette conversation", since=sent)
    # One upload, one line, with the figures of its last analysis (the 50/30 re-run: Beta
    # stands at exactly 80 % before it, so it is C).
    assert history.text.count("v.csv") == 1
    assert "A 1 · B 0 · C 4 · D 1" in history.text


def test_summary_export_and_pdf_button(telegram, running, files, sales_rows):
    chat = 125
    upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv")
    sent = telegram.text(chat, "/summary")
    summary = telegram.wait_text(chat, SUMMARY, since=sent)
    assert summary.params["reply_markup"]["inline_keyboard"]
    sent = telegram.press(chat, "export:pdf")
    telegram.wait_for(
        lambda calls: any(
            name == "v-abc.pdf"
            for c in telegram.calls_to(chat, "sendDocument", since=sent)
            for name in c.files
        )
    )
    sent = telegram.text(chat, "/export xlsx")
    telegram.wait_for(
        lambda calls: any(
            name == "v-abc.xlsx"
            for c in telegram.calls_to(chat, "sendDocument", since=sent)
            for name in c.files
        )
    )
    sent = telegram.text(chat, "/export doc")
    telegram.wait_text(chat, "Utilisez /export xlsx ou /export pdf.", since=sent)


def test_forget_deletes_everything_after_confirmation(telegram, running, files, sales_rows):
    chat = 130
    upload_and_wait(telegram, chat, files.csv(sales_rows), "v.csv")
    sent = telegram.text(chat, "/forget")
    telegram.wait_text(chat, "Tout effacer pour cette conversation", since=sent)
    sent = telegram.press(chat, "forget:no")
    telegram.wait_text(chat, "Rien n'a été effacé.", since=sent)
    sent = telegram.press(chat, "forget:yes")
    telegram.wait_text(chat, "tout ce qui concernait cette conversation a été effacé", since=sent)
    sent = telegram.text(chat, "/summary")
    telegram.wait_text(chat, "Aucune analyse pour l'instant", since=sent)


def test_bad_files_each_get_their_message_and_the_bot_keeps_serving(
    telegram, running, files, sales_rows
):
    chat = 140
    cases = [
        (b"", "vide.csv", "Le fichier est vide"),
        (
            files.csv([["Produit", "Prix"], ["Vis", "1"]]),
            "p.csv",
            "Aucune colonne client trouvée parmi : «Produit», «Prix»",
        ),
        (b"%PDF-1.4 garbage", "x.xlsx", "Ce fichier (PDF) n'est pas un tableau lisible"),
        (b"<html><table></table></html>", "export.xls", "est en réalité une page web"),
        (
            files.csv([["Client", "Montant"], ["A", "0"]]),
            "z.csv",
            "Aucun client n'a de total positif",
        ),
    ]
    for data, name, message in cases:
        sent = upload_and_wait(telegram, chat, data, name)
        telegram.wait_text(chat, message, since=sent)
    sent = telegram.document(chat, b"x", "notes.docx")
    telegram.wait_text(chat, "Ce fichier (.docx) n'est pas un tableau lisible", since=sent)
    sent = upload_and_wait(telegram, chat, files.csv(sales_rows), "ok.csv")
    assert any(SUMMARY in t for t in telegram.texts(chat, since=sent))


def test_file_over_the_limit_is_refused_before_download(telegram, running):
    chat = 150
    before = len([c for c in telegram.calls if c.method == "getFile"])
    sent = telegram.document(chat, b"Client;Montant\nA;1\n", "huge.csv", file_size=25_000_000)
    reply = telegram.wait_text(chat, "au-delà de la limite de 20 Mo", since=sent)
    assert "serveur Bot API local" in reply.text
    assert len([c for c in telegram.calls if c.method == "getFile"]) == before


def test_start_help_and_sample(telegram, running):
    chat = 160
    sent = telegram.text(chat, "/start", language="en")
    welcome = telegram.wait_text(chat, "Send me your sales export", since=sent)
    assert welcome.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sample"
    sent = telegram.press(chat, "sample", language="en")
    telegram.wait_for(
        lambda calls: any(
            "sample_ventes.csv" in c.files
            for c in telegram.calls_to(chat, "sendDocument", since=sent)
        )
    )
    telegram.wait_text(chat, "of your clients bring", since=sent, timeout=90)
    sent = telegram.text(chat, "/help", language="en")
    telegram.wait_text(chat, "/top A [N]", since=sent)


def test_commands_are_registered_in_both_languages(telegram, running):
    registered = [c for c in telegram.calls if c.method == "setMyCommands"]
    languages = {c.params.get("language_code") for c in registered}
    assert {"fr", "en", None} <= languages
    french = next(c for c in registered if c.params.get("language_code") == "fr")
    assert {"command": "top", "description": "Clients d'une catégorie : /top A"} in french.params[
        "commands"
    ]


def test_strangers_are_refused_with_their_id_and_nothing_else(telegram, running, files, sales_rows):
    sent = telegram.text(STRANGER, "/start")
    telegram.wait_text(STRANGER, f"Transmettez votre identifiant Telegram {STRANGER}", since=sent)
    telegram.document(STRANGER, files.csv(sales_rows), "v.csv")
    telegram.text(STRANGER, "/top A")
    telegram.wait_for(lambda calls: len(telegram.calls_to(STRANGER)) >= 3)
    assert all("identifiant Telegram" in c.text for c in telegram.calls_to(STRANGER))
    assert not any(
        c.method == "getFile" and c.params["file_id"] == f"file{len(telegram.files)}"
        for c in telegram.calls
    )


def test_admin_allows_and_denies_at_runtime(telegram, running):
    guest = 555
    sent = telegram.text(ADMIN, f"/allow {guest}")
    telegram.wait_text(ADMIN, f"{guest} est autorisé.", since=sent)
    sent = telegram.text(guest, "/help")
    telegram.wait_text(guest, "Commandes :", since=sent)
    sent = telegram.text(ADMIN, f"/deny {guest}")
    telegram.wait_text(ADMIN, f"{guest} n'est plus autorisé.", since=sent)
    sent = telegram.text(ADMIN, "/deny 101")
    telegram.wait_text(ADMIN, "101 est autorisé par la configuration", since=sent)
    sent = telegram.text(101, "/allow 7")
    telegram.wait_text(101, "Réservé aux administrateurs.", since=sent)
    sent = telegram.text(guest, "/help")
    refusal = telegram.wait_text(guest, f"identifiant Telegram {guest}", since=sent)
    assert "Commandes" not in refusal.text
