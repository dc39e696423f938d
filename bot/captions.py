"""A file's caption as setting overrides: `profit`, `12m`, `2025`, `2024-01-01..2024-06-30`."""

from __future__ import annotations

from analysis.errors import InputError
from analysis.ingest.columns import fold
from analysis.period import parse_period

_CRITERIA = {
    "profit": "profit",
    "benefice": "profit",
    "marge": "profit",
    "margin": "profit",
    "sales": "sales",
    "ventes": "sales",
    "ca": "sales",
    "revenue": "sales",
}


def parse_caption(caption: str | None) -> dict[str, str]:
    """Overrides found in a caption; words that are neither are ignored (captions are free text)."""
    overrides: dict[str, str] = {}
    for word in fold(caption or "").replace(",", " ").split():
        if word in _CRITERIA:
            overrides["criterion"] = _CRITERIA[word]
            continue
        try:
            spec = parse_period(word)
        except InputError:
            continue
        if spec.kind != "all":
            overrides["period"] = spec.label()
    return overrides
