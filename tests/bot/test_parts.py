"""The bot's pure parts: configuration, captions, the access policy, log redaction."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest

from analysis.period import PeriodSpec
from analysis.settings import Criterion
from bot.access import AccessPolicy
from bot.app import RedactToken
from bot.captions import parse_caption
from bot.chat_settings import SettingsOverrides
from bot.config import DEFAULT_API_URL, Config, ConfigError


def test_missing_token_says_how_to_get_one():
    with pytest.raises(ConfigError) as french:
        Config.from_env({})
    assert "@BotFather" in str(french.value) and "/newbot" in str(french.value)
    with pytest.raises(ConfigError) as english:
        Config.from_env({"DEFAULT_LANGUAGE": "en"})
    assert str(english.value).startswith(
        "TELEGRAM_BOT_TOKEN is missing: create a bot with @BotFather"
    )


def test_configuration_from_the_environment(tmp_path):
    config = Config.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:abc",
            "ALLOWED_USER_IDS": "10, 11",
            "ADMIN_USER_IDS": "1",
            "CLIENTBASE_DATA_DIR": str(tmp_path),
            "MAX_FILE_MB": "2000",
            "TELEGRAM_LOCAL_MODE": "true",
            "DEFAULT_LANGUAGE": "en",
        }
    )
    assert config.allowed_user_ids == {10, 11} and config.admin_user_ids == {1}
    assert config.database_url == f"sqlite:///{tmp_path / 'clientbase.sqlite3'}"
    assert config.api_base_url == DEFAULT_API_URL and config.local_mode
    assert config.max_file_bytes == 2_000_000_000
    assert config.default_timezone == "Europe/Paris" and config.default_language == "en"


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("ALLOWED_USER_IDS", "10,abc", "ALLOWED_USER_IDS"),
        ("MAX_FILE_MB", "-1", "MAX_FILE_MB"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "Mars/Olympus"),
    ],
)
def test_bad_settings_are_named(name, value, needle):
    with pytest.raises(ConfigError) as error:
        Config.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", name: value})
    assert needle in str(error.value)


def test_dotenv_file_fills_in_what_the_environment_lacks(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=9:fromfile\nADMIN_USER_IDS=3\n")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ADMIN_USER_IDS", "4")
    config = Config.from_env(dotenv=env)
    assert config.token == "9:fromfile" and config.admin_user_ids == {4}


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("profit", SettingsOverrides(criterion=Criterion.PROFIT)),
        ("Bénéfice 12m", SettingsOverrides(Criterion.PROFIT, PeriodSpec("months", months=12))),
        ("ventes 2025", SettingsOverrides(Criterion.SALES, PeriodSpec("year", year=2025))),
        (
            "export du mois, 2024-01-01..2024-06-30",
            SettingsOverrides(
                period=PeriodSpec("range", start=date(2024, 1, 1), end=date(2024, 6, 30))
            ),
        ),
        ("juste un fichier", SettingsOverrides()),
        (None, SettingsOverrides()),
    ],
)
def test_captions(caption, expected):
    assert parse_caption(caption) == expected


def test_access_policy():
    policy = AccessPolicy(admins=frozenset({1}), users=frozenset({10}), chats=frozenset({-100}))
    assert policy.allows(1, 5, frozenset())
    assert policy.allows(10, 10, frozenset())
    assert policy.allows(77, -100, frozenset())  # anyone in an allowed group chat
    assert not policy.allows(77, 77, frozenset())
    assert policy.allows(77, 77, frozenset({77}))
    empty = AccessPolicy(admins=frozenset({1}), users=frozenset(), chats=frozenset())
    assert empty.allows(1, 1, frozenset()) and not empty.allows(2, 2, frozenset())
    assert policy.from_configuration(10) and not policy.from_configuration(77)


def test_the_token_never_reaches_the_log():
    token = "123:SECRET"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken(token))
    logger = logging.getLogger("httpx.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.info(
        'HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "HTTP/1.1 200 OK"', token
    )
    logger.removeHandler(handler)
    assert token not in stream.getvalue() and "/bot<token>/getUpdates" in stream.getvalue()
