"""What a submitted file is, judged before any reader parses it (shared/IO-NOTES.md).

:func:`check_input` raises :class:`~kamxl.errors.InputError` with one clear reason for
anything that is not a plain .xlsx/.xlsm package a reader may safely open:

- not a regular file (a folder, a pipe, a device), or gone since it was found;
- an OLE container: a password-protected workbook (its ``EncryptionInfo`` stream) or a
  legacy .xls (its ``Workbook``/``Book`` stream), whatever its name says;
- a binary .xlsb, by name or by its ``xl/workbook.bin`` part;
- not a zip at all (a text or PDF file renamed), or a damaged/truncated one;
- a zip bomb: parts that would unpack beyond the caps (``S-FILE-TOO-LARGE``), judged
  from the sizes the archive declares. Python's zipfile and the zip crate under
  python-calamine both stop a part that unpacks beyond its declared size, so the
  declared sizes bound what any reader of ours will unpack;
- an XML part whose prolog declares a DTD (``<!DOCTYPE``: entity expansion such as
  "billion laughs", or external entities). Office never writes one (ECMA-376 forbids
  it); our own XML parsing goes through defusedxml as well.

The checks read the first bytes, the zip's central directory and the first bytes of
each XML part: about a millisecond per file.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kamxl.errors import InputError, os_reason
from kamxl.i18n import Text
from kamxl.io.zipparts import package_bytes, part_bytes

# A zip bomb's early refusal; the per-file memory ceiling is the real guard. A business
# unit's roll-up of 1,000 reps x 200 lines holds a 276 MB lines sheet: it must read again.
MAX_UNPACKED = 1536 * 1024 * 1024  # bytes, all parts together
MAX_PART = 1024 * 1024 * 1024      # bytes, one part
PROLOG = 4096                      # bytes of each XML part searched for a DTD before its root element
OLE_SCAN = 8 * 1024 * 1024         # bytes of an OLE container searched for its stream names

UNREADABLE = "S-UNREADABLE"
TOO_LARGE_CODE = "S-FILE-TOO-LARGE"

NOT_A_FILE = Text("不是普通文件（文件夹、管道或设备）", "not a regular file (a folder, a pipe or a device)")
GONE = Text("文件已不存在（在运行期间被移动或删除）", "the file is gone (moved or deleted while the run was going on)")
ENCRYPTED = Text("工作簿设有打开密码", "the workbook is password protected")
LEGACY = Text("旧版 .xls 格式：请另存为 .xlsx", "legacy .xls format: save it as .xlsx")
XLSB = Text("二进制 .xlsb 格式：请另存为 .xlsx", "binary .xlsb format: save it as .xlsx")
OLE_OTHER = Text("不是 Excel 工作簿（是其他 Office 旧格式文件）", "not an Excel workbook (another legacy Office file)")
NOT_ZIP = Text("不是有效的 Excel 文件（文件损坏，或扩展名不对）", "not a valid Excel file (corrupt, or a wrong extension)")
CORRUPT = Text("文件已损坏或不完整", "the file is damaged or incomplete ({reason})")   # the reason: the zip library's
TOO_LARGE = Text(zh="工作簿解压后过大（{size} MB，上限 {limit} MB），可能是压缩炸弹",
                 en="the workbook is too large once unpacked ({size} MB, limit {limit} MB): possibly a zip bomb")
DTD = Text("XML 部件 {part} 含有 DTD 声明（实体扩展或外部实体攻击），已拒绝读取",
           "the XML part {part} declares a DTD (entity expansion or external entity attack): refused")
CANNOT_OPEN = Text("无法打开文件：{reason}", "cannot open the file: {reason}")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROOT = re.compile(rb"<[A-Za-z_]")   # the root element's start: a DTD may only come before it


@dataclass(frozen=True)
class Package:
    """What the intake saw of a package it let through: its parts, and its bytes when it is
    small enough to hold (:func:`kamxl.io.zipparts.package_bytes`), for readers of small parts."""

    parts: dict[str, zipfile.ZipInfo]
    raw: memoryview | None


def check_input(path: Path, *, limit: int = MAX_UNPACKED) -> Package:
    """Raise InputError (code S-UNREADABLE or S-FILE-TOO-LARGE) unless ``path`` is a
    workbook package a reader may open. Never writes, locks or keeps the file open."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(UNREADABLE, NOT_A_FILE)
        with open(path, "rb") as handle:
            head = handle.read(8)
            if head == _OLE:
                raise InputError(UNREADABLE, _ole_kind(head + handle.read(OLE_SCAN), Path(path).suffix.lower()))
    except FileNotFoundError:
        raise InputError(UNREADABLE, GONE) from None
    except OSError as exc:
        raise InputError(UNREADABLE, CANNOT_OPEN, {"reason": os_reason(exc)}) from None
    if Path(path).suffix.lower() == ".xlsb":
        raise InputError(UNREADABLE, XLSB)
    if Path(path).suffix.lower() == ".xls" or not head.startswith(b"PK"):
        raise InputError(UNREADABLE, NOT_ZIP if Path(path).suffix.lower() != ".xls" else LEGACY)
    try:
        with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
            check_size(archive, limit=limit)
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                raise InputError(UNREADABLE, XLSB)
            raw = package_bytes(handle)
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    _check_prolog(archive, info, raw)
            return Package({info.filename: info for info in archive.infolist()}, raw)
    except InputError:          # our own refusals (an InputError is also a ValueError)
        raise
    except FileNotFoundError:
        raise InputError(UNREADABLE, GONE) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise InputError(UNREADABLE, CORRUPT, {"reason": f"{type(exc).__name__}: {exc}"}) from None
    except OSError as exc:
        raise InputError(UNREADABLE, CANNOT_OPEN, {"reason": os_reason(exc)}) from None


def check_size(archive: zipfile.ZipFile, *, limit: int = MAX_UNPACKED) -> None:
    """Refuse an archive whose parts unpack beyond the caps (before reading any)."""
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > limit or any(i.file_size > MAX_PART for i in infos):
        raise InputError(TOO_LARGE_CODE, TOO_LARGE, {"size": total // 2**20, "limit": limit // 2**20})


def _check_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, raw: memoryview | None = None) -> None:
    """No DTD before the root element, and the root element within the first bytes."""
    start = part_bytes(raw, info, PROLOG) if raw is not None else None
    if start is None:
        with archive.open(info) as part:
            start = part.read(PROLOG)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        start = start.decode("utf-16", errors="ignore").encode("utf-8")
    root = _ROOT.search(start)
    prolog = start[:root.start()] if root else start
    if b"<!" in prolog.replace(b"<!--", b"") or (root is None and len(start) >= PROLOG // 2):
        raise InputError(UNREADABLE, DTD, {"part": info.filename})


def _ole_kind(data: bytes, suffix: str) -> Text:
    """Which OLE container: stream names are stored in UTF-16 in its directory. Without a
    name found, the suffix decides: an .xlsx that is an OLE container is, in practice, a
    workbook Excel saved with a password."""
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptionInfo") or has("EncryptedPackage"):
        return ENCRYPTED
    if has("Workbook") or has("Book"):
        return LEGACY
    if has("WordDocument") or has("PowerPoint Document"):
        return OLE_OTHER
    return LEGACY if suffix == ".xls" else ENCRYPTED
