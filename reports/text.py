"""The summary of a result as text: plain for a terminal or a file, HTML for a Telegram message."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analysis.result import CATEGORIES, AnalysisResult
from reports.formatting import Formatter
from reports.messages import Messages

CONTRACT_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Line:
    """One line of a summary; `title` lines are bold in HTML."""

    text: str
    title: bool = False


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


def summary_lines(
    result: AnalysisResult, language: str, today: date, currency: str | None = None
) -> list[Line]:
    """Everything a manager reads first, in order."""
    m, f = Messages(language), formatter_for(result, language, currency)
    criterion = m(f"criterion.{result.criterion}")
    lines = [
        Line(m("summary.title"), title=True),
        Line(m("summary.source", name=result.source.name)),
        Line(m("summary.period", period=period_label(result, m, f), criterion=criterion)),
        Line(""),
        Line(
            m(
                "summary.pareto",
                share=f.percent(result.pareto_client_share),
                threshold=f.percent(result.category("A").value_share),
                criterion_of=m(f"summary.criterion_of_{result.criterion}"),
            ),
            title=True,
        ),
    ]
    for letter in CATEGORIES:
        stats = result.category(letter)
        lines.append(
            Line(
                m(
                    "summary.category_line",
                    label=m(f"category.{letter}"),
                    clients=m.plural("count.clients", stats.clients, count=f.number(stats.clients)),
                    client_share=f.percent(stats.client_share),
                    value=f.money(stats.value),
                    value_share=f.percent(stats.value_share),
                )
            )
        )
    lines.append(Line(""))
    if result.one_off_share is None:
        lines.append(Line(m("summary.one_off_unknown")))
    else:
        lines.append(Line(m("summary.one_off", share=f.percent(result.one_off_share))))
    lines.append(
        Line(
            m(
                "summary.concentration",
                top1=f.percent(result.top1_share),
                top10=f.percent(result.top10_share),
            )
        )
    )
    clients = m.plural("count.clients", result.client_count, count=f.number(result.client_count))
    lines.append(Line(m("summary.total", total=f.money(result.total), clients=clients)))
    if result.merged_spellings:
        spellings = f.number(result.spellings)
        lines.append(Line(m("summary.merged", spellings=spellings, clients=clients)))
    if result.skipped:
        reasons = Counter(s.reason for s in result.skipped)
        parts = ", ".join(
            m("summary.skipped_reason", count=count, reason=m(f"skip_reason.{reason}"))
            for reason, count in reasons.most_common()
        )
        count = len(result.skipped)
        lines.append(Line(m.plural("count.skipped", count, count=f.number(count), reasons=parts)))
    if result.single_client:
        lines.append(Line(m("summary.single_client")))
    lines += advice_lines(result, m, f, today)
    return lines


def advice_lines(result: AnalysisResult, m: Messages, f: Formatter, today: date) -> list[Line]:
    lines = [Line(""), Line(m("advice.title"), title=True)]
    lines += [Line(m(f"advice.{letter}")) for letter in CATEGORIES]
    if "contract_end" in result.clients.columns:
        ending = contracts_ending(result, today, CONTRACT_HORIZON_DAYS)
        lines.append(Line(""))
        if ending.empty:
            lines.append(Line(m("advice.no_contracts", days=CONTRACT_HORIZON_DAYS)))
        else:
            lines.append(Line(m("advice.contracts_title", days=CONTRACT_HORIZON_DAYS), title=True))
            for row in ending.head(15).to_dict("records"):
                lines.append(
                    Line(
                        m(
                            "advice.contract_line",
                            client=row["client"],
                            date=f.date(row["contract_end"].date()),
                            value=f.money(row["value"]),
                        )
                    )
                )
    return lines


def segment_lines(result: AnalysisResult, language: str, currency: str | None = None) -> list[Line]:
    """Category counts and value per segment, when the file has a segment column."""
    if result.segments is None:
        return []
    m, f = Messages(language), formatter_for(result, language, currency)
    column = result.columns.get("segment", "")
    lines = [Line(""), Line(m("summary.segments_title", column=column), title=True)]
    for segment, row in result.segments.head(12).to_dict("index").items():
        counts = {letter.lower(): f.number(int(row[letter])) for letter in CATEGORIES}
        value = f.money(row["value"])
        lines.append(Line(m("summary.segment_line", segment=segment, value=value, **counts)))
    return lines


def top_lines(
    result: AnalysisResult,
    language: str,
    letter: str,
    *,
    count: int,
    offset: int = 0,
    currency: str | None = None,
) -> list[Line]:
    """One line per client of a category, best first, `count` from `offset`."""
    m, f = Messages(language), formatter_for(result, language, currency)
    clients = result.clients_in(letter).iloc[offset : offset + count]
    return [
        Line(
            m(
                "summary.top_line",
                rank=row["rank"],
                client=row["client"],
                value=f.money(row["value"]),
                share=f.percent(row["share"]),
            )
        )
        for row in clients.to_dict("records")
    ]


def as_plain(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines).strip() + "\n"


def as_html(lines: list[Line]) -> str:
    """Telegram HTML: everything escaped, titles in bold."""
    parts = [
        f"<b>{html.escape(line.text)}</b>" if line.title else html.escape(line.text)
        for line in lines
    ]
    return "\n".join(parts).strip()
