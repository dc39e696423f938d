"""The middle floor's pure parts: callback data, the reply-language rule, analysis settings."""

from __future__ import annotations

import pickle
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
    ("data", "button"),
    [
        (callbacks.SAMPLE, callbacks.Sample()),
        (callbacks.SETTINGS, callbacks.ShowSettings()),
        (callbacks.top("A"), callbacks.TopPage("A", 0)),
        (callbacks.top("D", 20, 10), callbacks.TopPage("D", 20, 10)),
        (callbacks.client(7, 3), callbacks.ClientPick(7, 3)),
        (callbacks.export("pdf"), callbacks.Export("pdf")),
        (callbacks.export("xlsx"), callbacks.Export("xlsx")),
        (callbacks.setting("crit", "profit"), callbacks.Setting("crit", ("profit",))),
        (callbacks.setting("cut", 80, 15), callbacks.Setting("cut", ("80", "15"))),
        (callbacks.setting("per", "12m"), callbacks.Setting("per", ("12m",))),
        (callbacks.setting("per", "2025"), callbacks.Setting("per", ("2025",))),
        (callbacks.setting("lang", "en"), callbacks.Setting("lang", ("en",))),
        (callbacks.setting("tz", "Europe/Paris"), callbacks.Setting("tz", ("Europe/Paris",))),
        (callbacks.forget("yes"), callbacks.Forget(True)),
        (callbacks.forget("no"), callbacks.Forget(False)),
        (callbacks.source("crm"), callbacks.SourcePick("crm")),
        (callbacks.source("a:b"), callbacks.SourcePick("a:b")),
    ],
)
def test_each_button_parses_to_its_typed_value(data, button):
    assert callbacks.parse(data) == button and len(data.encode()) <= 64
    kinds = [k for k in (*callbacks.Button.__args__,) if callbacks.pattern(k)(data)]
    assert kinds == [type(button)]


@pytest.mark.parametrize(
    "data",
    [
        "export:../../etc",
        "export:exe",
        "export:",
        "top:Z:0",
        "top:A:99999999:99999",
        "top:A:0:51",
        "top:A:0:0",
        "top:A:-1",
        "top:A:1_0",
        "top:A:\u0663",
        "top:A: 1",
        "top:A",
        "top:A:0:10:1",
        "client:x:y",
        "client:0:1",
        "client:1",
        "set:evil",
        "set:crit:evil",
        "set:cut:90:20",
        "set:cut:0:0",
        "set:per:../x",
        "set:lang:de",
        "set:tz:../../etc/passwd",
        "set:",
        "forget:maybe",
        "source:",
        "source:a\nb",
        "samples",
        "settings:x",
        "",
        "x" * 65,
        "\x00\xff\ud800",
        None,
        12,
    ],
)
def test_forged_callback_data_is_no_button(data):
    assert callbacks.parse(data) is None
    assert not any(callbacks.pattern(k)(data) for k in callbacks.Button.__args__)


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
    # The same values; the period is the chat's own, not asked for one file (issue 11, item 2).
    assert ChatSettings(1).analysis_settings() == AnalysisSettings(period_required=False)


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_settings_button_passes_the_allow_list(language):
    from bot.handlers.settings import _keyboard
    from reports.messages import Messages

    keyboard = _keyboard(Messages(language), ChatSettings(chat_id=1), date(2026, 3, 1))
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert len(data) == 2 + 3 + 5 + 2 + 6
    assert all(isinstance(callbacks.parse(d), callbacks.Setting) for d in data), data
