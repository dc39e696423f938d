"""Numbers, percentages, money and dates as each language writes them (Babel)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from babel import Locale
from babel import numbers as babel_numbers
from babel.dates import format_date

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Formatter:
    """Values for one language and currency: `1 234,56 €` in French, `€1,234.56` in English."""

    language: str
    currency: str = DEFAULT_CURRENCY

    @property
    def locale(self) -> str:
        return LOCALES.get(self.language, self.language)

    def number(self, value: float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float | None, decimals: int = 1) -> str:
        if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
            return "—"
        if abs(fraction) < 0.5 * 10 ** -(decimals + 2):
            fraction = 0.0  # never "-0,0 %"
        base = Locale.parse(self.locale).percent_formats[None].pattern
        pattern = base.replace("#,##0", "#,##0" + ("." + "0" * decimals if decimals else ""))
        return babel_numbers.format_percent(fraction, format=pattern, locale=self.locale)

    def money(self, value: float, decimals: int | None = None) -> str:
        if decimals is None:
            decimals = 0 if abs(value) >= 1000 else 2
        return babel_numbers.format_currency(
            value,
            self.currency,
            locale=self.locale,
            format_type="standard",
            currency_digits=False,
            decimal_quantization=True,
            format=None if decimals == 2 else _money_pattern(self.locale, decimals),
        )

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return "—"
        return format_date(value, format="medium", locale=self.locale)

    def short_date(self, value: dt.date | None) -> str:
        if value is None:
            return "—"
        return format_date(value, format="short", locale=self.locale)


def _money_pattern(locale: str, decimals: int) -> str:
    base: str = Locale.parse(locale).currency_formats["standard"].pattern
    fraction = "." + "0" * decimals if decimals else ""
    return base.replace("#,##0.00", "#,##0" + fraction)
