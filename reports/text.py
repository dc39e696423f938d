"""The summary of a result as titled sections of lines, rendered as plain text or as HTML.

Sections are where a long text may be cut; how long a message may be is the sender's business.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import pandas as pd

from analysis.period import PeriodSpec
from analysis.result import CATEGORIES, AnalysisResult
from reports.formatting import Formatter
from reports.messages import Messages

CONTRACT_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Line:
    """One line of text; `title` lines stand out (bold)."""

    text: str
    title: bool = False


@dataclass(frozen=True)
class Section:
    """A block of lines under an optional title; sections are shown a blank line apart."""

    lines: tuple[str, ...]
    title: str | None = None


class RankedClient(Protocol):
    """One client of a ranking, as the result's table and the bot's stored rows both give it."""

    @property
    def rank(self) -> int: ...
    @property
    def client(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def share(self) -> float: ...


def period_label(result: AnalysisResult, messages: Messages, formatter: Formatter) -> str:
    spec, bounds = result.period_spec, result.period
    start, end = formatter.short_date(bounds.start), formatter.short_date(bounds.end)
    if spec.kind == "months":
        return messages.plural(
            "period.months", spec.months, months=spec.months, start=start, end=end
        )
    if spec.kind == "year":
        return messages("period.year", year=spec.year)
    if spec.kind == "range":
        return messages("period.range", start=start, end=end)
    if bounds.start is not None:
        return messages("period.all_dates", start=start, end=end)
    return messages("period.all")


def asked_period(spec: PeriodSpec, messages: Messages) -> str:
    """A period as asked, before any data: `12 mois`, `2025`, `2024-01-01..2024-06-30`."""
    if spec.kind == "months":
        return messages.plural("summary.asked_months", spec.months, months=spec.months)
    return spec.label()


def formatter_for(result: AnalysisResult, language: str, currency: str | None) -> Formatter:
    """The file's own currency wins over the configured one."""
    return Formatter(language, result.currency or currency or "EUR")


def contracts_ending(
    result: AnalysisResult, today: date, days: int, categories: str = "A"
) -> pd.DataFrame:
    """Clients of the given categories whose contract ends in the `days` from `today`."""
    if "contract_end" not in result.clients.columns:
        return result.clients.iloc[0:0]
    clients = result.clients[result.clients["category"].isin(list(categories))]
    ends = clients["contract_end"]
    window = ends.between(pd.Timestamp(today), pd.Timestamp(today + timedelta(days=days)))
    return clients.loc[window].sort_values("contract_end")


def summary_sections(
    result: AnalysisResult, language: str, today: date, currency: str | None = None
) -> list[Section]:
    """Everything a manager reads first, in order."""
    m, f = Messages(language), formatter_for(result, language, currency)
    criterion = m(f"criterion.{result.criterion}")
    heading_lines = [
        m("summary.source", name=result.source.name),
        m("summary.period", period=period_label(result, m, f), criterion=criterion),
    ]
    if result.period_not_applied is not None:
        heading_lines.append(
            m("summary.period_not_applied", period=asked_period(result.period_not_applied, m))
        )
    heading = Section(tuple(heading_lines), title=m("summary.title"))
    pareto = m(
        "summary.pareto",
        share=f.percent(result.pareto_client_share),
        threshold=f.percent(result.category("A").value_share),
        criterion_of=m(f"summary.criterion_of_{result.criterion}"),
    )
    categories = Section(
        tuple(category_line(result, letter, m, f) for letter in CATEGORIES), pareto
    )
    return [
        heading,
        categories,
        figures_section(result, m, f),
        *advice_sections(result, m, f, today),
    ]


def category_line(result: AnalysisResult, letter: str, m: Messages, f: Formatter) -> str:
    stats = result.category(letter)
    return m(
        "summary.category_line",
        label=m(f"category.{letter}"),
        clients=m.plural("count.clients", stats.clients, count=f.number(stats.clients)),
        client_share=f.percent(stats.client_share),
        value=f.money(stats.value),
        value_share=f.percent(stats.value_share),
    )


