"""Speed and memory of `clientbase analyze`, whole processes, next to pandas reading alone.

Run by hand: `python benchmarks/bench_analysis.py [--runs 5] [--only-csv] [--skip-xlsx]
[--skip-5m]`. Prints medians and the ratios the targets are stated in; figures go to the README.
Whole processes are timed side by side (ours, then pandas alone, in turn), so a busy machine
slows both; the in-process split of each step is timed in a child of its own.
"""

from __future__ import annotations

import argparse
import json
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
    elapsed, megabytes, _ = measure_with_cpu(command)
    return elapsed, megabytes


def measure_with_cpu(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child process. CPU
    time moves less than wall time when other work shares the machine."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def median_of(command: list[str], runs: int) -> tuple[float, float]:
    results = [measure(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def side_by_side(commands: list[list[str]], runs: int) -> list[tuple[float, float, float]]:
    """Medians (wall, memory, CPU) of `runs` rounds, each running every command once, in turn."""
    rounds = [[measure_with_cpu(command) for command in commands] for _ in range(runs)]
    return [
        (
            statistics.median(r[i][0] for r in rounds),
            statistics.median(r[i][1] for r in rounds),
            statistics.median(r[i][2] for r in rounds),
        )
        for i in range(len(commands))
    ]


STEPS = """
import json, sys, time
clock = time.perf_counter if sys.argv[2] == "wall" else time.process_time
started = clock()
from bot.cli import main  # what `clientbase analyze` imports before it reads a byte
imported = clock()
from analysis.pipeline import read_table, clean, analyze
from analysis.settings import ReadOptions, AnalysisSettings
from reports.jsondoc import to_json
options = ReadOptions()
data = open(sys.argv[1], "rb").read()
t = [clock()]
raw = read_table(data, sys.argv[1], options); t.append(clock())
tx = clean(raw, options.roles, options.limits); t.append(clock())
result = analyze(tx, AnalysisSettings()); t.append(clock())
to_json(result); t.append(clock())
steps = ("read", "clean", "classify", "json")
out = {"imports": imported - started}
out.update({name: t[i + 1] - t[i] for i, name in enumerate(steps)})
print(json.dumps(out))
"""


def steps_of(path: Path, runs: int, clock: str = "wall") -> dict[str, float]:
    """Median seconds of each in-process step (imports, read, clean, classify, json), by the
    wall clock or in CPU seconds of the process (`clock="cpu"`: steadier on a busy machine)."""
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", STEPS, str(path), clock], check=True, capture_output=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return {name: statistics.median(s[name] for s in samples) for name in samples[0]}


def report(label: str, seconds: float, megabytes: float) -> None:
    print(f"  {label:<48} {seconds:7.2f} s  {megabytes:8.0f} MB")


def ensure(path: Path, rows: int, *flags: str) -> Path:
    """Generate the file in a child process, so this process stays small: a child's peak memory
    as the kernel reports it includes what it shared with its parent before exec."""
    if not path.exists():
        started = time.perf_counter()
        script = str(Path(__file__).parent / "generate.py")
        subprocess.run([sys.executable, script, str(rows), str(path), *flags], check=True)
        print(f"  (generated {path.name} in {time.perf_counter() - started:.0f} s)")
    return path


def bench_csv(runs: int, path: Path, label: str, target: str) -> None:
    size = path.stat().st_size / 1e6
    print(f"\n1,000,000-row {label} ({size:.0f} MB), median of {runs} side-by-side runs:")
    ours, pandas_only = side_by_side(
        [
            [*CLI, "analyze", str(path), "--json"],
            [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"],
        ],
        runs,
    )
    report("clientbase analyze --json", *ours[:2])
    report("python -c 'pandas.read_csv(FILE)'", *pandas_only[:2])
    print(
        f"  time ratio {ours[0] / pandas_only[0]:.2f} ({target}); "
        f"memory ratio {ours[1] / pandas_only[1]:.2f} (target <= 2); "
        f"CPU {ours[2]:.2f} s against {pandas_only[2]:.2f} s, ratio {ours[2] / pandas_only[2]:.2f}"
    )
    for clock in ("wall", "cpu"):
        split = steps_of(path, runs, clock)
        inside = " + ".join(f"{name} {seconds:.2f}" for name, seconds in split.items())
        print(f"  in process ({clock}): {inside} = {sum(split.values()):.2f} s")


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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only-csv", action="store_true", help="the two 1,000,000-row CSVs")
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--skip-5m", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    import pandas

    cpu = platform.processor() or platform.machine()
    print(
        f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pandas {pandas.__version__}"
    )
    plain = ensure(OUT / "plain_1000000.csv", 1_000_000, "--plain")
    bench_csv(args.runs, plain, "plain CSV (client,date,amount)", "target <= 2")
    french = ensure(OUT / "log_1000000.csv", 1_000_000)
    bench_csv(args.runs, french, "French CSV", "no loss")
    if args.only_csv:
        return
    if not args.skip_xlsx:
        bench_xlsx(args.runs)
    bench_scaling(args.runs, 1_000_000 if args.skip_5m else 5_000_000)


if __name__ == "__main__":
    main()
