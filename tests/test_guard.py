"""Per-file ceilings (kamxl.io.guard): results in order; a task that hangs, runs out of
memory or takes its worker down is one Breach and the others go on; no ceiling and one
job runs in this process. Each ceiling is checked in every way items run: a forked child
each (few items, Linux), the pool of forked workers, and the pool of spawned workers
(what Windows and macOS use)."""
from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from kamxl.io import guard
from kamxl.io.guard import NO_LIMITS, Breach, Limits, run_guarded

WAYS = ["child", "pool", "spawn"]
LINUX = sys.platform.startswith("linux")   # where a child may be forked per item (kamxl.io.forking)


@pytest.fixture(params=WAYS)
def way(request, monkeypatch):
    """How workers run: a forked child per item, else the pool (forking, or spawning)."""
    if request.param == "child":
        if not LINUX:
            pytest.skip("a forked child per item: Linux only")
        monkeypatch.setattr(guard, "FORK_UP_TO", 1_000)
    else:
        monkeypatch.setattr(guard, "FORK_UP_TO", 0)
    if request.param == "spawn":
        monkeypatch.setattr(guard, "START_METHOD", "spawn")
    return request.param


def task(shared: int, item: str) -> object:
    if item == "hang":
        time.sleep(60)
    elif item == "abort":
        os.abort()                            # what a Rust reader does when an allocation fails
    elif item == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif item == "memory":
        return len(bytearray(8 * 2**30))      # 8 GB, far over the ceiling
    elif item == "bug":
        raise ZeroDivisionError("a bug")
    elif item == "pid":
        return os.getpid()
    return shared + len(item)


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_breach_costs_only_its_item(jobs, way):
    items = ["a", "hang", "bb", "segv", "ccc", "memory", "bug", "abort", "dddd"]
    started = time.monotonic()
    out = list(run_guarded(task, items, 10, jobs=jobs, limits=Limits(seconds=2, memory_mb=512)))
    assert time.monotonic() - started < 30
    assert [out[0], out[2], out[4], out[8]] == [11, 12, 13, 14]
    assert out[1] == Breach("timeout") and out[3] == Breach("crash", f"exit code {-signal.SIGSEGV}")
    assert out[5] == Breach("memory") and out[7].kind == "memory"     # MemoryError; an abort under the cap
    assert out[6] == Breach("crash", "ZeroDivisionError: a bug")


def test_no_ceiling_and_one_job_runs_here():
    assert list(run_guarded(task, ["pid", "x"], 1, jobs=1, limits=NO_LIMITS)) == [os.getpid(), 2]
    assert list(run_guarded(task, [], 1, jobs=2, limits=Limits(1, 0))) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux only")
def test_a_ceiling_runs_in_a_worker_even_with_one_job(way):
    (pid,) = run_guarded(task, ["pid"], 1, jobs=1, limits=Limits(seconds=30, memory_mb=0))
    assert pid != os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux only")
def test_the_memory_ceiling_is_the_workers_never_this_process(way):
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    assert list(run_guarded(task, ["memory", "a"], 10, jobs=2, limits=Limits(seconds=30, memory_mb=256))) \
        == [Breach("memory"), 11]
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len(bytearray(2**30)) == 2**30       # this process may still take 1 GB, over the workers' cap


def test_few_items_run_in_a_child_each_and_many_in_a_pool(monkeypatch):
    monkeypatch.setattr(guard, "FORK_UP_TO", 3)
    limits = Limits(seconds=30)
    few = list(run_guarded(task, ["pid"] * 3, 1, jobs=2, limits=limits))
    many = list(run_guarded(task, ["pid"] * 4, 1, jobs=2, limits=limits))
    assert os.getpid() not in few + many
    assert len(set(few)) == (3 if LINUX else 2)   # a child each, or a pool of two
    assert len(set(many)) <= 2                               # the pool's two workers


def test_a_child_per_item_runs_jobs_at_once_and_keeps_the_order(monkeypatch):
    if not LINUX:
        pytest.skip("a forked child per item: Linux only")
    items = ["hang", "a", "bb", "ccc"]        # the first stops at its timeout; the others meanwhile
    started = time.monotonic()
    out = list(run_guarded(task, items, 10, jobs=2, limits=Limits(seconds=1.5)))
    assert out == [Breach("timeout"), 11, 12, 13]
    assert time.monotonic() - started < 5


def test_stopping_early_leaves_no_child_behind():
    if not LINUX:
        pytest.skip("a forked child per item: Linux only")
    before = _children()
    outcomes = run_guarded(task, ["pid", "hang", "hang"], 1, jobs=3, limits=Limits(seconds=60))
    pid = next(outcomes)
    assert pid != os.getpid() and len(_children() - before) == 2     # the two that hang
    outcomes.close()                          # the caller stops reading (Ctrl-C does the same)
    assert _children() == before              # killed and reaped


def _children() -> set[int]:
    from pathlib import Path

    return {int(p) for f in Path("/proc/self/task").glob("*/children") for p in f.read_text().split()}


def _collector_state(_shared, _item):
    import gc

    return gc.isenabled()


@pytest.mark.parametrize("limits", [NO_LIMITS, Limits(seconds=30)])
def test_no_cycle_collection_while_an_item_runs_and_back_on_after(limits, way):
    import gc

    assert gc.isenabled()
    assert list(run_guarded(_collector_state, [1, 2], None, jobs=1, limits=limits)) == [False, False]
    assert gc.isenabled()


def test_a_fork_that_fails_is_that_items_crash(monkeypatch):
    if not LINUX:
        pytest.skip("a forked child per item: Linux only")

    def no_more_processes() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    assert list(run_guarded(task, ["a"], 10, limits=Limits(seconds=30))) == [Breach("crash", "fork failed")]
