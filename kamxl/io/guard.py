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

Few items (at most :data:`FORK_UP_TO`) on Linux: each runs in a child forked for it alone,
``jobs`` at a time, under the same ceilings (its own ``RLIMIT_AS``, killed at its timeout),
its outcome pickled back through a pipe. For one file a pool costs more: importing pebble
and its asyncio (~25 ms), starting the workers and stopping them (~60 ms). But a fresh
child pays for what a warm worker has already done (copying the pages it touches: ~20-30 ms
a file, against ~8 ms of work for a 40-row funnel), so from a few files on the pool is
cheaper. Elsewhere (macOS and Windows start workers by spawning, not forking): the pool.

The pool's manager threads look at its state every :data:`POLL_SECONDS` (pebble's default,
0.1 s, made every run wait up to that long for its stop and for its results).

Ctrl-C. Workers ignore SIGINT (a terminal sends it to the whole process group); the
parent gets ``KeyboardInterrupt``, stops the pool and lets it through to the command
line, which says "interrupted" in one line (exit 130).
"""
from __future__ import annotations

import faulthandler
import gc
import os
import pickle
import select
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kamxl.io import forking

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
    if len(items) <= FORK_UP_TO and forking.can_fork():
        yield from _forked(fn, items, shared, jobs, limits)
        return
    import pebble

    if hasattr(getattr(pebble, "CONSTS", None), "sleep_unit"):   # pebble's, 5.x: kept as it is if it goes
        pebble.CONSTS.sleep_unit = POLL_SECONDS
    timeout = limits.seconds or None
    pool = pebble.ProcessPool(max_workers=max(1, min(jobs, len(items))), initializer=_start_worker,
                              initargs=(shared, limits.memory_mb), context=_start_context())
    try:
        with no_cycle_collection():
            futures = deque(pool.schedule(_call, (fn, item), timeout=timeout) for item in items)
            while futures:        # each future let go once its outcome is handed on: no result kept twice
                yield _outcome(futures.popleft(), limits)
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
        return _died(exc.exitcode, limits)
    except Exception as exc:  # noqa: BLE001 - a bug in fn must not take the batch down either
        return Breach("crash", f"{type(exc).__name__}: {exc}")


START_METHOD: str | None = None   # the pool's; None: the platform's own (tests force "spawn": Windows, macOS)


def _start_context() -> Any:
    import multiprocessing

    return multiprocessing.get_context(START_METHOD) if START_METHOD else multiprocessing


# --- few items: a forked child each ---------------------------------------------------------
FORK_UP_TO = 3           # items; above it the pool is the cheaper (docs/benchmarks.md, issue 19)
POLL_SECONDS = 0.01      # the pool's manager threads: ~300 wake-ups a second, nothing measurable
_READ = 1 << 16


@dataclass
class _Child:
    pid: int
    pipe: int                 # read end: the pickled outcome, then end of file
    deadline: float
    data: bytearray


def _forked(fn: Callable[[S, T], R], items: Sequence[T], shared: S, jobs: int,
            limits: Limits) -> Iterator[R | Breach]:
    """Each item in a child of its own (at most ``jobs`` at once); outcomes in order."""
    outcomes: dict[int, Any] = {}
    running: dict[int, _Child] = {}          # item index -> its child
    following = 0
    try:
        for index in range(len(items)):
            while len(running) >= max(1, jobs):
                _wait(running, outcomes, limits)
            child = _fork(fn, items[index], shared, limits)
            if isinstance(child, Breach):
                outcomes[index] = child
            else:
                running[index] = child
            while following in outcomes:
                yield outcomes.pop(following)
                following += 1
        while running or following in outcomes:
            if following in outcomes:
                yield outcomes.pop(following)
                following += 1
            else:
                _wait(running, outcomes, limits)
    finally:                                  # Ctrl-C, or the caller stopped early: no child left behind
        for child in running.values():
            _end(child, kill=True)


def _fork(fn: Callable[[S, T], R], item: T, shared: S, limits: Limits) -> _Child | Breach:
    """The item's child, or a crash if no process can be started (the item's outcome)."""
    read, write = os.pipe()
    pid = forking.fork()
    if pid == 0:                              # the child: never returns
        _child(fn, item, shared, limits, read, write)
    os.close(write)
    if pid < 0:
        os.close(read)
        return Breach("crash", "fork failed")
    deadline = time.monotonic() + limits.seconds if limits.seconds else float("inf")
    return _Child(pid, read, deadline, bytearray())


def _child(fn: Callable[[S, T], R], item: T, shared: S, limits: Limits, read: int, write: int) -> None:
    code = 0
    try:
        forking.child_started()
        os.close(read)
        _start_worker(shared, limits.memory_mb)
        if limits.seconds:                    # if the parent is killed outright, no one kills this child at its
            _cap_cpu(limits.seconds)          # timeout: the kernel then stops it once it has used as much CPU
        try:
            data = pickle.dumps(_call(fn, item), pickle.HIGHEST_PROTOCOL)
        except MemoryError:                   # the result itself too large for the cap
            data = pickle.dumps(Breach("memory"))
        except Exception as exc:  # noqa: BLE001 - as the pool reports a bug in fn: this item's crash
            data = pickle.dumps(Breach("crash", f"{type(exc).__name__}: {exc}"))
        view = memoryview(data)
        while view:
            view = view[os.write(write, view):]
    except BaseException:  # noqa: BLE001 - whatever happens, the child must not return into the caller's code
        code = 1
    finally:
        os._exit(code)   # no atexit handlers, no flushing of buffers the parent owns


def _cap_cpu(seconds: float) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 5, int(seconds) + 5))
    except (ImportError, ValueError, OSError):
        pass


def _wait(running: dict[int, _Child], outcomes: dict[int, Any], limits: Limits) -> None:
    """Read what the children sent until one of them has ended (or run out of time)."""
    now = time.monotonic()
    for index, child in list(running.items()):
        if child.deadline <= now:
            _end(child, kill=True)
            outcomes[index] = Breach("timeout")
            del running[index]
    if not running:
        return
    wait = min(c.deadline for c in running.values()) - now
    ready, _, _ = select.select([c.pipe for c in running.values()], [], [],
                                None if wait == float("inf") else max(0.0, wait))
    for index, child in list(running.items()):
        if child.pipe not in ready:
            continue
        chunk = os.read(child.pipe, _READ)
        if chunk:
            child.data += chunk
            continue
        outcomes[index] = _ended(child, limits)
        del running[index]


def _ended(child: _Child, limits: Limits) -> Any:
    """The outcome of a child whose pipe is closed: what it sent, else why it died."""
    code = _end(child, kill=False)
    if code in (0, None) and child.data:     # None: reaped elsewhere (SIGCHLD ignored); what it sent is whole
        try:
            return pickle.loads(child.data)
        except Exception:  # noqa: BLE001 - cut short: the child died while sending
            pass
    return _died(code, limits)


def _died(code: int | None, limits: Limits) -> Breach:
    """Why a worker or child ended without an outcome. A reader whose allocation fails under
    the cap aborts (Rust: "memory allocation failed"); the kernel's OOM killer sends SIGKILL."""
    if limits.memory_mb and code in (-signal.SIGABRT, -getattr(signal, "SIGKILL", 9)):
        return Breach("memory", f"exit code {code}")
    return Breach("crash", f"exit code {code}")


def _end(child: _Child, *, kill: bool) -> int | None:
    """Reap the child (killed first when asked); its exit code, negative for a signal."""
    os.close(child.pipe)
    return forking.reap(child.pid, kill=kill)


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
