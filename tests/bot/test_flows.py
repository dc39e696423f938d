"""The middle floor's pure parts: callback data, the reply-language rule, analysis settings."""

from __future__ import annotations

import pickle
import re
from datetime import date

import pytest

from analysis.period import PeriodSpec
from analysis.settings import AnalysisSettings, Criterion, Thresholds
from bot import callbacks
from bot.captions import parse_caption
from bot.chat_settings import ChatSettings, SettingsOverrides
from bot.language import reply_language
from bot.work import Job


@pytest.mark.parametrize(
    ("data", "pattern", "fields"),
    [
        (callbacks.top("A"), callbacks.TOP_PATTERN, ["A", "0"]),
        (callbacks.top("D", 20, 10), callbacks.TOP_PATTERN, ["D", "20", "10"]),
        (callbacks.client(7, 3), callbacks.CLIENT_PATTERN, ["7", "3"]),
        (callbacks.export("pdf"), callbacks.EXPORT_PATTERN, ["pdf"]),
        (callbacks.setting("cut", 80, 15), callbacks.SETTINGS_PATTERN, ["cut", "80", "15"]),
        (
            callbacks.setting("tz", "Europe/Paris"),
            callbacks.SETTINGS_PATTERN,
            ["tz", "Europe/Paris"],
        ),
        (callbacks.forget("yes"), callbacks.FORGET_PATTERN, ["yes"]),
        (callbacks.source("crm"), callbacks.SOURCE_PATTERN, ["crm"]),
    ],
)
def test_each_button_is_routed_by_its_pattern_only(data, pattern, fields):
    patterns = [
        callbacks.SAMPLE_PATTERN,
        callbacks.TOP_PATTERN,
        callbacks.CLIENT_PATTERN,
        callbacks.EXPORT_PATTERN,
        callbacks.SETTINGS_PATTERN,
        callbacks.FORGET_PATTERN,
        callbacks.SOURCE_PATTERN,
    ]
    assert [p for p in patterns if re.match(p, data)] == [pattern]
    assert callbacks.fields(data) == fields and len(data.encode()) <= 64


def test_plain_buttons_match_their_own_pattern():
    assert re.match(callbacks.SAMPLE_PATTERN, callbacks.SAMPLE)
    assert re.match(callbacks.SETTINGS_PATTERN, callbacks.SETTINGS)
    assert not re.match(callbacks.SAMPLE_PATTERN, "samples")
    assert callbacks.payload(callbacks.source("a:b")) == "a:b"


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        ("en", "fr", "en"),  # the chat's setting first
        (None, "en-GB", "en"),  # then the user's Telegram language, when we have it
        (None, "de", "fr"),  # else the default
        (None, None, "fr"),  # a job, or a user without a language
    ],
)
def test_one_reply_language_rule(chosen, telegram, expected):
    assert reply_language(chosen, telegram, "fr") == expected


def test_a_new_chat_analyses_with_the_analysis_defaults():
    assert ChatSettings(1).analysis_settings() == AnalysisSettings()


def test_a_caption_overrides_only_what_it_names():
    chat = ChatSettings(
        1, criterion=Criterion.PROFIT, thresholds=Thresholds(70, 20), period=PeriodSpec()
    )
    assert chat.analysis_settings(parse_caption("2025")) == AnalysisSettings(
        Criterion.PROFIT, Thresholds(70, 20), PeriodSpec(kind="year", year=2025)
    )
    assert chat.analysis_settings(parse_caption("ventes")).criterion is Criterion.SALES
    assert chat.analysis_settings(SettingsOverrides()) == chat.analysis_settings()


def test_the_job_crosses_into_the_pool_as_is():
    job = Job(AnalysisSettings(period=PeriodSpec(kind="months", months=12)), "fr", date(2025, 3, 1))
    assert pickle.loads(pickle.dumps(job)) == job
