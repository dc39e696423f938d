"""The chat summary, in both languages, with real numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.pipeline import run
from analysis.settings import AnalysisSettings
from reports.formatting import Formatter
from reports.messages import Messages
from reports.text import Section, as_html, as_plain, summary_sections, top_lines

TODAY = dt.date(2025, 2, 1)


@pytest.fixture
def result(files, sales_rows):
    rows = [[*r, "Fin de contrat"] if i == 0 else [*r, ""] for i, r in enumerate(sales_rows)]
    rows[1][-1] = "15/03/2025"  # Alpha, an A client, renews within 90 days of TODAY
    rows.append(["Zeta", "21/01/2025", "F7", "n/a", "Santé", ""])
    rows += [[f"Petit {i}", "22/01/2025", f"G{i}", "0", "BTP", ""] for i in range(150)]
    return run(files.csv(rows), "ventes.csv", AnalysisSettings())


def test_french_summary(result):
    text = as_plain(summary_sections(result, "fr", TODAY))
    assert "Période : du 15/01/2025 au 22/01/2025 · critère : ventes" in text
    assert "0,6\u00a0% de vos clients apportent 80,0\u00a0% des ventes." in text
    assert "A — clients clés : 1 client (0,6\u00a0%) · 8\u202f000\u00a0€ (80,0\u00a0%)" in text
    assert "B — potentiel : 2 clients (1,3\u00a0%) · 1\u202f500\u00a0€ (15,0\u00a0%)" in text
    assert "D — sans apport : 151 clients" in text
    assert "Clients ponctuels (un seul achat) : 3,2\u00a0% de la base" in text
    assert "1 ligne écartée : 1 × nombre illisible." in text
    assert "Alpha — fin le 15 mars 2025 (8\u202f000\u00a0€)" in text
    assert "surveillez" in text.lower()


def test_english_summary(result):
    text = as_plain(summary_sections(result, "en", TODAY))
    assert "0.6% of your clients bring 80.0% of sales." in text
    assert "C — small clients: 2 clients (1.3%) · €500.00 (5.0%)" in text
    assert "1 row left out: 1 × unreadable number." in text
    assert "Alpha — ends 15 Mar 2025 (€8,000)" in text


def test_no_contract_line_when_none_ends_soon(result):
    text = as_plain(summary_sections(result, "en", dt.date(2026, 1, 1)))
    assert "No A client's contract ends within 90 days." in text


def test_html_is_escaped(files):
    rows = [["Client", "Montant"], ["<b>Evil</b> & Co", "10"], ["Autre", "1"]]
    html = as_html(
        summary_sections(run(files.csv(rows), "<x>.csv", AnalysisSettings()), "en", TODAY)
    )
    assert "&lt;x&gt;.csv" in html and "<x>" not in html
    assert html.startswith("<b>ABC analysis")


def test_the_summary_is_titled_sections(result):
    sections = summary_sections(result, "en", TODAY)
    assert [s.title for s in sections] == [
        "ABC analysis of the client base",
        "0.6% of your clients bring 80.0% of sales.",
        None,
        "What to do",
        "A clients whose contract ends within 90 days",
    ]
    assert sections[1].lines[0].startswith("A — key clients: 1 client")
    assert as_plain([Section(("one", "two"), "Title"), Section(("three",))]) == (
        "Title\none\ntwo\n\nthree\n"
    )
    assert as_html([Section(("a < b",), "T&C")]) == "<b>T&amp;C</b>\na &lt; b"


def test_top_lines_page_through_a_category(result):
    m, f = Messages("en"), Formatter("en", "EUR")
    page = result.clients_in("D").iloc[2:5].itertuples()
    lines = top_lines(page, m, f)
    # Equal totals share their rank: the 150 zero totals all rank 6th.
    assert [line[:9] for line in lines] == ["6. Petit "] * 3
    assert top_lines(result.clients_in("A").itertuples(), m, f) == ("1. Alpha — €8,000 (80.0%)",)
