"""Reports never crash on a large or odd float, and show a contract without an end as such."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import openpyxl
import pandas as pd
import pytest

from analysis.abc import analyze
from analysis.ingest.columns import ColumnRoles
from analysis.ingest.reading import SourceInfo
from analysis.ingest.transactions import Transactions
from analysis.pipeline import run
from analysis.settings import AnalysisSettings
from reports.bundle import artifacts
from reports.excel import excel_report
from reports.formatting import Formatter
from reports.jsondoc import to_json
from reports.messages import Messages
from reports.text import as_plain, contracts_ending, summary_sections

TODAY = dt.date(2025, 3, 1)
ODD = (1e28, -1e28, 1e300, 1.7e308, -1.7e308, math.inf, -math.inf, math.nan, 1e15, 5e-324)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("value", ODD)
def test_the_formatter_gives_every_float_a_text(language, value):
    """Babel's format_currency raises InvalidOperation from 1e28 on; NaN used to read "NaN"."""
    f = Formatter(language)
    for text in (f.money(value), f.money(value, 0), f.number(value), f.percent(value)):
        assert text and "NaN" not in text and "∞" not in text


def test_huge_values_are_written_in_scientific_form():
    fr, en = Formatter("fr"), Formatter("en", "USD")
    assert fr.money(1e28) == "1,00E28\u00a0€"
    assert fr.money(-1.5e30) == "-1,50E30\u00a0€"
    assert en.money(1e28) == "US$1.00E28"
    assert en.money(-1e28) == "-US$1.00E28"
    assert fr.number(2.5e20) == "2,50E20"
    assert fr.money(math.inf) == fr.money(math.nan) == fr.percent(math.inf) == "—"
    assert fr.money(999_999_999_999.0) == "999\u202f999\u202f999\u202f999\u00a0€"  # exact still


def huge_result(value: float):
    """A result whose values no file can give any more (the reader refuses 1e13 and more), as
    another source or a later change might: the reports must still be written."""
    frame = pd.DataFrame(
        {
            "client_key": pd.Categorical(["a", "b", "c"]),
            "client": pd.Categorical(["Alpha", "Beta", "Gamma"]),
            "sales": [value, 5.0, -value / 3],
            "row": [2, 3, 4],
        }
    )
    roles = ColumnRoles({"client": "Client", "sales": "CA"})
    tx = Transactions(frame, roles, "per_client", SourceInfo("huge.csv", "csv"))
    return analyze(tx, AnalysisSettings())


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # matplotlib's ticks
@pytest.mark.parametrize("value", [1e28, 1e300, 1.7e308])
def test_every_report_of_huge_values_is_written(value):
    result = huge_result(value)
    for language in ("fr", "en"):
        names = [artifact.name for artifact in artifacts(result, language, TODAY)]
        assert {"summary.txt", "report.xlsx", "report.pdf"} <= set(names)
    summary = as_plain(summary_sections(result, "fr", TODAY))
    assert "E" in summary and "NaN" not in summary
    doc = json.loads(to_json(result))
    assert doc["clients"][0]["client"] == "Alpha"


# --- contracts without an end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def contracts_result():
    lines = ["Client;Date;Montant HT;Fin de contrat"]
    lines += ["Alpha;02/01/2025;5000;31/12/9999", "Alpha;03/01/2025;1000;15/03/2025"]
    lines += ["Beta;02/01/2025;3000;20/03/2025", "Gamma;02/01/2025;200;"]
    return run("\n".join(lines).encode(), "contrats.csv", AnalysisSettings())


def test_an_open_ended_contract_is_never_announced_as_ending(contracts_result):
    ending = contracts_ending(contracts_result, TODAY, 60, categories="ABCD")
    assert ending["client"].tolist() == ["Beta"]
    text = as_plain(summary_sections(contracts_result, "fr", TODAY))
    assert "Alpha — fin le" not in text


@pytest.mark.parametrize(("language", "words"), [("fr", "sans échéance"), ("en", "no end date")])
def test_the_excel_clients_sheet_says_no_end_date(contracts_result, language, words):
    book = openpyxl.load_workbook(io.BytesIO(excel_report(contracts_result, language, TODAY)))
    sheet = book[Messages(language)("excel.clients_sheet")]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert Messages(language)("excel.contract_end") in header
    assert "contract_open_ended" not in header and len(header) == len(set(header))
    ends = {row[1]: row[header.index(Messages(language)("excel.contract_end"))] for row in rows[1:]}
    assert ends["Alpha"] == words
    assert ends["Beta"] == dt.datetime(2025, 3, 20)
    assert ends["Gamma"] is None


def test_the_json_document_says_open_ended(contracts_result):
    clients = {c["client"]: c for c in json.loads(to_json(contracts_result))["clients"]}
    assert clients["Alpha"]["contract_end"] is None
    assert clients["Alpha"]["contract_open_ended"] is True
    assert clients["Beta"]["contract_end"] == "2025-03-20"
    assert clients["Beta"]["contract_open_ended"] is False


# --- the command line, end to end -----------------------------------------------------------


def test_the_cli_reads_hostile_values_into_a_report(tmp_path, capsys):
    """Typed 9999-12-31 and 1e308 in a workbook: a report, the bad rows named, exit 0."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Client", "Date", "Montant HT", "Fin de contrat"])
    for i in range(300):
        sheet.append([f"C{i}", dt.datetime(2025, 1, 2), 100.0 + i, dt.datetime(2026, 1, 31)])
    sheet.append(["Z", dt.datetime(2025, 1, 2), 1e308, dt.datetime(9999, 12, 31)])
    sheet.append(["Y", dt.datetime(9999, 12, 31), 50.0, dt.datetime(9999, 12, 31)])
    sheet.append(["C0", dt.datetime(2025, 1, 3), 10.0, dt.datetime(9999, 12, 31)])
    path = tmp_path / "ventes.xlsx"
    book.save(path)
    from bot.cli import main

    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(s["row"], s["reason"]) for s in doc["skipped_rows"]] == [
        (302, "too_large_number"),
        (303, "unreadable_date"),
    ]
    clients = {c["client"]: c for c in doc["clients"]}
    assert (clients["C0"]["contract_end"], clients["C0"]["contract_open_ended"]) == (None, True)
    assert clients["C1"]["contract_end"] == "2026-01-31"
    assert doc["total"] == sum(100.0 + i for i in range(300)) + 10.0


def test_the_cli_refuses_too_many_in_one_sentence(tmp_path, capsys):
    lines = ["Client;Date;Montant HT"] + [f"C{i};02/01/2025;100" for i in range(50)]
    lines += ["X;31/12/9999;10", "Y;02/01/2025;1e308"]
    path = tmp_path / "ventes.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    from bot.cli import main

    assert main(["analyze", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert 'row 52 (Date: "31/12/9999"); row 53 (Montant HT: "1e308")' in err
    assert "from 1900 to 2100" in err and "under 10 trillion" in err
