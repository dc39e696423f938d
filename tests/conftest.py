"""Shared test helpers: real files of every supported format, built in the test."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest

Rows = Sequence[Sequence[Any]]


class FileMaker:
    """Writes the same rows as each format a sales manager might send."""

    @staticmethod
    def csv(
        rows: Rows, delimiter: str = ";", encoding: str = "utf-8", newline: str = "\r\n"
    ) -> bytes:
        lines = []
        for row in rows:
            cells = ["" if cell is None else str(cell) for cell in row]
            quoted = [
                '"' + c.replace('"', '""') + '"' if delimiter in c or '"' in c else c for c in cells
            ]
            lines.append(delimiter.join(quoted))
        return (newline.join(lines) + newline).encode(encoding)

    @staticmethod
    def xlsx(sheets: dict[str, Rows]) -> bytes:
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def xls(sheets: dict[str, Rows]) -> bytes:
        import xlwt

        book = xlwt.Workbook()
        date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
        for name, rows in sheets.items():
            sheet = book.add_sheet(name)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    if cell is None:
                        continue
                    if hasattr(cell, "year"):
                        sheet.write(r, c, cell, date_style)
                    else:
                        sheet.write(r, c, cell)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def ods(sheets: dict[str, Rows]) -> bytes:
        import pandas as pd

        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="odf") as writer:
            for name, rows in sheets.items():
                pd.DataFrame([list(r) for r in rows]).to_excel(
                    writer, sheet_name=name, header=False, index=False
                )
        return buffer.getvalue()


@pytest.fixture
def files() -> FileMaker:
    return FileMaker()


SALES_ROWS: list[list[Any]] = [
    ["Client", "Date facture", "N° facture", "Montant HT", "Secteur"],
    ["Alpha", "15/01/2025", "F1", "8000", "BTP"],
    ["Beta", "16/01/2025", "F2", "1000", "BTP"],
    ["Gamma", "17/01/2025", "F3", "500", "Santé"],
    ["Delta", "18/01/2025", "F4", "300", "Santé"],
    ["Epsilon", "19/01/2025", "F5", "200", "Santé"],
    ["Zeta", "20/01/2025", "F6", "-50", "Santé"],
]
"""Ten thousand of value: Alpha alone is 80 % (A), Beta and Gamma reach 95 % (B), Delta and
Epsilon are C, Zeta only refunded (D)."""
EXPECTED = {"Alpha": "A", "Beta": "B", "Gamma": "B", "Delta": "C", "Epsilon": "C", "Zeta": "D"}


@pytest.fixture
def sales_rows() -> list[list[Any]]:
    return [list(row) for row in SALES_ROWS]
