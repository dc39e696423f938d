"""Charts, the Excel report and the PDF report, read back as a user's software would."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from analysis.abc import analyze
from analysis.ingest.columns import ColumnRoles
from analysis.ingest.reading import SourceInfo
from analysis.ingest.transactions import Transactions
from analysis.pipeline import load
from analysis.sample import ANCHOR, bundled_sample
from analysis.settings import AnalysisSettings
from bot.cli import main
from reports.bundle import artifacts
from reports.charts import render_charts
from reports.excel import excel_report
from reports.pdf import pdf_report

TODAY = ANCHOR


@pytest.fixture(scope="module")
def sample_result():
    return analyze(load(bundled_sample(), "sample_ventes.csv"), AnalysisSettings())


def big_result(clients: int = 100_000):
    rng = np.random.default_rng(1)
    values = np.round(rng.pareto(1.2, clients) * 100, 2)
    frame = pd.DataFrame({"client_key": pd.Categorical(np.arange(clients).astype(str))})
    frame["client"] = pd.Categorical("Client " + frame["client_key"].astype(str))
    frame["sales"] = values
    frame["row"] = np.arange(clients) + 2
    tx = Transactions(
        frame,
        ColumnRoles({"client": "Client", "sales": "CA"}),
        "per_client",
        SourceInfo("big.csv", "csv"),
    )
    return analyze(tx, AnalysisSettings())


def test_charts_are_phone_sized_pngs(sample_result):
    charts = render_charts(sample_result, "fr")
    assert [c.name for c in charts] == ["pareto", "categories", "segments"]
    for chart in charts:
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG"
        assert image.width == 1200 and image.height >= 500
        pixels = np.asarray(image.convert("RGB").resize((300, 150))).reshape(-1, 3)
        colours = len(np.unique(pixels, axis=0))
        assert colours > 50, chart.name  # drawn, not blank


def test_few_clients_get_bars_and_no_segment_chart(files, sales_rows):
    rows = [[c for i, c in enumerate(r) if i != 4] for r in sales_rows]
    result = analyze(load(files.csv(rows), "f.csv"), AnalysisSettings())
    charts = render_charts(result, "en")
    assert [c.name for c in charts] == ["pareto", "categories"]


def test_a_hundred_thousand_clients_render():
    charts = render_charts(big_result(), "en")
    assert len(charts) == 2 and all(len(c.png) > 20_000 for c in charts)


def test_excel_report_reads_back(sample_result):
    data = excel_report(sample_result, "en", TODAY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Clients", "Skipped rows", "Settings"]
    sheet = book["Clients"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Rank", "Client", "Category", "Value", "Share", "Cumulative share"]
    assert {
        "Purchases",
        "One-off",
        "First purchase",
        "Last purchase",
        "Days since last purchase",
        "Segment",
        "Contract end",
    } <= set(header)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    by_client = {row[1]: row[2] for row in rows}
    expected = dict(
        zip(
            sample_result.clients["client"],
            sample_result.clients["category"].astype(str),
            strict=True,
        )
    )
    assert by_client == expected
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref is not None
    assert sheet.cell(2, 4).number_format.startswith("#,##0.00")
    assert sheet.cell(2, 5).number_format == "0.0%"
    summary = book["Summary"]
    assert [summary.cell(r, 2).value for r in range(4, 8)] == [
        s.clients for s in sample_result.categories
    ]
    assert book["Skipped rows"].cell(2, 4).value == "total row"
    settings = {r[0]: r[1] for r in book["Settings"].iter_rows(values_only=True)}
    assert settings["Criterion"] == "sales" and settings["Source file"] == "sample_ventes.csv"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())


def test_excel_never_writes_a_client_name_as_a_formula(files):
    names = ['=HYPERLINK("http://evil","x")', "+1", "-2", "@x", "=1+1"]
    rows = [["Client", "Montant"]] + [[n, str(10 + i)] for i, n in enumerate(names)]
    result = analyze(load(files.csv(rows), "f.csv"), AnalysisSettings())
    data = excel_report(result, "fr", TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        ]
    assert not any(re.search(r"<f[ >]", xml) for xml in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [row[1] for row in book["Clients"].iter_rows(min_row=2)]
    assert {c.value for c in cells} == set(names)
    assert all(c.data_type == "s" for c in cells)


def test_excel_for_a_hundred_thousand_clients():
    result = big_result()
    book = openpyxl.load_workbook(io.BytesIO(excel_report(result, "en", TODAY)), read_only=True)
    assert book["Clients"].max_row == 100_001


def test_pdf_report_pages_and_text(sample_result):
    reader = PdfReader(io.BytesIO(pdf_report(sample_result, "fr", TODAY)))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 5  # summary, Pareto, categories, segments, top A clients
    assert "Analyse ABC de la base clients" in texts[0]
    assert "de vos clients apportent" in texts[0] and "Que faire" in texts[0]
    assert "A — clients clés" in texts[0]
    assert "critère : ventes" in texts[0]
    assert "Courbe de Pareto" in texts[1]
    assert "Catégories : part des clients" in texts[2]
    assert "Catégories par segment" in texts[3]
    assert "Les 20 premiers clients A" in texts[4]
    top = sample_result.clients_in("A").iloc[0]["client"]
    assert top in texts[4]


def test_bundle_makes_the_quick_artifacts_first(sample_result):
    names = [a.name for a in artifacts(sample_result, "en", TODAY)]
    assert names == [
        "summary.txt",
        "pareto.png",
        "categories.png",
        "segments.png",
        "report.xlsx",
        "report.pdf",
    ]


def test_cli_out_writes_every_report(tmp_path, files, sales_rows, capsys):
    source = tmp_path / "v.csv"
    source.write_bytes(files.csv(sales_rows))
    assert main(["analyze", str(source), "--out", str(tmp_path / "out"), "--lang", "en"]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [
        "categories.png",
        "pareto.png",
        "report.pdf",
        "report.xlsx",
        "segments.png",
        "summary.txt",
    ]
    assert "of your clients bring" in (tmp_path / "out" / "summary.txt").read_text()
