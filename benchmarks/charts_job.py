"""One whole-process run for bench_reports: analyse FILE as `analyze --json` does, then draw the
three charts unless `--no-charts` (the two variants differ by the charts alone)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from analysis.abc import analyze
from analysis.pipeline import load_path
from analysis.settings import AnalysisSettings
from reports.jsondoc import to_json


def main() -> None:
    path = Path(sys.argv[1])
    result = analyze(load_path(path), AnalysisSettings())
    sys.stdout.buffer.write(to_json(result).encode())
    if "--no-charts" not in sys.argv:
        from reports.charts import render_charts

        charts = render_charts(result, "fr")
        sys.stderr.write(f"{len(charts)} charts {date.today()}\n")


if __name__ == "__main__":
    main()
