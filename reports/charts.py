"""Charts of a result as PNG bytes, legible on a phone: about 1200 px wide, large text, and the
same colour for a category in every chart. Drawn with matplotlib's object API (Agg, no pyplot
state); curves are drawn as one line however many clients there are."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from analysis.result import CATEGORIES, AnalysisResult
from reports.formatting import Formatter
from reports.messages import Messages

COLOURS = {"A": "#1b7f3b", "B": "#2f6db5", "C": "#e08a1e", "D": "#8c8c8c"}
WIDTH_INCHES, DPI = 12.0, 100
BAR_LIMIT = 30  # above this many clients, the Pareto chart shows the curve alone
CURVE_POINTS = 2000
FONT: dict[Any, Any] = {
    "font.size": 15,
    "axes.titlesize": 19,
    "axes.labelsize": 15,
    "legend.fontsize": 13,
}


@dataclass(frozen=True)
class Chart:
    """One rendered chart."""

    name: str
    png: bytes


def _figure(height: float = 7.0, left: float = 0.09, right: float = 0.97) -> Figure:
    """A figure with fixed margins: a constrained layout measures every text twice, which costs
    more than the drawing itself."""
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    figure.subplots_adjust(left=left, right=right, top=1 - 0.9 / height, bottom=0.85 / height)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # Light compression: a chart a few percent larger, encoded several times faster.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _percent_axis(formatter: Formatter) -> FuncFormatter:
    return FuncFormatter(lambda value, _: formatter.percent(value, decimals=0))


def pareto_figure(result: AnalysisResult, language: str) -> Figure:
    """Clients best first; cumulative share with the cut-offs marked and the zones coloured."""
    m, f = Messages(language), Formatter(language, result.currency or "EUR")
    figure = _figure()
    axes = figure.add_subplot()
    clients = result.clients
    count = len(clients)
    x = np.arange(1, count + 1) / count
    cumulative = clients["cumulative_share"].to_numpy()
    categories = clients["category"].astype(str).to_numpy()
    start = 0.0
    for letter in CATEGORIES:
        members = np.flatnonzero(categories == letter)
        if len(members):
            end = x[members[-1]]
            axes.axvspan(start, end, color=COLOURS[letter], alpha=0.13, lw=0)
            axes.text(
                (start + end) / 2,
                1.02,
                letter,
                ha="center",
                va="bottom",
                color=COLOURS[letter],
                fontsize=17,
                fontweight="bold",
                clip_on=False,
            )
            start = end
    if count <= BAR_LIMIT:
        bars = axes.twinx()
        values = clients["value"].clip(lower=0).to_numpy()
        bars.bar(
            x - 0.5 / count,
            values,
            width=0.8 / count,
            color=[COLOURS[c] for c in categories],
            alpha=0.85,
        )
        bars.set_ylabel(m("chart.pareto_bars"))
        bars.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.number(v)))
        axes.set_zorder(bars.get_zorder() + 1)
        axes.patch.set_visible(False)
    step = max(1, count // CURVE_POINTS)
    keep = np.unique(np.r_[np.arange(0, count, step), count - 1])
    axes.plot(np.r_[0, x[keep]], np.r_[0, cumulative[keep]], color="#222222", lw=3)
    thresholds = result.thresholds
    for share, letter in ((thresholds.a_fraction, "A"), (thresholds.ab_fraction, "B")):
        axes.axhline(share, color=COLOURS[letter], ls="--", lw=2)
        axes.text(
            0.99,
            share - 0.015,
            m("chart.cutoff", share=f.percent(share, 0), category=letter),
            ha="right",
            va="top",
            color=COLOURS[letter],
            transform=axes.get_yaxis_transform(),
        )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.0)
    axes.xaxis.set_major_formatter(_percent_axis(f))
    axes.yaxis.set_major_formatter(_percent_axis(f))
    axes.set_xlabel(m("chart.pareto_x"))
    axes.set_ylabel(m("chart.pareto_y"))
    criterion_of = m(f"summary.criterion_of_{result.criterion}")
    axes.set_title(m("chart.pareto_title", criterion_of=criterion_of), pad=30)
    axes.grid(alpha=0.3)
    return figure


def categories_figure(result: AnalysisResult, language: str) -> Figure:
    """For A, B, C, D side by side: share of clients against share of value."""
    m, f = Messages(language), Formatter(language)
    figure = _figure()
    axes = figure.add_subplot()
    position = np.arange(len(CATEGORIES))
    client_shares = [result.category(c).client_share for c in CATEGORIES]
    value_shares = [max(result.category(c).value_share, 0.0) for c in CATEGORIES]
    width = 0.38
    for offset, shares, label, alpha in (
        (-width / 2, client_shares, m("chart.client_share"), 0.45),
        (width / 2, value_shares, m("chart.value_share"), 1.0),
    ):
        bars = axes.bar(
            position + offset,
            shares,
            width,
            label=label,
            color=[COLOURS[c] for c in CATEGORIES],
            alpha=alpha,
            edgecolor="#333333",
            hatch="//" if alpha < 1 else None,
        )
        axes.bar_label(bars, labels=[f.percent(s, 0) for s in shares], padding=3, fontsize=14)
    axes.set_xticks(position, [m(f"category.{c}") for c in CATEGORIES])
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.yaxis.set_major_formatter(_percent_axis(f))
    axes.set_ylim(0, 1.08)
    axes.set_title(m("chart.categories_title"))
    axes.legend(loc="upper right")
    axes.grid(axis="y", alpha=0.3)
    return figure


def segments_figure(result: AnalysisResult, language: str, limit: int = 12) -> Figure | None:
    """Category mix of each segment (largest segments by value), as stacked bars."""
    if result.segments is None or result.segments.empty:
        return None
    m, f = Messages(language), Formatter(language)
    table = result.segments.head(limit)
    figure = _figure(height=max(5.0, 2.2 + 0.55 * len(table)), left=0.2)
    axes = figure.add_subplot()
    labels = [str(s) for s in table.index][::-1]
    totals = table["clients"].to_numpy()[::-1].clip(min=1)
    left = np.zeros(len(table))
    for letter in CATEGORIES:
        share = table[letter].to_numpy()[::-1] / totals
        axes.barh(labels, share, left=left, color=COLOURS[letter], label=letter)
        left += share
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(_percent_axis(f))
    axes.set_xlabel(m("chart.segments_x"))
    axes.set_title(m("chart.segments_title", column=result.columns.get("segment", "")))
    axes.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    axes.set_title(axes.get_title(), pad=34)
    return figure


def render_charts(result: AnalysisResult, language: str) -> list[Chart]:
    """Every chart the result supports, as PNG, in reading order."""
    from matplotlib import rc_context

    with rc_context(FONT):
        figures = [
            ("pareto", pareto_figure(result, language)),
            ("categories", categories_figure(result, language)),
            ("segments", segments_figure(result, language)),
        ]
        return [Chart(name, _png(figure)) for name, figure in figures if figure is not None]
