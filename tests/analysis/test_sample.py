"""The bundled sample is the generator's output and shows every trait the demo relies on."""

from __future__ import annotations

import datetime as dt

from analysis.abc import analyze
from analysis.pipeline import load
from analysis.sample import ANCHOR, bundled_sample, sample_bytes
from analysis.settings import AnalysisSettings


def test_shipped_sample_is_what_the_generator_makes():
    assert bundled_sample() == sample_bytes(ANCHOR)


def test_sample_has_the_traits_of_a_real_base():
    tx = load(bundled_sample(), "sample_ventes.csv")
    assert (
        tx.source.encoding == "cp1252" and tx.source.delimiter == ";" and tx.source.header_row == 3
    )
    assert {"segment", "manager", "contract_end", "profit", "invoice"} <= set(tx.frame.columns)
    assert 250 <= tx.clients <= 400
    assert tx.spellings > tx.clients  # a client typed several ways
    assert (tx.frame["sales"] < 0).any()  # credit notes
    by_sales = analyze(tx, AnalysisSettings())
    by_profit = analyze(tx, AnalysisSettings(criterion="profit"))
    assert by_sales.one_off_share is not None and 0.3 < by_sales.one_off_share < 0.6
    assert by_sales.category("D").clients >= 1  # refunds only
    assert by_profit.category("D").clients > by_sales.category("D").clients  # a loss-making client
    assert [s.reason for s in by_sales.skipped] == ["total_row"]
    span = by_sales.period.end - by_sales.period.start
    assert dt.timedelta(days=700) < span <= dt.timedelta(days=731)


def test_demo_sample_has_contract_ends_soon_whatever_the_day():
    today = dt.date(2031, 5, 17)
    result = analyze(load(sample_bytes(today), "s.csv"), AnalysisSettings())
    ends = result.clients_in("A")["contract_end"]
    soon = ends.between(today.isoformat(), (today + dt.timedelta(days=90)).isoformat())
    assert soon.any()
