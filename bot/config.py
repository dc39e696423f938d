"""The bot's configuration, from environment variables (and a `.env` file when present)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.pool import WorkerLimits
from reports.messages import Messages, normalise_language

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_URL = "https://api.telegram.org/file/bot"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says how to fix it."""


def _ids(text: str | None, name: str, messages: Messages) -> frozenset[int]:
    values = [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]
    try:
        return frozenset(int(value) for value in values)
    except ValueError:
        raise ConfigError(messages("config.bad_ids", name=name, value=text)) from None


def _number(environ: Mapping[str, str], name: str, default: float, messages: Messages) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(messages("config.bad_number", name=name, value=text)) from None
    if value <= 0:
        raise ConfigError(messages("config.bad_number", name=name, value=text))
    return value


DEFAULT_LIMITS = WorkerLimits()  # written once, in bot/pool.py


def worker_limits(environ: Mapping[str, str] | None = None) -> WorkerLimits:
    """What one job may use (WORKER_MEMORY_MB, JOB_TIMEOUT_S): the bot's workers and the CLI read
    files under the same limits, so a file behaves the same in both."""
    environ = os.environ if environ is None else environ
    messages = Messages(normalise_language(environ.get("DEFAULT_LANGUAGE") or "fr"))
    return WorkerLimits(
        memory_mb=int(_number(environ, "WORKER_MEMORY_MB", DEFAULT_LIMITS.memory_mb, messages)),
        job_timeout_s=_number(environ, "JOB_TIMEOUT_S", DEFAULT_LIMITS.job_timeout_s, messages),
    )


@dataclass(frozen=True)
class Config:
    """Everything the bot needs to run; see `.env.example` for each variable."""

    token: str
    api_base_url: str = DEFAULT_API_URL
    api_file_url: str = DEFAULT_FILE_URL
    local_mode: bool = False
    database_url: str = ""
    data_dir: Path = Path("data")
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    admin_user_ids: frozenset[int] = frozenset()
    default_language: str = "fr"
    default_timezone: str = "Europe/Paris"
    max_file_mb: float = 20.0
    webhook_url: str | None = None
    webhook_port: int = 8443
    webhook_listen: str = "0.0.0.0"  # a webhook must be reachable from Telegram
    workers: int = 2
    worker_memory_mb: int = DEFAULT_LIMITS.memory_mb
    job_timeout_s: float = DEFAULT_LIMITS.job_timeout_s
    sources_file: Path | None = None

    @property
    def worker_limits(self) -> WorkerLimits:
        return WorkerLimits(self.worker_memory_mb, self.job_timeout_s)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = None
    ) -> Config:
        """Read the environment; a `.env` file fills in what the environment does not set."""
        if environ is None:
            from dotenv import dotenv_values

            file_values = dotenv_values(dotenv or Path(".env"))
            environ = {**{k: v for k, v in file_values.items() if v is not None}, **os.environ}
        language = normalise_language(environ.get("DEFAULT_LANGUAGE") or "fr")
        messages = Messages(language)
        token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(messages("config.no_token"))
        timezone = environ.get("DEFAULT_TIMEZONE", "").strip() or "Europe/Paris"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(messages("config.bad_timezone", value=timezone)) from None
        data_dir = Path(environ.get("CLIENTBASE_DATA_DIR", "").strip() or "data")
        database_url = (
            environ.get("DATABASE_URL", "").strip()
            or f"sqlite:///{data_dir / 'clientbase.sqlite3'}"
        )
        limits = worker_limits(environ)
        return cls(
            token=token,
            api_base_url=environ.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_URL,
            api_file_url=environ.get("TELEGRAM_API_FILE_URL", "").strip() or DEFAULT_FILE_URL,
            local_mode=environ.get("TELEGRAM_LOCAL_MODE", "").strip().lower()
            in ("1", "true", "yes", "on"),
            database_url=database_url,
            data_dir=data_dir,
            allowed_user_ids=_ids(environ.get("ALLOWED_USER_IDS"), "ALLOWED_USER_IDS", messages),
            allowed_chat_ids=_ids(environ.get("ALLOWED_CHAT_IDS"), "ALLOWED_CHAT_IDS", messages),
            admin_user_ids=_ids(environ.get("ADMIN_USER_IDS"), "ADMIN_USER_IDS", messages),
            default_language=language,
            default_timezone=timezone,
            max_file_mb=_number(environ, "MAX_FILE_MB", 20.0, messages),
            webhook_url=environ.get("WEBHOOK_URL", "").strip() or None,
            webhook_port=int(_number(environ, "WEBHOOK_PORT", 8443, messages)),
            workers=int(_number(environ, "ANALYSIS_WORKERS", 2, messages)),
            worker_memory_mb=limits.memory_mb,
            job_timeout_s=limits.job_timeout_s,
            sources_file=Path(environ["CLIENTBASE_SOURCES"])
            if environ.get("CLIENTBASE_SOURCES")
            else None,
        )
