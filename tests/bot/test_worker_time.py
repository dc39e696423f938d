"""A job past the time limit, in each kind of flow: the chat gets the one sentence, never the
apology (a module of its own: one bot per stand-in server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import RunningBot, make_config
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

APOLOGY = "erreur inattendue"


TOO_MUCH_TIME = "demande trop de temps"


@pytest.fixture(scope="module")
def hurried(
    telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """Every job is over its time before it starts: each flow meets JobTooLarge("time")."""
    database = tmp_path_factory.mktemp("hurried") / "bot.sqlite3"
    config = make_config(telegram, database, workers=1, job_timeout_s=0.001)
    bot = RunningBot(config, telegram).start()
    yield bot
    bot.stop()


def test_a_job_past_the_time_limit_gets_the_sentence_in_every_flow(
    telegram: FakeTelegram, hurried: RunningBot, files, sales_rows
) -> None:
    chat = 162
    mark = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    status = telegram.wait_text(chat, TOO_MUCH_TIME, since=mark, timeout=60)
    assert status.method == "editMessageText" and status.text.startswith("❌ ventes.csv")

    # The sample is made in a worker before any status message: the error handler says it.
    mark = telegram.press(chat, "sample", language="en")
    sentence = telegram.wait_text(chat, "needs too much time", since=mark, timeout=60)
    assert sentence.method == "sendMessage"
    assert not any(APOLOGY in text for text in telegram.texts(chat, since=mark))
