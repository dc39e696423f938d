"""Hostile workbooks and tables, each a few KB: refused in one sentence within the limits, never
by a crash, a traceback or hours of work."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from analysis.errors import InputError
from analysis.ingest.containers import column_letters
from analysis.pipeline import load
from analysis.settings import Limits, ReadOptions
from bot.pool import WorkerLimits, run_limited
from reports.messages import Messages

from . import hostile_files as hostile

# What a review's far cell did to an unguarded reader: an abort ("memory allocation of
# 549755813888 bytes failed"), so it is read in a worker, where an abort fails the test only.
WORKER = WorkerLimits(memory_mb=2048, job_timeout_s=30)


def refused(data: bytes, name: str, limits: Limits | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        load(data, name, ReadOptions(limits=limits or Limits()))
    error = caught.value
    for language in ("fr", "en"):
        sentence = Messages(language).error(error)
        assert "{" not in sentence and sentence != Messages(language)("error.unknown")
        assert sentence.count(". ") == 0  # one sentence
    return error


def test_a_value_far_from_the_table_is_refused_naming_its_cell():
    cases = [("XFD1048576", False), ("CV1048576", False), ("XFD1048576", True), ("XFD5", True)]
    files = [(hostile.far_cell_xlsx(ref, honest), "ventes.xlsx") for ref, honest in cases]
    assert all(len(data) < 2500 for data, _ in files)
    outcomes = run_limited(WORKER, hostile.refusals, files)
    for (ref, _), outcome in zip(cases, outcomes, strict=True):
        assert outcome is not None and outcome[0] == "far_cell", (ref, outcome)
        assert outcome[1]["cell"] == ref
        error = InputError(outcome[0], **outcome[1])
        assert ref in Messages("fr").error(error) and ref in Messages("en").error(error)


def test_a_stray_cell_within_the_limits_is_read():
    # Column L of row 60,000: 720,000 cells, well within the limit: read, the stray value a
    # column of its own.
    data = hostile.far_cell_xlsx("L60000", honest_dimension=False)
    tx = load(data, "ventes.xlsx")
    assert set(tx.frame["client"]) == {"Alpha", "Beta", "Gamma", "Delta"}


def test_declared_sizes_that_lie_are_measured_as_they_inflate():
    data = hostile.inflating_xlsx(1536)  # 1.5 GiB of XML, each part declaring 100 bytes
    assert len(data) < 2_000_000
    assert all(e.file_size == 100 for e in zipfile.ZipFile(io.BytesIO(data)).infolist())
    started = time.perf_counter()
    error = refused(data, "ventes.xlsx")
    assert time.perf_counter() - started < 10  # stops at the limit, never inflates it all
    assert error.code == "zip_bomb"
    assert 200 < error.params["unpacked_mb"] < 220


def test_a_workbook_inflating_within_the_limits_is_read():
    data = hostile.inflating_xlsx(20)  # 20 MB of blanks from 30 KB: ratio 700, under 200 MB
    assert set(load(data, "ventes.xlsx").frame["client"]) == {"Alpha", "Beta", "Gamma", "Delta"}


def test_one_long_shared_string_in_many_cells_is_refused():
    data = hostile.shared_string_bomb(length=32_000, cells=100_000)
    assert len(data) < 1_100_000
    error = refused(data, "ventes.xlsx")
    assert error.code == "text_too_large"
    assert error.params["limit_mb"] == 500


def test_shared_strings_within_the_limit_are_read():
    data = hostile.shared_string_bomb(length=2_000, cells=2_000)  # 4 MB of text
    assert len(load(data, "ventes.xlsx").frame) == 2_000


def test_a_reader_panic_is_the_damaged_workbook_sentence(monkeypatch):
    import fastexcel

    # pyo3's PanicException derives from BaseException; made here as the binding makes it.
    panic = type("PanicException", (BaseException,), {})

    def panics(*args: object, **kwargs: object) -> object:
        raise panic("byte array offset overflow")

    monkeypatch.setattr(fastexcel, "read_excel", panics)
    data = hostile.xlsx(hostile.table_rows(hostile.SALES))
    assert refused(data, "ventes.xlsx").code == "corrupt_workbook"


@pytest.mark.parametrize("repeated", [1_000_000_000, 20_000])
def test_an_ods_value_repeated_across_columns_is_refused_before_reading(repeated):
    data = hostile.wide_ods(repeated)
    assert len(data) < 1000
    started = time.perf_counter()
    error = refused(data, "ventes.ods")
    assert time.perf_counter() - started < 2
    assert (error.code, error.params) == ("too_many_columns", {"columns": repeated, "limit": 1000})


def test_ods_padding_repeated_empty_is_read():
    # LibreOffice pads rows and sheets with repeated empty cells and rows: no value, no cost.
    rows = "".join(
        "<table:table-row>"
        + "".join(hostile.ods_cell(v) for v in row)
        + '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        for row in hostile.SALES
    )
    rows += (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert len(load(hostile.ods(rows), "ventes.ods").frame) == 4


@pytest.mark.parametrize("columns", [15_000, 100_000])
def test_a_csv_of_absurd_width_is_refused_at_its_header(columns):
    header = ";".join(["Client", "Montant"] + [f"c{i}" for i in range(columns)])
    data = (header + "\r\n" + "Alpha;10" + ";" * columns + "\r\n").encode()
    started = time.perf_counter()
    error = refused(data, "ventes.csv")
    assert time.perf_counter() - started < 2
    assert error.code == "too_many_columns" and error.params["limit"] == 1000


def test_a_table_as_wide_as_the_limit_is_read_quickly():
    columns = 998
    header = ";".join(["Client", "Montant"] + [f"c{i}" for i in range(columns)])
    body = "\r\n".join(f"C{r};{r}" + ";x" * columns for r in range(1, 51))
    started = time.perf_counter()
    tx = load((header + "\r\n" + body + "\r\n").encode(), "ventes.csv")
    assert time.perf_counter() - started < 5
    assert len(tx.frame) == 50 and len(tx.carried) == columns


def test_a_workbook_too_wide_is_refused():
    data = hostile.xlsx(hostile.table_rows([["Client", "Montant", *range(1200)], ["A", 1]]))
    error = refused(data, "ventes.xlsx")
    assert error.code == "far_cell" and error.params["cell"] == column_letters(1202) + "1"


def test_a_csv_field_over_the_csv_module_limit_is_read():
    note = "x" * 200_000  # over the csv module's 131,072 characters
    data = f"Client;Montant;Note\r\nAlpha;10;{note}\r\nBeta;5;court\r\n".encode()
    tx = load(data, "ventes.csv")
    assert len(tx.frame) == 2


def test_a_damaged_xls_reaching_column_46000_is_refused_before_reading(files):
    data = bytearray(files.xls({"Ventes": hostile.SALES}))
    # The RK record of cell B2 (row 1, column 1), its column rewritten as damaged bytes would.
    record = b"\x7e\x02\x0a\x00\x01\x00\x01\x00"
    at = bytes(data).index(record)
    data[at + 6 : at + 8] = (46_000).to_bytes(2, "little")
    started = time.perf_counter()
    error = refused(bytes(data), "ventes.xls")
    assert time.perf_counter() - started < 2
    assert error.code == "far_cell" and error.params["cell"] == column_letters(46_001) + "2"


def test_an_honest_xls_is_read(files):
    assert len(load(files.xls({"Ventes": hostile.SALES}), "ventes.xls").frame) == 4


def test_cells_holding_only_a_format_do_not_count():
    # Excel's dimension and its empty formatted cells reach XFD1048576; the reader skips them.
    far_format = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    data = hostile.xlsx(hostile.table_rows(hostile.SALES) + far_format, dimension="A1:XFD1048576")
    assert len(load(data, "ventes.xlsx").frame) == 4
