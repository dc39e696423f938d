"""PostgreSQL out of reach: every user who writes is told, in one sentence and without the
database, that the service is unavailable and to resend; once it is back, uploads work again.
The outage is a loopback proxy in front of the server that the test cuts, never the server."""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from .conftest import POSTGRES, RunningBot, make_config
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

UNAVAILABLE = "Le service est momentanément indisponible"
UNAVAILABLE_EN = "The service is unavailable for a moment"


class Proxy:
    """Forwards 127.0.0.1:<port> to the server; `cut` closes the listening socket and every
    connection (new ones are refused), `restore` listens on the same port again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        # shutdown wakes the accepting thread: a close alone would leave it accepting one more.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.listener = None
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied_database() -> Iterator[tuple[Proxy, str]]:
    """A schema of its own on the test server, reached through the proxy."""
    if not POSTGRES:
        pytest.skip("TEST_DATABASE_URL is not set: the outage test needs a PostgreSQL server")
    url = make_url(POSTGRES)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.restore()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    through = url.set(host="127.0.0.1", port=proxy.port).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    yield proxy, through.render_as_string(hide_password=False)
    if proxy.listener is not None:
        proxy.cut()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_an_outage_gets_one_sentence_per_message_and_uploads_work_after(
    proxied_database, tmp_path, files, sales_rows
):
    proxy, database_url = proxied_database
    api = FakeTelegram().start()
    bot = RunningBot(make_config(api, tmp_path / "unused", database_url=database_url), api)
    bot.start()
    try:
        chat = 160
        sent = api.text(chat, "/summary")
        api.wait_for(lambda calls: len(api.calls_to(chat, "sendMessage", since=sent)) >= 1)

        proxy.cut()
        steps = [
            (lambda: api.text(chat, "/summary"), UNAVAILABLE),
            (lambda: api.document(chat, files.csv(sales_rows), "ventes.csv"), UNAVAILABLE),
            (lambda: api.text(chat, "/top A", language="en"), UNAVAILABLE_EN),
            (
                lambda: api.document(chat, b"Client;Sales\nA;1\n", "x.csv", language="en"),
                UNAVAILABLE_EN,
            ),
        ]
        for step, sentence in steps:
            sent = step()
            api.wait_text(chat, sentence, since=sent)
            assert len(api.texts(chat, since=sent)) == 1  # that sentence only
        assert not any("Désolé" in t or "Sorry" in t for t in api.texts(chat))

        proxy.restore()
        sent = api.document(chat, files.csv(sales_rows), "ventes.csv")
        api.wait_text(chat, "✅ Analyse terminée : ventes.csv.", since=sent, timeout=90)
        sent = api.text(chat, "/top A")
        api.wait_text(chat, "A — clients clés ·", since=sent)
    finally:
        bot.stop()
        api.stop()
