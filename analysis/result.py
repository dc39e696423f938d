"""The one result object a report needs: per-client table, category summary, and provenance."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.customers import CustomerTable
from analysis.ingest.reading import SourceInfo
from analysis.ingest.transactions import Shape, SkippedRow
from analysis.period import PeriodBounds, PeriodSpec
from analysis.settings import Criterion, Thresholds

CATEGORIES: tuple[str, ...] = ("A", "B", "C", "D")
# The leading columns of `clients`, in order; carried columns follow.
CLIENT_COLUMNS: tuple[str, ...] = (
    "client",
    "value",
    "share",
    "cumulative_share",
    "rank",
    "category",
    "purchases",
    "one_off",
    "first_purchase",
    "last_purchase",
    "days_since_last",
)
# Columns of `clients` for programs, not readers: the identity a client keeps across analyses.
INTERNAL_COLUMNS: tuple[str, ...] = ("client_key",)


@dataclass(frozen=True)
class CategoryStats:
    """One category: how many clients, what share of the base, what value and share of it."""

    category: str
    clients: int
    client_share: float
    value: float
    value_share: float


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything known after classifying one table; reports only read from it.

    `clients` has one row per client, best first: client, value, share, cumulative_share, rank,
    category, purchases, one_off, first_purchase, last_purchase, days_since_last, then the
    carried columns (segment, manager, contract_end and the file's other columns), and last the
    internal `client_key` (see INTERNAL_COLUMNS).
    """

    criterion: Criterion
    period: PeriodBounds
    period_spec: PeriodSpec
    thresholds: Thresholds
    clients: pd.DataFrame
    categories: tuple[CategoryStats, ...]
    total: float
    positive_total: float
    pareto_client_share: float
    one_off_share: float | None
    top1_share: float
    top10_share: float
    segments: pd.DataFrame | None
    skipped: tuple[SkippedRow, ...]
    columns: dict[str, str]
    shape: Shape
    source: SourceInfo
    spellings: int
    currency: str | None
    # The per-client table the categories were decided on, with every measure (the models after
    # ABC read it); None for a result rebuilt without it.
    customers: CustomerTable | None = None
    # The chat's saved period when the file had no dates to apply it to (analysed whole).
    period_not_applied: PeriodSpec | None = None

    @property
    def client_count(self) -> int:
        return len(self.clients)

    @property
    def single_client(self) -> bool:
        return self.client_count == 1

    @property
    def merged_spellings(self) -> bool:
        return self.spellings > self.client_count

    def category(self, letter: str) -> CategoryStats:
        return self.categories[CATEGORIES.index(letter)]

    def clients_in(self, letter: str) -> pd.DataFrame:
        return self.clients[self.clients["category"] == letter]

    def readable_clients(self) -> pd.DataFrame:
        """The per-client table without its internal columns."""
        return self.clients.drop(columns=list(INTERNAL_COLUMNS))
