"""Per-file ceilings (kamxl.io.guard): results in order; a task that hangs, runs out of
memory or takes its worker down is one Breach and the others go on; no ceiling and one
job runs in this process."""
from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from kamxl.io.guard import NO_LIMITS, Breach, Limits, run_guarded


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
def test_each_breach_costs_only_its_item(jobs):
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
def test_a_ceiling_runs_in_a_worker_even_with_one_job():
    (pid,) = run_guarded(task, ["pid"], 1, jobs=1, limits=Limits(seconds=30, memory_mb=0))
    assert pid != os.getpid()


def _collector_state(_shared, _item):
    import gc

    return gc.isenabled()


@pytest.mark.parametrize("limits", [NO_LIMITS, Limits(seconds=30)])
def test_no_cycle_collection_while_an_item_runs_and_back_on_after(limits):
    import gc

    assert gc.isenabled()
    assert list(run_guarded(_collector_state, [1, 2], None, jobs=1, limits=limits)) == [False, False]
    assert gc.isenabled()
