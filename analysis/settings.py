"""Settings of one analysis: criterion, cut-offs, period, explicit column roles, input limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from analysis.errors import InputError
from analysis.period import PeriodSpec


class Criterion(StrEnum):
    """What the clients are ranked by: the sales column or the profit column."""

    SALES = "sales"
    PROFIT = "profit"


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs in percent: A takes the first `a` % of the value, B the next `b` %."""

    a: float = 80.0
    b: float = 15.0

    def __post_init__(self) -> None:
        if not (0 < self.a <= 100 and self.b >= 0 and self.a + self.b <= 100):
            raise InputError("bad_thresholds", a=self.a, b=self.b)

    @property
    def a_fraction(self) -> float:
        return self.a / 100

    @property
    def ab_fraction(self) -> float:
        return (self.a + self.b) / 100


@dataclass(frozen=True)
class Limits:
    """Input limits; the defaults admit a 5,000,000-row CSV and fit a worker's default memory."""

    # 300 MB: an honest file of that size (2,870,000 rows x 6 columns) peaks at 3.03 GiB of
    # address space in a worker, just within the default WORKER_MEMORY_MB of 3,072; a 600 MB one
    # needs 4.98 GB (measured with Arrow's system allocator, as the workers run).
    max_bytes: int = 300_000_000
    max_rows: int = 6_000_000
    # A workbook unpacking to more than this many times its size, and to more than
    # `max_unpacked_bytes`, is refused before parsing (zip bomb).
    max_unpack_ratio: int = 100
    max_unpacked_bytes: int = 200_000_000
    # Columns of a table (a CSV's header, a sheet's used range): wider is refused before any
    # per-column work.
    max_columns: int = 1_000
    # Cells of a sheet's used range (rows x columns, from A1 to its farthest cell): the reader
    # builds every one of them, 32 bytes each and more, so that a sheet within it fits the
    # worker's default memory (3,072 MB; a 1,000,000 x 12 XLSX takes 1.2 GB). A full sheet of
    # 1,048,576 rows passes with up to 19 columns.
    max_cells: int = 20_000_000
    # Bytes of text a workbook's shared strings expand to, each copied into every cell using it.
    max_text_bytes: int = 500_000_000
    # Share of data rows with unreadable values above which the file is refused.
    max_unreadable_share: float = 0.01


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: which sheet, and column roles named explicitly by the user."""

    sheet: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class AnalysisSettings:
    """What to classify by and over which period. `period_required` is False for a period the
    user did not ask for this file (a chat's saved setting): a file without dates is then
    analysed whole, and the result says the period could not apply, instead of a refusal."""

    criterion: Criterion = Criterion.SALES
    thresholds: Thresholds = field(default_factory=Thresholds)
    period: PeriodSpec = field(default_factory=PeriodSpec)
    period_required: bool = True

    def __post_init__(self) -> None:
        if self.criterion not in tuple(Criterion):
            raise InputError("bad_criterion", value=self.criterion)
        # A plain string from a caller becomes the enum, so later code compares one type.
        object.__setattr__(self, "criterion", Criterion(self.criterion))
