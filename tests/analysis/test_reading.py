"""Reading real files of every supported format, as ERPs and people write them."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from analysis.abc import analyze
from analysis.errors import InputError
from analysis.ingest.charsets import detect_encoding
from analysis.ingest.reading import read_table
from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings, ReadOptions

from ..conftest import EXPECTED


def categories(data: bytes, name: str, **options: object) -> dict[str, str]:
    result = run(data, name, AnalysisSettings(), ReadOptions(**options))  # type: ignore[arg-type]
    return dict(zip(result.clients["client"], result.clients["category"].astype(str), strict=True))


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_every_delimiter_is_detected(files, sales_rows, delimiter):
    data = files.csv(sales_rows, delimiter=delimiter)
    assert categories(data, "ventes.csv") == EXPECTED


@pytest.mark.parametrize(
    ("encoding", "expected_label"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
        ("latin-1", "cp1252"),
    ],
)
def test_encodings_are_detected_and_accents_survive(files, sales_rows, encoding, expected_label):
    sales_rows[1][0] = "Société Générale d'Équipement"
    data = files.csv(sales_rows, encoding=encoding)
    table = read_table(data, "ventes.csv")
    assert table.source.encoding == expected_label
    assert table.frame.iloc[0, 0] == "Société Générale d'Équipement"


def test_excel_unicode_text_export_is_utf16_with_tabs(files, sales_rows):
    data = files.csv(sales_rows, delimiter="\t", encoding="utf-16")
    table = read_table(data, "export.txt")
    assert table.source.delimiter == "\t"
    assert categories(data, "export.txt") == EXPECTED


def test_dates_with_french_month_names_in_a_cp1252_export(files, sales_rows):
    """An ERP's long dates ("15 février 2025") count: no row is skipped, the period sees them."""
    for row, day in zip(sales_rows[1:], range(10, 16), strict=True):
        row[1] = f"{day} février 2025"
    data = files.csv(sales_rows, encoding="cp1252")
    result = run(data, "ventes.csv", AnalysisSettings())
    assert result.skipped == ()
    assert categories(data, "ventes.csv") == EXPECTED
    alpha = result.clients.set_index("client").loc["Alpha"]
    assert alpha["last_purchase"] == pd.Timestamp("2025-02-10")


def test_cp1252_euro_sign_and_latin1_only_bytes():
    assert detect_encoding("Montant €;é\n".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"Caf\xe9 \x81;1\n") == "latin-1"
    assert detect_encoding("Клиент;Сумма\nРомашка;1\n".encode("cp1251")) == "cp1251"


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(files, sales_rows):
    rows = [["Export des ventes — Société X"], ["Édité le 01/02/2025"], [], *sales_rows]
    data = files.csv(rows)
    table = read_table(data, "ventes.csv")
    assert table.source.header_row == 4
    assert list(table.frame.columns)[:2] == ["Client", "Date facture"]
    assert table.row_numbers[0] == 5
    assert categories(data, "ventes.csv") == EXPECTED


def test_ten_title_rows_are_the_most_allowed(files, sales_rows):
    rows = [[f"Titre {i}"] for i in range(10)] + sales_rows
    assert read_table(files.csv(rows), "v.csv").source.header_row == 11


def test_malformed_line_is_reported_with_its_row_number(files, sales_rows):
    rows = [*sales_rows[:3], ["bad line"], *sales_rows[3:]]
    tx = load(files.csv(rows), "v.csv")
    malformed = [s for s in tx.skipped if s.reason == "malformed_line"]
    assert [(s.row, s.value) for s in malformed] == [(4, "bad line")]
    rows_of = dict(zip(tx.frame["client"], tx.frame["row"], strict=True))
    assert rows_of["Gamma"] == 5


def test_xlsx_with_typed_cells(files):
    rows = [
        ["Client", "Date", "Montant HT"],
        ["Alpha", dt.datetime(2025, 1, 15), 8000.0],
        ["Beta", dt.datetime(2025, 2, 15), 2000.0],
    ]
    tx = load(files.xlsx({"Ventes": rows}), "ventes.xlsx")
    assert tx.frame["sales"].tolist() == [8000.0, 2000.0]
    assert tx.frame["date"].dt.date.tolist() == [dt.date(2025, 1, 15), dt.date(2025, 2, 15)]
    assert tx.frame["row"].tolist() == [2, 3]


def test_xlsx_title_rows_found_in_the_same_read(files, sales_rows):
    rows = [["Export ERP"], [None], *sales_rows]
    table = read_table(files.xlsx({"Feuil1": rows}), "v.xlsx")
    assert table.source.header_row == 3
    assert table.row_numbers[0] == 4
    assert categories(files.xlsx({"Feuil1": rows}), "v.xlsx") == EXPECTED


def test_xlsm_extension_reads_as_a_workbook(files, sales_rows):
    assert categories(files.xlsx({"S": sales_rows}), "macro.xlsm") == EXPECTED


def test_xls_and_ods(files, sales_rows):
    typed = [sales_rows[0]] + [
        [r[0], dt.date(2025, 1, 15), r[2], float(r[3]), r[4]] for r in sales_rows[1:]
    ]
    assert categories(files.xls({"Ventes": typed}), "old.xls") == EXPECTED
    assert categories(files.ods({"Ventes": sales_rows}), "libre.ods") == EXPECTED