def figures_section(result: AnalysisResult, m: Messages, f: Formatter) -> Section:
    """One-off clients, concentration, totals and what was merged or left out."""
    lines = []
    if result.one_off_share is None:
        lines.append(m("summary.one_off_unknown"))
    else:
        lines.append(m("summary.one_off", share=f.percent(result.one_off_share)))
    lines.append(
        m(
            "summary.concentration",
            top1=f.percent(result.top1_share),
            top10=f.percent(result.top10_share),
        )
    )
    clients = m.plural("count.clients", result.client_count, count=f.number(result.client_count))
    lines.append(m("summary.total", total=f.money(result.total), clients=clients))
    if result.merged_spellings:
        spellings = f.number(result.spellings)
        lines.append(m("summary.merged", spellings=spellings, clients=clients))
    if result.skipped:
        reasons = Counter(s.reason for s in result.skipped)
        parts = ", ".join(
            m("summary.skipped_reason", count=count, reason=m(f"skip_reason.{reason}"))
            for reason, count in reasons.most_common()
        )
        count = len(result.skipped)
        lines.append(m.plural("count.skipped", count, count=f.number(count), reasons=parts))
    if result.single_client:
        lines.append(m("summary.single_client"))
    return Section(tuple(lines))


def advice_sections(
    result: AnalysisResult, m: Messages, f: Formatter, today: date
) -> list[Section]:
    """What to do with each category, then the A contracts ending soon (when the file has them)."""
    sections = [
        Section(tuple(m(f"advice.{letter}") for letter in CATEGORIES), title=m("advice.title"))
    ]
    if "contract_end" not in result.clients.columns:
        return sections
    ending = contracts_ending(result, today, CONTRACT_HORIZON_DAYS)
    if ending.empty:
        sections.append(Section((m("advice.no_contracts", days=CONTRACT_HORIZON_DAYS),)))
        return sections
    contracts = tuple(
        m(
            "advice.contract_line",
            client=row["client"],
            date=f.date(row["contract_end"].date()),
            value=f.money(row["value"]),
        )
        for row in ending.head(15).to_dict("records")
    )
    title = m("advice.contracts_title", days=CONTRACT_HORIZON_DAYS)
    sections.append(Section(contracts, title=title))
    return sections


def segment_sections(
    result: AnalysisResult, language: str, currency: str | None = None
) -> list[Section]:
    """Category counts and value per segment, when the file has a segment column."""
    if result.segments is None:
        return []
    m, f = Messages(language), formatter_for(result, language, currency)
    column = result.columns.get("segment", "")
    lines = []
    for segment, row in result.segments.head(12).to_dict("index").items():
        counts = {letter.lower(): f.number(int(row[letter])) for letter in CATEGORIES}
        value = f.money(row["value"])
        lines.append(m("summary.segment_line", segment=segment, value=value, **counts))
    return [Section(tuple(lines), title=m("summary.segments_title", column=column))]


def top_lines(clients: Iterable[RankedClient], m: Messages, f: Formatter) -> tuple[str, ...]:
    """One line per client of a ranking, in the order given: `3. Name — value (share)`."""
    return tuple(
        m(
            "summary.top_line",
            rank=row.rank,
            client=row.client,
            value=f.money(row.value),
            share=f.percent(row.share),
        )
        for row in clients
    )


def lines_of(sections: Sequence[Section]) -> list[Line]:
    """The sections one line after another, a blank line between two sections."""
    lines: list[Line] = []
    for index, section in enumerate(sections):
        if index:
            lines.append(Line(""))
        if section.title is not None:
            lines.append(Line(section.title, title=True))
        lines += [Line(text) for text in section.lines]
    return lines


def as_plain(sections: Sequence[Section]) -> str:
    return "\n".join(line.text for line in lines_of(sections)).strip() + "\n"


def as_html(sections: Sequence[Section]) -> str:
    """HTML markup as chat apps read it: text escaped, titles in bold, lines apart by newlines."""
    parts = [
        f"<b>{html.escape(line.text)}</b>" if line.title else html.escape(line.text)
        for line in lines_of(sections)
    ]
    return "\n".join(parts).strip()
