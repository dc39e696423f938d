"""Control characters in names (NUL, BEL, ESC, NEL...) are stripped when a file is read, so the
names merge with their clean spellings and store on every backend (PostgreSQL refuses NUL)."""

from __future__ import annotations

import datetime as dt
import re

from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings
from bot import work
from bot.flows.analyses import analysis_record
from bot.storage import Storage
from tests.bot.conftest import storage_url  # noqa: F401  (the SQLite / PostgreSQL fixture)

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def hostile_csv() -> bytes:
    """Honest rows first: a NUL in the first 4 KB makes the file binary, which it is not here."""
    header = "Client;Montant HT;Secteur;Commercial;Note\n"
    padding = "".join(f"Client {i:04d};{i % 7 + 1};Santé;Marie;ok\n" for i in range(250))
    hostile = (
        "Al\x00pha;8000;B\x07TP;J\x1bean;n\x00o\n"
        "Alpha;2000;BTP;Jean;vu\n"
        "\x1bBeta\x85;900;Sant\x00é;Mar\x9bie;tab\there\n"
        "Gam\x07ma;500;Santé;Marie;line\nbreak\n"
        "Gamma;100;Santé;Marie;ok\n"
    )
    return (header + padding + hostile).encode()


def test_a_stray_nul_at_the_top_of_a_text_export_is_read_not_refused_as_binary():
    tx = load(b"Client;Montant\nAcme\x00Corp;100\nBeta SA;200\nGamma SA;50\n", "nul.csv")
    assert sorted(tx.frame["client"].astype(str)) == ["AcmeCorp", "Beta SA", "Gamma SA"]


def test_control_characters_are_stripped_and_spellings_merge():
    tx = load(hostile_csv(), "ventes.csv")
    frame = tx.frame
    for column in ("client", "client_key", "segment", "manager", "Note"):
        texts = frame[column].astype(str)
        assert not texts.str.contains(CONTROL).any(), column
    clients = set(frame["client"].astype(str))
    assert {"Alpha", "Beta", "Gamma"} <= clients
    assert not any("pha" in name and name != "Alpha" for name in clients)
    alpha = frame[frame["client"] == "Alpha"]
    assert alpha["sales"].sum() == 10_000  # "Al\x00pha" and "Alpha" are one client
    assert set(frame["segment"].astype(str)) == {"BTP", "Santé"}
    assert set(frame["manager"].astype(str)) == {"Jean", "Marie"}
    result = run(hostile_csv(), "ventes.csv", AnalysisSettings())
    assert result.clients["client"].astype(str).str.contains(CONTROL).sum() == 0
    assert result.clients["client"].astype(str).tolist()[0] == "Alpha"


def test_names_with_control_characters_are_stored_on_every_backend(storage_url):  # noqa: F811
    storage = Storage(storage_url)
    storage.migrate()
    try:
        job = work.Job(AnalysisSettings(), "fr", NOW.date())
        outcome = work.analyse_file(hostile_csv(), "ventes.csv", job, 10_000_000)
        record = analysis_record(5, "ventes.csv", job, outcome, None)
        analysis_id = storage.analyses.save(record, NOW)
        rows, _ = storage.analyses.top(analysis_id, "A", 0, 5)
        assert rows[0].client == "Alpha"
        found = storage.analyses.find(analysis_id, "gamma")
        assert [row.client for row in found] == ["Gamma"]
        latest = storage.analyses.latest(5)
        assert latest is not None and not CONTROL.search(latest.texts["fr"].replace("\n", ""))
    finally:
        storage.close()