def test_multi_sheet_workbook_takes_the_sheet_with_clients_or_the_named_one(files, sales_rows):
    notes = [["Notes"], ["Export du 1er février"]]
    other = [["Client", "Montant"], ["Solo", 10]]
    book = files.xlsx({"Notes": notes, "Ventes": sales_rows, "Autre": other})
    assert categories(book, "b.xlsx") == EXPECTED
    assert categories(book, "b.xlsx", sheet="autre") == {"Solo": "A"}
    with pytest.raises(InputError) as error:
        categories(book, "b.xlsx", sheet="Missing")
    assert error.value.code == "sheet_not_found"
    assert error.value.params["sheets"] == ["Notes", "Ventes", "Autre"]


def test_xlsx_leading_empty_rows_keep_spreadsheet_row_numbers(files):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B4"], sheet["C4"] = "Client", "Montant"
    sheet["B5"], sheet["C5"] = "Alpha", 10
    sheet["B6"], sheet["C6"] = "Beta", "n/a"
    for row in range(7, 300):
        sheet.cell(row=row, column=2, value=f"C{row}")
        sheet.cell(row=row, column=3, value=1)
    buffer = io.BytesIO()
    book.save(buffer)
    tx = load(buffer.getvalue(), "offset.xlsx")
    assert [(s.row, s.value) for s in tx.skipped] == [(6, "n/a")]


def _sheet_starting_at_b4(fmt: str, rows: list[list[object]]) -> bytes:
    """The rows written from cell B4 down, rows 1 to 3 and column A left empty."""
    if fmt == "xls":
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("Ventes")
        for r, row in enumerate(rows, start=3):
            for c, cell in enumerate(row, start=1):
                sheet.write(r, c, cell)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        pd.DataFrame(rows).to_excel(
            writer, sheet_name="Ventes", header=False, index=False, startrow=3, startcol=1
        )
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_leading_empty_rows_keep_spreadsheet_row_numbers(fmt):
    """A sheet starting at B4 still names row 6 as row 6 (calamine drops the empty rows)."""
    rows: list[list[object]] = [["Client", "Montant"], ["Alpha", 10], ["Beta", "n/a"]]
    rows += [[f"C{row}", 1] for row in range(7, 300)]
    tx = load(_sheet_starting_at_b4(fmt, rows), f"offset.{fmt}")
    assert [(s.row, s.value) for s in tx.skipped] == [(6, "n/a")]


def test_a_client_named_total_energies_is_a_client(files):
    rows = [
        ["Client", "Montant"],
        ["TotalEnergies SE", 100],
        ["Total Energies", 50],
        ["Total", 150],
    ]
    tx = load(files.csv(rows), "t.csv")
    assert set(tx.frame["client"]) == {"TotalEnergies SE", "Total Energies"}
    assert [s.reason for s in tx.skipped] == ["total_row"]


@pytest.mark.parametrize(
    "name", ["Total", "Total général", "TOTAL GENERAL :", "Sous-total", "Grand total", "Итого"]
)
def test_total_rows_are_left_out_and_reported(files, sales_rows, name):
    rows = [*sales_rows, [name, "", "", "9750", ""]]
    result = run(files.csv(rows), "v.csv", AnalysisSettings())
    assert name not in set(result.clients["client"])
    assert [(s.row, s.reason) for s in result.skipped] == [(8, "total_row")]


def test_row_with_a_sum_but_no_client_is_a_total(files, sales_rows):
    rows = [*sales_rows, ["", "", "", "9750", ""]]
    tx = load(files.csv(rows), "v.csv")
    assert [(s.row, s.reason) for s in tx.skipped] == [(8, "total_row")]
    assert len(tx.frame) == 6


def test_per_client_table_is_detected_and_uses_the_orders_count(files):
    rows = [
        ["Raison sociale", "Chiffre d'affaires", "Nombre de commandes", "Dernier achat"],
        ["Alpha", "8 000,00", "12", "03/02/2025"],
        ["Beta", "2 000,00", "1", "15/12/2024"],
    ]
    result = analyze(load(files.csv(rows), "clients.csv"), AnalysisSettings())
    assert result.shape == "per_client"
    by_client = result.clients.set_index("client")
    assert by_client.loc["Alpha", "purchases"] == 12
    assert bool(by_client.loc["Beta", "one_off"]) is True
    assert by_client.loc["Beta", "days_since_last"] == 50


def test_per_client_table_without_orders_has_unknown_purchases(files):
    rows = [["Client", "CA"], ["Alpha", "800"], ["Beta", "200"]]
    result = analyze(load(files.csv(rows), "c.csv"), AnalysisSettings())
    assert result.clients["purchases"].isna().all()
    assert result.one_off_share is None


def test_quoted_fields_with_newlines(files):
    data = b'Client,Montant\n"Alpha\nSA",10\nBeta,5\n'
    tx = load(data, "q.csv")
    assert tx.frame["client"].tolist() == ["Alpha SA", "Beta"]
