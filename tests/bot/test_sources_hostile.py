"""Hostile sources: endless, huge and trickling answers, files outside the allowed directories,
and files whose content must never reach a message (issue 10, items 2 to 4)."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.period import parse_period
from analysis.settings import Limits
from bot.flows.sources import failure_reason
from bot.sources import Source, SourceError, aggregate, fetch, load_sources, without_content
from reports.messages import Messages

SECRET = "s3cr3t-T0KEN-4242"
ALL = parse_period("all")
MB = 1_000_000


def reasons(error: SourceError | InputError) -> str:
    """What the chat would be told, in every language, as the bot words it."""
    return " | ".join(failure_reason(Messages(language), error) for language in ("fr", "en"))


class Served:
    """A loopback HTTP server whose handler is `answer(handler)`; counts the body bytes sent."""

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler, Served], None]) -> None:
        served = self
        self.sent = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self, served)  # the client may hang up early, as it should

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def write(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        self.sent += len(data)


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    servers: list[Served] = []

    def start(answer: Callable[[BaseHTTPRequestHandler, Served], None]) -> Served:
        served = Served(answer)
        threading.Thread(target=served.server.serve_forever, daemon=True).start()
        servers.append(served)
        return served

    yield start
    for served in servers:
        served.server.shutdown()
        served.server.server_close()


def url_source(url: str) -> Source:
    return Source("site", "url", frozenset({1}), url=url)


def stream_forever(handler: BaseHTTPRequestHandler, served: Served, limit: int = 32 * MB) -> None:
    """A body with no length that goes on (bounded here, for the test's sake)."""
    chunk = b"Client;Montant\n" + b"Alpha;1\n" * 8190
    while served.sent < limit:
        served.write(handler, chunk)


def test_an_endless_answer_stops_at_the_size_limit(serve):
    def answer(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(200)
        handler.end_headers()
        stream_forever(handler, served)

    served = serve(answer)
    with pytest.raises(SourceError) as error:
        fetch(url_source(f"{served.url}/export.csv"), ALL, Limits(max_bytes=MB))
    assert (error.value.code, error.value.params) == ("url_too_large", {"limit_mb": 1})
    assert "the site's answer is over the 1 MB limit" in reasons(error.value)
    assert served.sent < 16 * MB  # the download stopped near the cap, not at the server's end


def test_an_announced_huge_answer_is_refused_before_its_body(serve):
    def answer(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10**12))
        handler.end_headers()
        served.write(handler, b"Client;Montant\n")
        time.sleep(3)  # then nothing: only the announced length can tell

    served = serve(answer)
    started = time.monotonic()
    with pytest.raises(SourceError) as error:
        fetch(url_source(f"{served.url}/export.csv"), ALL, Limits(max_bytes=MB))
    assert error.value.code == "url_too_large"
    assert time.monotonic() - started < 2


def test_a_redirects_body_is_never_read(serve, files, sales_rows):
    body = files.csv(sales_rows)

    def answer(handler: BaseHTTPRequestHandler, served: Served) -> None:
        if handler.path == "/export.csv":
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.send_response(302)
        handler.send_header("Location", "/export.csv")
        handler.end_headers()
        stream_forever(handler, served)

    served = serve(answer)
    tx = fetch(url_source(f"{served.url}/moved"), ALL, Limits(max_bytes=MB))
    assert tx.clients == 6
    assert served.sent < 16 * MB  # httpx alone would read the whole redirect body first


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_trickling_site_meets_the_whole_downloads_deadline(serve, where):
    def answer(handler: BaseHTTPRequestHandler, served: Served) -> None:
        if where == "body":
            handler.send_response(200)
            handler.end_headers()
        else:
            served.write(handler, b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):  # one byte every 50 ms: each read is quick, the whole is not
            served.write(handler, b"X")
            time.sleep(0.05)

    served = serve(answer)
    started = time.monotonic()
    with pytest.raises(SourceError) as error:
        fetch(url_source(f"{served.url}/export.csv"), ALL, deadline_s=0.6)
    assert error.value.code == "url_timeout"
    assert time.monotonic() - started < 2.5
    assert reasons(error.value).startswith("le site n'a pas répondu à temps")
    # The abandoned download stops too, at its next read.
    until = time.monotonic() + 2
    while downloading() and time.monotonic() < until:
        time.sleep(0.05)
    assert not downloading()


def downloading() -> bool:
    return any(thread.name == "source-download" for thread in threading.enumerate())


@pytest.fixture
def exports(tmp_path, files, sales_rows) -> Path:
    """An allowed directory with a good export, and a secret outside it (like /etc/shadow)."""
    allowed = tmp_path / "exports"
    allowed.mkdir()
    (allowed / "ventes.csv").write_bytes(files.csv(sales_rows))
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "shadow").write_text(f"root:{SECRET}:20228:0:99999:7:::\n")
    (outside / ".env").write_text(f"TELEGRAM_BOT_TOKEN=123456:{SECRET}\n")
    return allowed


