"""The PDF report, with matplotlib's PDF backend: summary and advice, the charts, the top A
clients. Fonts are embedded as TrueType, so the text (accents included) can be searched."""

from __future__ import annotations

import io
import textwrap
from datetime import date

from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analysis.result import AnalysisResult
from reports.charts import FONT, categories_figure, pareto_figure, segments_figure
from reports.formatting import Formatter
from reports.messages import Messages
from reports.text import (
    Line,
    formatter_for,
    lines_of,
    period_label,
    segment_sections,
    summary_sections,
)

A4_LANDSCAPE = (11.69, 8.27)
LINES_PER_PAGE = 34
WRAP = 118
TOP_CLIENTS = 20


def _page() -> Figure:
    return Figure(figsize=A4_LANDSCAPE)


def _wrapped(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        parts = textwrap.wrap(line.text, WRAP) or [""]
        out += [Line(part, line.title) for part in parts]
    return out


def _text_pages(header: str, subtitle: str, lines: list[Line]) -> list[Figure]:
    """Summary lines laid out on as many pages as they need."""
    pages = []
    for start in range(0, len(lines), LINES_PER_PAGE):
        page = _page()
        page.text(0.05, 0.94, header, fontsize=20, fontweight="bold", va="top")
        page.text(0.05, 0.895, subtitle, fontsize=11, color="#444444", va="top")
        y = 0.84
        for line in lines[start : start + LINES_PER_PAGE]:
            page.text(
                0.05,
                y,
                line.text,
                fontsize=11,
                va="top",
                fontweight="bold" if line.title else "normal",
            )
            y -= 0.0225
        pages.append(page)
    return pages


def _top_page(result: AnalysisResult, m: Messages, f: Formatter) -> Figure:
    top = result.clients_in("A").head(TOP_CLIENTS)
    page = _page()
    page.text(
        0.05,
        0.94,
        m.plural("pdf.top_title", len(top), count=len(top)),
        fontsize=18,
        fontweight="bold",
        va="top",
    )
    axes = page.add_axes((0.05, 0.05, 0.9, 0.8))
    axes.axis("off")
    rows = [
        [
            str(row["rank"]),
            textwrap.shorten(str(row["client"]), 60),
            f.money(row["value"]),
            f.percent(row["share"]),
            f.date(row["last_purchase"].date())
            if row["last_purchase"] == row["last_purchase"]
            else "—",
        ]
        for row in top.to_dict("records")
    ]
    headers = [
        m("pdf.rank"),
        m("pdf.client"),
        m("pdf.value"),
        m("pdf.share"),
        m("pdf.last_purchase"),
    ]
    if rows:
        table = axes.table(
            cellText=rows,
            colLabels=headers,
            loc="upper center",
            cellLoc="left",
            colWidths=[0.07, 0.48, 0.17, 0.1, 0.18],
        )
        table.auto_set_font_size(False)
        table.set_fontsize(10)
        table.scale(1, 1.35)
    return page


def pdf_report(
    result: AnalysisResult, language: str, today: date, currency: str | None = None
) -> bytes:
    """The report: summary pages, one page per chart, then the top A clients."""
    m = Messages(language)
    f = formatter_for(result, language, currency)
    subtitle = m(
        "pdf.subtitle",
        name=result.source.name,
        period=period_label(result, m, f),
        criterion=m(f"criterion.{result.criterion}"),
    )
    # The first section (title, file, period) is the page header already; a blank line stays.
    sections = summary_sections(result, language, today, currency)[1:] + segment_sections(
        result, language, currency
    )
    lines = [Line(""), *lines_of(sections)]
    buffer = io.BytesIO()
    with (
        rc_context({**FONT, "pdf.fonttype": 42}),
        PdfPages(buffer, metadata={"Title": m("pdf.title")}) as pdf,
    ):
        pages = _text_pages(m("pdf.title"), subtitle, _wrapped(lines))
        for build in (pareto_figure, categories_figure, segments_figure):
            figure = build(result, language)
            if figure is not None:
                figure.set_size_inches(*A4_LANDSCAPE)
                pages.append(figure)
        pages.append(_top_page(result, m, f))
        for page in pages:
            pdf.savefig(page)
    return buffer.getvalue()
