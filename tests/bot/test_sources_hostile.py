"""Hostile sources: endless, huge and trickling answers (issue 10, items 2 and 3)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analysis.errors import InputError
from analysis.period import parse_period
from analysis.settings import Limits
from bot.source_runs import failure_reason
from bot.sources import Source, SourceError, fetch
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
