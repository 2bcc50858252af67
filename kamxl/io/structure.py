"""What python-calamine cannot see, read straight from the package parts (~ms per file,
against ~200 ms for openpyxl's full load: shared/IO-NOTES.md): which cells hold formulas.

Nothing here parses XML with entity expansion: small parts go through defusedxml, sheet
parts are scanned with a regular expression over their bytes, and every part's unpacked
size is checked against a cap before it is read (a zip bomb is refused, not unpacked;
:mod:`kamxl.io.intake` has already refused it before any reader ran).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from defusedxml import ElementTree

from kamxl.io.intake import MAX_UNPACKED, Package, check_size
from kamxl.io.zipparts import package_bytes, part_bytes

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}
# A cell whose first child is a formula: <c r="L6" s="3" t="str"><f>…  (attributes hold no '>').
# findall runs in C and yields (column, row) pairs, grouped once per sheet: checks then ask
# "is row 6 of column L a formula?" as a set lookup instead of decoding every reference.
# The attribute run is matched possessively ([^>]*+: no backtracking into it), twice as fast.
_FORMULA_CELL = rb'<c r="(%s)([0-9]{1,7})"[^>]*+><f[ >/]'
ANY_COLUMN = rb"[A-Z]{1,3}"

FormulaRows = dict[str, frozenset[int]]   # column letters -> 1-based rows holding a formula


def formula_rows(sheet_xml: bytes, columns: frozenset[str] | None = None) -> FormulaRows:
    """The rows of each column of a sheet part that hold a formula — only in ``columns``
    (letters) if given, which lets the scan drop other cells at their first letter."""
    letters = ANY_COLUMN if columns is None else b"|".join(c.encode() for c in sorted(columns))
    # Grouped by column without a Python loop over the cells: sorted, each column's run found
    # by bisection (a funnel has thousands of formula cells and a handful of formula columns).
    pairs = sorted(re.findall(_FORMULA_CELL % letters, sheet_xml))
    out: dict[str, frozenset[int]] = {}
    lo = 0
    while lo < len(pairs):
        letter = pairs[lo][0]
        hi = bisect_right(pairs, (letter, b"\xff"), lo)
        out[letter.decode()] = frozenset(map(int, map(itemgetter(1), pairs[lo:hi])))
        lo = hi
    return out


@dataclass(frozen=True)
class Structure:
    sheets: dict[str, str]            # sheet name -> state ('visible', 'hidden', 'veryHidden')
    formula_cells: dict[str, FormulaRows]  # sheet name -> column letters -> rows holding a formula
    date1904: bool

    def is_formula(self, sheet: str, cell: str) -> bool:
        """Whether an A1 cell ('L6') of a scanned sheet holds a formula."""
        letters = cell.rstrip("0123456789")
        return int(cell[len(letters):]) in self.formula_cells.get(sheet, {}).get(letters, ())


def read_structure(path: Path, *, limit: int = MAX_UNPACKED,
                   columns: dict[str, frozenset[str]] | None = None, package: Package | None = None) -> Structure:
    """Sheet states and formula cells; with ``columns`` (sheet -> column letters) only those
    sheets and columns are scanned (the rest report no formula cells). ``package``: what the
    intake saw of the same file (:func:`kamxl.io.intake.check_input`, which checked the sizes
    against ``limit`` already): its bytes are read from there, not opened and listed again."""
    if package is not None and package.raw is not None:
        raw, parts = package.raw, package.parts
        try:
            return _structure(parts.__getitem__, lambda info: _whole(part_bytes(raw, info)), columns)
        except _Unusual:
            pass      # a part stored some other way: through zipfile, as below
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        whole = package_bytes(handle)
        check_size(archive, limit=limit)

        def read(info: zipfile.ZipInfo) -> bytes:
            data = part_bytes(whole, info) if whole is not None else None
            return archive.read(info) if data is None else data
        return _structure(archive.getinfo, read, columns)


class _Unusual(Exception):
    """A part the package's bytes cannot give (encrypted, another compression, cut short)."""


def _whole(data: bytes | None) -> bytes:
    if data is None:
        raise _Unusual
    return data


def _structure(info_of: Callable[[str], zipfile.ZipInfo], read: Callable[[zipfile.ZipInfo], bytes],
               columns: dict[str, frozenset[str]] | None) -> Structure:
    book = ElementTree.fromstring(read(info_of("xl/workbook.xml")))
    rels = ElementTree.fromstring(read(info_of("xl/_rels/workbook.xml.rels")))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("pr:Relationship", NS)}
    pr = book.find("m:workbookPr", NS)
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    sheets, formulas = {}, {}
    for sheet in book.iterfind("m:sheets/m:sheet", NS):
        name = sheet.get("name", "")
        sheets[name] = sheet.get("state", "visible")
        if columns is not None and name not in columns:
            formulas[name] = {}
            continue
        target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        try:
            info = info_of(part)
        except KeyError:
            formulas[name] = {}
            continue
        formulas[name] = formula_rows(read(info), None if columns is None else columns[name])
    return Structure(sheets, formulas, date1904)
