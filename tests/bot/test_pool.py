"""The worker pool with real worker processes: a job that dies or passes a limit costs that job
only, and the pool goes on."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.pool import JobTooLarge, WorkerLimits, WorkerPool, run_limited

from . import pool_jobs

T = TypeVar("T")
QUICK = WorkerLimits(memory_mb=400, job_timeout_s=10)


def with_pool(
    scenario: Callable[[WorkerPool], Awaitable[T]],
    workers: int = 1,
    limits: WorkerLimits = QUICK,
    initializer: Callable[[], None] | None = None,
) -> T:
    async def main() -> T:
        pool = WorkerPool(workers, limits, initializer=initializer)
        try:
            return await scenario(pool)
        finally:
            pool.shutdown()

    return asyncio.run(main())


def gone(pid: int, within: float = 5.0) -> bool:
    """Whether process `pid` has ended (and been reaped) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def test_a_job_returns_its_result() -> None:
    async def scenario(pool: WorkerPool) -> tuple[int, int]:
        return await pool.run(pool_jobs.add, 2, b=3), await pool.run(pool_jobs.pid)

    total, worker = with_pool(scenario)
    assert total == 5
    assert worker != os.getpid()


def test_a_job_exception_passes_through_and_keeps_the_worker() -> None:
    async def scenario(pool: WorkerPool) -> tuple[int, int]:
        before = await pool.run(pool_jobs.pid)
        with pytest.raises(ValueError, match="bad cell"):
            await pool.run(pool_jobs.fail, "bad cell")
        return before, await pool.run(pool_jobs.pid)

    before, after = with_pool(scenario)
    assert before == after


def test_a_dead_worker_costs_its_job_only() -> None:
    async def scenario(pool: WorkerPool) -> tuple[int, int, int]:
        dead = await pool.run(pool_jobs.pid)
        with pytest.raises(JobTooLarge) as caught:
            await pool.run(pool_jobs.die)
        assert caught.value.reason == "memory"
        return dead, await pool.run(pool_jobs.add, 1, 1), await pool.run(pool_jobs.pid)

    dead, total, fresh = with_pool(scenario)
    assert total == 2
    assert fresh != dead


def test_a_worker_killed_while_idle_is_replaced_before_the_next_job() -> None:
    async def scenario(pool: WorkerPool) -> tuple[int, int]:
        idle = await pool.run(pool_jobs.pid)
        os.kill(idle, signal.SIGKILL)  # as the OOM killer may pick an idle worker
        assert gone(idle)
        return await pool.run(pool_jobs.add, 1, 2), await pool.run(pool_jobs.pid)

    total, fresh = with_pool(scenario)
    assert total == 3
    assert fresh > 0


def test_a_job_past_the_memory_limit() -> None:
    async def scenario(pool: WorkerPool) -> int:
        assert await pool.run(pool_jobs.allocate, 50) == 50 * 1024 * 1024
        with pytest.raises(JobTooLarge) as caught:
            await pool.run(pool_jobs.allocate, 1024)
        assert caught.value.reason == "memory"
        return await pool.run(pool_jobs.allocate, 50)

    assert with_pool(scenario) == 50 * 1024 * 1024


def test_a_job_past_the_time_limit_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    async def scenario(pool: WorkerPool) -> tuple[float, int]:
        await pool.run(pool_jobs.pid)  # the worker is up: what follows times the job alone
        started = time.monotonic()
        with pytest.raises(JobTooLarge) as caught:
            await pool.run(pool_jobs.sleep, 30, pid_file)
        assert caught.value.reason == "time"
        return time.monotonic() - started, await pool.run(pool_jobs.add, 2, 2)

    elapsed, total = with_pool(scenario, limits=WorkerLimits(job_timeout_s=0.5))
    assert 0.5 <= elapsed < 3
    assert total == 4
    assert gone(int(pid_file.read_text()))


