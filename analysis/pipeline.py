"""The path every caller takes: bytes -> raw table -> transactions -> result."""

from __future__ import annotations

from pathlib import Path

from analysis.abc import analyze
from analysis.ingest.cleaning import clean
from analysis.ingest.reading import read_table
from analysis.ingest.transactions import Transactions
from analysis.result import AnalysisResult
from analysis.settings import AnalysisSettings, ReadOptions


def load(data: bytes, name: str, options: ReadOptions | None = None) -> Transactions:
    """Read and clean a file's bytes; raises InputError on anything it cannot use."""
    options = options or ReadOptions()
    return clean(read_table(data, name, options), options.roles, options.limits)


def load_path(path: Path, options: ReadOptions | None = None) -> Transactions:
    return load(path.read_bytes(), path.name, options)


def run(
    data: bytes, name: str, settings: AnalysisSettings, options: ReadOptions | None = None
) -> AnalysisResult:
    """Read, clean and classify in one call."""
    return analyze(load(data, name, options), settings)
