"""kamxl.io.forking: a child is forked only where this process has no other thread; the
signals that would unwind a child into its caller's code are held back across the fork and
given back to the parent; a child reaped elsewhere is an unknown outcome, not an error."""
from __future__ import annotations

import os
import signal
import sys
import threading

import pytest

from kamxl.io import forking

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking: Linux only")


def test_no_fork_while_another_thread_runs():
    assert forking.can_fork()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forking.can_fork()
    finally:
        stop.set()
        other.join()
    assert forking.can_fork()


def test_the_parent_gets_its_signals_back_and_the_child_its_exit_code():
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    pid = forking.fork()
    if pid == 0:
        try:
            forking.child_started()
            held = signal.pthread_sigmask(signal.SIG_BLOCK, [])
            code = 7 if signal.SIGINT not in held and signal.SIGTERM not in held else 3
        finally:
            os._exit(code)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    assert forking.reap(pid) == 7


def test_a_child_reaped_elsewhere_is_none():
    pid = forking.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)                      # what a process with SIGCHLD ignored does by itself
    assert forking.reap(pid) is None


def test_a_killed_child_says_so():
    pid = forking.fork()
    if pid == 0:
        try:
            forking.child_started()
            signal.pause()
        finally:
            os._exit(0)
    assert forking.reap(pid, kill=True) == -signal.SIGKILL
