"""Storage on SQLite and on PostgreSQL (TEST_DATABASE_URL): writes, reads, forgetting, upgrades."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from analysis import persist
from analysis.abc import analyze
from analysis.pipeline import load
from analysis.sample import bundled_sample
from analysis.settings import AnalysisSettings
from bot.storage import NewAnalysis, Storage
from bot.summary import AnalysisSummary

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def storage(storage_url) -> Iterator[Storage]:
    store = Storage(storage_url)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(scope="module")
def sample():
    tx = load(bundled_sample(), "sample_ventes.csv")
    result = analyze(tx, AnalysisSettings())
    table, meta = persist.dump(tx)
    return result, table, meta


def new_analysis(sample, chat: int = 7, **changes) -> NewAnalysis:
    result, table, meta = sample
    values = dict(
        chat_id=chat,
        file_name="sample_ventes.csv",
        criterion="sales",
        cut_a=80.0,
        cut_b=15.0,
        period="all",
        summary=AnalysisSummary(
            clients=31, total=1.0, pareto_client_share=1.0, categories={"A": 31}
        ),
        texts={"fr": "résumé", "en": "summary"},
        clients=result.clients,
        table=table,
        table_meta=meta,
    )
    values.update(changes)
    return NewAnalysis(**values)


def test_an_analysis_round_trips(storage, sample):
    result = sample[0]
    first = storage.save_analysis(new_analysis(sample), NOW)
    latest = storage.latest_analysis(7)
    assert latest is not None and latest.id == first and latest.texts["fr"] == "résumé"
    # SQLite gives the time back without its zone; PostgreSQL with it.
    assert latest.created_at.replace(tzinfo=latest.created_at.tzinfo or dt.UTC) == NOW
    rows, total = storage.top(first, "A", 0, 5)
    assert total == result.category("A").clients
    assert [r.client for r in rows] == result.clients_in("A")["client"].head(5).tolist()
    upload = storage.upload(latest.upload_id)
    assert upload is not None
    assert analyze(persist.load(upload.data, upload.meta), AnalysisSettings()).clients.equals(
        result.clients
    )
    found = storage.find_clients(first, "ELEVAGE")
    assert found and all("Élevage" in r.client or "Elevage" in r.client for r in found)
    assert storage.find_clients(first, "%") == []  # LIKE wildcards are searched literally
    second = storage.save_analysis(
        new_analysis(sample, upload_id=latest.upload_id, table=None, table_meta=None), NOW
    )
    assert storage.previous_analysis(7, second).id == first
    key = rows[0].client_key
    assert storage.category_of(first, key) == "A"
    assert [a.id for a in storage.history(7)] == [second, first]


def test_a_failed_write_leaves_the_previous_analysis_intact(storage, sample):
    first = storage.save_analysis(new_analysis(sample), NOW)
    broken = new_analysis(sample, clients=sample[0].clients.drop(columns=["rank"]))
    with pytest.raises(KeyError):
        storage.save_analysis(broken, NOW)
    assert storage.latest_analysis(7).id == first
    assert len(storage.history(7)) == 1
    with storage.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM uploads")).scalar() == 1


def test_settings_access_and_forgetting(storage, sample):
    assert storage.chat(9).criterion == "sales"
    storage.update_chat(9, NOW, criterion="profit", language="en", timezone="Europe/London")
    assert (storage.chat(9).criterion, storage.chat(9).language) == ("profit", "en")
    storage.allow(555, 1, NOW)
    storage.allow(555, 1, NOW)
    assert storage.runtime_allowed() == {555}
    assert storage.deny(555) and not storage.deny(555)
    storage.save_analysis(new_analysis(sample, chat=9), NOW)
    storage.save_analysis(new_analysis(sample, chat=10), NOW)
    storage.forget(9)
    assert storage.latest_analysis(9) is None and storage.chat(9).language is None
    assert storage.latest_analysis(10) is not None
    with storage.engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(DISTINCT analysis_id) FROM client_results")
            ).scalar()
            == 1
        )


def test_upgrading_a_first_version_database_keeps_its_data(storage_url):
    old = Storage(storage_url)
    old.migrate("0001")
    assert "access_entries" not in inspect(old.engine).get_table_names()
    rows = [
        (
            "INSERT INTO chats (id, language, criterion, cut_a, cut_b, period, created_at)"
            " VALUES (42, 'en', 'profit', 70, 20, '12m', :now)"
        ),
        (
            "INSERT INTO uploads (id, chat_id, created_at, file_name, table_data, table_meta)"
            " VALUES (1, 42, :now, 'old.csv', :data, :meta)"
        ),
        (
            "INSERT INTO analyses (id, chat_id, upload_id, created_at, file_name, criterion, cut_a,"
            " cut_b, period, summary, texts) VALUES (1, 42, 1, :now, 'old.csv', 'profit', 70, 20,"
            " '12m', :summary, :texts)"
        ),
        (
            "INSERT INTO client_results (analysis_id, rank, position, client, client_key, search,"
            " category, value, share) VALUES (1, 1, 0, 'Dupont SA', 'dupont sa', 'dupont sa', 'A',"
            " 100, 1)"
        ),
    ]
    values = {
        "now": NOW,
        "data": b"parquet",
        "meta": "{}",
        "summary": '{"categories": {"A": 3}}',
        "texts": '{"en": "old summary"}',
    }
    with old.engine.begin() as connection:
        for statement in rows:
            names = [k for k in values if f":{k}" in statement]
            connection.execute(text(statement), {k: values[k] for k in names})
    old.close()
    upgraded = Storage(storage_url)
    upgraded.migrate()
    assert upgraded.chat(42).criterion == "profit" and upgraded.chat(42).period.label() == "12m"
    latest = upgraded.latest_analysis(42)
    assert (
        latest is not None
        and latest.texts == {"en": "old summary"}
        and latest.summary.count("A") == 3
    )
    assert [r.client for r in upgraded.top(1, "A", 0, 10)[0]] == ["Dupont SA"]
    upgraded.allow(7, 1, NOW)
    assert upgraded.runtime_allowed() == {7}
    upgraded.close()
