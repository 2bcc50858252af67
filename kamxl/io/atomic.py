"""Writing outputs safely: atomically, and one writer at a time.

:func:`atomic_path` gives a temporary file beside the target that is flushed to disk
and renamed over the target only once complete, so a reader (or a crash, or a kill)
sees the old output or the new one, never half of one. The target's folder must exist:
none is made (a typo in a path must not create one). Temporary files are named
``.~kamxl-<stem>-<random><suffix>`` (the suffix kept: writers and readers such as
openpyxl go by it); should a killed writer leave one behind, ``kamxl validate`` and the
roll-up pass over it by its prefix, and it never has the output's name.

:func:`output_lock` keeps two writers of one output apart: it creates
``<output>.kamxl-lock`` with ``O_CREAT | O_EXCL`` (atomic on local disks, SMB and NFS
v3+), holding who writes (host, process id, start time), and removes it when done.
A second writer refuses at once with :class:`OutputLockedError` naming the lock file
and its holder, rather than waiting or interleaving. A lock left by a writer that was
killed is taken over when it provably belongs to a dead process on this machine
(POSIX); anywhere else the message says to delete it once no kamxl is writing.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kamxl.errors import SetupError, os_reason
from kamxl.i18n import Text

TEMP_PREFIX = ".~kamxl-"
LOCK_SUFFIX = ".kamxl-lock"

LOCKED = Text(
    zh="输出文件 {file} 正由另一个 kamxl 写入（锁文件 {lock}：主机 {host}，进程 {pid}，开始于 {since}）。"
       "请等它完成；若确认没有 kamxl 在运行，删除该锁文件后重试",
    en="the output {file} is being written by another kamxl (lock file {lock}: host {host}, process {pid}, "
       "started {since}). Wait for it to finish; if no kamxl is running, delete the lock file and try again")
CANNOT_WRITE = Text(zh="无法写入输出文件夹 {folder}：{reason}",
                    en="cannot write to the output folder {folder}: {reason}")


class OutputLockedError(SetupError):
    """Another writer holds the output's lock."""


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _cannot_write(folder: Path, exc: OSError) -> SetupError:
    return SetupError("S-OUTPUT", CANNOT_WRITE, {"folder": str(folder), "reason": os_reason(exc)})


def _folder_exists(target: Path) -> None:
    """Outputs never make their folder: a typo in a path must not create one at the root
    (a command that owns its folder, such as ``kamxl demo --out``, makes it first)."""
    if not Path(target).parent.is_dir():
        from kamxl.io.outputs import CODE, NO_FOLDER, OutputError

        raise OutputError(CODE, NO_FOLDER, {"folder": str(Path(target).parent.absolute())})


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only once fully written:
    an interrupted write leaves the old file (or none), never a truncated one."""
    target = Path(target)
    _folder_exists(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.stem}-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target.parent, exc) from None
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as handle:   # on disk before the rename: a power cut keeps the old or the new
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, target)
    except PermissionError as exc:
        raise _cannot_write(target.parent, exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def lock_path(target: Path) -> Path:
    return Path(target).with_name(Path(target).name + LOCK_SUFFIX)


@contextmanager
def output_lock(target: Path) -> Iterator[Path]:
    """Hold ``target``'s lock file while the block runs (see the module docstring)."""
    lock = lock_path(target)
    _folder_exists(target)
    holder = {"host": socket.gethostname(), "pid": os.getpid(),
              "since": time.strftime("%Y-%m-%d %H:%M:%S"), "output": str(target)}
    fd = _create(lock, target)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(holder, handle)
    try:
        yield lock
    finally:
        if _read(lock).get("pid") == holder["pid"] and _read(lock).get("host") == holder["host"]:
            lock.unlink(missing_ok=True)


def _create(lock: Path, target: Path) -> int:
    for attempt in (1, 2):
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            other = _read(lock)
            if attempt == 1 and _stale(other):
                lock.unlink(missing_ok=True)      # its writer was killed: take over
                continue
            raise OutputLockedError("S-OUTPUT-LOCKED", LOCKED, {
                "file": str(target), "lock": str(lock), "host": other.get("host", "?"),
                "pid": other.get("pid", "?"), "since": other.get("since", "?")}) from None
        except OSError as exc:
            raise _cannot_write(lock.parent, exc) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _read(lock: Path) -> dict[str, object]:
    try:
        data = json.loads(lock.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _stale(holder: dict[str, object]) -> bool:
    """The lock's writer is a process of this machine that no longer runs (POSIX only:
    on Windows ``os.kill`` would terminate it, so a lock is never judged stale there)."""
    pid = holder.get("pid")
    if os.name != "posix" or holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
