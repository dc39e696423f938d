"""Speed and memory of `clientbase analyze`, whole processes, next to pandas reading alone.

Run by hand: `python benchmarks/bench_analysis.py [--runs 3] [--skip-xlsx] [--skip-5m]`.
Prints medians and the ratios the targets are stated in; figures go to the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
CLI = [sys.executable, "-m", "bot.cli"]


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(command: list[str], runs: int) -> tuple[float, float]:
    results = [measure(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def report(label: str, seconds: float, megabytes: float) -> None:
    print(f"  {label:<48} {seconds:7.2f} s  {megabytes:8.0f} MB")


def ensure(path: Path, rows: int) -> Path:
    """Generate the file in a child process, so this process stays small: a child's peak memory
    as the kernel reports it includes what it shared with its parent before exec."""
    if not path.exists():
        started = time.perf_counter()
        script = str(Path(__file__).parent / "generate.py")
        subprocess.run([sys.executable, script, str(rows), str(path)], check=True)
        print(f"  (generated {path.name} in {time.perf_counter() - started:.0f} s)")
    return path


def bench_csv(runs: int) -> None:
    path = ensure(OUT / "log_1000000.csv", 1_000_000)
    print(f"\n1,000,000-row CSV ({path.stat().st_size / 1e6:.0f} MB), median of {runs}:")
    ours = median_of([*CLI, "analyze", str(path), "--json"], runs)
    pandas_only = median_of(
        [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"], runs
    )
    report("clientbase analyze --json", *ours)
    report("python -c 'pandas.read_csv(FILE)'", *pandas_only)
    print(
        f"  time ratio {ours[0] / pandas_only[0]:.2f} (target <= 1.5); "
        f"memory ratio {ours[1] / pandas_only[1]:.2f} (target <= 2)"
    )


def bench_xlsx(runs: int) -> None:
    path = ensure(OUT / "log_1000000.xlsx", 1_000_000)
    print(f"\n1,000,000-row XLSX ({path.stat().st_size / 1e6:.0f} MB), median of {runs}:")
    ours = median_of([*CLI, "analyze", str(path), "--json"], runs)
    fast = median_of(
        [
            sys.executable,
            "-c",
            f"import fastexcel; fastexcel.read_excel({str(path)!r}).load_sheet(0).to_pandas()",
        ],
        runs,
    )
    report("clientbase analyze --json", *ours)
    report("fastexcel alone, to pandas", *fast)
    print(f"  ratio to fastexcel {ours[0] / fast[0]:.2f} (target <= 1.5)")
    slow = measure([sys.executable, "-c", f"import pandas; pandas.read_excel({str(path)!r})"])
    report("pandas.read_excel (openpyxl), one run", *slow)
    print(f"  speed-up over pandas.read_excel {slow[0] / ours[0]:.1f}x (target >= 15)")


def bench_scaling(runs: int, largest: int) -> None:
    print(f"\nScaling of clientbase analyze --json on CSV, median of {runs}:")
    previous = None
    for rows in (100_000, 1_000_000, largest):
        path = ensure(OUT / f"log_{rows}.csv", rows)
        seconds, megabytes = median_of(
            [*CLI, "analyze", str(path), "--json"], runs if rows < 5_000_000 else 1
        )
        growth = (
            ""
            if previous is None
            else f"  x{seconds / previous[1]:.1f} time, x{megabytes / previous[2]:.1f} memory"
            f" for x{rows / previous[0]:.0f} rows"
        )
        print(f"  {rows:>9,} rows {seconds:7.2f} s {megabytes:8.0f} MB{growth}")
        previous = (rows, seconds, megabytes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--skip-5m", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    bench_csv(args.runs)
    if not args.skip_xlsx:
        bench_xlsx(args.runs)
    bench_scaling(args.runs, 1_000_000 if args.skip_5m else 5_000_000)


if __name__ == "__main__":
    main()
