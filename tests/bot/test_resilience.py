"""The bot under faults and load: flood control, server errors, timeouts, restarts, concurrency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .conftest import RunningBot, make_config
from .fake_api import FakeTelegram, Fault

pytestmark = pytest.mark.e2e

DONE = "✅"


def finished(api: FakeTelegram, chat: int, since: int = 0) -> int:
    return len([t for t in api.texts(chat, since=since) if t.startswith(DONE)])


def big_csv(rows: int) -> bytes:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "Client": "Client " + pd.Series(rng.integers(0, rows // 10, rows)).astype(str),
            "Date": pd.Series(
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), unit="D")
            ).dt.strftime("%d/%m/%Y"),
            "Montant HT": pd.Series(rng.lognormal(5, 1, rows).round(2))
            .astype(str)
            .str.replace(".", ",", regex=False),
        }
    )
    return frame.to_csv(sep=";", index=False).encode()


@pytest.fixture
def fresh(tmp_path):
    """A bot of its own (faults and restarts must not leak into other tests)."""
    api = FakeTelegram(timeout_delay=2.5).start()
    bots: list[RunningBot] = []

    def start() -> RunningBot:
        bot = RunningBot(make_config(api, tmp_path / "bot.sqlite3"), api).start()
        bots.append(bot)
        return bot

    yield api, start
    for bot in bots:
        if bot.thread.is_alive():
            bot.stop()
    api.stop()


def test_flood_control_server_errors_and_timeouts_lose_no_reply(fresh, files, sales_rows):
    api, start = fresh
    start()
    chat = 101
    api.faults += [
        Fault("sendMessage", "429"),
        Fault("sendMediaGroup", "502"),
        Fault("sendDocument", "500", times=2),
        Fault("editMessageText", "timeout"),
    ]
    api.document(chat, files.csv(sales_rows), "v.csv")
    api.wait_for(lambda calls: finished(api, chat) >= 1, 120)
    answered = {c.answered for c in api.calls if c.chat_id == chat}
    assert {"429", "502", "500"} <= answered  # every fault did happen
    assert any("de vos clients apportent" in t for t in api.texts(chat))
    assert len(api.calls_to(chat, "sendMediaGroup")) >= 1
    assert any(
        name.endswith(".xlsx") for c in api.calls_to(chat, "sendDocument") for name in c.files
    )
    sent = api.text(chat, "/top A")
    api.wait_text(chat, "A — clients clés ·", since=sent)


def test_a_restart_keeps_data_and_settings(fresh, files, sales_rows):
    api, start = fresh
    chat = 102
    first = start()
    api.document(chat, files.csv(sales_rows), "v.csv")
    api.wait_for(lambda calls: finished(api, chat) >= 1, 90)
    sent = api.press(chat, "set:lang:en")
    api.wait_text(chat, "of your clients bring", since=sent)
    first.stop()
    start()
    sent = api.text(chat, "/summary")
    api.wait_text(chat, "of your clients bring", since=sent)
    sent = api.text(chat, "/top A")
    reply = api.wait_text(chat, "A — key clients ·", since=sent)
    assert "1. Alpha" in reply.text


def test_a_large_file_in_one_chat_does_not_block_another(fresh, files, sales_rows):
    api, start = fresh
    start()
    busy, other = 110, 111
    api.document(other, files.csv(sales_rows), "small.csv")
    api.wait_for(lambda calls: finished(api, other) >= 1, 90)
    sent = api.document(busy, big_csv(300_000), "big.csv")
    api.wait_text(busy, "⏳ Lecture et analyse de big.csv", since=sent)
    sent = api.text(other, "/top A")
    api.wait_text(other, "A — clients clés ·", since=sent)
    assert finished(api, busy) == 0  # answered while the large file was still being analysed
    api.wait_for(lambda calls: finished(api, busy) >= 1, 180)


def test_two_uploads_in_one_chat_are_handled_one_after_the_other(fresh, files, sales_rows):
    api, start = fresh
    start()
    chat = 120
    api.document(chat, files.csv(sales_rows), "first.csv")
    api.document(chat, files.csv(sales_rows), "second.csv")
    api.wait_for(lambda calls: finished(api, chat) >= 2, 120)
    texts = api.texts(chat)
    assert texts.index("✅ Analyse terminée : first.csv.") < texts.index(
        "⏳ Téléchargement de second.csv…"
    )
