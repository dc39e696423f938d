"""The column-wise writer of the clients array writes the very bytes pandas' writer would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.jsondoc import _records_by_pandas, records


def _frame(**columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.assign(category=pd.Categorical(["A", "B", "D"], categories=list("ABCD")))


CASES = {
    "floats": _frame(
        value=[3513815.7299999865, -0.0, np.nan],
        share=[1e-20, 1e17, np.inf],
        small=[0.00001536281, 0.99999999999, -1.5],
    ),
    "integers": _frame(
        rank=np.array([1, 2, 3], dtype=np.int64), purchases=pd.array([1, None, 3], dtype="Int64")
    ),
    "flags": _frame(one_off=pd.array([True, None, False], dtype="boolean"), b=[True, False, True]),
    "texts": _frame(
        client=pd.array(["Élevage Bonnet SA", "a/b", 'q"\\\x01'], dtype="str"),
        manager=pd.array(["x", None, "noT00:00:00on"], dtype="str"),
    ),
    "dates": _frame(
        first_purchase=pd.to_datetime(["2024-01-01", None, "2025-12-30"]),
        contract_end=pd.to_datetime(["2024-01-01 10:30:00", "2026-02-03 00:00:00", None]),
        empty=pd.Series([pd.NaT] * 3, dtype="datetime64[ns]"),
    ),
    "far dates": _frame(day=pd.to_datetime(["1700-01-01", "2200-12-31", "2000-02-29"])),
    "categories": _frame(
        segment=pd.Categorical(["BTP", None, "Santé"]), code=pd.Categorical([1, 2, 1])
    ),
    "odd keys": _frame(**{"Fin/contrat": ["a", "b", "c"], "xT00:00:00": [1.0, 2.0, 3.0]}),
    "fallback": _frame(
        mixed=[1, "x", 2.5],
        second=pd.to_datetime(["2024-01-01 00:00:00.5", None, None], format="ISO8601"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_records_are_what_pandas_writes(name: str) -> None:
    frame = CASES[name]
    assert records(frame) == _records_by_pandas(frame)


def test_no_client_is_an_empty_array() -> None:
    assert records(CASES["floats"].iloc[:0]) == "[]"
