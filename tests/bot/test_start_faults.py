"""Faults at start, through `python -m bot` in a subprocess: a refused token, a database that
cannot be reached, Telegram that cannot be reached yet. One sentence each, no traceback, no
token; and the bot waits for a network that comes up after it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .fake_api import TOKEN, FakeTelegram

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bot(tmp_path: Path, base: str, **environ: str) -> subprocess.Popen[str]:
    """`python -m bot` with only the variables given (the tests' .env and environment apart)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{base}/bot",
        "TELEGRAM_API_FILE_URL": f"{base}/file/bot",
        "CLIENTBASE_DATA_DIR": str(tmp_path / "data"),
        "ADMIN_USER_IDS": "1",
        "ANALYSIS_WORKERS": "1",
        **environ,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def api() -> FakeTelegram:
    telegram = FakeTelegram().start()
    yield telegram
    telegram.stop()


def _base(api: FakeTelegram) -> str:
    return f"http://127.0.0.1:{api.server.server_port}"


def test_a_refused_token_gets_one_sentence_and_is_never_printed(
    tmp_path: Path, api: FakeTelegram
) -> None:
    api.refuse_token = True
    process = _bot(tmp_path, _base(api))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err
    assert "Traceback" not in err
    sentence = (
        "Telegram a refusé le jeton du bot : copiez à nouveau dans TELEGRAM_BOT_TOKEN le jeton "
        "que donne @BotFather (commande /token), puis relancez."
    )
    assert err.strip().splitlines()[-1] == sentence and err.count("jeton") == 2
    assert "ERROR" not in err
    assert [c.method for c in api.calls] == ["getMe"]


def test_a_database_that_cannot_be_reached_gets_one_sentence(
    tmp_path: Path, api: FakeTelegram
) -> None:
    closed = _free_port()
    url = f"postgresql+psycopg://clientbase:hunter2@127.0.0.1:{closed}/clientbase"
    process = _bot(tmp_path, _base(api), DATABASE_URL=url)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "Traceback" not in err and "hunter2" not in out + err
    assert "ERROR" not in err
    assert err.strip().splitlines()[-1:] == [
        "Impossible de se connecter à la base de données "
        f"postgresql+psycopg://clientbase:***@127.0.0.1:{closed}/clientbase : vérifiez "
        "DATABASE_URL (adresse, port, nom, identifiants) et que le serveur fonctionne, puis "
        "relancez."
    ]


def test_the_bot_waits_for_telegram_to_come_up(tmp_path: Path) -> None:
    port = _free_port()
    process = _bot(tmp_path, f"http://127.0.0.1:{port}")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr or []), daemon=True)
    reader.start()
    api: FakeTelegram | None = None
    try:
        deadline = time.monotonic() + 30
        while sum("Telegram cannot be reached" in line for line in lines) < 2:
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        api = FakeTelegram(port=port).start()  # the network comes up
        # Polling starts once the start-up (commands, migrations) is over: stop only then.
        api.wait_for(lambda calls: any(c.method == "deleteWebhook" for c in calls), 30)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        reader.join(10)
        if api is not None:
            api.stop()
    # Stopped by SIGTERM within the wait above; its exit status is PTB's shutdown, not start-up.
    assert process.returncode is not None
    log = "".join(lines)
    attempts = [line for line in lines if "Telegram cannot be reached" in line]
    assert "attempt 1:" in attempts[0] and "attempt 2:" in attempts[1]
    assert TOKEN not in log
    # The start-up, up to the connection, is one line per attempt: no traceback and no retry
    # lines of the request layer in between. (What a SIGTERM cuts short at the end, a poll in
    # flight, is shutdown, not start-up.)
    connected = next(i for i, line in enumerate(lines) if "alembic" in line)
    assert not any(
        "Traceback" in line or "Bot API request failed" in line for line in lines[:connected]
    )


def test_the_log_hides_the_token_in_exception_text_and_traceback() -> None:
    import io
    import logging

    from telegram.error import InvalidToken

    from bot.app import RedactingFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(TOKEN))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        except InvalidToken:
            logger.exception("start failed for %s", TOKEN)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "InvalidToken" in text
    assert TOKEN not in text and text.count("<token>") == 2
