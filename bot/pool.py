"""The worker pool: heavy jobs run in worker processes under a memory and a time limit, one worker
per slot, so a file that kills or outgrows its worker costs its own job and never the pool."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, Literal, ParamSpec, TypeVar

from analysis.errors import InputError

P = ParamSpec("P")
T = TypeVar("T")

Reason = Literal["memory", "time"]

FORKSERVER = multiprocessing.get_context("forkserver")

# Arrow's default allocator (mimalloc or jemalloc) reserves address space in large arenas, which
# the address-space limit counts as used; the system allocator reserves what it allocates. Set in
# this process, before any worker (or the fork server) starts, so every worker inherits it before
# pyarrow loads there: an initializer runs too late, after the imports that unpickling it needs.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# Starting a worker (fork from the fork server, the initializer's imports) is not part of a job's
# time; this only bounds an initializer that hangs.
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class WorkerLimits:
    """What one job may use: the address space of its worker, and wall-clock time for the job."""

    memory_mb: int = 3072
    job_timeout_s: float = 300


class JobTooLarge(InputError):  # noqa: N818 (a verdict on the file, not a fault)
    """A job needed more memory or time than its worker may use; its worker has been replaced.

    An InputError (code `job_memory` or `job_time`), so the CLI and every flow of the bot tell
    the user in one sentence, as for any other file they cannot use."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"job_{reason}")
        self.reason: Reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (JobTooLarge, (self.reason,))


def _limit_worker(memory_mb: int, initializer: Callable[[], None] | None) -> None:
    """Runs first in every worker: cap its address space, then the caller's initializer."""
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # A native reader that aborts past the limit is an expected outcome (JobTooLarge): its one
    # line "memory allocation of N bytes failed" is enough, not a Rust backtrace of 40 lines.
    os.environ["RUST_BACKTRACE"] = "0"
    if initializer is not None:
        initializer()


def _started() -> None:
    """The first call in a worker: once it returns, the worker runs and its initializer is done."""


class _Worker:
    """One worker process behind a one-process executor, so it can be killed without touching
    any other job."""

    def __init__(
        self, limits: WorkerLimits, initializer: Callable[[], None] | None, context: BaseContext
    ) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_limit_worker,
            initargs=(limits.memory_mb, initializer),
        )
        # The executor starts its process on the first submit: start it now, not in a job's time.
        self.started = self.executor.submit(_started)

    def kill(self) -> None:
        """Kill the worker process, whatever it is doing, and drop the executor."""
        # Python 3.11 has no public way to reach an executor's processes (3.14 adds kill_workers);
        # a one-process executor's only process is in `_processes`. Its manager thread notices the
        # death, fails the running future with BrokenProcessPool and reaps the process.
        for process in list((self.executor._processes or {}).values()):
            process.kill()
        self.executor.shutdown(wait=False)


def _too_large(error: BaseException) -> JobTooLarge | None:
    """The JobTooLarge a job's failure means, or None for an ordinary exception of the job."""
    if isinstance(error, MemoryError):  # the address-space limit, hit inside Python
        return JobTooLarge("memory")
    if isinstance(error, BrokenProcessPool):
        # The worker died during the job: an abort in a native reader after a failed allocation,
        # the kernel's OOM killer, a SIGKILL. Out of memory is by far the likeliest cause (native
        # code aborts rather than raise MemoryError when the address-space limit refuses it).
        return JobTooLarge("memory")
    return None


def _retrieve(waiter: asyncio.Future[T]) -> None:
    if not waiter.cancelled():
        waiter.exception()  # read here, so asyncio never logs "exception was never retrieved"


async def _finished(future: Future[T], timeout: float) -> bool:
    """Whether `future` is done within `timeout` seconds. The future is never cancelled: Python
    3.11's executor fails on a cancelled future when it then finds its worker dead."""
    waiter = asyncio.wrap_future(future)
    waiter.add_done_callback(_retrieve)
    done, _ = await asyncio.wait({waiter}, timeout=timeout)
    return bool(done)