def sources_file(tmp_path: Path, allowed: str, files: dict[str, Path]) -> Path:
    config = tmp_path / "sources.toml"
    lines = [allowed]
    for name, path in files.items():
        lines += [f"[sources.{name}]", 'kind = "file"', f'path = "{path}"', "chats = [1]"]
    lines += ["[sources.site]", 'kind = "url"', 'url = "http://127.0.0.1:9/x.csv"', "chats = [1]"]
    config.write_text("\n".join(lines) + "\n")
    return config


def test_file_sources_outside_the_allowed_dirs_are_refused_at_loading(tmp_path, exports, caplog):
    (exports / "link.csv").symlink_to(tmp_path / "etc" / ".env")
    candidates = {
        "good": exports / "ventes.csv",
        "shadow": tmp_path / "etc" / "shadow",
        "link": exports / "link.csv",  # inside, pointing outside
        "dotdot": exports / ".." / "etc" / "shadow",
        "prefix": Path(f"{exports}-old") / "ventes.csv",  # a sibling sharing the prefix
    }
    allowed = f'allowed_dirs = ["{exports}"]'
    with caplog.at_level(logging.WARNING):
        loaded = load_sources(sources_file(tmp_path, allowed, candidates))
    assert set(loaded) == {"good", "site"}
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 4
    assert all(name in " ".join(refused) for name in ("shadow", "link", "dotdot", "prefix"))
    assert SECRET not in caplog.text
    assert fetch(loaded["good"], ALL).clients == 6

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        loaded = load_sources(sources_file(tmp_path, "", {"good": exports / "ventes.csv"}))
    assert set(loaded) == {"site"}  # no allowed_dirs: no file source at all
    assert "Source good refused" in caplog.text and "allowed_dirs" in caplog.text

    for wrong in ('allowed_dirs = "/srv"', "allowed_dirs = [1]", 'allowed_dirs = [""]'):
        with pytest.raises(SourceError, match="allowed_dirs"):
            load_sources(sources_file(tmp_path, wrong, {}))


def test_a_symlink_turned_outside_after_loading_is_refused_when_read(tmp_path, exports):
    link = exports / "current.csv"
    link.symlink_to(exports / "ventes.csv")
    config = sources_file(tmp_path, f'allowed_dirs = ["{exports}"]', {"current": link})
    source = load_sources(config)["current"]
    assert fetch(source, ALL).clients == 6
    link.unlink()
    link.symlink_to(tmp_path / "etc" / "shadow")
    with pytest.raises(SourceError) as error:
        fetch(source, ALL)
    assert error.value.code == "file_outside"
    assert SECRET not in reasons(error.value) and SECRET not in str(error.value)
    assert "hors des dossiers" in reasons(error.value)
    # A source built without allowed directories is never read.
    with pytest.raises(SourceError, match="outside allowed_dirs"):
        fetch(Source("bare", "file", frozenset(), path=exports / "ventes.csv"), ALL)


