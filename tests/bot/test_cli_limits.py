"""The CLI's reading under the bot's limits: `run_analyze` in a worker under `worker_limits()`
gives the same result as in-process, and the same JobTooLarge (an InputError, so one sentence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.settings import AnalysisSettings, ReadOptions
from bot.cli import AnalyzeJob, run_analyze
from bot.config import worker_limits
from bot.pool import JobTooLarge, WorkerLimits, run_limited
from reports.messages import Messages
from tests.analysis.hostile_files import long_notes_workbook


def _job(path: Path) -> AnalyzeJob:
    return AnalyzeJob(path, ReadOptions(), AnalysisSettings(), "en", True, None, None)


def test_the_cli_reads_under_the_limits(files, sales_rows, tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_bytes(files.csv(sales_rows))
    out, _ = run_limited(worker_limits({}), run_analyze, _job(path))
    assert [c["client"] for c in json.loads(out)["clients"]][:2] == ["Alpha", "Beta"]


def test_a_file_past_the_memory_limit_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "ventes.xlsx"
    path.write_bytes(long_notes_workbook())
    with pytest.raises(InputError) as refused:
        run_limited(WorkerLimits(memory_mb=1500, job_timeout_s=60), run_analyze, _job(path))
    assert isinstance(refused.value, JobTooLarge) and refused.value.reason == "memory"
    assert Messages("en").error(refused.value).startswith("This file needs too much memory")
