"""Storage on SQLite and on PostgreSQL (TEST_DATABASE_URL): writes, reads, forgetting, upgrades."""

from __future__ import annotations

import asyncio
import datetime as dt

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
    first = storage.analyses.save(new_analysis(sample), NOW)
    latest = storage.analyses.latest(7)
    assert latest is not None and latest.id == first and latest.texts["fr"] == "résumé"
    # SQLite gives the time back without its zone; PostgreSQL with it.
    assert latest.created_at.replace(tzinfo=latest.created_at.tzinfo or dt.UTC) == NOW
    rows, total = storage.analyses.top(first, "A", 0, 5)
    assert total == result.category("A").clients
    assert [r.client for r in rows] == result.clients_in("A")["client"].head(5).tolist()
    upload = storage.analyses.upload(latest.upload_id)
    assert upload is not None
    assert analyze(persist.load(upload.data, upload.meta), AnalysisSettings()).clients.equals(
        result.clients
    )
    found = storage.analyses.find(first, "ELEVAGE")
    assert found and all("Élevage" in r.client or "Elevage" in r.client for r in found)
    assert storage.analyses.find(first, "%") == []  # LIKE wildcards are searched literally
    second = storage.analyses.save(
        new_analysis(sample, upload_id=latest.upload_id, table=None, table_meta=None), NOW
    )
    assert storage.analyses.previous(7, second).id == first
    key = rows[0].client_key
    assert storage.analyses.category_of(first, key) == "A"
    assert [a.id for a in storage.analyses.history(7)] == [second, first]


def test_a_failed_write_leaves_the_previous_analysis_intact(storage, sample):
    first = storage.analyses.save(new_analysis(sample), NOW)
    broken = new_analysis(sample, clients=sample[0].clients.drop(columns=["rank"]))
    with pytest.raises(KeyError):
        storage.analyses.save(broken, NOW)
    assert storage.analyses.latest(7).id == first
    assert len(storage.analyses.history(7)) == 1
    with storage.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM uploads")).scalar() == 1


def test_a_new_chat_is_stored_with_the_analysis_defaults(storage):
    storage.chats.update(11, NOW, language="en")
    with storage.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT criterion, cut_a, cut_b, period FROM chats WHERE id = 11")
        ).one()
    defaults = AnalysisSettings()
    assert tuple(stored) == (
        defaults.criterion.value,
        defaults.thresholds.a,
        defaults.thresholds.b,
        defaults.period.label(),
    )


def test_settings_access_and_forgetting(storage, sample):
    assert storage.chats.get(9).criterion == "sales"
    storage.chats.update(9, NOW, criterion="profit", language="en", timezone="Europe/London")
    assert (storage.chats.get(9).criterion, storage.chats.get(9).language) == ("profit", "en")
    storage.access.allow(555, 1, NOW)
    storage.access.allow(555, 1, NOW)
    assert storage.access.allowed() == {555}
    assert storage.access.deny(555) and not storage.access.deny(555)
    storage.analyses.save(new_analysis(sample, chat=9), NOW)
    storage.analyses.save(new_analysis(sample, chat=10), NOW)
    storage.forget(9)
    assert storage.analyses.latest(9) is None and storage.chats.get(9).language is None
    assert storage.analyses.latest(10) is not None
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
    assert (
        upgraded.chats.get(42).criterion == "profit"
        and upgraded.chats.get(42).period.label() == "12m"
    )
    latest = upgraded.analyses.latest(42)
    assert (
        latest is not None
        and latest.texts == {"en": "old summary"}
        and latest.summary.count("A") == 3
    )
    assert [r.client for r in upgraded.analyses.top(1, "A", 0, 10)[0]] == ["Dupont SA"]
    upgraded.access.allow(7, 1, NOW)
    assert upgraded.access.allowed() == {7}
    upgraded.close()


def test_the_last_analysis_is_read_once_a_save_in_progress_is_done(storage, sample):
    """A button pressed while an upload is being stored shows that upload, not the one before."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.flows.analyses import latest_analysis
    from bot.services import Services

    previous = storage.analyses.save(new_analysis(sample, chat=5), NOW)

    async def scenario() -> None:
        services = Services(config=None, storage=storage, pool=ThreadPoolExecutor(1))
        lock = services.saving(5)
        await lock.acquire()
        reading = asyncio.ensure_future(latest_analysis(services, 5))
        await asyncio.sleep(0.05)
        assert not reading.done()
        new = storage.analyses.save(new_analysis(sample, chat=5, file_name="new.csv"), NOW)
        lock.release()
        read = await reading
        assert read is not None and read.id == new != previous
        await lock.acquire()  # a save in progress in chat 5 does not hold chat 6 up
        assert await asyncio.wait_for(latest_analysis(services, 6), 5) is None

    asyncio.run(scenario())
