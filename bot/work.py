"""The heavy work, run in the worker pool (bot/pool.py) so the bot's event loop (and its
interpreter lock) stay free: reading, classifying, rendering. Every function here takes and
returns picklable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis import persist
from analysis.abc import analyze
from analysis.errors import InputError
from analysis.pipeline import load
from analysis.result import AnalysisResult
from analysis.settings import AnalysisSettings, Limits, ReadOptions
from bot.sources import Source, fetch, without_content
from bot.summary import AnalysisSummary
from reports.charts import Chart
from reports.messages import available_languages
from reports.text import as_html, segment_sections, summary_sections


@dataclass(frozen=True)
class Job:
    """How to analyse: the settings (the chat's, with a caption's overrides), the language of
    the charts and reports, and the day it is."""

    settings: AnalysisSettings
    language: str
    today: date
    currency: str | None = None


@dataclass(frozen=True)
class Outcome:
    """An analysis ready to store and send; its charts are drawn by a second call (`charts`), so
    the summary need not wait for them."""

    result: AnalysisResult
    texts: dict[str, str]
    summary: AnalysisSummary
    table: bytes | None = None
    table_meta: dict[str, Any] | None = None


def warm_up() -> None:
    """The initializer of every worker, replacements included: import the heavy modules once, so
    a worker's first analysis is as fast as the others (Arrow's allocator: see bot/pool.py)."""
    import matplotlib.figure  # noqa: F401
    import xlsxwriter  # noqa: F401

    import reports.charts  # noqa: F401


def _outcome(
    result: AnalysisResult, job: Job, table: bytes | None, meta: dict[str, Any] | None
) -> Outcome:
    texts = {
        language: as_html(
            summary_sections(result, language, job.today, job.currency)
            + segment_sections(result, language, job.currency)
        )
        for language in available_languages()
    }
    return Outcome(result, texts, AnalysisSummary.of(result), table, meta)


def analyse_file(data: bytes, name: str, job: Job, max_bytes: int) -> Outcome:
    """A new upload: read, clean, classify, write the texts; the cleaned table comes back for
    storage."""
    tx = load(data, name, ReadOptions(limits=Limits(max_bytes=max_bytes)))
    result = analyze(tx, job.settings)
    table, meta = persist.dump(tx)
    return _outcome(result, job, table, meta)


def analyse_stored(table: bytes, meta: dict[str, Any], job: Job) -> Outcome:
    """A stored table under new settings: no new upload needed."""
    return _outcome(analyze(persist.load(table, meta), job.settings), job, None, None)


def run_source(source: Source, job: Job) -> Outcome:
    """Read a configured source and analyse it, as an upload would be."""
    tx = fetch(source, job.settings.period)
    try:
        result = analyze(tx, job.settings)
    except InputError as error:
        # The classification's refusals name the source's columns: told by their problem only.
        raise without_content(error, source.title) from None
    table, meta = persist.dump(tx)
    return _outcome(result, job, table, meta)


def ready() -> None:
    """Nothing: run once in every worker at start, so each is started and warm before the first
    upload."""


def charts(result: AnalysisResult, language: str) -> list[Chart]:
    """The charts of an analysis, drawn after its summary has gone out."""
    from reports.charts import render_charts

    return render_charts(result, language)


def report_file(table: bytes, meta: dict[str, Any], job: Job, kind: str) -> bytes:
    """The Excel or PDF report of a stored table under the given settings."""
    result = analyze(persist.load(table, meta), job.settings)
    return report_of(result, job, kind)


def report_of(result: AnalysisResult, job: Job, kind: str) -> bytes:
    if kind == "pdf":
        from reports.pdf import pdf_report

        return pdf_report(result, job.language, job.today, job.currency)
    from reports.excel import excel_report

    return excel_report(result, job.language, job.today, job.currency)
