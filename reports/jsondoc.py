"""The `--json` document: one JSON object, shares as fractions, dates as ISO strings."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from analysis.result import CLIENT_COLUMNS, AnalysisResult

CLIENT_FIELDS = list(CLIENT_COLUMNS)


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
    """The whole document; the clients array is written by pandas, fast for 100,000 clients."""
    head = json.dumps(document(result), ensure_ascii=False, default=str)
    readable = result.readable_clients()
    clients = readable[CLIENT_FIELDS + [c for c in readable.columns if c not in CLIENT_FIELDS]]
    clients = clients.assign(category=clients["category"].astype("str"))
    body = clients.to_json(orient="records", date_format="iso", date_unit="s", force_ascii=False)
    body = body.replace("T00:00:00", "")
    return head[:-1] + ', "clients": ' + body + "}"
