"""The heavy work, run in a process pool so the bot's event loop (and its interpreter lock) stay
free: reading, classifying, rendering. Every function here takes and returns picklable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis import persist
from analysis.abc import analyze
from analysis.period import parse_period
from analysis.pipeline import load
from analysis.result import AnalysisResult
from analysis.settings import AnalysisSettings, Limits, ReadOptions, Thresholds
from bot.sources import Source, fetch
from bot.summary import AnalysisSummary
from reports.charts import Chart
from reports.messages import available_languages
from reports.text import as_html, segment_sections, summary_sections


@dataclass(frozen=True)
class Job:
    """How to analyse: the chat's settings (with a caption's overrides) and the day it is."""

    criterion: str
    cut_a: float
    cut_b: float
    period: str
    language: str
    today: date
    currency: str | None = None

    def settings(self) -> AnalysisSettings:
        return AnalysisSettings(
            criterion=self.criterion,  # type: ignore[arg-type]
            thresholds=Thresholds(self.cut_a, self.cut_b),
            period=parse_period(self.period),
        )


@dataclass(frozen=True)
class Outcome:
    """An analysis ready to store and send."""

    result: AnalysisResult
    texts: dict[str, str]
    summary: AnalysisSummary
    charts: list[Chart]
    table: bytes | None = None
    table_meta: dict[str, Any] | None = None


def warm_up() -> None:
    """Import the heavy modules once, so a worker's first analysis is as fast as the others."""
    import matplotlib.figure  # noqa: F401
    import xlsxwriter  # noqa: F401


def _outcome(
    result: AnalysisResult, job: Job, table: bytes | None, meta: dict[str, Any] | None
) -> Outcome:
    from reports.charts import render_charts

    texts = {
        language: as_html(
            summary_sections(result, language, job.today, job.currency)
            + segment_sections(result, language, job.currency)
        )
        for language in available_languages()
    }
    summary = AnalysisSummary.of(result)
    return Outcome(result, texts, summary, render_charts(result, job.language), table, meta)


def analyse_file(data: bytes, name: str, job: Job, max_bytes: int) -> Outcome:
    """A new upload: read, clean, classify, render; the cleaned table comes back for storage."""
    tx = load(data, name, ReadOptions(limits=Limits(max_bytes=max_bytes)))
    result = analyze(tx, job.settings())
    table, meta = persist.dump(tx)
    return _outcome(result, job, table, meta)


def analyse_stored(table: bytes, meta: dict[str, Any], job: Job) -> Outcome:
    """A stored table under new settings: no new upload needed."""
    return _outcome(analyze(persist.load(table, meta), job.settings()), job, None, None)


def report_file(table: bytes, meta: dict[str, Any], job: Job, kind: str) -> bytes:
    """The Excel or PDF report of a stored table under the given settings."""
    result = analyze(persist.load(table, meta), job.settings())
    return report_of(result, job, kind)


def report_of(result: AnalysisResult, job: Job, kind: str) -> bytes:
    if kind == "pdf":
        from reports.pdf import pdf_report

        return pdf_report(result, job.language, job.today, job.currency)
    from reports.excel import excel_report

    return excel_report(result, job.language, job.today, job.currency)


def run_source(source: Source, job: Job) -> Outcome:
    """Read a configured source and analyse it, as an upload would be."""
    tx = fetch(source, parse_period(job.period))
    result = analyze(tx, job.settings())
    table, meta = persist.dump(tx)
    return _outcome(result, job, table, meta)
