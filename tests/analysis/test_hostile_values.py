"""Hostile values inside honest-looking files: dates outside pandas' nanosecond range (read as
what they are, "no end" for a contract), and amounts too large to be amounts (refused with
their row), never a traceback nor a silently wrong number."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.dates import parse_dates
from analysis.ingest.numbers import parse_numbers
from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings
from reports.jsondoc import to_json
from reports.messages import Messages

HEADER = ["Client", "Date", "Montant HT", "Fin de contrat"]


def workbook(rows: list[list[object]], date_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    """An XLSX of typed cells; `date_cells` (0-based row, column) get a date format, so a plain
    number there is an Excel serial date."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for row, column in date_cells:
        sheet.cell(row + 1, column + 1).number_format = "dd/mm/yyyy"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ordinary_rows(count: int) -> list[list[object]]:
    return [[f"C{i}", dt.datetime(2025, 1, 1 + i % 28), 100.0 + i, None] for i in range(count)]


def skipped(tx_or_result) -> list[tuple[int, str | None, str]]:
    return [(s.row, s.column, s.reason) for s in tx_or_result.skipped]


def kept_years(values: pd.Series) -> set[int]:
    return {stamp.year for stamp in values.dropna()}


# --- dates ----------------------------------------------------------------------------------


def test_dates_outside_the_nanosecond_range_are_read_as_what_they_are():
    parsed = parse_dates(
        pd.Series(
            [
                "01/01/0001",
                "31/12/9999",
                "9999-12-31",
                "31 décembre 9999",
                "01/01/1900",
                "31/12/2100",
                "31/12/1899",
                "15/06/2150",
                "demain",
                None,
            ],
            dtype="str",
        )
    )
    values = [None if pd.isna(v) else str(v.date()) for v in parsed.values]
    assert values == [None] * 4 + ["1900-01-01", "2100-12-31"] + [None] * 4
    assert parsed.open_ended.tolist() == [False, True, True, True] + [False] * 6
    assert parsed.out_of_range.tolist() == [True] * 4 + [False, False, True, True, False, False]
    assert parsed.unreadable.tolist() == [True] * 4 + [False, False, True, True, True, False]


def test_serial_numbers_past_2100():
    """Plain numbers in a date column are Excel serials: 2958465 is 9999-12-31 ("no end" for a
    contract), 3000000 is past Excel's last day, 80000 is in 2119."""
    parsed = parse_dates(pd.Series([3_000_000.0, 2_958_465.0, 80_000.0, 45_658.0]))
    assert parsed.values.isna().tolist() == [True, True, True, False]
    assert parsed.unreadable.tolist() == [True, True, True, False]
    assert parsed.open_ended.tolist() == [False, True, False, False]


def test_typed_dates_outside_the_nanosecond_range_are_no_traceback():
    """9999-12-31 and year 1 typed in a workbook, and the serial 3000000 (past Excel's last day)
    formatted as a date: pandas' nanoseconds end in 2262, these never reach them."""
    rows: list[list[object]] = [HEADER, *ordinary_rows(400)]
    rows[1][3] = dt.datetime(9999, 12, 31)  # C0: no end
    rows[2][3] = dt.datetime(1, 1, 1)  # C1: the earliest day openpyxl writes (as a serial)
    rows[3][1] = 3_000_000  # C2: a sale date past year 9999
    rows[4][3] = 2_958_465  # C3: Excel's 9999-12-31 as a serial: no end either
    rows[5][3] = dt.datetime(2026, 6, 30)  # C4: an ordinary contract end
    data = workbook(rows, date_cells=((3, 1), (4, 3)))
    tx = load(data, "contrats.xlsx")
    assert skipped(tx) == [(3, "Fin de contrat", "unreadable_date"), (4, "Date", "unreadable_date")]
    frame = tx.frame.set_index("client")
    assert frame.loc["C0", "contract_open_ended"] and pd.isna(frame.loc["C0", "contract_end"])
    assert frame.loc["C3", "contract_open_ended"] and pd.isna(frame.loc["C3", "contract_end"])
    assert not frame.loc["C4", "contract_open_ended"]
    assert frame.loc["C4", "contract_end"] == pd.Timestamp("2026-06-30")
    assert kept_years(frame["contract_end"]) == {2026}
    assert kept_years(frame["date"]) == {2025}


