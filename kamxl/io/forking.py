"""Forking a helper process safely: the one place that decides whether to, does it and reaps it.

Used by the per-file ceilings for a few files (:mod:`kamxl.io.guard`) and by the roll-up's
lines writer (:mod:`kamxl.templates.bulk`). A fork copies one thread only: where another
thread is running (a progress bar's refresh, a pool's manager) it may hold a lock the child
then waits on forever, so callers fork only where this process has no other thread, and use
their other path (a pool, one process) otherwise. Linux only: Windows has no fork, and macOS
system frameworks are not safe in a forked child.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

_STOPS = {signal.SIGINT, signal.SIGTERM}


def can_fork() -> bool:
    """Whether a child may be forked here and now."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def fork() -> int:
    """``os.fork()``, with Ctrl-C and SIGTERM held back across it: a signal landing between the
    fork and the child's own ``try`` would unwind the child into its caller's clean-up (a zip's
    ``__exit__`` writing into the parent's file). The parent gets them back at once; the child
    must call :func:`child_started` first thing inside its ``try``. -1 if the fork failed."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid != 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    return pid


def child_started() -> None:
    """In the child, inside its ``try`` (which ends in ``os._exit``): signals as usual again."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)


def reap(pid: int, *, kill: bool = False) -> int | None:
    """Wait for the child (killed first when asked); its exit code, negative for a signal, or
    None when it was reaped elsewhere (a process started with SIGCHLD ignored reaps its
    children itself), so that its outcome is unknown."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None
