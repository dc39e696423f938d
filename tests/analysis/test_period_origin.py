"""Where a period came from decides what a file without dates gets (issue 11, item 2)."""

from __future__ import annotations

import pytest

from analysis.errors import InputError
from analysis.period import PeriodSpec, parse_period
from analysis.pipeline import run
from analysis.settings import AnalysisSettings
from bot.chat_settings import ChatSettings, SettingsOverrides

UNDATED = [["Client", "Montant"], ["A", "10"], ["B", "3"]]


def test_a_saved_period_is_dropped_on_a_file_without_dates(files):
    chat = ChatSettings(1, period=parse_period("12m"))
    result = run(files.csv(UNDATED), "f.csv", chat.analysis_settings())
    assert result.period_not_applied == parse_period("12m")
    assert result.period_spec == PeriodSpec()
    assert result.client_count == 2


def test_a_period_asked_for_the_file_still_refuses(files):
    chat = ChatSettings(1)
    asked = chat.analysis_settings(SettingsOverrides(period=parse_period("2025")))
    assert asked.period_required
    with pytest.raises(InputError) as caught:
        run(files.csv(UNDATED), "f.csv", asked)
    assert caught.value.code == "period_needs_dates"
    # The CLI's --period: an AnalysisSettings made directly requires its period.
    with pytest.raises(InputError):
        run(files.csv(UNDATED), "f.csv", AnalysisSettings(period=parse_period("12m")))


def test_whole_file_asked_over_a_saved_period():
    chat = ChatSettings(1, period=parse_period("12m"))
    settings = chat.analysis_settings(SettingsOverrides(period=PeriodSpec()))
    assert settings.period == PeriodSpec() and settings.period_required
