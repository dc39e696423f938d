"""A job past the limits in the flows that work on a stored analysis: the settings re-run says
it in its status line, /export and the PDF button in one sentence; the analysis stays, and with
the limits back the same buttons work."""

from __future__ import annotations

import pytest

from bot.pool import WorkerLimits
from bot.services import Services

from .conftest import RunningBot
from .fake_api import FakeTelegram

pytestmark = pytest.mark.e2e

TOO_MUCH_TIME = "demande trop de temps"
APOLOGY = "erreur inattendue"


def test_stored_analysis_flows_past_the_limit(
    telegram: FakeTelegram, running: RunningBot, files, sales_rows
) -> None:
    chat = 163
    mark = telegram.document(chat, files.csv(sales_rows), "ventes.csv")
    telegram.wait_text(chat, "✅ Analyse terminée", since=mark, timeout=90)
    assert running.application is not None
    services: Services = running.application.bot_data["services"]
    normal = services.pool.limits
    services.pool.limits = WorkerLimits(normal.memory_mb, 0.001)
    try:
        mark = telegram.press(chat, "set:crit:profit")
        failed = telegram.wait_text(chat, TOO_MUCH_TIME, since=mark, timeout=60)
        assert failed.text.startswith("❌ ventes.csv")

        for press in ("export:pdf", None):
            if press is None:
                mark = telegram.text(chat, "/export xlsx")
            else:
                mark = telegram.press(chat, press)
            sentence = telegram.wait_text(chat, TOO_MUCH_TIME, since=mark, timeout=60)
            assert sentence.method == "sendMessage"
            assert not telegram.calls_to(chat, "sendDocument", since=mark)
            assert not any(APOLOGY in text for text in telegram.texts(chat, since=mark))
    finally:
        services.pool.limits = normal

    mark = telegram.press(chat, "export:pdf")
    telegram.wait_for(lambda _: bool(telegram.calls_to(chat, "sendDocument", since=mark)), 60)
