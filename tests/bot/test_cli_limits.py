"""The CLI's reading under the bot's limits: `run_limited(worker_limits(), work.analyse_bytes, ...)`
gives the same result as in-process, and the same JobTooLarge (an InputError, so one sentence)."""

from __future__ import annotations

import pytest

from analysis.errors import InputError
from analysis.settings import AnalysisSettings, ReadOptions
from bot import work
from bot.config import worker_limits
from bot.pool import JobTooLarge, WorkerLimits, run_limited
from reports.messages import Messages

from .test_worker_limits import stray_cell_workbook


def test_the_cli_reads_under_the_limits(files, sales_rows) -> None:
    data = files.csv(sales_rows)
    result = run_limited(
        worker_limits({}), work.analyse_bytes, data, "ventes.csv", ReadOptions(), AnalysisSettings()
    )
    assert list(result.clients["client"])[:2] == ["Alpha", "Beta"]


def test_a_stray_cell_is_refused_in_one_sentence(sales_rows) -> None:
    hostile = stray_cell_workbook(sales_rows)
    with pytest.raises(InputError) as refused:
        run_limited(
            WorkerLimits(memory_mb=1500, job_timeout_s=60),
            work.analyse_bytes,
            hostile,
            "ventes.xlsx",
            ReadOptions(),
            AnalysisSettings(),
        )
    assert isinstance(refused.value, JobTooLarge) and refused.value.reason == "memory"
    assert Messages("en").error(refused.value).startswith("This file needs too much memory")
