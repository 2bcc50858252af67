"""Where each Excel table of a package is — its sheet, its range, its column names — read
from the package's own small parts (workbook, relationships, table definitions).

python-calamine parses a table's whole sheet to answer where the table is, and parses it
again for any other block of that sheet (a forecast's header above its lines): with the
table's place known, the reader parses each sheet once and cuts the table out of it.
Anything unusual (no header row, a totals row, a part that is missing or does not parse)
gives None, and the reader asks calamine instead.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})")


@dataclass(frozen=True)
class TablePlace:
    name: str
    sheet: str
    first_row: int            # 0-based row of the first data row (below the header)
    last_row: int             # 0-based, inclusive
    first_col: int            # 0-based
    columns: tuple[str, ...]  # the table's column names, as its definition gives them


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _xml(zf: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(zf.read(name))
    except (KeyError, ElementTree.ParseError, ValueError, zipfile.BadZipFile, EOFError, OSError):
        return None


def _targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> the part it points to (a path inside the package)."""
    folder, name = posixpath.split(part)
    rels = _xml(zf, posixpath.join(folder, "_rels", name + ".rels"))
    if rels is None:
        return {}
    out = {}
    for rel in rels.iter(f"{RELS}Relationship"):
        target, mode = rel.get("Target", ""), rel.get("TargetMode", "")
        if not target or mode == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = path
    return out


def _place(table: ElementTree.Element, sheet: str) -> TablePlace | None:
    match = _REF.fullmatch(table.get("ref", ""))
    if (match is None or table.get("headerRowCount", "1") != "1" or table.get("totalsRowCount", "0") != "0"
            or table.get("totalsRowShown") == "1" and table.get("totalsRowCount")):
        return None
    left, top, right, bottom = _col(match[1]), int(match[2]) - 1, _col(match[3]), int(match[4]) - 1
    columns = tuple(c.get("name", "") for c in table.iter(f"{MAIN}tableColumn"))
    if len(columns) != right - left + 1 or bottom < top:
        return None
    name = table.get("displayName") or table.get("name") or ""
    return TablePlace(name, sheet, top + 1, bottom, left, columns)


def table_places(path: Path) -> dict[str, TablePlace] | None:
    """Every table of the package by name, or None when any of it is not as expected."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _places(zf)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        return None


def _places(zf: zipfile.ZipFile) -> dict[str, TablePlace] | None:
    book = _xml(zf, "xl/workbook.xml")
    if book is None:
        return None
    sheets = _targets(zf, "xl/workbook.xml")
    places: dict[str, TablePlace] = {}
    for sheet in book.iter(f"{MAIN}sheet"):
        part = sheets.get(sheet.get(OFFICE_REL, ""))
        if part is None:
            continue
        for target in _targets(zf, part).values():
            if not target.startswith("xl/tables/"):
                continue
            table = _xml(zf, target)
            place = _place(table, sheet.get("name", "")) if table is not None else None
            if place is None or place.name in places:
                return None
            places[place.name] = place
    return places


__all__ = ["TablePlace", "table_places"]
