"""Numbers and dates as French, English and Russian exports write them."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from analysis.dates import parse_dates
from analysis.numbers import parse_numbers


def numbers(values: list[object], hint: str | None = None) -> list[float | None]:
    parsed = parse_numbers(pd.Series(values, dtype="str"), hint)
    return [None if np.isnan(v) else round(v, 6) for v in parsed.values]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", 1234.56),
        ("1\u00a0234,56", 1234.56),
        ("1\u202f234,56", 1234.56),
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("1'234.56", 1234.56),
        ("-12,5", -12.5),
        ("(12,5)", -12.5),
        ("12,5-", -12.5),
        ("1 234,56 €", 1234.56),
        ("€1,234.56", 1234.56),
        ("$ 99.90", 99.9),
        ("1 500 ₽", 1500.0),
        ("1 500,00 руб.", 1500.0),
        ("12 USD", 12.0),
        ("12,5 %", 0.125),
        ("+7", 7.0),
    ],
)
def test_one_value_in_a_column_that_shows_its_convention(text, expected):
    # A second value settles the column's decimal mark the way a real column would.
    body = re.sub(r"[^\d,.]|\.$", "", text.replace("руб.", ""))
    settle = "0,50" if body.rfind(",") > body.rfind(".") else "0.50"
    assert numbers([text, settle])[0] == pytest.approx(expected)


def test_decimal_mark_is_decided_by_the_whole_column():
    # "1.234" alone is ambiguous; the other values prove the dot groups thousands.
    assert numbers(["1.234", "12,5", "1.000.000"]) == [1234.0, 12.5, 1000000.0]
    # ... or that it is a decimal point.
    assert numbers(["1.234", "12.5"]) == [1.234, 12.5]
    assert numbers(["1,234", "12,5"]) == [1.234, 12.5]
    assert numbers(["1,234", "2,000.5"]) == [1234.0, 2000.5]


def test_ambiguous_column_takes_the_file_convention():
    assert numbers(["1,234", "5,678"], hint=",") == [1.234, 5.678]
    assert numbers(["1.234", "5.678"], hint=",") == [1234.0, 5678.0]


def test_values_contradicting_the_column_convention_are_unreadable():
    parsed = parse_numbers(pd.Series(["12,5", "1,234.56", "abc", None, "3", "7,25"], dtype="str"))
    assert parsed.unreadable.tolist() == [False, True, True, False, False, False]
    assert np.isnan(parsed.values[3])


def test_currency_is_detected_from_the_cells():
    assert parse_numbers(pd.Series(["1 234,56 €", "3,00 €"], dtype="str")).currency == "EUR"
    assert parse_numbers(pd.Series(["$3.00"], dtype="str")).currency == "USD"
    assert parse_numbers(pd.Series(["3"], dtype="str")).currency is None


def test_mixed_workbook_column_parses_only_text_cells():
    column = pd.Series([10.0, "1 234,5", "n/a", None], dtype=object)
    parsed = parse_numbers(column)
    assert parsed.values.tolist()[:2] == [10.0, 1234.5]
    assert parsed.unreadable.tolist() == [False, False, True, False]


def dates(values: list[object]) -> list[str | None]:
    parsed = parse_dates(pd.Series(values, dtype="str"))
    return [None if pd.isna(v) else str(v.date()) for v in parsed.values]


def test_date_formats():
    assert dates(
        [
            "2025-03-15",
            "2025-03-15T14:30:00",
            "15/03/2025",
            "15.03.2025",
            "15-03-2025",
            "15/03/25",
            "15/03/2025 14:30",
            "45731",
        ]
    ) == ["2025-03-15"] * 7 + ["2025-03-15"]


def test_month_first_only_when_the_data_proves_it():
    assert dates(["03/04/2025", "05/06/2025"]) == ["2025-04-03", "2025-06-05"]
    assert dates(["03/04/2025", "12/31/2025"]) == ["2025-03-04", "2025-12-31"]


def test_unreadable_and_impossible_dates():
    parsed = parse_dates(pd.Series(["31/02/2025", "demain", None, "01/02/2025"], dtype="str"))
    assert parsed.unreadable.tolist() == [True, True, False, False]


def test_typed_and_serial_dates():
    typed = parse_dates(pd.Series(pd.to_datetime(["2025-01-02 13:45", None])))
    assert typed.values.iloc[0] == pd.Timestamp("2025-01-02")
    serial = parse_dates(pd.Series([45658.0, 45658.75]))
    assert [v.date() for v in serial.values] == [dt.date(2025, 1, 1)] * 2


def test_each_distinct_date_is_parsed_once(monkeypatch):
    import analysis.dates as module

    seen: list[int] = []
    original = module._parse_unique

    def counting(uniques):
        seen.append(len(uniques))
        return original(uniques)

    monkeypatch.setattr(module, "_parse_unique", counting)
    parse_dates(pd.Series(["01/02/2025", "02/02/2025"] * 5000, dtype="str"))
    assert seen == [2]
