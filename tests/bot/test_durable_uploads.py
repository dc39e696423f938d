"""No upload lost: an upload in progress when the bot is killed is resumed by the next bot to
start, once, in the status message it had; one interrupted twice is not tried a third time."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chat_settings import SettingsOverrides
from bot.storage import NewUpload, Storage

from .conftest import RunningBot, make_config
from .fake_api import TOKEN, FakeTelegram
from .test_resilience import big_csv

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "de vos clients apportent"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


def bot_process(api: FakeTelegram, database_url: str, directory: Path) -> subprocess.Popen[bytes]:
    """`python -m bot` in a process (and process group) of its own, so that it can be killed."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_FILE_URL": api.file_url,
        "DATABASE_URL": database_url,
        "CLIENTBASE_DATA_DIR": str(directory),
        "ALLOWED_USER_IDS": "150",
        "ALLOWED_CHAT_IDS": "",
        "ADMIN_USER_IDS": "",
        "ANALYSIS_WORKERS": "1",
    }
    log = (directory / "killed-bot.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=directory,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture
def api():
    telegram = FakeTelegram().start()
    yield telegram
    telegram.stop()


@pytest.mark.e2e
def test_an_upload_interrupted_by_a_kill_is_resumed_once(api, storage_url, tmp_path):
    chat = 150
    process = bot_process(api, storage_url, tmp_path)
    try:
        api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), 60)
        sent = api.document(chat, big_csv(300_000), "big.csv", caption="24m")
        analysing = api.wait_text(chat, "⏳ Lecture et analyse de big.csv", since=sent)
        os.killpg(process.pid, signal.SIGKILL)  # the bot and its workers, mid-analysis
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
    killed = api.mark()
    assert not any(SUMMARY in text for text in api.texts(chat)), "the analysis ended before"

    bot = RunningBot(make_config(api, tmp_path / "unused", database_url=storage_url), api)
    bot.start()
    try:
        status = analysing.params["message_id"]
        api.wait_for(
            lambda calls: any(
                c.method == "editMessageText" and c.params["message_id"] == status
                for c in api.calls_to(chat, since=killed)
                if c.text.startswith("✅")
            ),
            120,
        )
        assert sum(SUMMARY in text for text in api.texts(chat)) == 1
        edits = [c for c in api.calls_to(chat, "editMessageText") if c.text.startswith("✅")]
        assert [c.params["message_id"] for c in edits] == [status]
        resent = api.calls_to(chat, "sendMessage", since=killed)
        assert not any(c.text.startswith("⏳") for c in resent)  # the old status, edited
        stored = Storage(storage_url)
        try:
            assert stored.pending.unfinished() == []
            latest = stored.analyses.latest(chat)
            assert latest is not None and latest.period == "24m"  # the caption's override
        finally:
            stored.close()
        sent = api.text(chat, "/top A")
        api.wait_text(chat, "A — clients clés ·", since=sent)
    finally:
        bot.stop()
    assert sum(SUMMARY in text for text in api.texts(chat)) == 1


@pytest.mark.e2e
def test_an_upload_interrupted_twice_asks_the_chat_to_resend(api, storage_url, tmp_path):
    chat = 151
    storage = Storage(storage_url)
    storage.migrate()
    api.files["left"] = b"Client;Montant\nAlpha;10\n"
    arrived = NewUpload(chat, 7, "left", "left.csv", SettingsOverrides(), "fr")
    pending = storage.pending.add(arrived, NOW)
    assert pending is not None
    assert storage.pending.claim(pending)  # a start-up took it up, then was stopped as well
    storage.close()
    mark = api.mark()
    bot = RunningBot(make_config(api, tmp_path / "unused", database_url=storage_url), api)
    bot.start()
    try:
        api.wait_text(chat, "❌ left.csv : le bot a été arrêté", since=mark)
        sent = api.text(chat, "/summary")
        api.wait_for(lambda calls: len(api.calls_to(chat, "sendMessage", since=sent)) >= 1)
    finally:
        bot.stop()
    assert not any(SUMMARY in text for text in api.texts(chat))
    assert len([t for t in api.texts(chat) if t.startswith("❌")]) == 1


def test_two_bot_instances_claim_a_left_upload_once(storage_url):
    first, second = Storage(storage_url), Storage(storage_url)
    first.migrate()
    try:
        arrived = NewUpload(5, 1, "f", "f.csv", SettingsOverrides(), None)
        pending = first.pending.add(arrived, NOW)
        assert pending is not None
        assert second.pending.add(arrived, NOW) is None  # the same message, redelivered
        (left,) = second.pending.unfinished()
        assert [first.pending.claim(left), second.pending.claim(left)] == [True, False]
        (resumed,) = first.pending.unfinished()
        assert resumed.resumed
        assert [second.pending.claim(resumed), first.pending.claim(resumed)] == [True, False]
        assert first.pending.unfinished() == []
    finally:
        first.close()
        second.close()


@pytest.mark.e2e
def test_two_bots_starting_on_one_database_resume_a_left_upload_once(
    api, storage_url, tmp_path, files, sales_rows
):
    chat = 152
    storage = Storage(storage_url)
    storage.migrate()
    api.files["left2"] = files.csv(sales_rows)
    arrived = NewUpload(chat, 8, "left2", "ventes.csv", SettingsOverrides(), "fr")
    assert storage.pending.add(arrived, NOW) is not None
    storage.close()
    mark = api.mark()
    config = make_config(api, tmp_path / "unused", database_url=storage_url)
    bots = [RunningBot(config, api), RunningBot(config, api)]
    for bot in bots:
        bot.thread.start()
    try:
        api.wait_text(chat, "✅ Analyse terminée : ventes.csv.", since=mark, timeout=90)
        api.wait_for(lambda calls: sum(c.method == "setMyCommands" for c in calls) >= 6)
    finally:
        for bot in bots:
            bot.stop()  # after their start-up jobs have run
    assert sum(SUMMARY in text for text in api.texts(chat, since=mark)) == 1
    downloads = [c for c in api.calls[mark:] if c.method == "getFile"]
    assert [c.params["file_id"] for c in downloads] == ["left2"]
