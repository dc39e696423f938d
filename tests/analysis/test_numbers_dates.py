"""Numbers and dates as French, English and Russian exports write them."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from babel.dates import format_date, get_month_names
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.dates import parse_dates
from analysis.ingest.numbers import parse_numbers


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


def test_month_names_in_french_english_and_russian():
    assert (
        dates(
            [
                "15 mars 2025",
                "15-mars-25",
                "15 Mar 2025",
                "March 15, 2025",
                "samedi 15 mars 2025",
                "15 марта 2025 г.",
                "15.MARS.2025 14:30",
            ]
        )
        == ["2025-03-15"] * 7
    )
    assert dates(["1er janvier 2025", "3 févr. 2025", "3 fevr 2025", "12 aout 2025"]) == [
        "2025-01-01",
        "2025-02-03",
        "2025-02-03",
        "2025-08-12",
    ]


def test_words_that_are_not_months_stay_unreadable():
    parsed = parse_dates(
        pd.Series(["15 mardi 2025", "Client 12 2025", "31 févr. 2025", "mars 2025"], dtype="str")
    )
    assert parsed.unreadable.tolist() == [True, True, True, True]


def test_each_month_word_means_one_month_in_every_language():
    """No abbreviation is read as another language's month ("mar", "mars", "мая", "mai")."""
    for locale in ("fr", "en", "ru"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale).items():
                    assert dates([f"5 {name} 2025"]) == [f"2025-{month:02d}-05"], name


@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
    locale=st.sampled_from(["fr", "en", "ru"]),
    style=st.sampled_from(["medium", "long", "full"]),
)
def test_dates_written_by_any_language_read_back(day, locale, style):
    """What Babel writes for a locale (e.g. "vendredi 15 mars 2024", "Mar 15, 2024",
    "15 марта 2024 г.") reads back as the same day."""
    assert dates([format_date(day, style, locale=locale)]) == [str(day)]


def test_typed_and_serial_dates():
    typed = parse_dates(pd.Series(pd.to_datetime(["2025-01-02 13:45", None])))
    assert typed.values.iloc[0] == pd.Timestamp("2025-01-02")
    serial = parse_dates(pd.Series([45658.0, 45658.75]))
    assert [v.date() for v in serial.values] == [dt.date(2025, 1, 1)] * 2


def test_each_distinct_date_is_parsed_once(monkeypatch):
    import analysis.ingest.dates as module

    seen: list[int] = []
    original = module._parse_unique

    def counting(uniques):
        seen.append(len(uniques))
        return original(uniques)

    monkeypatch.setattr(module, "_parse_unique", counting)
    parse_dates(pd.Series(["01/02/2025", "02/02/2025"] * 5000, dtype="str"))
    assert seen == [2]


PLAIN_EDGES = ["5.", ".5", "-.5", "-", "1-2", "1.2.3", "--5", "-0", "007", "1e5", "nan", "inf"]


@pytest.mark.parametrize("edge", [None, *PLAIN_EDGES])
@pytest.mark.parametrize("hint", [None, ","])
@pytest.mark.parametrize("common", [["12.5", "-3", "1000.25"], ["1.234", "5.678"], ["7", "-8"]])
def test_plain_decimals_give_the_general_rule_result(monkeypatch, edge, hint, common):
    import analysis.ingest.numbers as module

    column = pd.Series([*common, edge, None], dtype="str")
    fast = parse_numbers(column, hint)
    monkeypatch.setattr(module, "_plain_decimals", lambda column, hint: None)
    general = parse_numbers(column, hint)
    pd.testing.assert_series_equal(fast.values, general.values)
    pd.testing.assert_series_equal(fast.unreadable, general.unreadable)
    assert (fast.decimal, fast.currency, fast.decided) == (
        general.decimal,
        general.currency,
        general.decided,
    )


def test_plain_decimals_are_taken_on_a_program_export():
    import analysis.ingest.numbers as module

    column = pd.Series(["12.5", "-3", None, "1000.25"], dtype="str")
    assert module._plain_decimals(column, None) is not None
