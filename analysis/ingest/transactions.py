"""Transactions: the clean table every model starts from, and the rows left out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from analysis.ingest.columns import ColumnRoles
from analysis.ingest.reading import SourceInfo
from analysis.period import PeriodBounds

Shape = Literal["transactions", "per_client"]


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the analysis, as a spreadsheet numbers it, and why."""

    row: int
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class Transactions:
    """Clean rows, one per sale (or per client): the table every analysis starts from.

    Canonical columns: `client_key` and `client` (categoricals), `row`, and those of the roles
    found (`sales`, `profit`, `date`, `quantity`, `segment`, `manager`, `contract_end`, `orders`,
    `last_purchase`, and `invoice` as an integer code, -1 where none); other columns of the file
    are carried under their own names.
    """

    frame: pd.DataFrame
    roles: ColumnRoles
    shape: Shape
    source: SourceInfo
    skipped: tuple[SkippedRow, ...] = ()
    spellings: int = 0
    clients: int = 0
    currency: str | None = None
    carried: tuple[str, ...] = field(default_factory=tuple)
    # Set when the period was applied before the rows arrived (a database aggregated them).
    applied_period: PeriodBounds | None = None

    @property
    def has_dates(self) -> bool:
        return "date" in self.frame.columns

    def columns_found(self) -> list[str]:
        return list(self.roles.mapping.values()) + list(self.carried)
