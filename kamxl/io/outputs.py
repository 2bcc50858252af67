"""What a command may write over: one rule for every kamxl command that writes a file.

:func:`check_output` is called by each command before any work (``kamxl new``,
``portable``, ``validate --report``, ``rollup -o``, ``addin build -o``) and raises
:class:`OutputError` (code ``S-OUTPUT``, a message naming the file or folder) unless:

1. the file's name ends in one of its kind's suffixes (a roll-up named ``.csv`` is refused);
2. its folder exists: a typo must not make a folder (``kamxl demo --out`` and
   ``kamxl templates build --out`` make their own folder; they write no single file);
3. it is not a folder, not one of this run's inputs, and not a workbook inside a folder
   given as input (unless it is kamxl's own output of the same kind, which discovery
   passes over) — never, not even with ``--force``;
4. it does not exist yet, or it is kamxl's own output of the same kind (an earlier
   report, roll-up or add-in build, recognised below), or ``--force`` is given.

A workbook a person fills — a template from ``kamxl new``, a ``kamxl portable`` copy — is
never replaced without ``--force``: nobody can tell a blank one from one filled since.

Recognising kamxl's own outputs (never by the name; files are opened read-only, and a
pipe or a device never):

``report``
    .xlsx: the custom document property ``kamxl`` = ``report`` (:mod:`kamxl.report` writes
    it; discovery skips such a workbook with a note rather than validating it). Discovery
    asks this of every submission outside the per-file ceilings, so only the package's last
    64 KB and that one small part are read. .json: an object with exactly the report's keys
    ``counts``, ``rules``, ``files``, ``findings``.
``rollup``
    a kamxl workbook (hidden ``_kamxl`` sheet, ``generator`` kamxl) holding the roll-up's
    lineage table: roll-ups of every kamxl version have both (read after the intake's
    checks, :func:`kamxl.io.intake.check_input`).
``addin``
    the add-in build's fixed document properties (title and creator ``kamxl``) with its
    ribbon part and VBA project.
"""
from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kamxl.errors import InputError
from kamxl.i18n import Text

CODE = "S-OUTPUT"
MARKER = "kamxl"                 # the custom document property naming the kind of a kamxl output
REPORT_JSON_KEYS = ["counts", "rules", "files", "findings"]
MAX_SNIFF = 64 * 1024 * 1024     # bytes: a larger file is never taken for a report
MAX_PART = 64 * 1024             # bytes of a properties part read
TAIL = 64 * 1024                 # bytes at the end of a package where its part names are listed
MAX_REPORT_PARTS = 64            # a report has about fifteen parts

WRONG_SUFFIX = Text("输出文件 {file} 的扩展名须为 {suffixes}", "the output {file} must be named {suffixes}")
NO_FOLDER = Text("输出文件夹 {folder} 不存在：请先创建它，或检查路径是否写错",
                 "the output folder {folder} does not exist: create it first, or check the path for a typo")
IS_FOLDER = Text("输出路径 {file} 是文件夹：请给出文件名", "the output {file} is a folder: give a file name")
IS_INPUT = Text("输出文件 {file} 就是输入文件：请换一个输出路径（加 --force 也不会覆盖输入文件）",
                "the output {file} is an input of this run: choose another output path "
                "(not even --force writes over an input)")
FILLED = Text("{file} 已存在（可能已有人填写）：换一个文件名，或加 --force 覆盖",
              "{file} already exists (someone may have filled it in): choose another name, or add --force to replace it")
NOT_OURS = {
    "report": Text("{file} 已存在，且不是 kamxl 写入的校验报告：换一个文件名，或加 --force 覆盖",
                   "{file} already exists and is not a kamxl report: choose another name, or add --force to replace it"),
    "rollup": Text("{file} 已存在，且不是 kamxl 写入的汇总：换一个文件名，或加 --force 覆盖",
                   "{file} already exists and is not a kamxl roll-up: choose another name, or add --force to replace it"),
    "addin": Text("{file} 已存在，且不是 kamxl 构建的加载项：换一个文件名，或加 --force 覆盖",
                  "{file} already exists and is not a kamxl add-in build: choose another name, or add --force to "
                  "replace it"),
}


class OutputError(InputError):
    """An output path a command refuses to write (``S-OUTPUT``)."""


# --- recognising kamxl's own outputs -------------------------------------------------------------
def _regular(path: Path) -> int | None:
    """The size of a regular file (links followed); None for anything else, or nothing."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _parts(path: Path, names: tuple[str, ...]) -> dict[str, bytes] | None:
    """The small parts ``names`` of a package the intake lets through (missing ones left out);
    None when it is no safe package."""
    from kamxl.io.intake import check_input

    try:
        check_input(path)
        with zipfile.ZipFile(path) as archive:
            found = {}
            for name in names:
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    continue
                if info.file_size <= MAX_PART:
                    found[name] = archive.read(info)
            found["/"] = "\n".join(archive.namelist()).encode("utf-8")
            return found
    except (InputError, OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None


def _marker(custom: bytes) -> str | None:
    """The value of the custom document property :data:`MARKER`, if any."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(custom)
    except Exception:  # noqa: BLE001 - defusedxml's refusals and parse errors alike: no marker
        return None
    for prop in root:
        if prop.get("name") == MARKER:
            return "".join(prop.itertext()).strip()
    return None


