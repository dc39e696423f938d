"""The CLI reads under the bot's limits: at most the size limit plus one byte, and the reading and
analysis in a worker bounded in memory and time, each limit told in one sentence (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, worker_limits
from bot.pool import WorkerLimits

from .analysis import hostile_files as hostile


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def one_sentence(done: subprocess.CompletedProcess[str], start: str) -> None:
    assert done.returncode == 2, done.stderr[-500:]
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(start), done.stderr[-500:]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_at_the_limit():
    done = cli("analyze", "/dev/zero", timeout=30)
    one_sentence(done, "The input is over the 300 MB limit")


def test_a_sparse_file_is_refused_without_being_read(tmp_path):
    sparse = tmp_path / "ventes.csv"
    with sparse.open("wb") as handle:
        handle.truncate(700_000_000)
    done = cli("analyze", str(sparse))
    one_sentence(done, "The file is 700 MB, over the 300 MB limit")
    # Never read: the largest process of the run (a fresh parent waits for the CLI and its worker,
    # so its children's peak is theirs alone) stayed far under the file's size.
    measure = (
        "import resource, subprocess, sys;"
        f"subprocess.run([sys.executable, '-m', 'bot.cli', 'analyze', {str(sparse)!r}],"
        " capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    peak = subprocess.run(
        [sys.executable, "-c", measure], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(peak.stdout) < 400_000  # KB


def test_a_far_cell_gets_the_sentence_naming_it(tmp_path):
    path = tmp_path / "ventes.xlsx"
    path.write_bytes(hostile.far_cell_xlsx("XFD1048576"))
    done = cli("analyze", str(path))
    one_sentence(done, "The sheet has a value far from the table, in cell XFD1048576")


@pytest.fixture
def sales_csv(tmp_path: Path) -> Path:
    rows = "\n".join(f"Client {i % 500};{i}" for i in range(1, 20_001))
    path = tmp_path / "ventes.csv"
    path.write_text("Client;Montant\n" + rows + "\n")
    return path


def test_the_worker_memory_limit_applies(sales_csv):
    done = cli("analyze", str(sales_csv), env={"WORKER_MEMORY_MB": "200"})
    one_sentence(done, "This file needs too much memory to analyse")


def test_the_job_time_limit_applies(sales_csv):
    done = cli("analyze", str(sales_csv), env={"JOB_TIMEOUT_S": "0.001"})
    one_sentence(done, "This file needs too much time to analyse")


def test_within_the_limits_the_analysis_is_printed(sales_csv, capsys):
    assert main(["analyze", str(sales_csv), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["clients"]) == 500 and doc["total"] == sum(range(1, 20_001))


def test_limits_come_from_the_bots_variables():
    assert worker_limits({}) == WorkerLimits()
    assert worker_limits({"WORKER_MEMORY_MB": "1024", "JOB_TIMEOUT_S": "30"}) == WorkerLimits(
        1024, 30.0
    )
    with pytest.raises(ConfigError):
        worker_limits({"WORKER_MEMORY_MB": "lots"})


def test_a_bad_limit_is_one_sentence_in_the_cli(tmp_path, monkeypatch, capsys, files, sales_rows):
    path = tmp_path / "ventes.csv"
    path.write_bytes(files.csv(sales_rows))
    monkeypatch.setenv("WORKER_MEMORY_MB", "lots")
    assert main(["analyze", str(path), "--lang", "en"]) == 2
    error = capsys.readouterr().err.strip()
    assert "WORKER_MEMORY_MB" in error and "\n" not in error and "Traceback" not in error


def test_the_worker_is_forked_only_from_a_small_process_without_threads():
    from bot.cli import _may_fork

    # A process as large as a quarter of the limit would hand its address space to the child.
    assert not _may_fork(WorkerLimits(memory_mb=64))
    # In a process of its own (pytest runs threads), a small one without threads forks.
    check = (
        "from bot.cli import _may_fork; from bot.pool import WorkerLimits;"
        "print(_may_fork(WorkerLimits(memory_mb=100_000)), _may_fork(WorkerLimits(memory_mb=64)))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert answer.stdout.split() == ["True", "False"]
