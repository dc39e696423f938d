"""Cost of the reports: the charts on top of `analyze --json` (whole processes), and the Excel
export against DataFrame.to_excel for the same 100,000-client table.

Run by hand: `python benchmarks/bench_reports.py [--runs 3]` (after bench_analysis made the CSV).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_analysis import OUT, ensure, median_of, report

JOB = [sys.executable, str(Path(__file__).parent / "charts_job.py")]


def bench_charts(path: Path, runs: int) -> None:
    print(f"\nCharts for the 1,000,000-row CSV (about 100,000 clients), median of {runs}:")
    plain = median_of([*JOB, str(path), "--no-charts"], runs)
    charts = median_of([*JOB, str(path)], runs)
    report("analysis + JSON", *plain)
    report("analysis + JSON + three charts", *charts)
    print(f"  charts add {100 * (charts[0] / plain[0] - 1):.0f} % (target <= 50 %)")


def bench_excel(path: Path, runs: int) -> None:
    from analysis.abc import analyze
    from analysis.pipeline import load_path
    from analysis.settings import AnalysisSettings
    from reports.excel import excel_report

    result = analyze(load_path(path), AnalysisSettings())
    table = result.readable_clients()  # the columns the report writes
    print(f"\nExcel for {len(table):,} clients x {len(table.columns)} columns, median of {runs}:")

    def timed(work) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    ours = statistics.median(
        timed(lambda: excel_report(result, "fr", date.today())) for _ in range(runs)
    )
    theirs = statistics.median(
        timed(lambda: table.to_excel(io.BytesIO(), engine="xlsxwriter", index=False))
        for _ in range(runs)
    )
    print(f"  reports.excel (4 sheets, formats, chart) {ours:7.2f} s")
    print(f"  DataFrame.to_excel (xlsxwriter, 1 sheet)  {theirs:7.2f} s")
    print(f"  speed-up {theirs / ours:.1f}x (target >= 2)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-charts", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = ensure(OUT / "log_1000000.csv", 1_000_000)
    if not args.skip_charts:
        bench_charts(path, args.runs)
    bench_excel(path, args.runs)


if __name__ == "__main__":
    main()
