"""Columns as codes into their distinct values: text work is done once per distinct value."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Encoded:
    """`codes[i]` indexes `uniques` for row i, or is -1 where the cell is empty."""

    codes: np.ndarray
    uniques: pa.Array

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def counts(self) -> np.ndarray:
        """How many rows hold each distinct value."""
        # Shifted by one, the empty cells count in bin 0: no masked copy of every code.
        return np.bincount(self.codes + 1, minlength=len(self.uniques) + 1)[1:]

    def spread(self, per_unique: np.ndarray, empty: object) -> np.ndarray:
        """One value per distinct value, spread back to the rows (`empty` where no value)."""
        if len(per_unique) == 0:
            return np.full(len(self.codes), empty)
        # `clip` reads code -1 as 0 (overwritten below) without a clipped copy of the codes.
        out: np.ndarray = np.take(per_unique, self.codes, mode="clip")
        absent = ~self.present
        if absent.any():
            out[absent] = empty
        return out

    def kept(self, mask: np.ndarray) -> Encoded:
        """The same column restricted to some rows."""
        return Encoded(self.codes[mask], self.uniques)

    def categorical(self) -> pd.Categorical:
        """As a pandas categorical (distinct values must be distinct, as `encode` makes them)."""
        return categorical(self.codes, self.uniques)


def categorical(codes: np.ndarray, distinct: pa.Array) -> pd.Categorical:
    """A categorical over texts known to be distinct, with codes known to index them (-1 for
    empty). pandas would check both again, the first through a Python string per category:
    with 100,000 clients, more than the rest of the work."""
    categories = pd.Index(distinct.to_pandas(), dtype="str")
    dtype = pd.CategoricalDtype._from_fastpath(categories, ordered=False)  # type: ignore[attr-defined]
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def as_text(column: pd.Series) -> pa.Array:
    """A column as an Arrow string array, without copying when pandas already holds Arrow."""
    if column.dtype != object and pd.api.types.is_string_dtype(column):
        array = pa.array(column.array)
    else:
        # Mixed workbook cells or numbers: text of the present cells, nulls for the empty ones.
        present = column.notna()
        cells = column.astype(object).where(~present, column.astype("str")).where(present, None)
        array = pa.array(cells, type=pa.string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def encode(column: pd.Series) -> Encoded:
    """Dictionary-encode a text column (Arrow's hash, far faster than a groupby on strings)."""
    encoded = pc.dictionary_encode(as_text(column))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return Encoded(codes, encoded.dictionary)
