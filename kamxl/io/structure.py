"""What python-calamine cannot see, read straight from the package parts (~ms per file,
against ~200 ms for openpyxl's full load: shared/IO-NOTES.md): which cells hold formulas.

Nothing here parses XML with entity expansion: small parts go through defusedxml, sheet
parts are scanned with a regular expression over their bytes, and every part's unpacked
size is checked against a cap before it is read (a zip bomb is refused, not unpacked).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from kamxl.errors import InputError
from kamxl.i18n import Text

MAX_UNPACKED = 512 * 1024 * 1024   # bytes, all parts together
MAX_PART = 256 * 1024 * 1024       # bytes, one part

TOO_LARGE = Text(zh="工作簿解压后过大（{size} MB，上限 {limit} MB），可能是压缩炸弹",
                 en="the workbook is too large once unpacked ({size} MB, limit {limit} MB): possibly a zip bomb")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}
# A cell whose first child is a formula: <c r="L6" s="3" t="str"><f>…  (attributes hold no '>').
# findall runs in C; references stay bytes because decoding thousands of them costs more
# than the scan (callers encode the few cells they ask about).
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*><f[ >/]')


def formula_refs(sheet_xml: bytes, columns: frozenset[str] | None = None) -> frozenset[bytes]:
    """The cells of a sheet part that hold a formula, as b'L6' — only in ``columns``
    (letters) if given, which lets the scan drop other cells at their first letter."""
    if columns is None:
        return frozenset(_FORMULA_CELL.findall(sheet_xml))
    letters = b"|".join(c.encode() for c in sorted(columns))
    return frozenset(re.findall(rb'<c r="((?:' + letters + rb')[0-9]{1,7})"[^>]*><f[ >/]', sheet_xml))


def check_archive(path: Path, *, limit: int = MAX_UNPACKED) -> None:
    """Refuse a file whose parts would unpack beyond the caps, before anything reads it."""
    with zipfile.ZipFile(path) as archive:
        check_size(archive, limit=limit)


@dataclass(frozen=True)
class Structure:
    sheets: dict[str, str]            # sheet name -> state ('visible', 'hidden', 'veryHidden')
    formula_cells: dict[str, frozenset[bytes]]  # sheet name -> A1 cells holding a formula (b'L6')
    date1904: bool


def check_size(archive: zipfile.ZipFile, *, limit: int = MAX_UNPACKED) -> None:
    """Refuse an archive whose parts unpack beyond the caps (before reading any)."""
    total = sum(i.file_size for i in archive.infolist())
    if total > limit or any(i.file_size > MAX_PART for i in archive.infolist()):
        raise InputError("S-FILE-TOO-LARGE", TOO_LARGE, {"size": total // 2**20, "limit": limit // 2**20})


def read_structure(path: Path, *, limit: int = MAX_UNPACKED,
                   columns: dict[str, frozenset[str]] | None = None) -> Structure:
    """Sheet states and formula cells; with ``columns`` (sheet -> column letters) only those
    sheets and columns are scanned (the rest report no formula cells)."""
    with zipfile.ZipFile(path) as archive:
        check_size(archive, limit=limit)
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("pr:Relationship", NS)}
        pr = book.find("m:workbookPr", NS)
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        sheets, formulas = {}, {}
        for sheet in book.iterfind("m:sheets/m:sheet", NS):
            name = sheet.get("name", "")
            sheets[name] = sheet.get("state", "visible")
            if columns is not None and name not in columns:
                formulas[name] = frozenset()
                continue
            target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            try:
                data = archive.read(part)
            except KeyError:
                formulas[name] = frozenset()
                continue
            formulas[name] = formula_refs(data, None if columns is None else columns[name])
    return Structure(sheets, formulas, date1904)