def is_report(path: Path) -> bool:
    """A validation report kamxl wrote (.xlsx with the marker, or .json with its keys)."""
    size = _regular(path)
    if size is None or size > MAX_SNIFF:
        return False
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(Path(path).read_bytes())
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and list(data) == REPORT_JSON_KEYS
    if suffix != ".xlsx":
        return False
    # Discovery asks this of every submission, outside the per-file ceilings: so only a few
    # kilobytes are read. A report is a small package whose part list (the zip's central
    # directory, at its end) holds docProps/custom.xml; anything else is not one.
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, size - TAIL))
            tail = handle.read(TAIL)
            end = tail.rfind(b"PK\x05\x06")
            if end < 0 or len(tail) - end < 22 or b"docProps/custom.xml" not in tail:
                return False
            parts = int.from_bytes(tail[end + 10:end + 12], "little")      # entries in the central directory
            listing = int.from_bytes(tail[end + 12:end + 16], "little")    # its size in bytes
            if parts > MAX_REPORT_PARTS or listing > TAIL:
                return False
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                info = archive.getinfo("docProps/custom.xml")
                if info.file_size > MAX_PART or info.compress_size > MAX_PART:
                    return False
                custom = archive.read(info)          # never more than its declared size
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        return False
    return _marker(custom) == "report"


def is_rollup(path: Path) -> bool:
    """A roll-up kamxl wrote: a kamxl workbook holding the roll-up's lineage table."""
    if _regular(path) is None or _parts(path, ()) is None:
        return False
    import python_calamine as pc

    from kamxl.schema.rollup import LINEAGE
    from kamxl.schema.model import META_SHEET

    try:
        book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
        try:
            if META_SHEET not in book.sheet_names or LINEAGE.name not in book.table_names:
                return False
            meta = {str(r[0]): r[1] for r in book.get_sheet_by_name(META_SHEET).to_python() if len(r) > 1}
            return meta.get("generator") == "kamxl"
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - calamine's own errors: not a roll-up of ours
        return False


def is_addin(path: Path) -> bool:
    """An add-in ``kamxl addin build`` wrote (its fixed properties, ribbon and VBA project)."""
    if _regular(path) is None:
        return False
    parts = _parts(path, ("docProps/core.xml",))
    if not parts:
        return False
    names = parts["/"].decode("utf-8").split("\n")
    core = parts.get("docProps/core.xml", b"")
    return ("customUI/customUI.xml" in names and "xl/vbaProject.bin" in names
            and b"<dc:title>kamxl</dc:title>" in core and b"<dc:creator>kamxl</dc:creator>" in core)


# --- the rule ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """What a command writes: the names it may have, and how an earlier one is recognised
    (None: a workbook a person fills, never replaced without --force)."""

    suffixes: tuple[str, ...]
    ours: Callable[[Path], bool] | None


KINDS: dict[str, Kind] = {
    "template": Kind((".xlsx",), None),
    "portable": Kind((".xlsx",), None),
    "report": Kind((".xlsx", ".json"), is_report),
    "rollup": Kind((".xlsx",), is_rollup),
    "addin": Kind((".xlam",), is_addin),
}


def check_output(path: Path, kind: str, *, inputs: Iterable[Path] = (), force: bool = False,
                 suffixes: tuple[str, ...] | None = None) -> Path:
    """``path``, if the command writing an output of ``kind`` may write it (see the module
    docstring); else :class:`OutputError` naming the file or folder. ``inputs``: the run's
    input files and folders (the files found in the folders too)."""
    path = Path(path)
    spec = KINDS[kind]
    allowed = suffixes or spec.suffixes
    if path.suffix.lower() not in allowed:
        raise OutputError(CODE, WRONG_SUFFIX, {"file": str(path), "suffixes": " / ".join(allowed)})
    if _is_dir(path):
        raise OutputError(CODE, IS_FOLDER, {"file": str(path)})
    folder = path.parent
    if not _is_dir(folder):
        raise OutputError(CODE, NO_FOLDER, {"folder": str(folder.absolute())})
    if not os.path.lexists(path):
        return path
    ours = spec.ours is not None and spec.ours(path)
    if _is_input(path, list(inputs), ours):
        raise OutputError(CODE, IS_INPUT, {"file": str(path)})
    if not (ours or force):
        raise OutputError(CODE, NOT_OURS.get(kind, FILLED), {"file": str(path)})
    return path


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _is_input(path: Path, inputs: list[Path], ours: bool) -> bool:
    """The same file as an input (by identity: links and other spellings too), or a workbook
    inside a folder given as input that is not kamxl's own output of this kind."""
    from kamxl.validate import KNOWN_OTHER, WORKBOOK_SUFFIXES

    me = _identity(path)
    real = os.path.realpath(path)
    for given in inputs:
        if me is not None and _identity(given) == me:
            return True
        if (_is_dir(given) and not ours and Path(path).suffix.lower() in WORKBOOK_SUFFIXES | KNOWN_OTHER
                and _inside(real, os.path.realpath(given))):
            return True
    return False


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:             # another drive (Windows)
        return False


__all__ = ["KINDS", "OutputError", "check_output", "is_addin", "is_report", "is_rollup"]
