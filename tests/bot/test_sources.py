"""Configured sources: files, URLs and databases, with the aggregation pushed down."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from analysis.abc import analyze
from analysis.errors import InputError
from analysis.period import parse_period
from analysis.settings import AnalysisSettings, Limits
from bot.flows.sources import failure_reason
from bot.sources import Source, SourceError, aggregate, fetch, load_sources, next_run
from reports.messages import Messages

from ..conftest import EXPECTED

POSTGRES = os.environ.get("TEST_DATABASE_URL")
SALES = [
    ("Dupont", 400.0, dt.date(2025, 3, 1)),
    ("Dupont", 300.0, dt.date(2025, 3, 2)),
    ("DUPONT ", 100.0, dt.date(2025, 6, 1)),  # the same client, typed differently
    ("dupont", 50.0, dt.date(2025, 6, 1)),
    ("Martin", 900.0, dt.date(2023, 1, 1)),  # nothing in the last 12 months: D, with 0
    ("Lefèvre", 150.0, dt.date(2025, 5, 5)),
    ("Lefèvre", -30.0, dt.date(2025, 5, 6)),
    ("Zoé", 40.0, dt.date(2025, 4, 4)),
]


def categories(tx, period: str = "all") -> dict[str, tuple[str, float]]:
    result = analyze(tx, AnalysisSettings(period=parse_period(period)))
    return {
        row["client"]: (row["category"], row["value"]) for row in result.clients.to_dict("records")
    }


def database_source(url: str, **changes) -> Source:
    values = dict(
        name="erp",
        kind="database",
        chats=frozenset({1}),
        database=url,
        table="ventes",
        columns={"client": "nom", "sales": "montant", "date": "jour"},
    )
    values.update(changes)
    return Source(**values)


def make_table(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE ventes (nom VARCHAR(50), montant NUMERIC(12,2), jour DATE)")
        )
        connection.execute(
            sa.text("INSERT INTO ventes VALUES (:n, :m, :j)"),
            [{"n": n, "m": m, "j": j} for n, m, j in SALES],
        )


def test_sources_file_is_checked(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text(
        '[sources.erp]\nkind = "database"\nlabel = "ERP"\ndatabase = "sqlite:///x.db"\ntable = "ventes"\n'
        'chats = [1, -100]\ncolumns = { client = "nom", sales = "montant" }\n'
        '[sources.drive]\nkind = "url"\nurl = "https://example.invalid/export.csv"\nchats = [1]\n'
    )
    sources = load_sources(config)
    assert sources["erp"].chats == {1, -100} and sources["erp"].title == "ERP"
    assert sources["drive"].kind == "url"
    for body, message in [
        ('[sources.a]\nkind = "ftp"\n', "kind must be one of"),
        ('[sources.a]\nkind = "file"\n', "missing path"),
        (
            '[sources.a]\nkind = "database"\ndatabase = "sqlite://"\ncolumns = { client = "c", sales = "s" }\n',
            "missing table or query",
        ),
        (
            '[sources.a]\nkind = "database"\ndatabase = "sqlite://"\ntable = "t"\ncolumns = { client = "c" }\n',
            "a client and a sales or profit column",
        ),
        ("not toml [", "sources.toml"),
    ]:
        config.write_text(body)
        with pytest.raises(SourceError, match=message):
            load_sources(config)


def test_a_file_on_the_server(tmp_path, files, sales_rows):
    path = tmp_path / "export.csv"
    path.write_bytes(files.csv(sales_rows))
    allowed = (tmp_path.resolve(),)
    tx = fetch(
        Source("f", "file", frozenset(), path=path, allowed_dirs=allowed), parse_period("all")
    )
    assert {k: v[0] for k, v in categories(tx).items()} == EXPECTED
    with pytest.raises(SourceError, match=r"export-missing\.csv") as missing:
        fetch(
            Source(
                "f", "file", frozenset(), path=tmp_path / "export-missing.csv", allowed_dirs=allowed
            ),
            parse_period("all"),
        )
    assert missing.value.code == "file_missing"


def test_a_url_served_on_this_machine(files, sales_rows):
    body = files.csv(sales_rows)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/export.csv":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        tx = fetch(Source("u", "url", frozenset(), url=f"{base}/export.csv"), parse_period("all"))
        assert {k: v[0] for k, v in categories(tx).items()} == EXPECTED
        with pytest.raises(SourceError, match="404") as gone:
            fetch(Source("u", "url", frozenset(), url=f"{base}/gone.csv"), parse_period("all"))
        assert (gone.value.code, gone.value.params) == ("url_status", {"status": 404})
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.sqlite3'}")
        yield engine
        engine.dispose()
        return
    if not POSTGRES:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL source tests need a server")
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES else "?"
    engine = sa.create_engine(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_database_aggregation_is_pushed_down_with_the_period_inside_the_sums(engine):
    make_table(engine)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    source = database_source(str(engine.url.render_as_string(hide_password=False)))
    tx = aggregate(source, parse_period("12m"), engine=engine)
    aggregation = statements[-1].upper()
    assert "GROUP BY" in aggregation and "CASE WHEN" in aggregation and "SUM(" in aggregation
    assert "WHERE" not in aggregation
    assert len(tx.frame) == 6  # one row per spelling came back, merged afterwards
    result = categories(tx, "12m")
    assert set(result) == {"Dupont", "Martin", "Lefèvre", "Zoé"}
    assert result["Dupont"] == ("A", 850.0)
    assert result["Martin"] == ("D", 0.0)  # in the base, nothing in the period
    assert result["Lefèvre"][1] == 120.0
    assert tx.applied_period is not None and tx.applied_period.end == dt.date(2025, 6, 1)
    whole = categories(aggregate(source, parse_period("all"), engine=engine))
    assert whole["Martin"] == ("A", 900.0)


def test_a_database_past_the_row_limit_is_refused_with_one_row_more_read(engine):
    make_table(engine)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    source = database_source(str(engine.url.render_as_string(hide_password=False)))
    with pytest.raises(InputError) as refused:
        aggregate(source, parse_period("all"), engine=engine, limits=Limits(max_rows=3))
    assert refused.value.code == "too_many_rows" and refused.value.params["rows"] == 4
    assert "LIMIT" in statements[-1].upper()  # never more than the limit plus one travels


def test_a_query_source_and_a_broken_one(engine):
    make_table(engine)
    url = str(engine.url.render_as_string(hide_password=False))
    query = database_source(
        url, table=None, query="SELECT nom, montant, jour FROM ventes WHERE montant > 0"
    )
    assert categories(aggregate(query, parse_period("all"), engine=engine))["Lefèvre"][1] == 150.0
    with pytest.raises(SourceError, match="erp") as broken:
        aggregate(database_source(url, table="nowhere"), parse_period("all"), engine=engine)
    assert broken.value.code == "database"
    # The chat is told the database refused, not the database's words (they may name hosts).
    assert failure_reason(Messages("en"), broken.value).startswith("the database refused")
    assert "nowhere" not in failure_reason(Messages("en"), broken.value)


def test_an_unreachable_address_is_said_in_the_chats_language():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    source = Source("u", "url", frozenset(), url=f"http://127.0.0.1:{port}/export.csv?token=s3cret")
    with pytest.raises(SourceError) as error:
        fetch(source, parse_period("all"))
    assert pickle.loads(pickle.dumps(error.value)).code == "url_unreachable"
    assert failure_reason(Messages("fr"), error.value) == "le site est injoignable"
    # The operator's log keeps where it failed, without the query that can hold a token.
    assert f"127.0.0.1:{port}/export.csv" in str(error.value) and "s3cret" not in str(error.value)


def test_a_sales_table_of_millions_of_rows_arrives_as_one_row_per_client():
    if not POSTGRES:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL source tests need a server")
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES)
    separator = "&" if "?" in POSTGRES else "?"
    engine = sa.create_engine(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}")
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "CREATE TABLE ventes AS SELECT 'Client ' || (g % 20000) AS nom,"
                    " ((g % 997) + 1)::numeric(12,2) AS montant, DATE '2024-01-01' + (g % 700) AS jour"
                    " FROM generate_series(1, 3000000) AS g"
                )
            )
        rows: list[int] = []
        sa.event.listen(
            engine, "after_cursor_execute", lambda conn, cursor, *rest: rows.append(cursor.rowcount)
        )
        tx = aggregate(
            database_source(str(engine.url.render_as_string(hide_password=False))),
            parse_period("12m"),
            engine=engine,
        )
        assert rows[-1] == 20_000  # what travelled: one row per client, not three million
        assert tx.clients == 20_000
        result = analyze(tx, AnalysisSettings(period=parse_period("12m")))
        assert result.total == pytest.approx(sum(result.clients["value"]))
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_schedules():
    paris = ZoneInfo("Europe/Paris")
    after = dt.datetime(2026, 1, 31, 10, tzinfo=paris)
    assert next_run("1m", after, dt.time(9), "Europe/Paris", 31) == dt.datetime(
        2026, 2, 28, 9, tzinfo=paris
    )
    assert next_run(
        "1m", dt.datetime(2026, 2, 28, 9, tzinfo=paris), dt.time(9), "Europe/Paris", 31
    ) == dt.datetime(2026, 3, 31, 9, tzinfo=paris)
    assert next_run(
        "1m", dt.datetime(2026, 1, 31, 8, tzinfo=paris), dt.time(9), "Europe/Paris", 31
    ) == dt.datetime(2026, 1, 31, 9, tzinfo=paris)
    assert next_run("7d", after, dt.time(9), "Europe/Paris", 31) == dt.datetime(
        2026, 2, 7, 9, tzinfo=paris
    )


def test_sources_are_listed_per_chat(tmp_path):
    from bot.services import Services

    sources = {
        "a": Source("a", "file", frozenset({1}), path=Path("x")),
        "b": Source("b", "file", frozenset({2}), path=Path("y")),
    }
    services = Services(config=None, storage=None, pool=None, sources=sources)  # type: ignore[arg-type]
    assert list(services.sources_for(1)) == ["a"] and services.sources_for(3) == {}
