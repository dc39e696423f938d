"""A contract without an end (31/12/9999 in the file): stored without a date, said "sans
échéance" on the client's card, never announced as ending; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from analysis import persist
from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings
from bot.jobs import sweep
from bot.storage import NewAnalysis, Storage
from bot.summary import AnalysisSummary

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def contract_rows(today: dt.date) -> list[list[str]]:
    """Alpha's last contract has no end, though an earlier row ends within days: Alpha is not
    ending. Beta's ends within days."""
    soon = (today + dt.timedelta(days=12)).strftime("%d/%m/%Y")
    return [
        ["Client", "Montant", "Fin de contrat"],
        ["Alpha", "9000", soon],
        ["Alpha", "1000", "31/12/9999"],
        ["Beta", "8000", soon],
        ["Gamma", "100", ""],
    ]


def test_an_open_ended_contract_is_stored_without_a_date_and_never_due(storage, files):
    today = NOW.date()
    data = files.csv(contract_rows(today))
    result = run(data, "contrats.csv", AnalysisSettings())
    table, meta = persist.dump(load(data, "contrats.csv"))
    analysis = storage.analyses.save(
        NewAnalysis(
            chat_id=7,
            file_name="contrats.csv",
            criterion="sales",
            cut_a=80.0,
            cut_b=15.0,
            period="all",
            summary=AnalysisSummary(clients=3, total=1.0, pareto_client_share=1.0),
            texts={"fr": "résumé"},
            clients=result.clients,
            table=table,
            table_meta=meta,
        ),
        NOW,
    )
    rows = {r.client: r for r in storage.analyses.find(analysis, "a")}
    assert (rows["Alpha"].contract_end, rows["Alpha"].contract_open_ended) == (None, True)
    assert rows["Beta"].contract_end == today + dt.timedelta(days=12)
    assert not rows["Beta"].contract_open_ended and not rows["Gamma"].contract_open_ended
    ends = storage.analyses.contract_ends(
        analysis, ("A", "B", "C", "D"), today, dt.date(9999, 12, 31)
    )
    assert [e.client for e in ends] == ["Beta"]


def test_results_stored_before_the_flag_read_as_dated(storage_url):
    old = Storage(storage_url)
    old.migrate("0003")
    statements = [
        "INSERT INTO chats (id, language, criterion, cut_a, cut_b, period, created_at)"
        " VALUES (42, 'fr', 'sales', 80, 15, 'all', :now)",
        "INSERT INTO uploads (id, chat_id, created_at, file_name, table_data, table_meta)"
        " VALUES (1, 42, :now, 'old.csv', :data, '{}')",
        "INSERT INTO analyses (id, chat_id, upload_id, created_at, file_name, criterion, cut_a,"
        " cut_b, period, summary, texts) VALUES (1, 42, 1, :now, 'old.csv', 'sales', 80, 15,"
        " 'all', '{}', '{}')",
        "INSERT INTO client_results (analysis_id, rank, position, client, client_key, search,"
        " category, value, share, contract_end) VALUES (1, 1, 0, 'Dupont', 'dupont', 'dupont',"
        " 'A', 100, 1, :end)",
    ]
    values = {"now": NOW, "data": b"parquet", "end": dt.date(2027, 1, 31)}
    with old.engine.begin() as connection:
        for statement in statements:
            used = {k: v for k, v in values.items() if f":{k}" in statement}
            connection.execute(text(statement), used)
    old.close()
    upgraded = Storage(storage_url)
    upgraded.migrate()
    (row,) = upgraded.analyses.find(1, "dupont")
    assert (row.contract_end, row.contract_open_ended) == (dt.date(2027, 1, 31), False)
    upgraded.close()


@pytest.mark.e2e
def test_the_card_says_no_end_and_the_contract_is_never_announced(telegram, running, files):
    chat = 191
    today = dt.datetime.now(PARIS).date()
    uploaded = sent = telegram.document(chat, files.csv(contract_rows(today)), "contrats.csv")
    telegram.wait_for(
        lambda calls: any(t.startswith("✅") for t in telegram.texts(chat, since=sent)), 90
    )
    sent = telegram.text(chat, "/client alpha")
    card = telegram.wait_text(chat, "Catégorie", since=sent)
    assert card.text.startswith("Alpha\n") and "Fin de contrat : sans échéance" in card.text
    sent = telegram.text(chat, "/client beta")
    card = telegram.wait_text(chat, "Catégorie", since=sent)
    assert card.text.startswith("Beta\n") and "Fin de contrat : " in card.text
    assert "sans échéance" not in card.text
    sent = telegram.text(chat, "/settings contracts_b on")
    telegram.wait_text(chat, "Réglage enregistré", since=sent)
    sent = telegram.text(chat, "/contracts")
    listed = telegram.wait_text(chat, "Contrats à renouveler", since=sent)
    assert "Beta" in listed.text and "Alpha" not in listed.text
    morning = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9, 5), tzinfo=PARIS)
    running.call(sweep(running.application, morning))
    # The bot's own sweep (every few minutes, on the real clock) may have announced Beta first:
    # either way Beta's end is announced (beside the /contracts listing), and Alpha's never.
    contracts = [t for t in telegram.texts(chat, since=uploaded) if "Contrats à renouveler" in t]
    assert len(contracts) >= 2 and all("Alpha" not in t for t in contracts)
