"""What the bot keeps of an analysis besides its per-client rows: the figures it lists and reminds
from, typed, stored as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.result import CATEGORIES, AnalysisResult

DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class AnalysisSummary:
    """Client count, net total, Pareto share, A..D counts, currency, whether contracts are known."""

    clients: int
    total: float
    pareto_client_share: float
    categories: dict[str, int] = field(default_factory=dict)
    currency: str | None = None
    has_contracts: bool = False

    @classmethod
    def of(cls, result: AnalysisResult) -> AnalysisSummary:
        return cls(
            clients=result.client_count,
            total=result.total,
            pareto_client_share=result.pareto_client_share,
            categories={c.category: c.clients for c in result.categories},
            currency=result.currency,
            has_contracts="contract_end" in result.clients.columns,
        )

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> AnalysisSummary:
        """Read what `as_json` wrote (older rows may lack a key: its default applies)."""
        return cls(
            clients=int(stored.get("clients", 0)),
            total=float(stored.get("total", 0.0)),
            pareto_client_share=float(stored.get("pareto_client_share", 0.0)),
            categories={k: int(v) for k, v in dict(stored.get("categories", {})).items()},
            currency=stored.get("currency"),
            has_contracts=bool(stored.get("has_contracts", False)),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def money_currency(self) -> str:
        """The currency amounts are shown in: the file's own, else the default."""
        return self.currency or DEFAULT_CURRENCY

    def count(self, letter: str) -> int:
        return self.categories.get(letter, 0)

    def counts(self) -> dict[str, int]:
        return {letter: self.count(letter) for letter in CATEGORIES}
