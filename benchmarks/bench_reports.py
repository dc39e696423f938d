"""Cost of the reports: the charts on top of `analyze --json` (whole processes), and the Excel
export against DataFrame.to_excel for the same 100,000-client table, and against the floor:
XlsxWriter writing the same cells and formats with nothing of ours around it.

Run by hand: `python benchmarks/bench_reports.py [--runs 3]` (after bench_analysis made the CSV).
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from analysis.result import CATEGORIES
from reports.charts import COLOURS
from reports.excel import EXCEL_EPOCH, OPTIONS

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


def _cells(column: pd.Series) -> list[Any]:
    """A column as the plain Python values a typed writer takes (dates as Excel serials)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        column = (column - EXCEL_EPOCH) / pd.Timedelta(days=1)
    if pd.api.types.is_bool_dtype(column):
        return [None if pd.isna(v) else bool(v) for v in column]
    if pd.api.types.is_numeric_dtype(column):
        return [None if math.isnan(v) else v for v in column.astype("float64").tolist()]
    return [None if pd.isna(v) else str(v) for v in column]


def xlsxwriter_floor(table: pd.DataFrame) -> float:
    """Seconds XlsxWriter itself needs for the Clients sheet's cells and formats, with every value
    converted beforehand, off the clock: no code of ours can write that sheet faster."""
    columns = [_cells(table[name]) for name in table.columns]
    categories = table["category"].astype(str).tolist()
    category_col = list(table.columns).index("category")
    started = time.perf_counter()
    book = xlsxwriter.Workbook(io.BytesIO(), OPTIONS)
    sheet = book.add_worksheet()
    colours = {c: book.add_format({"bold": True, "bg_color": COLOURS[c]}) for c in CATEGORIES}
    plan = []
    for col, (name, cells) in enumerate(zip(table.columns, columns, strict=True)):
        sample = next((v for v in cells if v is not None), None)
        write = {bool: sheet.write_boolean, str: sheet.write_string}.get(
            type(sample), sheet.write_number
        )
        number_format = (
            None
            if isinstance(sample, (bool, str))
            else book.add_format({"num_format": "0.0%" if "share" in name else "#,##0.00"})
        )
        plan.append((col, cells, write, number_format))
    for col, header in enumerate(table.columns):
        sheet.write_string(0, col, str(header))
    for row in range(len(table)):
        for col, cells, write, number_format in plan:
            value = cells[row]
            if value is not None:
                cell_format = colours[categories[row]] if col == category_col else number_format
                write(row + 1, col, value, cell_format)
    book.close()
    return time.perf_counter() - started


def bench_excel(path: Path, runs: int) -> None:
    from analysis.abc import analyze
    from analysis.pipeline import load_path
    from analysis.settings import AnalysisSettings
    from reports.excel import excel_report

    result = analyze(load_path(path), AnalysisSettings())
    table = result.readable_clients()  # the columns the report writes
    print(f"\nExcel for {len(table):,} clients x {len(table.columns)} columns, {runs} rounds:")
    print("  round  to_excel  XlsxWriter floor  reports.excel  ratio  best possible")

    def timed(work) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    # The three are taken side by side in each round, so a slow spell of the machine hits all.
    rounds = []
    for number in range(1, runs + 1):
        theirs = timed(lambda: table.to_excel(io.BytesIO(), engine="xlsxwriter", index=False))
        floor = xlsxwriter_floor(table)
        ours = timed(lambda: excel_report(result, "fr", date.today()))
        rounds.append((theirs, floor, ours))
        print(
            f"  {number:>5}  {theirs:7.2f} s  {floor:14.2f} s  {ours:11.2f} s"
            f"  {theirs / ours:4.2f}x  {theirs / floor:4.2f}x"
        )
    theirs, floor, ours = (statistics.median(r[i] for r in rounds) for i in range(3))
    ratio = statistics.median(r[0] / r[2] for r in rounds)
    best = statistics.median(r[0] / r[1] for r in rounds)
    print(f"  medians: to_excel {theirs:.2f} s, floor {floor:.2f} s, reports.excel {ours:.2f} s")
    print(f"  speed-up {ratio:.2f}x (target >= 2); XlsxWriter's own ceiling here {best:.2f}x")
    extra = 100 * (ours / floor - 1)
    print(f"  reports.excel: {extra:+.0f} % on the floor, with 3 more sheets and a chart")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-excel", action="store_true")
    parser.add_argument("--skip-charts", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = ensure(OUT / "log_1000000.csv", 1_000_000)
    if not args.skip_charts:
        bench_charts(path, args.runs)
    if not args.skip_excel:
        bench_excel(path, args.runs)


if __name__ == "__main__":
    main()
