"""The `--json` document: one JSON object, shares as fractions, dates as ISO strings."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.io.json import ujson_dumps  # type: ignore[attr-defined]

from analysis.result import CLIENT_COLUMNS, AnalysisResult

CLIENT_FIELDS = list(CLIENT_COLUMNS)
# `ujson_dumps` is the encoder `DataFrame.to_json` itself calls: asking it for the floats (10
# decimals, as `to_json` writes them) and the escaped strings keeps them identical.
_DOUBLE_PRECISION = 10
# Characters pandas' encoder escapes (with `force_ascii=False`): such strings are written by it.
_ESCAPED = r'["\\/\x00-\x1f]'
# Dates are written as midnight timestamps, then the midnight is cut from the whole array.
_MIDNIGHT = "T00:00:00"
_DAY = 86_400 * 1_000_000_000


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def document(result: AnalysisResult) -> dict[str, Any]:
    """Everything but the clients array, as plain Python values."""
    period = result.period
    return {
        "criterion": result.criterion,
        "period": {
            "spec": result.period_spec.label(),
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
        },
        "thresholds": {"a": result.thresholds.a_fraction, "b": result.thresholds.b / 100},
        "total": result.total,
        "positive_total": result.positive_total,
        "currency": result.currency,
        "shape": result.shape,
        "source": asdict(result.source),
        "client_count": result.client_count,
        "distinct_spellings": result.spellings,
        "pareto_client_share": result.pareto_client_share,
        "one_off_share": result.one_off_share,
        "top1_share": result.top1_share,
        "top10_share": result.top10_share,
        "categories": {
            stats.category: {
                "clients": stats.clients,
                "value": stats.value,
                "value_share": stats.value_share,
                "client_share": stats.client_share,
            }
            for stats in result.categories
        },
        "segments": None
        if result.segments is None
        else {
            str(segment): {key: _clean(float(v)) for key, v in row.items()}
            for segment, row in result.segments.iterrows()
        },
        "columns": result.columns,
        "skipped_rows": [asdict(s) for s in result.skipped],
    }


def to_json(result: AnalysisResult) -> str:
    """The whole document; the clients array is written column by column, fast for 100,000
    clients, with the very bytes pandas' `to_json(orient="records")` would write."""
    head = json.dumps(document(result), ensure_ascii=False, default=str)
    readable = result.readable_clients()
    clients = readable[CLIENT_FIELDS + [c for c in readable.columns if c not in CLIENT_FIELDS]]
    body = records(clients)
    return head[:-1] + ', "clients": ' + body + "}"


def records(frame: pd.DataFrame) -> str:
    """`frame` as a JSON array of objects, byte for byte what pandas writes with
    `to_json(orient="records", date_format="iso", date_unit="s", force_ascii=False)` once
    "T00:00:00" is cut from it: each column is turned into JSON text once, as an Arrow array,
    and the rows are joined in Arrow. A column of a kind not handled here (mixed objects,
    time zones, fractions of seconds) leaves the whole frame to pandas."""
    pieces = _pieces(frame) if len(frame) else None
    if pieces is None:
        return _records_by_pandas(frame)
    # One element-wise join writes every row, its keys and its trailing comma.
    rows = pc.binary_join_element_wise(*pieces, "")
    _, offsets, data = rows.buffers()
    assert offsets is not None and data is not None
    # The rows lie end to end in one buffer: the array is that buffer without its last comma.
    bounds = np.frombuffer(offsets, dtype=np.int32)[[rows.offset, rows.offset + len(rows)]]
    text = memoryview(data)[int(bounds[0]) : int(bounds[1]) - 1]
    return "[" + str(text, "utf-8") + "]"


def _records_by_pandas(frame: pd.DataFrame) -> str:
    frame = frame.assign(category=frame["category"].astype("str"))
    text = frame.to_json(orient="records", date_format="iso", date_unit="s", force_ascii=False)
    return text.replace(_MIDNIGHT, "")


def _pieces(frame: pd.DataFrame) -> list[str | pa.Array] | None:
    """`{"name":`, the column's values, `,"name":`, ... or None when a column cannot be
    written here. The quotes of a text column without empty cells go into the pieces around."""
    if not frame.columns.is_unique:
        return None
    pieces: list[str | pa.Array] = []
    closing = ""
    for name in frame.columns:
        if not isinstance(name, str):
            return None
        written = _values(frame[name])
        if written is None:
            return None
        values, bare = written
        key = _without_midnight(ujson_dumps(name, ensure_ascii=False))
        opening = '"' if bare else ""
        pieces += [closing + ("," if pieces else "{") + key + ":" + opening, values]
        closing = opening
    pieces.append(closing + "},")
    return pieces


