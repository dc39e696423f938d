"""The classification rule, its periods, and its properties (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.abc import analyze, categorize
from analysis.ingest.columns import ColumnRoles
from analysis.ingest.reading import SourceInfo
from analysis.ingest.transactions import Transactions
from analysis.period import PeriodSpec, add_months, parse_period, resolve_period
from analysis.pipeline import run
from analysis.settings import AnalysisSettings, Thresholds

from ..conftest import EXPECTED


def transactions(
    rows: list[tuple[str, float, str]], dates: list[dt.date] | None = None
) -> Transactions:
    """Transactions (client, amount, invoice) as the cleaning step would produce them."""
    frame = pd.DataFrame(rows, columns=["client", "sales", "invoice"])
    frame.insert(0, "client_key", frame["client"].str.lower())
    frame["row"] = np.arange(2, len(frame) + 2)
    mapping = {"client": "Client", "sales": "Montant", "invoice": "Facture"}
    if dates is not None:
        frame["date"] = pd.to_datetime(dates)
        mapping["date"] = "Date"
    return Transactions(frame, ColumnRoles(mapping), "transactions", SourceInfo("t.csv", "csv"))


def grades(values: list[float], a: float = 80, b: float = 15) -> list[str]:
    return categorize(np.array(values, dtype=float), Thresholds(a, b)).categories.tolist()


def test_the_worked_example_of_the_readme(files, sales_rows):
    result = run(files.csv(sales_rows), "f.csv", AnalysisSettings())
    assert (
        dict(zip(result.clients["client"], result.clients["category"].astype(str), strict=True))
        == EXPECTED
    )
    a = result.category("A")
    assert (a.clients, a.value, a.value_share) == (1, 8000.0, 0.8)
    assert result.pareto_client_share == pytest.approx(1 / 6)
    assert result.total == 9950.0
    assert result.positive_total == 10000.0


def test_the_client_crossing_a_cut_off_completes_its_group():
    # 50 + 25 = 75 % < 80 %, so the third client (before = 75 %) is still A and A reaches 95 %.
    assert grades([50, 25, 20, 5]) == ["A", "A", "A", "C"]
    assert grades([50, 30, 15, 5]) == ["A", "A", "B", "C"]


def test_equal_totals_are_never_split():
    assert grades([20, 20, 20, 20, 20]) == ["A"] * 5
    assert grades([70, 10, 10, 10]) == ["A", "A", "A", "A"]


def test_zero_negative_and_noise():
    assert grades([10, 0, -3, 1e-13]) == ["A", "D", "D", "D"]
    # 0.1 + 0.2 and 0.3 are equal totals whatever float arithmetic says.
    assert 0.1 + 0.2 != 0.3
    assert grades([0.1 + 0.2, 0.3, 0.1]) == ["A", "A", "B"]


def test_custom_cut_offs():
    assert grades([50, 30, 15, 5], a=50, b=30) == ["A", "B", "C", "C"]
    assert grades([50, 30, 15, 5], a=100, b=0) == ["A"] * 4


def test_every_value_d_when_nothing_is_positive():
    assert grades([0, -1]) == ["D", "D"]


def test_client_columns_and_activity():
    tx = transactions(
        [("A", 100, "F1"), ("A", 50, "F1"), ("A", 30, "F2"), ("A", -20, "AV1"), ("B", 40, "F3")],
        dates=[
            dt.date(2025, 1, 1),
            dt.date(2025, 1, 1),
            dt.date(2025, 3, 1),
            dt.date(2025, 3, 2),
            dt.date(2025, 2, 1),
        ],
    )
    clients = analyze(tx, AnalysisSettings()).clients.set_index("client")
    assert clients.loc["A", "value"] == 160
    assert clients.loc["A", "purchases"] == 2  # F1 twice is one purchase; the credit note none
    assert not clients.loc["A", "one_off"]
    assert clients.loc["B", "one_off"]
    assert clients.loc["A", "first_purchase"] == pd.Timestamp("2025-01-01")
    assert clients.loc["A", "last_purchase"] == pd.Timestamp("2025-03-01")
    assert clients.loc["B", "days_since_last"] == 29  # counted to the period's end, 2 March
    assert clients.loc["A", "rank"] == 1
    assert clients.loc["A", "share"] == pytest.approx(0.8)
    assert clients["cumulative_share"].tolist() == pytest.approx([0.8, 1.0])


def test_purchases_are_distinct_dates_without_invoices_and_rows_without_dates(files):
    rows = [
        ["Client", "Date", "Montant"],
        ["A", "01/01/2025", "1"],
        ["A", "01/01/2025", "1"],
        ["A", "02/01/2025", "1"],
    ]
    assert run(files.csv(rows), "f.csv", AnalysisSettings()).clients["purchases"].tolist() == [2]
    rows = [["Client", "Montant"], ["A", "1"], ["A", "1"], ["B", "1"], ["A", "-1"]]
    result = run(files.csv(rows), "f.csv", AnalysisSettings())
    assert result.clients.set_index("client")["purchases"].to_dict() == {"A": 2, "B": 1}


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("12m", PeriodSpec("months", months=12)),
        ("2y", PeriodSpec("months", months=24)),
        ("2025", PeriodSpec("year", year=2025)),
        (
            "2024-03-01..2024-06-30",
            PeriodSpec("range", start=dt.date(2024, 3, 1), end=dt.date(2024, 6, 30)),
        ),
        ("all", PeriodSpec()),
    ],
)
def test_period_texts(text, spec):
    assert parse_period(text) == spec


@pytest.mark.parametrize(
    "text", ["12x", "0m", "2024-06-30..2024-03-01", "2024-02-30..2024-03-01", "soon"]
)
def test_bad_period_texts(text):
    from analysis.errors import InputError

    with pytest.raises(InputError):
        parse_period(text)


def test_last_months_run_from_the_day_after_to_the_last_date_clamped():
    assert add_months(dt.date(2024, 2, 29), 24) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    bounds = resolve_period(
        PeriodSpec("months", months=12), dt.date(2020, 1, 1), dt.date(2025, 3, 31)
    )
    assert (bounds.start, bounds.end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    bounds = resolve_period(PeriodSpec("months", months=1), None, dt.date(2025, 3, 31))
    assert bounds.start == dt.date(2025, 3, 1)


def test_clients_with_nothing_in_the_period_are_d_with_zero():
    tx = transactions(
        [("Old", 900, "F1"), ("New", 100, "F2"), ("Both", 10, "F3"), ("Both", 50, "F4")],
        dates=[dt.date(2023, 5, 1), dt.date(2025, 6, 1), dt.date(2023, 1, 1), dt.date(2025, 1, 1)],
    )
    result = analyze(tx, AnalysisSettings(period=parse_period("2025")))
    clients = result.clients.set_index("client")
    assert clients.loc["Old", "category"] == "D"
    assert clients.loc["Old", "value"] == 0
    assert clients.loc["Both", "value"] == 50
    assert (result.period.start, result.period.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    ranged = analyze(tx, AnalysisSettings(period=parse_period("2023-01-01..2023-01-01")))
    assert ranged.clients.set_index("client").loc["Both", "value"] == 10


# --- properties -----------------------------------------------------------------------------

amounts = st.one_of(
    st.integers(-500, 5000), st.sampled_from([0, 0, 100, 100, 100, 2500]), st.integers(1, 10**7)
)
value_lists = st.lists(amounts, min_size=1, max_size=40).filter(lambda v: any(x > 0 for x in v))
cut_offs = st.tuples(st.integers(1, 95), st.integers(0, 40)).filter(lambda t: t[0] + t[1] <= 100)


@settings(max_examples=150, deadline=None)
@given(value_lists, cut_offs)
def test_a_reaches_its_share_and_its_smallest_tie_group_is_needed(values, cuts):
    a, b = cuts
    totals = np.array(values, dtype=float) / 100
    labels = np.array(grades(list(totals), a, b))
    positive = totals[totals > 0].sum()
    in_a = totals[labels == "A"]
    assert in_a.sum() >= a / 100 * positive * (1 - 1e-9)
    smallest = in_a.min()
    assert in_a[in_a != smallest].sum() < a / 100 * positive * (1 + 1e-9)
    ab = totals[np.isin(labels, ["A", "B"])]
    assert ab.sum() >= (a + b) / 100 * positive * (1 - 1e-9)


@settings(max_examples=150, deadline=None)
@given(value_lists, cut_offs)
def test_categories_partition_and_a_larger_total_never_ranks_later(values, cuts):
    totals = np.array(values, dtype=float)
    labels = grades(list(totals), *cuts)
    assert len(labels) == len(totals)
    assert set(labels) <= {"A", "B", "C", "D"}
    order = {"A": 0, "B": 1, "C": 2, "D": 3}
    for i in range(len(totals)):
        for j in range(len(totals)):
            if totals[i] > totals[j]:
                assert order[labels[i]] <= order[labels[j]]
            if totals[i] == totals[j]:
                assert labels[i] == labels[j]
    assert all((label == "D") == (t <= 0) for label, t in zip(labels, totals, strict=True))


@settings(max_examples=100, deadline=None)
@given(value_lists, st.sampled_from([0.001, 0.37, 3.0, 1000.0, 1e6]))
def test_scaling_every_value_changes_no_category(values, factor):
    totals = np.array(values, dtype=float)
    assert grades(list(totals)) == grades(list(totals * factor))


def _by_client(tx: Transactions) -> dict[str, tuple[str, object]]:
    clients = analyze(tx, AnalysisSettings()).clients
    return {row.client: (row.category, row.purchases) for row in clients.itertuples()}


def _some_client_positive(rows: list[tuple[int, int]]) -> bool:
    totals: dict[int, int] = {}
    for client, value in rows:
        totals[client] = totals.get(client, 0) + value
    return any(total > 0 for total in totals.values())


sale_rows = st.lists(st.tuples(st.integers(0, 12), amounts), min_size=1, max_size=30).filter(
    _some_client_positive
)


@settings(max_examples=60, deadline=None)
@given(sale_rows, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows, random):
    base = [(f"C{c}", v / 100, f"F{i}") for i, (c, v) in enumerate(rows)]
    shuffled = list(base)
    random.shuffle(shuffled)
    assert _by_client(transactions(base)) == _by_client(transactions(shuffled))


@settings(max_examples=60, deadline=None)
@given(sale_rows, st.integers(2, 4))
def test_splitting_a_sale_into_rows_of_the_same_invoice_changes_nothing(rows, parts):
    base = [(f"C{c}", float(v), f"F{i}") for i, (c, v) in enumerate(rows)]
    split = []
    for client, value, invoice in base:
        if value > 0:
            share = value / parts
            split += [(client, share, invoice)] * parts
        else:
            split.append((client, value, invoice))
    assert _by_client(transactions(base)) == _by_client(transactions(split))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["b", "B ", "a", "Z", "é", "É", "ab", "a b", "ß"]), amounts),
        min_size=1,
        max_size=30,
    )
)
def test_clients_are_best_first_then_by_name(rows):
    sales = [(f"{name}{v % 3}", float(v), f"F{i}") for i, (name, v) in enumerate(rows)]
    totals: dict[str, float] = {}
    for client, value, _ in sales:
        key = client.lower()
        totals[key] = totals.get(key, 0) + value
    assume(any(total > 0 for total in totals.values()))
    clients = analyze(transactions(sales), AnalysisSettings()).clients
    shown = list(zip(clients["value"], clients["client"], strict=True))
    # Python compares strings by code point, as the sort must.
    assert shown == sorted(shown, key=lambda pair: (-pair[0], pair[1]))
    ranks = clients["rank"].tolist()
    assert ranks == [1 + [v for v, _ in shown].index(v) for v, _ in shown]
