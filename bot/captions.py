"""A file's caption as setting overrides: clauses `clé: valeur` (separated by new lines or `;`),
read before the free words `profit`, `12m`, `2025`, `2024-01-01..2024-06-30`."""

from __future__ import annotations

import contextlib
import re

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


# Clause keys, folded (accents and case ignored), to the setting they name.
_CLAUSE_KEYS = {"periode": "period", "period": "period"}
_CLAUSE_SEPARATORS = re.compile(r"[\n;]")


def _clauses(caption: str) -> tuple[dict[str, str], str]:
    """The `key: value` clauses of a caption by setting name, and the rest as free text."""
    found: dict[str, str] = {}
    free: list[str] = []
    for part in _CLAUSE_SEPARATORS.split(caption):
        key, colon, value = part.partition(":")
        name = _CLAUSE_KEYS.get(fold(key).strip())
        if colon and name is not None:
            found[name] = value.strip()
        else:
            free.append(part)
    return found, " ".join(free)


def parse_caption(caption: str | None) -> SettingsOverrides:
    """Overrides found in a caption: its clauses first, then its free words; words that are
    neither are ignored (captions are free text). The last criterion and period named win; a
    period clause (`période: tout` too: the whole file, whatever the chat's period) wins over
    free words."""
    clauses, free = _clauses(caption or "")
    criterion: Criterion | None = None
    period: PeriodSpec | None = None
    for word in fold(free).replace(",", " ").split():
        if word in _CRITERIA:
            criterion = _CRITERIA[word]
            continue
        try:
            spec = parse_period(word)
        except InputError:
            continue
        if spec.kind != "all":
            period = spec
    # An unreadable period clause is ignored for now: the caption grammar (item 5) answers it.
    if "period" in clauses:
        with contextlib.suppress(InputError):
            period = parse_period(clauses["period"])
    return SettingsOverrides(criterion, period)