def _values(column: pd.Series) -> tuple[pa.Array, bool] | None:
    """The JSON text of each value of a column, or None when it cannot be written here. With
    True, the texts are strings still to be quoted, and none is empty; with False, they are
    whole ("null" where empty)."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        written = _values(pd.Series(dtype.categories))
        if written is None:
            return None
        categories, bare = written
        codes = column.cat.codes.to_numpy()
        empty = codes < 0
        if bare and empty.any():
            categories, bare = _quoted(categories), False
        taken = pc.take(categories, pa.array(codes, mask=empty))
        return taken.fill_null("null"), bare
    if dtype == np.float64:
        return _floats(column.to_numpy()), False
    if pd.api.types.is_bool_dtype(dtype):
        flags = _arrow(column)
        if flags is None:
            return None
        return pc.if_else(flags, "true", "false").fill_null("null"), False
    if pd.api.types.is_integer_dtype(dtype):
        numbers = _arrow(column)
        return None if numbers is None else (pc.cast(numbers, pa.string()).fill_null("null"), False)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return _dates(column.to_numpy())
    if pd.api.types.is_string_dtype(dtype):
        text = _arrow(column)
        if text is None or not (
            pa.types.is_string(text.type) or pa.types.is_large_string(text.type)
        ):
            return None
        return _strings(text.cast(pa.string()))
    return None


def _arrow(column: pd.Series) -> pa.Array | None:
    try:
        array = pa.array(column.array, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _floats(values: np.ndarray) -> pa.Array:
    """Written by pandas' own encoder (its rounding to 10 decimals), split back into values."""
    text = ujson_dumps(values, double_precision=_DOUBLE_PRECISION)[1:-1]
    return pc.split_pattern(pa.array([text]), ",").flatten()


def _strings(text: pa.Array) -> tuple[pa.Array, bool]:
    """Strings as they are, bar the rare one pandas' encoder escapes: those it writes itself."""
    escaped = pc.match_substring_regex(text, _ESCAPED).fill_null(False)
    if pc.any(escaped).as_py():
        array = _quoted(text).to_numpy(zero_copy_only=False).astype(object)
        odd = np.flatnonzero(escaped.to_numpy(zero_copy_only=False))
        array[odd] = [ujson_dumps(text[i].as_py(), ensure_ascii=False) for i in odd]
        return _without_midnight_array(pa.array(array, type=pa.string())), False
    text = _without_midnight_array(text)
    return (text, True) if text.null_count == 0 else (_quoted(text), False)


def _dates(values: np.ndarray) -> tuple[pa.Array, bool] | None:
    """ISO timestamps to the second; None when one has a fraction of a second. Each distinct
    day is written once."""
    ticks = values.astype("datetime64[ns]").view(np.int64)
    empty = np.isnat(values)
    known = ticks[~empty]
    if (known % 1_000_000_000).any():
        return None
    if len(known) == 0:
        return pa.array(np.full(len(values), "null", dtype=object), type=pa.string()), False
    if (known % _DAY).any():
        stamps = pc.cast(pa.array(values.astype("datetime64[s]")), pa.string())
        text = _without_midnight_array(pc.replace_substring(stamps, " ", "T"))
    else:
        # Dates alone, the common case (the midnight would be cut anyway), each written once.
        first, last = int(known.min() // _DAY), int(known.max() // _DAY)
        days = np.where(empty, first, ticks // _DAY)
        if last - first > len(values):
            text = pc.cast(pa.array(days.astype("datetime64[D]")), pa.string())
        else:
            span = np.arange(first, last + 1).astype("datetime64[D]")
            text = pc.take(pc.cast(pa.array(span), pa.string()), pa.array(days - first))
    if empty.any():
        return _quoted(pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)), False
    return text, True


def _quoted(text: pa.Array) -> pa.Array:
    """Each string in quotes, "null" where empty."""
    return pc.binary_join_element_wise('"', text, '"', "").fill_null("null")


def _without_midnight(text: str) -> str:
    return text.replace(_MIDNIGHT, "")


def _without_midnight_array(text: pa.Array) -> pa.Array:
    if not pc.any(pc.match_substring(text, _MIDNIGHT)).as_py():
        return text
    return pc.replace_substring(text, _MIDNIGHT, "")
