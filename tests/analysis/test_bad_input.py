"""Every kind of bad input gets its own error, worded in French and English, never a crash."""

from __future__ import annotations

import io
import zipfile

import pytest

from analysis.abc import analyze
from analysis.errors import InputError
from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings, Limits, ReadOptions
from reports.messages import Messages


def error_of(
    data: bytes, name: str = "f.csv", settings: AnalysisSettings | None = None, **options: object
) -> InputError:
    with pytest.raises(InputError) as caught:
        run(data, name, settings or AnalysisSettings(), ReadOptions(**options))  # type: ignore[arg-type]
    error = caught.value
    for language in ("fr", "en"):
        sentence = Messages(language).error(error)
        assert sentence and "{" not in sentence and sentence != Messages(language)("error.unknown")
    return error


def test_empty_file():
    assert error_of(b"").code == "empty_file"
    assert error_of(b"\xef\xbb\xbf\r\n\r\n").code == "empty_file"


def test_header_only(files):
    error = error_of(files.csv([["Client", "Montant"]]))
    assert error.code == "header_only"
    assert error.params["found"] == ["Client", "Montant"]


def test_no_client_column_lists_the_columns_found(files):
    error = error_of(files.csv([["Produit", "Montant"], ["Vis", "10"]]))
    assert error.code == "no_client_column"
    assert error.params["found"] == ["Produit", "Montant"]
    assert "«Produit», «Montant»" in Messages("fr").error(error)


def test_no_value_column(files):
    assert error_of(files.csv([["Client", "Ville"], ["A", "Lyon"]])).code == "no_value_column"


def test_value_column_without_numbers(files):
    error = error_of(files.csv([["Client", "Montant"], ["A", "beaucoup"], ["B", "peu"]]))
    assert error.code == "no_numeric_value_column"
    assert error.params["column"] == "Montant"


def test_profit_asked_but_absent(files, sales_rows):
    error = error_of(files.csv(sales_rows), settings=AnalysisSettings(criterion="profit"))
    assert error.code == "no_profit_column"
    assert "Montant HT" in error.params["found"]


def test_unreadable_values_below_one_percent_are_skipped_and_reported(files):
    rows = [["Client", "Montant"]] + [[f"C{i}", "10"] for i in range(200)]
    rows[50][1] = "dix"
    result = run(files.csv(rows), "f.csv", AnalysisSettings())
    assert [(s.row, s.column, s.value, s.reason) for s in result.skipped] == [
        (51, "Montant", "dix", "unreadable_number")
    ]
    assert result.client_count == 199


def test_unreadable_values_above_one_percent_refuse_the_file(files):
    rows = [["Client", "Montant"]] + [[f"C{i}", "10"] for i in range(100)]
    for i in (3, 7, 9):
        rows[i][1] = "?"
    error = error_of(files.csv(rows))
    assert error.code == "unreadable_values"
    assert error.params["count"] == 3
    assert error.params["examples"][0] == (4, "Montant", "?")
    assert "ligne 4 (Montant : « ? »)" in Messages("fr").error(error)


def test_unreadable_dates_count_too(files):
    rows = [["Client", "Date", "Montant"], ["A", "bientôt", "1"], ["B", "01/01/2025", "2"]]
    error = error_of(files.csv(rows))
    assert error.code == "unreadable_values"
    assert error.params["examples"] == [(2, "Date", "bientôt")]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4 ...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"\x00\x01\x02\x03" * 50, "binary"),
    ],
)
def test_unsupported_formats(data, kind):
    error = error_of(data, "file.csv")
    assert error.code == "unsupported_format"
    assert error.params["kind"] == kind


def test_binary_named_as_a_workbook_is_mislabelled():
    assert error_of(b"\x00\x01\x02\x03" * 50, "ventes.xlsx").code == "mislabelled_format"


def test_html_saved_as_xls():
    error = error_of(
        b"<html><body><table><tr><td>Client</td></tr></table></body></html>", "export.xls"
    )
    assert error.code == "html_disguised"


def test_word_document_in_a_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert error_of(buffer.getvalue(), "x.xlsx").params["kind"] == "Word"


def test_corrupt_workbooks(files, sales_rows):
    good = files.xlsx({"S": sales_rows})
    assert error_of(good[: len(good) // 2], "cut.xlsx").code == "corrupt_workbook"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert error_of(buffer.getvalue(), "broken.xlsx").code == "corrupt_workbook"
    assert error_of(files.xls({"S": [["a"]]})[:600], "cut.xls").code == "corrupt_workbook"


def test_password_protected_workbook(files, sales_rows):
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(files.xlsx({"S": sales_rows}))).encrypt("secret", encrypted)
    assert error_of(encrypted.getvalue(), "locked.xlsx").code == "password_protected"


def test_file_over_the_size_limit(files, sales_rows):
    data = files.csv(sales_rows)
    error = error_of(data, limits=Limits(max_bytes=100))
    assert error.code == "file_too_large"
    assert "0.0002 MB, over the 0.0001 MB limit" in Messages("en").error(error)
    assert "0,0002 Mo" in Messages("fr").error(error)


def test_file_over_the_row_limit(files, sales_rows):
    assert error_of(files.csv(sales_rows), limits=Limits(max_rows=3)).code == "too_many_rows"


def test_default_limits_admit_five_million_csv_rows():
    limits = Limits()
    assert limits.max_rows >= 5_000_000
    assert limits.max_bytes >= 5_000_000 * 60


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 210_000_000)
    data = buffer.getvalue()
    assert len(data) < 2_000_000
    error = error_of(data, "bomb.xlsx")
    assert error.code == "zip_bomb"


def test_every_total_zero_or_negative(files):
    rows = [["Client", "Montant"], ["A", "0"], ["B", "-5"]]
    error = error_of(files.csv(rows))
    assert error.code == "nothing_to_rank"
    assert error.params["clients"] == 2


def test_single_client_is_analysed_as_a(files):
    result = run(files.csv([["Client", "Montant"], ["Seul", "12"]]), "f.csv", AnalysisSettings())
    assert result.single_client
    assert result.clients["category"].tolist() == ["A"]


def test_period_without_dates(files):
    from analysis.period import parse_period

    settings = AnalysisSettings(period=parse_period("12m"))
    error = error_of(files.csv([["Client", "Montant"], ["A", "1"]]), settings=settings)
    assert error.code == "period_needs_dates"


def test_explicit_role_naming_a_missing_column(files, sales_rows):
    error = error_of(files.csv(sales_rows), roles={"sales": "Chiffre"})
    assert error.code == "column_not_found"
    assert error.params["name"] == "Chiffre"


def test_unknown_error_code_still_reads_as_a_sentence():
    assert Messages("en").error(InputError("no_such_code")) == Messages("en")("error.unknown")


def test_loading_never_half_applies(files, sales_rows):
    """A refused file raises before anything is returned: callers keep what they had."""
    tx = load(files.csv(sales_rows), "ok.csv")
    with pytest.raises(InputError):
        load(files.csv([["Client"]]), "bad.csv")
    assert analyze(tx, AnalysisSettings()).client_count == 6