def test_a_file_source_reads_a_regular_file_and_no_more_than_the_limit(exports):
    def source(path: Path) -> Source:
        return Source("f", "file", frozenset(), path=path, allowed_dirs=(exports.resolve(),))

    sparse = exports / "huge.csv"
    with sparse.open("wb") as file:
        file.truncate(64 * MB)  # sparse: nothing on disk, 64 MB when read
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as too_big:
            fetch(source(sparse), ALL, Limits(max_bytes=MB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert too_big.value.code == "file_too_large" and too_big.value.params["size_mb"] == 64
    assert peak < 8 * MB

    pipe = exports / "pipe.csv"
    os.mkfifo(pipe)
    outcome: list[SourceError] = []

    def read() -> None:
        try:
            fetch(source(pipe), ALL)
        except SourceError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(3)
    if reader.is_alive():  # release the reader stuck in open(): a writer comes and goes
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(3)
        pytest.fail("a named pipe blocked the read")
    assert [error.code for error in outcome] == ["file_unreadable"]


def sheet_workbook(files) -> bytes:
    return files.xlsx({f"Feuille {SECRET}": [["Client", "Montant"], ["Alpha", 10]]})


@pytest.mark.parametrize(
    ("name", "content", "changes", "code"),
    [
        ("env.csv", lambda files: f"TELEGRAM_BOT_TOKEN=123456:{SECRET}\n".encode(), {}, None),
        ("shadow", lambda files: f"root:{SECRET}:20228:0:99999:7:::\n".encode() * 3, {}, None),
        (
            "values.csv",
            lambda files: files.csv([["Client", "Montant"], *[["A", SECRET]] * 5, ["B", "1"]]),
            {},
            "table_values",
        ),
        ("book.xlsx", sheet_workbook, {"sheet": "Ventes"}, "table_sheet"),
        (
            "roles.csv",
            lambda files: files.csv([[SECRET, "Montant"], ["A", "1"]]),
            {"columns": {"client": "Nom"}},
            "table_columns",
        ),
        (
            "only-header.csv",
            lambda files: files.csv([["Client", f"Montant {SECRET}"]]),
            {},
            "table_empty",
        ),
    ],
)
def test_a_file_that_is_not_a_good_table_is_reported_without_its_content(
    exports, files, caplog, name, content, changes, code
):
    path = exports / name
    path.write_bytes(content(files))
    values = dict(name="f", kind="file", chats=frozenset(), path=path)
    source = Source(**values | changes, allowed_dirs=(exports.resolve(),))
    with caplog.at_level(logging.DEBUG), pytest.raises((SourceError, InputError)) as error:
        fetch(source, ALL)
    told = reasons(error.value)
    assert SECRET not in told  # the chat
    assert SECRET not in str(error.value) and SECRET not in caplog.text  # the log
    assert isinstance(error.value, SourceError) and error.value.code.startswith("table_")
    assert code is None or error.value.code == code


def test_an_input_error_keeps_its_own_sentence_only_when_it_quotes_nothing():
    plain = [
        InputError("too_many_rows", rows=7_000_000, limit=6_000_000),
        InputError("nothing_to_rank", criterion="sales", clients=3),
        InputError("file_too_large", size_mb=700.0, limit_mb=600.0),
        InputError("bad_period", value="13m!"),  # the chat's own setting, not the source's
    ]
    assert all(without_content(error, "erp") is error for error in plain)
    # Raised by the analysis after reading: they quote the source's column names.
    for code in ("period_needs_dates", "no_profit_column"):
        told = without_content(InputError(code, found=[SECRET]), "erp")
        assert isinstance(told, SourceError) and told.code == "table_columns"
        assert SECRET not in reasons(told) and SECRET not in str(told)
    unknown = without_content(InputError("some_future_code", detail=SECRET, rows=3), "erp")
    assert isinstance(unknown, SourceError) and unknown.code == "table_unreadable"
    assert "rows=3" in str(unknown) and SECRET not in str(unknown)


def test_a_database_without_its_driver_is_a_source_error(tmp_path):
    source = Source(
        "erp",
        "database",
        frozenset(),
        database=f"postgresql+nosuchdriver://reader:{SECRET}@127.0.0.1:9/erp",
        table="ventes",
        columns={"client": "nom", "sales": "montant"},
    )
    with pytest.raises(SourceError) as error:
        aggregate(source, ALL)
    assert error.value.code == "database"
    assert SECRET not in reasons(error.value) and SECRET not in str(error.value)
    # A URL that cannot even be parsed stops the start, without being repeated.
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[sources.erp]\nkind = "database"\ndatabase = "postgresql://reader:{SECRET}@h:port/x"\n'
        'table = "ventes"\ncolumns = { client = "nom", sales = "montant" }\n'
    )
    with pytest.raises(SourceError, match="not a SQLAlchemy URL") as refused:
        load_sources(config)
    assert SECRET not in str(refused.value)


def test_a_failing_address_is_logged_without_its_credentials(serve):
    """The error a source raises goes to the log: the address's user, password and query (which
    can hold a token) stay out of it, as they stay out of the chat."""

    def answer(handler: BaseHTTPRequestHandler, served: Served) -> None:
        handler.send_response(404)
        handler.end_headers()

    served = serve(answer)
    host = served.url.split("://", 1)[1]
    address = f"http://reader:{SECRET}@{host}/export.csv?token={SECRET}"
    with pytest.raises(SourceError) as refused:
        fetch(url_source(address), ALL, Limits(max_bytes=MB))
    assert refused.value.code == "url_status" and SECRET not in str(refused.value)
    assert f"{host}/export.csv" in str(refused.value)