def test_text_dates_of_year_1_and_9999_no_longer_wrap(files):
    """`01/01/0001` and `31/12/9999` used to become 1754-08-30 and 1816-03-29."""
    rows = [HEADER] + [[f"C{i}", "02/01/2025", "100", ""] for i in range(300)]
    rows[1][3] = "31/12/9999"  # C0: no end
    rows[2][3] = "01/01/0001"  # C1: unreadable contract end
    rows[3][1] = "31/12/9999"  # C2: a sale date is never "no end"
    rows[4][3] = "30/06/2026"
    tx = load(files.csv(rows), "contrats.csv")
    assert skipped(tx) == [(3, "Fin de contrat", "unreadable_date"), (4, "Date", "unreadable_date")]
    assert [(s.row, s.value) for s in tx.skipped] == [(3, "01/01/0001"), (4, "31/12/9999")]
    frame = tx.frame.set_index("client")
    assert frame.loc["C0", "contract_open_ended"] and pd.isna(frame.loc["C0", "contract_end"])
    assert kept_years(frame["contract_end"]) == {2026}
    assert kept_years(frame["date"]) == {2025}


def test_every_date_column_keeps_1900_to_2100_only(files):
    """A last purchase in 1850 and a contract end in 2150 are unreadable: they are dates, but
    none a sales file can mean (2150 is no "no end" either: that is year 2200 on)."""
    rows = [["Client", "CA", "Dernier achat", "Fin de contrat"]]
    rows += [[f"C{i}", "100", "15/01/2025", "31/12/2026"] for i in range(300)]
    rows[1][2] = "15/01/1850"
    rows[2][3] = "15/06/2150"
    tx = load(files.csv(rows), "clients.csv")
    assert skipped(tx) == [
        (2, "Dernier achat", "unreadable_date"),
        (3, "Fin de contrat", "unreadable_date"),
    ]
    assert not tx.frame["contract_open_ended"].any()


def test_dates_out_of_range_above_one_percent_refuse_the_file(files):
    rows = [HEADER] + [[f"C{i}", "02/01/2025", "100", ""] for i in range(100)]
    for i in (5, 6):
        rows[i][1] = "01/01/0001"
    with pytest.raises(InputError) as caught:
        run(files.csv(rows), "f.csv", AnalysisSettings())
    error = caught.value
    assert error.code == "unreadable_values"
    assert error.params["examples"][:2] == [(6, "Date", "01/01/0001"), (7, "Date", "01/01/0001")]
    assert "1900" in Messages("fr").error(error) and "2100" in Messages("en").error(error)


def test_an_open_ended_contract_is_the_clients_whatever_its_other_rows_say(files):
    rows = [HEADER]
    rows += [["Alpha", "02/01/2025", "500", "31/03/2025"], ["Alpha", "03/01/2025", "500", ""]]
    rows += [["Alpha", "04/01/2025", "500", "31/12/9999"]]
    rows += [["Beta", "02/01/2025", "300", "30/06/2026"], ["Beta", "05/01/2025", "1", ""]]
    rows += [["Gamma", "02/01/2025", "200", ""]]
    result = run(files.csv(rows), "contrats.csv", AnalysisSettings())
    clients = result.clients.set_index("client")
    assert clients["contract_open_ended"].to_dict() == {
        "Alpha": True,
        "Beta": False,
        "Gamma": False,
    }
    assert pd.isna(clients.loc["Alpha", "contract_end"])
    assert clients.loc["Beta", "contract_end"] == pd.Timestamp("2026-06-30")
    doc = {c["client"]: c for c in json.loads(to_json(result))["clients"]}
    assert (doc["Alpha"]["contract_end"], doc["Alpha"]["contract_open_ended"]) == (None, True)
    assert (doc["Beta"]["contract_end"], doc["Beta"]["contract_open_ended"]) == (
        "2026-06-30",
        False,
    )
    assert (doc["Gamma"]["contract_end"], doc["Gamma"]["contract_open_ended"]) == (None, False)