def test_a_death_on_one_slot_leaves_the_other_slot_alone(tmp_path: Path) -> None:
    go = tmp_path / "go"

    async def scenario(pool: WorkerPool) -> str:
        other = asyncio.create_task(pool.run(pool_jobs.wait_for, go))  # takes the first slot
        with pytest.raises(JobTooLarge):
            await pool.run(pool_jobs.die)  # on the second slot, while the first job runs
        go.touch()
        return await other

    assert with_pool(scenario, workers=2) == "done"


def test_a_timeout_on_one_slot_leaves_the_other_slot_alone(tmp_path: Path) -> None:
    go = tmp_path / "go"

    async def scenario(pool: WorkerPool) -> tuple[str, int]:
        await pool.warm_up(pool_jobs.pid)  # both workers up before the clocks start
        slow = asyncio.create_task(pool.run(pool_jobs.sleep, 30))
        await asyncio.sleep(1.0)  # the other job's deadline is 1 s after the slow one's
        other = asyncio.create_task(pool.run(pool_jobs.wait_for, go))
        with pytest.raises(JobTooLarge) as caught:
            await slow
        assert caught.value.reason == "time"
        go.touch()
        return await other, await pool.run(pool_jobs.add, 3, 3)

    assert with_pool(scenario, workers=2, limits=WorkerLimits(job_timeout_s=1.5)) == ("done", 6)


def test_warm_up_and_the_initializer_reach_every_worker() -> None:
    async def scenario(pool: WorkerPool) -> list[tuple[int, bool]]:
        await pool.warm_up(pool_jobs.warm)
        warmed = list(await asyncio.gather(pool.run(pool_jobs.warmed), pool.run(pool_jobs.warmed)))
        return warmed

    first, second = with_pool(scenario, workers=2)
    assert first[1] and second[1]
    assert first[0] != second[0]

    async def replaced(pool: WorkerPool) -> tuple[int, bool]:
        with pytest.raises(JobTooLarge):
            await pool.run(pool_jobs.die)
        return await pool.run(pool_jobs.warmed)

    assert with_pool(replaced, initializer=pool_jobs.warm)[1]


def test_a_cancelled_job_has_its_worker_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    async def scenario(pool: WorkerPool) -> int:
        job = asyncio.create_task(pool.run(pool_jobs.sleep, 30, pid_file))
        while not pid_file.exists():
            await asyncio.sleep(0.02)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        return await pool.run(pool_jobs.add, 4, 4)

    assert with_pool(scenario) == 8
    assert gone(int(pid_file.read_text()))


def test_shutdown_stops_running_jobs_and_may_be_repeated(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    async def scenario(pool: WorkerPool) -> None:
        job = asyncio.create_task(pool.run(pool_jobs.sleep, 30, pid_file))
        while not pid_file.exists():
            await asyncio.sleep(0.02)
        pool.shutdown()
        pool.shutdown()
        with pytest.raises(RuntimeError, match="shut down"):
            await job
        with pytest.raises(RuntimeError, match="shut down"):
            await pool.run(pool_jobs.add, 1, 1)

    started = time.monotonic()
    with_pool(scenario)
    assert time.monotonic() - started < 5
    assert gone(int(pid_file.read_text()))


def test_job_too_large_travels_between_processes() -> None:
    copy = pickle.loads(pickle.dumps(JobTooLarge("time")))
    assert isinstance(copy, JobTooLarge)
    assert copy.reason == "time"


def test_run_limited_behaves_as_the_pool(tmp_path: Path) -> None:
    assert run_limited(QUICK, pool_jobs.add, 2, b=5) == 7
    with pytest.raises(ValueError, match="bad cell"):
        run_limited(QUICK, pool_jobs.fail, "bad cell")
    with pytest.raises(JobTooLarge) as died:
        run_limited(QUICK, pool_jobs.die)
    assert died.value.reason == "memory"
    with pytest.raises(JobTooLarge) as too_big:
        run_limited(QUICK, pool_jobs.allocate, 1024)
    assert too_big.value.reason == "memory"

    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(JobTooLarge) as too_slow:
        run_limited(WorkerLimits(job_timeout_s=0.5), pool_jobs.sleep, 30, pid_file)
    assert too_slow.value.reason == "time"
    assert time.monotonic() - started < 5
    assert gone(int(pid_file.read_text()))
