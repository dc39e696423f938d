"""The bot under a 20 MB upload, driven through the stand-in Bot API server of the tests.

Measures, in one run: the whole-process time of `clientbase analyze FILE --out DIR`; the bot's
time from the upload to its status message, its summary, its charts, its Excel file and its last
reply on the same file (medians); and `/top A` latency in another chat, idle and while the large
file is processed (p95 of 20 requests each).

Run by hand: `python benchmarks/bench_bot.py [--runs 3]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_analysis import CLI, OUT, ensure, median_of  # noqa: E402

from tests.bot.conftest import RunningBot, make_config  # noqa: E402
from tests.bot.fake_api import FakeTelegram  # noqa: E402

BUSY, OTHER = 101, 102
ROWS = 360_000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def top_latency(api: FakeTelegram, count: int, stop_when_done: bool = False) -> list[float]:
    """Send /top A in the other chat `count` times, one after the other; seconds per answer."""
    latencies = []
    for _ in range(count):
        before = len([t for t in api.texts(OTHER) if "A — clients clés ·" in t])
        started = time.perf_counter()
        api.text(OTHER, "/top A")
        api.wait_for(
            lambda calls, b=before: (
                len([t for t in api.texts(OTHER) if "A — clients clés ·" in t]) > b
            ),
            60,
        )
        latencies.append(time.perf_counter() - started)
        if stop_when_done and done(api, BUSY):
            break
    return latencies


def done(api: FakeTelegram, chat: int) -> int:
    return len([t for t in api.texts(chat) if t.startswith("✅")])


def milestones(api: FakeTelegram, chat: int, since: float) -> dict[str, float]:
    """Seconds from `since` to the first status message, summary, chart album and Excel file."""
    found: dict[str, float] = {}
    for call in [c for c in api.calls if c.chat_id == chat and c.at >= since]:
        if call.method == "sendMessage" and "reply_markup" in call.params:
            step = "summary"
        elif call.method == "sendMessage":
            step = "status"
        elif call.method == "sendMediaGroup":
            step = "charts"
        elif call.method == "sendDocument":
            step = "excel"
        else:
            continue
        found.setdefault(step, call.at - since)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = ensure(OUT / f"log_{ROWS}.csv", ROWS)
    size_mb = path.stat().st_size / 1e6
    print(f"{ROWS:,}-row CSV, {size_mb:.1f} MB, median of {args.runs}:")
    with tempfile.TemporaryDirectory() as folder:
        cli, _ = median_of([*CLI, "analyze", str(path), "--out", folder], args.runs)
    print(f"  clientbase analyze --out DIR                 {cli:7.2f} s")

    api = FakeTelegram().start()
    with tempfile.TemporaryDirectory() as folder:
        bot = RunningBot(
            make_config(api, Path(folder) / "bench.sqlite3"), api, request_timeout=30
        ).start()
        try:
            api.document(
                OTHER, (ROOT / "analysis/data/sample_ventes.csv").read_bytes(), "sample.csv"
            )
            api.wait_for(lambda calls: done(api, OTHER) >= 1, 120)
            idle = top_latency(api, 20)
            data = path.read_bytes()
            totals, loaded = [], []
            steps: dict[str, list[float]] = {}
            for run in range(args.runs):
                started, since = time.perf_counter(), time.monotonic()
                api.document(BUSY, data, path.name)
                api.wait_for(
                    lambda calls: "Lecture et analyse" in " ".join(api.texts(BUSY)[-2:]), 60
                )
                loaded += top_latency(api, 20, stop_when_done=True)
                api.wait_for(lambda calls, r=run: done(api, BUSY) > r, 600)
                totals.append(time.perf_counter() - started)
                for step, seconds in milestones(api, BUSY, since).items():
                    steps.setdefault(step, []).append(seconds)
        finally:
            bot.stop()
            api.stop()
    bot_time = statistics.median(totals)
    for step in ("status", "summary", "charts", "excel"):
        print(f"  bot, upload to {step:<29} {statistics.median(steps[step]):7.2f} s")
    print(f"  bot, upload to last reply                    {bot_time:7.2f} s")
    print(f"  ratio {bot_time / cli:.2f} (target <= 1.5)")
    limit = max(5 * p95(idle), 0.3)
    idle_ms, loaded_ms = 1000 * p95(idle), 1000 * p95(loaded)
    print(
        f"  /top A p95: idle {idle_ms:.0f} ms; during the upload {loaded_ms:.0f} ms ({len(loaded)})"
    )
    verdict = "met" if p95(loaded) <= limit else "NOT met"
    print(f"  limit max(5 x idle, 300 ms) = {1000 * limit:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
