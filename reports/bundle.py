"""Every artifact of a result written to one folder: what `--out` and the demo produce."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analysis.result import AnalysisResult
from reports.text import as_plain, segment_lines, summary_lines


def write_reports(
    result: AnalysisResult, folder: Path, language: str, today: date, currency: str | None = None
) -> Path:
    """Write summary.txt (charts, report.xlsx and report.pdf come with the reports issue)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = as_plain(
        summary_lines(result, language, today, currency) + segment_lines(result, language, currency)
    )
    (folder / "summary.txt").write_text(text, encoding="utf-8")
    return folder
