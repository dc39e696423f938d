"""The annotated Excel report (XlsxWriter): Clients, Summary with a native chart, Skipped rows,
Settings. Text is always written as text, so a client named `=HYPERLINK(...)` stays a name."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from analysis.result import CATEGORIES, AnalysisResult
from reports.charts import COLOURS
from reports.formatting import Formatter
from reports.messages import Messages
from reports.text import period_label

# Columns of the Clients sheet, in order, before the carried ones: (result column, kind).
CLIENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "integer"),
    ("client", "text"),
    ("category", "category"),
    ("value", "money"),
    ("share", "percent"),
    ("cumulative_share", "percent"),
    ("purchases", "integer"),
    ("one_off", "flag"),
    ("first_purchase", "date"),
    ("last_purchase", "date"),
    ("days_since_last", "integer"),
    ("segment", "text"),
    ("manager", "text"),
    ("contract_end", "date"),
)
# Shown in the contract end's cell ("sans échéance") rather than as a column of its own.
OPEN_ENDED = "contract_open_ended"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
OPTIONS = {
    "constant_memory": True,  # rows stream to disk: fast and flat in memory for 100,000 clients
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": "dd/mm/yyyy",
}


def _money_format(currency: str) -> str:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "RUB": "₽"}.get(currency, currency)
    return f'#,##0.00 "{symbol}";-#,##0.00 "{symbol}"'


def excel_report(
    result: AnalysisResult, language: str, today: date, currency: str | None = None
) -> bytes:
    """The whole workbook as bytes."""
    m = Messages(language)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, OPTIONS)
    formats = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#dde4ee", "text_wrap": True, "valign": "top"}
        ),
        "money": book.add_format(
            {"num_format": _money_format(result.currency or currency or "EUR")}
        ),
        "percent": book.add_format({"num_format": "0.0%"}),
        "integer": book.add_format({"num_format": "#,##0"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        **{
            f"cat_{c}": book.add_format(
                {"bold": True, "font_color": "#ffffff", "bg_color": COLOURS[c], "align": "center"}
            )
            for c in CATEGORIES
        },
    }
    # Sheets are created in tab order; with constant_memory each is written top to bottom.
    summary = book.add_worksheet(m("excel.summary_sheet"))
    clients = book.add_worksheet(m("excel.clients_sheet"))
    skipped = book.add_worksheet(m("excel.skipped_sheet"))
    settings = book.add_worksheet(m("excel.settings_sheet"))
    _write_summary(book, summary, result, m, formats)
    _write_clients(clients, result, m, formats)
    _write_skipped(skipped, result, m, formats)
    _write_settings(settings, result, m=m, formats=formats, today=today, language=language)
    book.close()
    return buffer.getvalue()


def _write_clients(
    sheet: Worksheet, result: AnalysisResult, m: Messages, formats: dict[str, Any]
) -> None:
    table = result.readable_clients()
    open_ended = table.pop(OPEN_ENDED) if OPEN_ENDED in table.columns else None
    columns = [(name, kind) for name, kind in CLIENT_COLUMNS if name in table.columns]
    known = {name for name, _ in CLIENT_COLUMNS}
    columns += [(name, _kind_of(table[name])) for name in table.columns if name not in known]
    headers = [m(f"excel.{name}") if m.has(f"excel.{name}") else str(name) for name, _ in columns]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, formats["header"])
    prepared = [_prepare(sheet, table[name], kind, formats) for name, kind in columns]
    if open_ended is not None:
        at = [name for name, _ in columns].index("contract_end")
        prepared[at] = _with_open_ended(sheet, prepared[at], open_ended, m("contract.open_ended"))
    # constant_memory streams rows: each row is written whole, left to right, top to bottom.
    # This loop runs once per cell (over a million times for 100,000 clients): everything it
    # needs is looked up once, outside it.
    plan = [(col, c.cells, c.write, c.format, c.row_formats) for col, c in enumerate(prepared)]
    for row in range(len(table)):
        line = row + 1
        for col, cells, write, cell_format, row_formats in plan:
            value = cells[row]
            if value is not None:
                write(line, col, value, cell_format if row_formats is None else row_formats[row])
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, len(table), len(columns) - 1)
    widths = {"text": 28, "money": 16, "percent": 12, "date": 13, "integer": 10, "category": 10}
    for col, (name, kind) in enumerate(columns):
        sheet.set_column(col, col, 34 if name == "client" else widths.get(kind, 14))


def _kind_of(column: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if pd.api.types.is_bool_dtype(column):
        return "flag"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    return "text"


@dataclass(frozen=True)
class _Column:
    """A column ready to write: plain Python cells (None where empty), the sheet's typed writer,
    and one format for all rows or one per row."""

    cells: list[Any]
    write: Callable[..., Any]
    format: Any = None
    row_formats: list[Any] | None = None


def _prepare(sheet: Worksheet, column: pd.Series, kind: str, formats: dict[str, Any]) -> _Column:
    """Convert a column once, so the row loop only calls typed writers."""
    present = column.notna().to_numpy()
    if kind == "category":
        letters = column.astype(str).tolist()
        return _Column(
            letters, sheet.write_string, row_formats=[formats[f"cat_{c}"] for c in letters]
        )
    if kind == "date":
        # Excel stores a date as days since 1899-12-30: computed for the whole column at once,
        # it costs far less than converting a datetime per cell.
        serials = ((column - EXCEL_EPOCH) / pd.Timedelta(days=1)).tolist()
        cells = [v if ok else None for v, ok in zip(serials, present, strict=True)]
        return _Column(cells, sheet.write_number, formats["date"])
    if kind == "flag":
        # A real boolean: Excel shows it in its own language (VRAI/FAUX) and filters on it.
        flags = [bool(v) for v in column.fillna(False)]
        cells = [f if ok else None for f, ok in zip(flags, present, strict=True)]
        return _Column(cells, sheet.write_boolean)
    if kind in ("money", "percent", "integer", "number"):
        numbers = column.astype("float64").tolist()
        cells = [v if ok else None for v, ok in zip(numbers, present, strict=True)]
        return _Column(cells, sheet.write_number, formats.get(kind))
    texts = column.astype(str).tolist()
    return _Column(
        [t if ok else None for t, ok in zip(texts, present, strict=True)], sheet.write_string
    )


def _with_open_ended(sheet: Worksheet, dates: _Column, open_ended: pd.Series, text: str) -> _Column:
    """The contract end column with `text` where the contract has no end."""
    flags = open_ended.fillna(False).astype(bool).tolist()
    cells = [text if flag else cell for cell, flag in zip(dates.cells, flags, strict=True)]
    return _Column(cells, sheet.write, dates.format)


def _write_summary(
    book: xlsxwriter.Workbook,
    sheet: Worksheet,
    result: AnalysisResult,
    m: Messages,
    formats: dict[str, Any],
) -> None:
    sheet.write_string(0, 0, m("summary.title"), formats["title"])
    headers = [
        m("excel.category"),
        m("excel.clients"),
        m("excel.client_share"),
        m("excel.value"),
        m("excel.value_share"),
    ]
    for col, header in enumerate(headers):
        sheet.write_string(2, col, header, formats["header"])
    for offset, stats in enumerate(result.categories):
        row = 3 + offset
        sheet.write_string(
            row, 0, m(f"category.{stats.category}"), formats[f"cat_{stats.category}"]
        )
        sheet.write_number(row, 1, stats.clients, formats["integer"])
        sheet.write_number(row, 2, stats.client_share, formats["percent"])
        sheet.write_number(row, 3, stats.value, formats["money"])
        sheet.write_number(row, 4, stats.value_share, formats["percent"])
    sheet.write_string(7, 0, m("excel.total"), formats["header"])
    sheet.write_number(7, 1, result.client_count, formats["integer"])
    sheet.write_number(7, 2, 1.0, formats["percent"])
    sheet.write_number(7, 3, result.total, formats["money"])
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 4, 18)
    chart = book.add_chart({"type": "column"})
    name = sheet.get_name().replace("'", "''")
    for col, label in ((2, m("excel.client_share")), (4, m("excel.value_share"))):
        chart.add_series(
            {
                "name": label,
                "categories": f"='{name}'!$A$4:$A$7",
                "values": f"='{name}'!${chr(65 + col)}$4:${chr(65 + col)}$7",
                "points": [
                    {"fill": {"color": COLOURS[c], "transparency": 55 if col == 2 else 0}}
                    for c in CATEGORIES
                ],
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
    chart.set_title({"name": m("excel.chart_title")})
    chart.set_y_axis({"num_format": "0%", "max": 1})
    chart.set_size({"width": 720, "height": 400})
    sheet.insert_chart(9, 0, chart)


def _write_skipped(
    sheet: Worksheet, result: AnalysisResult, m: Messages, formats: dict[str, Any]
) -> None:
    for col, header in enumerate(
        (m("excel.row"), m("excel.column"), m("excel.cell"), m("excel.reason"))
    ):
        sheet.write_string(0, col, header, formats["header"])
    for offset, skipped in enumerate(result.skipped, start=1):
        sheet.write_number(offset, 0, skipped.row)
        if skipped.column is not None:
            sheet.write_string(offset, 1, skipped.column)
        if skipped.value is not None:
            sheet.write_string(offset, 2, skipped.value)
        sheet.write_string(offset, 3, m(f"skip_reason.{skipped.reason}"))
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 3, 26)


def _write_settings(
    sheet: Worksheet,
    result: AnalysisResult,
    *,
    m: Messages,
    formats: dict[str, Any],
    today: date,
    language: str,
) -> None:
    f = Formatter(language)
    rows = [
        (m("excel.criterion"), m(f"criterion.{result.criterion}")),
        (m("excel.period"), period_label(result, m, f)),
        (
            m("excel.cutoffs"),
            f"{f.number(result.thresholds.a, 1)} % / {f.number(result.thresholds.b, 1)} %",
        ),
        (m("excel.source"), result.source.name),
        (m("excel.sheet"), result.source.sheet or "—"),
        (m("excel.generated"), f.date(today)),
    ]
    rows += [(m(f"role.{role}"), column) for role, column in result.columns.items()]
    sheet.write_string(0, 0, m("excel.setting"), formats["header"])
    sheet.write_string(0, 1, m("excel.setting_value"), formats["header"])
    for offset, (label, value) in enumerate(rows, start=1):
        sheet.write_string(offset, 0, label)
        sheet.write_string(offset, 1, value)
    sheet.set_column(0, 1, 32)
