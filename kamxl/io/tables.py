"""Where each Excel table of a package is — its sheet, its range, its column names — read
from the package's own small parts (workbook, relationships, table definitions).

python-calamine parses a table's whole sheet to say where the table is, and a sheet read
whole it parses twice (once more for its merged cells): a forecast's header above its 200
lines cost three parses of that sheet. With the table's place known, the reader cuts the
lines out of the rows it reads for the header.
The parts are the few kilobytes the intake has just checked (no DTD, sizes capped), read
from the package's bytes. Anything unusual — no header row or a totals row, an escaped
name, a part missing or not as expected — gives None, and the reader asks calamine.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from kamxl.io.a1 import column_index as column_index_from_string
from kamxl.io.intake import Package
from kamxl.io.zipparts import part_bytes

_ELEMENT = {tag: re.compile(rb"<(?:\w+:)?" + tag + rb"\b([^>]*)>") for tag in (b"sheet", b"Relationship", b"table")}
_COLUMN = re.compile(rb"<(?:\w+:)?tableColumn\b[^>]*?\sname=(?:\"([^\"]*)\"|'([^']*)')")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})")
_TABLE = "/relationships/table"


@dataclass(frozen=True)
class TablePlace:
    name: str
    sheet: str
    first_row: int            # 0-based row of the first data row (below the header)
    last_row: int             # 0-based, inclusive
    first_col: int            # 0-based
    columns: tuple[str, ...]  # the table's column names, as its definition gives them


class _Unsure(Exception):
    """Something not as expected: calamine decides."""


def _attrs(found: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(found):
        value = (m[2] if m[2] is not None else m[3]).decode("utf-8")
        if "&" in value:           # an escaped character: not worth unescaping here
            raise _Unsure
        out[m[1].decode("ascii").rpartition(":")[2] if b":id" not in m[1] else "r:id"] = value
    return out


def _part(package: Package, part: str) -> bytes:
    info = package.parts.get(part)
    data = part_bytes(package.raw, info) if info is not None and package.raw is not None else None
    if data is None:
        raise _Unsure
    return data


def _elements(data: bytes, tag: bytes) -> list[dict[str, str]]:
    return [_attrs(m[1]) for m in _ELEMENT[tag].finditer(data)]


def _targets(package: Package, part: str, kind: str) -> dict[str, str]:
    """Relationship id -> the part it points to, for the relationships of one kind."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in package.parts:
        return {}
    out = {}
    for rel in _elements(_part(package, rels), b"Relationship"):
        target = rel.get("Target", "")
        if rel.get("Type", "").endswith(kind) and target and rel.get("TargetMode") != "External":
            out[rel.get("Id", "")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join(folder, target)))
    return out


def _place(package: Package, part: str, sheet: str) -> TablePlace:
    data = _part(package, part)
    head = _ELEMENT[b"table"].search(data)    # the root element (a table's first)
    if head is None:
        raise _Unsure
    table = _attrs(head[1])
    match = _REF.fullmatch(table.get("ref", ""))
    if match is None or table.get("headerRowCount", "1") != "1" or table.get("totalsRowCount", "0") != "0":
        raise _Unsure
    left, right = column_index_from_string(match[1]) - 1, column_index_from_string(match[3]) - 1
    top, bottom = int(match[2]) - 1, int(match[4]) - 1
    names = [m[1] if m[1] is not None else m[2] for m in _COLUMN.finditer(data)]
    if any(b"&" in n for n in names):
        raise _Unsure
    columns = tuple(n.decode("utf-8") for n in names)
    name = table.get("displayName") or table.get("name") or ""
    if len(columns) != right - left + 1 or bottom < top or not name:
        raise _Unsure
    return TablePlace(name, sheet, top + 1, bottom, left, columns)


def table_places(package: Package) -> dict[str, TablePlace] | None:
    """Every table of the package by name, or None when any of it is not as expected."""
    try:
        sheets = _targets(package, "xl/workbook.xml", "/relationships/worksheet")
        places: dict[str, TablePlace] = {}
        for sheet in _elements(_part(package, "xl/workbook.xml"), b"sheet"):
            part = sheets.get(sheet.get("r:id", ""))
            if part is None or "name" not in sheet:
                continue
            for target in _targets(package, part, _TABLE).values():
                place = _place(package, target, sheet["name"])
                if place.name in places:
                    raise _Unsure
                places[place.name] = place
        return places
    except (_Unsure, UnicodeDecodeError, ValueError):
        return None


__all__ = ["TablePlace", "table_places"]
