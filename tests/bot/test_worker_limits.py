"""A file that outgrows its worker costs its own upload only: the chat is told in one sentence,
the worker is replaced, and every chat (that one included) goes on analysing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.analysis.hostile_files import long_notes_workbook

from .conftest import RunningBot, make_config
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

TOO_MUCH_MEMORY = "demande trop de mémoire"
APOLOGY = "erreur inattendue"


@pytest.fixture(scope="module")
def limited(
    telegram: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """One worker only, so the next jobs certainly run on the worker that replaced it."""
    database = tmp_path_factory.mktemp("limits") / "bot.sqlite3"
    config = make_config(telegram, database, workers=1, worker_memory_mb=1500)
    bot = RunningBot(config, telegram).start()
    yield bot
    bot.stop()


def _done(telegram: FakeTelegram, chat: int, mark: int) -> None:
    status = telegram.wait_text(chat, "✅ Analyse terminée", since=mark, timeout=90)
    assert status.method == "editMessageText"


def test_a_file_past_the_memory_limit_costs_its_own_upload_only(
    telegram: FakeTelegram, limited: RunningBot, files, sales_rows
) -> None:
    first, second = 160, 161
    hostile = long_notes_workbook()
    assert len(hostile) < 2_000_000

    mark = telegram.document(first, hostile, "ventes.xlsx")
    sentence = telegram.wait_text(first, TOO_MUCH_MEMORY, since=mark, timeout=90)
    assert sentence.method == "editMessageText"  # the status message says it, and ends there
    assert sentence.text.startswith("❌ ventes.xlsx")
    assert not any(APOLOGY in text for text in telegram.texts(first, since=mark))

    mark = telegram.document(second, files.csv(sales_rows), "ventes.csv")
    _done(telegram, second, mark)

    mark = telegram.document(first, files.csv(sales_rows), "ventes.csv")
    _done(telegram, first, mark)
    assert not any(TOO_MUCH_MEMORY in text for text in telegram.texts(first, since=mark))
