"""Every artifact of a result, produced in the order a reader needs them: the summary and the
charts first, the Excel and PDF files after, so the slow files never hold up the quick ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analysis.result import AnalysisResult
from reports.text import as_plain, segment_sections, summary_sections

SUMMARY, EXCEL, PDF = "summary.txt", "report.xlsx", "report.pdf"


@dataclass(frozen=True)
class Artifact:
    """One file of the report: its name and content."""

    name: str
    content: bytes


def artifacts(
    result: AnalysisResult, language: str, today: date, currency: str | None = None
) -> Iterator[Artifact]:
    """The summary, the charts, the Excel report, the PDF report, each as soon as it is made."""
    from reports.charts import render_charts
    from reports.excel import excel_report
    from reports.pdf import pdf_report

    sections = summary_sections(result, language, today, currency) + segment_sections(
        result, language, currency
    )
    yield Artifact(SUMMARY, as_plain(sections).encode("utf-8"))
    for chart in render_charts(result, language):
        yield Artifact(f"{chart.name}.png", chart.png)
    yield Artifact(EXCEL, excel_report(result, language, today, currency))
    yield Artifact(PDF, pdf_report(result, language, today, currency))


def write_reports(
    result: AnalysisResult, folder: Path, language: str, today: date, currency: str | None = None
) -> Path:
    """Write every artifact into `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for artifact in artifacts(result, language, today, currency):
        (folder / artifact.name).write_bytes(artifact.content)
    return folder
