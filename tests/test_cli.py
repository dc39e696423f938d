"""The `clientbase` command line, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import default_language, main

from .conftest import EXPECTED


@pytest.fixture
def sales_file(tmp_path: Path, files, sales_rows) -> Path:
    path = tmp_path / "ventes.csv"
    path.write_bytes(
        files.csv([["Export ERP"], *sales_rows, ["Total", "", "", "9950", ""]], encoding="cp1252")
    )
    return path


def test_json_document(sales_file, capsys):
    assert main(["analyze", str(sales_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["criterion"] == "sales"
    assert doc["period"] == {"spec": "all", "start": "2025-01-15", "end": "2025-01-20"}
    assert doc["thresholds"] == {"a": 0.8, "b": 0.15}
    assert doc["total"] == 9950 and doc["positive_total"] == 10000
    assert doc["categories"]["A"] == {
        "clients": 1,
        "value": 8000.0,
        "value_share": 0.8,
        "client_share": 1 / 6,
    }
    assert {c["client"]: c["category"] for c in doc["clients"]} == EXPECTED
    alpha = doc["clients"][0]
    assert set(alpha) == {
        "client",
        "value",
        "share",
        "cumulative_share",
        "rank",
        "category",
        "purchases",
        "one_off",
        "first_purchase",
        "last_purchase",
        "days_since_last",
        "segment",
    }
    assert alpha == {
        **alpha,
        "client": "Alpha",
        "value": 8000.0,
        "share": 0.8,
        "cumulative_share": 0.8,
        "purchases": 1,
        "one_off": True,
        "rank": 1,
        "last_purchase": "2025-01-15",
    }
    assert doc["columns"]["client"] == "Client" and doc["columns"]["sales"] == "Montant HT"
    assert doc["skipped_rows"] == [
        {"row": 9, "column": "Client", "value": "Total", "reason": "total_row"}
    ]


def test_options_change_the_analysis(sales_file, capsys):
    assert (
        main(
            [
                "analyze",
                str(sales_file),
                "--json",
                "--a",
                "50",
                "--b",
                "30",
                "--period",
                "2025-01-16..2025-01-20",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["thresholds"] == {"a": 0.5, "b": 0.3}
    categories = {c["client"]: c["category"] for c in doc["clients"]}
    assert categories["Alpha"] == "D"  # its only sale is before the period
    assert categories["Beta"] == "A"


def test_explicit_columns(tmp_path, files, capsys):
    path = tmp_path / "odd.csv"
    path.write_bytes(
        files.csv([["Qui", "Combien", "Quand"], ["A", "3", "01/01/2025"], ["B", "1", "02/01/2025"]])
    )
    assert (
        main(
            [
                "analyze",
                str(path),
                "--json",
                "--client-col",
                "Qui",
                "--value-col",
                "Combien",
                "--date-col",
                "Quand",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["columns"] == {"client": "Qui", "sales": "Combien", "date": "Quand"}


def test_readable_summary_in_both_languages(sales_file, capsys):
    assert main(["analyze", str(sales_file), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "16,7\u00a0% de vos clients apportent 80,0\u00a0% des ventes." in out
    assert main(["analyze", str(sales_file), "--lang", "en"]) == 0
    assert "16.7% of your clients bring 80.0% of sales." in capsys.readouterr().out


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"Produit;Prix\nVis;1\n")
    assert main(["analyze", str(path), "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Aucune colonne client trouvée parmi : «Produit», «Prix».")
    assert main(["analyze", str(tmp_path / "absent.csv"), "--lang", "en"]) == 2
    assert "Cannot open" in capsys.readouterr().err
    assert (
        main(["analyze", str(path), "--criterion", "profit", "--period", "nope", "--lang", "en"])
        == 2
    )
    assert 'Period "nope" not understood' in capsys.readouterr().err


def test_language_follows_the_locale():
    assert default_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert default_language({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}) == "en"
    assert default_language({}) == "en"


def test_json_path_imports_nothing_heavy_and_fails_cleanly(sales_file, tmp_path):
    code = (
        "import sys; from bot.cli import main; rc = main(sys.argv[1:]); "
        "heavy = [m for m in ('matplotlib', 'telegram', 'sqlalchemy', 'reports.text', 'scipy')"
        " if m in sys.modules]; "
        "print(rc, heavy, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "analyze", str(sales_file), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr.strip().endswith("0 []")
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"\x00garbage" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "analyze", str(bad), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("This file says")


def test_demo_analyses_the_bundled_sample(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "demo"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "of your clients bring" in out
    assert "spellings merged into" in out
    assert "A clients whose contract ends within 90 days" in out
    assert (tmp_path / "demo" / "summary.txt").exists()


def test_option_defaults_are_the_analysis_defaults():
    from analysis.period import parse_period
    from analysis.settings import AnalysisSettings
    from bot.cli import build_parser

    args = build_parser().parse_args(["analyze", "f.csv"])
    defaults = AnalysisSettings()
    assert (args.a, args.b) == (defaults.thresholds.a, defaults.thresholds.b)
    assert args.criterion == defaults.criterion
    assert parse_period(args.period) == defaults.period
