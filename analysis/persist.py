"""Transactions as Parquet bytes and a JSON-able description, and back, for whoever stores them."""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import date
from typing import Any

import pandas as pd

from analysis.ingest.columns import ColumnRoles
from analysis.ingest.reading import SourceInfo
from analysis.ingest.transactions import SkippedRow, Transactions
from analysis.period import PeriodBounds


def dump(tx: Transactions) -> tuple[bytes, dict[str, Any]]:
    """The table as Parquet (categoricals kept) and its metadata as plain values."""
    frame = tx.frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            # Workbook columns may mix numbers and text: Parquet wants one type per column.
            frame[column] = frame[column].astype("str").where(frame[column].notna())
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")
    meta = {
        "roles": tx.roles.mapping,
        "explicit": sorted(tx.roles.explicit),
        "shape": tx.shape,
        "source": asdict(tx.source),
        "skipped": [asdict(s) for s in tx.skipped],
        "spellings": tx.spellings,
        "clients": tx.clients,
        "currency": tx.currency,
        "carried": list(tx.carried),
        "applied_period": None
        if tx.applied_period is None
        else [str(tx.applied_period.start), str(tx.applied_period.end)],
    }
    return buffer.getvalue(), meta


def load(data: bytes, meta: dict[str, Any]) -> Transactions:
    """The inverse of `dump`."""
    frame = pd.read_parquet(io.BytesIO(data))
    return Transactions(
        frame=frame,
        roles=ColumnRoles(dict(meta["roles"]), frozenset(meta.get("explicit", []))),
        shape=meta["shape"],
        source=SourceInfo(**meta["source"]),
        skipped=tuple(SkippedRow(**s) for s in meta["skipped"]),
        spellings=int(meta["spellings"]),
        clients=int(meta["clients"]),
        currency=meta.get("currency"),
        carried=tuple(meta.get("carried", [])),
        applied_period=_bounds(meta.get("applied_period")),
    )


def _bounds(value: list[str] | None) -> PeriodBounds | None:
    if value is None:
        return None
    start, end = (None if v == "None" else date.fromisoformat(v) for v in value)
    return PeriodBounds(start, end)
