"""A file's caption as setting overrides: `profit`, `12m`, `2025`, `2024-01-01..2024-06-30`."""

from __future__ import annotations

from analysis.errors import InputError
from analysis.ingest.columns import fold
from analysis.period import PeriodSpec, parse_period
from analysis.settings import Criterion
from bot.chat_settings import SettingsOverrides

_CRITERIA = {
    "profit": Criterion.PROFIT,
    "benefice": Criterion.PROFIT,
    "marge": Criterion.PROFIT,
    "margin": Criterion.PROFIT,
    "sales": Criterion.SALES,
    "ventes": Criterion.SALES,
    "ca": Criterion.SALES,
    "revenue": Criterion.SALES,
}


def parse_caption(caption: str | None) -> SettingsOverrides:
    """Overrides found in a caption; words that are neither are ignored (captions are free text).
    The last criterion and the last period named win."""
    criterion: Criterion | None = None
    period: PeriodSpec | None = None
    for word in fold(caption or "").replace(",", " ").split():
        if word in _CRITERIA:
            criterion = _CRITERIA[word]
            continue
        try:
            spec = parse_period(word)
        except InputError:
            continue
        if spec.kind != "all":
            period = spec
    return SettingsOverrides(criterion, period)
