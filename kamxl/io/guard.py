"""Per-file ceilings: one file can neither hang nor exhaust a run.

:func:`run_guarded` applies a function to each item (a file) in worker processes
supervised by `pebble <https://pypi.org/project/Pebble/>`_: each item gets its own
wall-clock timeout, after which its worker is killed and replaced; a worker that dies
(a reader that aborts, a panic that takes the process down) costs only the item it was
working on. Each worker caps its own address space with ``RLIMIT_AS`` at what it
started with plus ``memory_mb``: Python then raises ``MemoryError`` and a Rust reader
aborts (its allocation fails), instead of the machine swapping or the OOM killer
picking a victim. Outcomes are yielded in the items' order, each either the function's
result or a :class:`Breach` saying which ceiling was hit.

Platforms. Linux: both ceilings. macOS: the time ceiling; the kernel does not enforce
``RLIMIT_AS``, so the memory ceiling is set but has no effect. Windows: the time
ceiling; there is no ``resource`` module, so no memory ceiling (a ``MemoryError`` is
still reported as a memory breach, and a worker that dies as a crash).

With no ceiling at all and one job, items run in this process, as before.

Ctrl-C. Workers ignore SIGINT (a terminal sends it to the whole process group); the
parent gets ``KeyboardInterrupt``, stops the pool and lets it through to the command
line, which says "interrupted" in one line (exit 130).
"""
from __future__ import annotations

import faulthandler
import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Limits:
    """Ceilings per file; 0 means none."""

    seconds: float = 0.0
    memory_mb: int = 0

    @property
    def active(self) -> bool:
        return bool(self.seconds or self.memory_mb)


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Breach:
    """Why an item has no result: ``timeout``, ``memory`` or ``crash`` (``detail`` says how)."""

    kind: str
    detail: str = ""


# --- in the worker ---------------------------------------------------------------------------
_SHARED: Any = None


def _start_worker(shared: Any, memory_mb: int) -> None:
    global _SHARED
    _SHARED = shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle: it stops the pool
    os.environ["RUST_BACKTRACE"] = "0"   # a reader that aborts is one finding, not a page of backtrace
    faulthandler.disable()                # (nor a dump of this worker's Python stack)
    if memory_mb:
        cap_memory(memory_mb)
    gc.freeze()   # what the worker inherited is never garbage: keep the collector off it


def cap_memory(memory_mb: int) -> bool:
    """Cap this process's address space at its current size plus ``memory_mb``; False
    where the platform cannot (no ``resource`` module, or the kernel refuses)."""
    try:
        import resource
    except ImportError:          # Windows
        return False
    limit = _address_space() + memory_mb * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):   # macOS may refuse; it would not enforce it anyway
        return False
    return True


def _address_space() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # an approximation (macOS)


def _call(fn: Callable[[Any, T], R], item: T) -> R | Breach:
    try:
        with no_cycle_collection():   # one file's work is acyclic data, freed by reference counting
            return fn(_SHARED, item)
    except MemoryError:
        return Breach("memory")


# --- in the parent ---------------------------------------------------------------------------
class _InProcess(Generic[S]):
    def __init__(self, shared: S) -> None:
        self.shared = shared

    def __call__(self, fn: Callable[[S, T], R], item: T) -> R | Breach:
        try:
            with no_cycle_collection():
                return fn(self.shared, item)
        except MemoryError:
            return Breach("memory")


def run_guarded(fn: Callable[[S, T], R], items: Sequence[T], shared: S, *, jobs: int = 1,
                limits: Limits = NO_LIMITS) -> Iterator[R | Breach]:
    """``fn(shared, item)`` for every item, in order; ``fn`` and ``shared`` must pickle
    (a module-level function; ``shared`` is sent once to each worker, not per item)."""
    if not items:
        return
    if jobs <= 1 and not limits.active:
        run = _InProcess(shared)
        for item in items:
            yield run(fn, item)
        return
    import pebble

    timeout = limits.seconds or None
    pool = pebble.ProcessPool(max_workers=max(1, min(jobs, len(items))), initializer=_start_worker,
                              initargs=(shared, limits.memory_mb))
    try:
        with no_cycle_collection():
            futures = [pool.schedule(_call, (fn, item), timeout=timeout) for item in items]
            for future in futures:
                yield _outcome(future, limits)
    except BaseException:
        pool.stop()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _outcome(future: Any, limits: Limits) -> Any:
    import pebble

    try:
        return future.result()
    except TimeoutError:
        return Breach("timeout")
    except pebble.ProcessExpired as exc:
        code = exc.exitcode
        # A reader whose allocation fails under the cap aborts (Rust: "memory allocation
        # failed"); the kernel's OOM killer sends SIGKILL.
        if limits.memory_mb and code in (-signal.SIGABRT, -getattr(signal, "SIGKILL", 9)):
            return Breach("memory", f"exit code {code}")
        return Breach("crash", f"exit code {code}")
    except Exception as exc:  # noqa: BLE001 - a bug in fn must not take the batch down either
        return Breach("crash", f"{type(exc).__name__}: {exc}")


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Reading a file, and the results of many, are plain acyclic data freed by reference
    counting; the cycle collector would only rescan the growing pile of them, once per few
    hundred objects made (a roll-up's 200,000 lines: 40% of its time). Cycles made meanwhile
    are collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["Breach", "Limits", "NO_LIMITS", "cap_memory", "no_cycle_collection", "run_guarded"]
