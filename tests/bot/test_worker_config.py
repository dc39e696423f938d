"""WORKER_MEMORY_MB and JOB_TIMEOUT_S: defaults, values, mistakes named; the CLI reads the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, worker_limits
from bot.pool import WorkerLimits

TOKEN = {"TELEGRAM_BOT_TOKEN": "1:abc"}


def test_default_limits() -> None:
    config = Config.from_env(TOKEN)
    assert config.worker_limits == WorkerLimits(memory_mb=3072, job_timeout_s=300)
    assert worker_limits({}) == config.worker_limits


def test_limits_from_the_environment() -> None:
    environ = {**TOKEN, "WORKER_MEMORY_MB": "1500", "JOB_TIMEOUT_S": "45.5"}
    assert Config.from_env(environ).worker_limits == WorkerLimits(1500, 45.5)
    assert worker_limits(environ) == WorkerLimits(1500, 45.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [("WORKER_MEMORY_MB", "3 GB"), ("WORKER_MEMORY_MB", "0"), ("JOB_TIMEOUT_S", "-5")],
)
def test_bad_limits_are_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        Config.from_env({**TOKEN, name: value})
    assert name in str(error.value) and value in str(error.value)
    with pytest.raises(ConfigError):
        worker_limits({name: value})


def test_the_example_environment_documents_them() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    assert "\nWORKER_MEMORY_MB=3072\n" in example and "\nJOB_TIMEOUT_S=300\n" in example