class WorkerPool:
    """`workers` slots, each one worker process; a job takes a free slot, and a slot whose worker
    dies or passes a limit gets a fresh worker, so later jobs run normally. `initializer` runs in
    every new worker, under the limits (module-level, as it is pickled)."""

    def __init__(
        self,
        workers: int,
        limits: WorkerLimits,
        *,
        initializer: Callable[[], None] | None = None,
        mp_context: BaseContext = FORKSERVER,
    ) -> None:
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.limits = limits
        self._initializer = initializer
        self._context = mp_context
        # Workers start on first use, so building the pool (at the bot's wiring) starts no process.
        self._workers: list[_Worker | None] = [None] * workers
        self._free: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(workers):
            self._free.put_nowait(slot)
        self._taking_all = asyncio.Lock()
        self._closed = False

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `function` (a module-level function, as it is pickled) in a worker and return its
        result; its own exceptions pass through; JobTooLarge when it outgrows the limits."""
        slot = await self._free.get()
        try:
            return await self._run_in(slot, function, *args, **kwargs)
        finally:
            self._free.put_nowait(slot)

    async def warm_up(self, function: Callable[[], object]) -> None:
        """Run `function` once in every worker (the bot imports its heavy modules at start)."""
        slots: list[int] = []
        try:
            async with self._taking_all:  # two callers each holding some slots would wait forever
                while len(slots) < len(self._workers):
                    slots.append(await self._free.get())
            outcomes = await asyncio.gather(
                *(self._run_in(slot, function) for slot in slots), return_exceptions=True
            )
        finally:
            for slot in slots:
                self._free.put_nowait(slot)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    def shutdown(self) -> None:
        """Stop every worker now, running jobs included (the interpreter would otherwise wait for
        them at exit, up to the time limit); their callers get RuntimeError. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            if worker is not None:
                worker.kill()

    async def _run_in(
        self, slot: int, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        worker = await self._started_worker(slot)
        try:
            future = worker.executor.submit(function, *args, **kwargs)
        except BrokenProcessPool:
            # The worker died while idle (killed from outside): not this job's doing, so once more.
            worker = await self._started_worker(slot, renew=True)
            future = worker.executor.submit(function, *args, **kwargs)
        try:
            finished = await _finished(future, self.limits.job_timeout_s)
        except asyncio.CancelledError:
            # Nobody wants the result any more, and the next job must not queue behind it.
            self._renew(slot)
            raise
        if not finished:
            self._renew(slot)
            raise JobTooLarge("time")
        error = future.exception()
        if error is None or (too_large := _too_large(error)) is None:
            return future.result()  # the result, or the job's own exception raised unchanged
        if self._closed and isinstance(error, BrokenProcessPool):
            raise RuntimeError("the worker pool was shut down during the job") from error
        # After a MemoryError the worker lives on, but with whatever the failed job left behind.
        self._renew(slot)
        raise too_large from error

    async def _started_worker(self, slot: int, *, renew: bool = False) -> _Worker:
        if renew or self._workers[slot] is None:
            self._renew(slot)
        worker = self._workers[slot]
        if worker is None:
            raise RuntimeError("the worker pool is shut down")
        started = await _finished(worker.started, START_TIMEOUT_S)
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        if not started:
            self._renew(slot)
            raise RuntimeError(f"a worker did not start within {START_TIMEOUT_S:.0f} s")
        error = worker.started.exception()
        if error is not None:  # the initializer raised, or the process died while starting
            self._renew(slot)
            raise RuntimeError("a worker could not start") from error
        return worker

    def _renew(self, slot: int) -> None:
        """Kill the slot's worker, if any, and unless the pool is shut down start a fresh one now,
        so the next job finds it ready."""
        old = self._workers[slot]
        if old is not None:
            old.kill()
        self._workers[slot] = (
            None if self._closed else _Worker(self.limits, self._initializer, self._context)
        )


def run_limited(
    limits: WorkerLimits, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run one job in a fresh worker under `limits`, for the CLI: the same results and exceptions
    as WorkerPool.run, so a file behaves the same in the CLI and in the bot."""
    return run_limited_in(FORKSERVER, limits, function, *args, **kwargs)


def run_limited_in(
    mp_context: BaseContext,
    limits: WorkerLimits,
    function: Callable[P, T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """run_limited with the worker started by `mp_context`: a fork starts in milliseconds from a
    process that has its imports done, where a fork server's worker imports them again."""
    worker = _Worker(limits, None, mp_context)
    healthy = False
    try:
        wait_for_futures([worker.started], timeout=START_TIMEOUT_S)
        if not worker.started.done():
            raise RuntimeError(f"a worker did not start within {START_TIMEOUT_S:.0f} s")
        if (error := worker.started.exception()) is not None:
            raise RuntimeError("a worker could not start") from error
        future = worker.executor.submit(function, *args, **kwargs)
        # Not future.result(timeout=...): a job's own TimeoutError must pass through as such.
        wait_for_futures([future], timeout=limits.job_timeout_s)
        if not future.done():
            raise JobTooLarge("time")
        error = future.exception()
        if error is not None and (too_large := _too_large(error)) is not None:
            raise too_large from error
        healthy = True
        return future.result()
    finally:
        if healthy:
            worker.executor.shutdown(wait=True)  # the worker exits on its own
        else:
            worker.kill()
