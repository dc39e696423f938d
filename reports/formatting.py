"""Numbers, percentages, money and dates as each language writes them (Babel).

Any float gets a text: an infinite or missing value is a dash, and a magnitude of
`SCIENTIFIC_FROM` or more is written in scientific form (`1,23E28 €`): Babel's exact formatting
needs more decimal digits than its context holds from 1e28 on (InvalidOperation), and nobody reads
a 28-digit amount.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from babel import Locale
from babel import numbers as babel_numbers
from babel.dates import format_date
from babel.numbers import NumberPattern

DEFAULT_CURRENCY = "EUR"
MISSING = "—"
SCIENTIFIC_FROM = 1e15


@dataclass(frozen=True)
class Formatter:
    """Values for one language and currency: `1 234,56 €` in French, `€1,234.56` in English."""

    language: str
    currency: str = DEFAULT_CURRENCY

    @property
    def locale(self) -> str:
        """Babel's locale, named by the language's catalogue (a new language needs no code)."""
        from reports.messages import catalogue  # messages formats with this module

        return catalogue(self.language).get("language.locale", self.language)

    def number(self, value: float, decimals: int = 0) -> str:
        if not math.isfinite(value):
            return MISSING
        if abs(value) >= SCIENTIFIC_FROM:
            return self._scientific(value)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float | None, decimals: int = 1) -> str:
        if fraction is None or not math.isfinite(fraction * 100):
            return MISSING
        if abs(fraction * 100) >= SCIENTIFIC_FROM:
            # Both languages write the percent sign as the pattern does.
            return self._scientific(fraction * 100, Locale.parse(self.locale).percent_formats[None])
        if abs(fraction) < 0.5 * 10 ** -(decimals + 2):
            fraction = 0.0  # never "-0,0 %"
        base = Locale.parse(self.locale).percent_formats[None].pattern
        pattern = base.replace("#,##0", "#,##0" + ("." + "0" * decimals if decimals else ""))
        return babel_numbers.format_percent(fraction, format=pattern, locale=self.locale)

    def money(self, value: float, decimals: int | None = None) -> str:
        if not math.isfinite(value):
            return MISSING
        if abs(value) >= SCIENTIFIC_FROM:
            pattern = Locale.parse(self.locale).currency_formats["standard"]
            symbol = babel_numbers.get_currency_symbol(self.currency, self.locale)
            return self._scientific(value, pattern, symbol=symbol)
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

    def _scientific(
        self, value: float, pattern: NumberPattern | None = None, mark: str = "¤", symbol: str = ""
    ) -> str:
        """`1,23E28`, inside a pattern's prefix and suffix, its `mark` replaced by `symbol`."""
        digits = babel_numbers.format_scientific(abs(value), format="0.00E0", locale=self.locale)
        if pattern is None:
            return ("-" if value < 0 else "") + digits
        sign = int(value < 0)
        prefix = pattern.prefix[sign].replace(mark, symbol)
        return prefix + digits + pattern.suffix[sign].replace(mark, symbol)

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return MISSING
        return format_date(value, format="medium", locale=self.locale)

    def short_date(self, value: dt.date | None) -> str:
        if value is None:
            return MISSING
        return format_date(value, format="short", locale=self.locale)


def _money_pattern(locale: str, decimals: int) -> str:
    base: str = Locale.parse(locale).currency_formats["standard"].pattern
    fraction = "." + "0" * decimals if decimals else ""
    return base.replace("#,##0.00", "#,##0" + fraction)