def test_without_a_contract_column_there_is_no_open_ended_key(files):
    rows = [["Client", "Montant HT"], ["Alpha", "10"], ["Beta", "5"]]
    result = run(files.csv(rows), "f.csv", AnalysisSettings())
    assert "contract_open_ended" not in result.clients.columns
    assert all("contract_open_ended" not in c for c in json.loads(to_json(result))["clients"])


# --- amounts --------------------------------------------------------------------------------

HUGE = (1e308, -1e308, 1e13)


def test_typed_huge_amounts_are_refused_with_their_row():
    """Two typed 1e308 used to overflow the sum into a false "no client has a positive total"."""
    rows: list[list[object]] = [["Client", "Montant HT", "Marge"]]
    rows += [[f"C{i}", 100.0, 10.0] for i in range(600)]
    for offset, value in enumerate(HUGE):
        rows[1 + offset][1] = value
    rows[4][1] = 9.99e12  # kept
    rows[5][2] = 1e308  # the margin too
    rows += [["Z", 1e308, 1.0]]  # a second 1e308: the sum of two overflows
    result = run(workbook(rows), "ventes.xlsx", AnalysisSettings())
    assert skipped(result) == [
        (2, "Montant HT", "too_large_number"),
        (3, "Montant HT", "too_large_number"),
        (4, "Montant HT", "too_large_number"),
        (6, "Marge", "too_large_number"),
        (602, "Montant HT", "too_large_number"),
    ]
    assert [s.value for s in result.skipped][:3] == ["1e+308", "-1e+308", "10000000000000.0"]
    assert np.isfinite(result.total)
    assert result.total == 9.99e12 + 100.0 * 595
    assert result.clients.iloc[0]["client"] == "C3"


@pytest.mark.parametrize(
    "written",
    [
        ["1e308", "-1e308", "1e13", "9.99e12"],
        ["1E+308", "-1e+308", "1,0e13", "9,99e12"],
        ["1" + "0" * 308, "-1" + "0" * 308, "10 000 000 000 000", "9 990 000 000 000"],
    ],
)
def test_text_huge_amounts_are_refused_with_their_row(files, written):
    rows = [["Client", "Montant HT"]] + [[f"C{i}", "100"] for i in range(400)]
    for offset, text in enumerate(written):
        rows[1 + offset][1] = text
    result = run(files.csv(rows), "ventes.csv", AnalysisSettings())
    assert [(s.row, s.value, s.reason) for s in result.skipped] == [
        (2, written[0], "too_large_number"),
        (3, written[1], "too_large_number"),
        (4, written[2], "too_large_number"),
    ]
    assert result.total == 9.99e12 + 100.0 * 396


def test_huge_amounts_above_one_percent_refuse_the_file(files):
    rows = [["Client", "Montant HT"]] + [[f"C{i}", "100"] for i in range(100)]
    rows[8][1] = "1e308"
    rows[9][1] = "-1e308"
    with pytest.raises(InputError) as caught:
        run(files.csv(rows), "ventes.csv", AnalysisSettings())
    error = caught.value
    assert error.code == "unreadable_values"
    assert error.params["examples"] == [(9, "Montant HT", "1e308"), (10, "Montant HT", "-1e308")]
    assert "10 000 milliards" in Messages("fr").error(error)
    assert "10 trillion" in Messages("en").error(error)


def test_the_cap_holds_in_every_way_a_number_arrives():
    """Typed, text, mixed typed and text, and a column of program floats (`-1234.5`)."""
    for column in (
        pd.Series([1e13, 9.99e12, -1e13, float("inf"), None]),
        pd.Series(["1e13", "9.99e12", "-1e13", "inf", None], dtype="str"),
        pd.Series([1e13, "9 990 000 000 000", "-10000000000000", None, None], dtype=object),
        pd.Series(["10000000000000", "9990000000000.5", "-10000000000000", "1", None], dtype="str"),
    ):
        parsed = parse_numbers(column)
        assert parsed.large().tolist()[:3] == [True, False, True], column.tolist()
        assert parsed.unreadable.tolist()[:3] == [True, False, True]
        assert np.isnan(parsed.values.iloc[0]) and parsed.values.iloc[1] >= 9.99e12
