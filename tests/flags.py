"""Where a workbook's rule flags are on, as LibreOffice computes them (not a test module).

A flag is a conditional format (``kamxl.schema.model.Flag``); LibreOffice does not say
which cells a conditional format colours, so each flag's formula, as it stands at each
cell it colours (its relative references moved there, as the spreadsheet moves them), is
written into a helper cell of the same row far to the right of a copy of the file, left
without a stored value; LibreOffice computes those cells when it loads the copy and the
results are read back. The copy keeps every other cell's stored value, so the KAM_*
edition is read as Excel shows it (LibreOffice cannot run KAM_* functions); the
portable edition is recalculated in full.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape as _unescape

import openpyxl
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import get_column_letter, range_boundaries

from tests.libreoffice import cached_values, convert

HELPER_COLUMN = 120   # 1-based: far right of every template's columns


@dataclass(frozen=True)
class Rule:
    """One flag as written: its sheet, order on the sheet, formula and the cells it colours."""

    sheet: str
    index: int
    formula: str
    cells: tuple[tuple[int, int], ...]   # (row, column), 1-based, sorted: the first is the top-left

    @property
    def anchor(self) -> tuple[int, int]:
        return self.cells[0]


def flag_rules(path: Path) -> list[Rule]:
    """Every formula conditional format of the workbook, sheet by sheet in priority order
    (the order the builder wrote its flags in); not the 'whole' look's number format (a
    formula format too, but no rule)."""
    wb = openpyxl.load_workbook(path)
    rules = []
    for ws in wb.worksheets:
        found = []
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                if rule.type == "expression" and not re.fullmatch(r"AND\(ISNUMBER\((\w+)\),MOD\(\1,1\)=0\)",
                                                                  rule.formula[0]):
                    cells = tuple(sorted((r, c) for rng in str(cf.sqref).split() for c, r in _cells(rng)))
                    found.append((rule.priority, rule.formula[0], cells))
        rules += [Rule(ws.title, i, f, cells) for i, (_, f, cells) in enumerate(sorted(found))]
    return rules


def _cells(rng: str) -> list[tuple[int, int]]:
    lo_c, lo_r, hi_c, hi_r = range_boundaries(rng)
    return [(c, r) for c in range(lo_c, hi_c + 1) for r in range(lo_r, hi_r + 1)]


def at(rule: Rule, cell: tuple[int, int]) -> str:
    """The rule's formula moved from its anchor to ``cell``."""
    origin = f"{get_column_letter(rule.anchor[1])}{rule.anchor[0]}"
    return Translator("=" + rule.formula, origin=origin).translate_formula(f"{get_column_letter(cell[1])}{cell[0]}")


def flagged(path: Path, workdir: Path, *, recalc: bool) -> dict[Rule, set[tuple[int, int]]]:
    """Each flag -> the cells (row, column) it colours in ``path``, as LibreOffice computes it."""
    rules = flag_rules(path)
    helpers: dict[str, dict[tuple[int, int], str]] = {}
    where: dict[tuple[str, int, int], tuple[Rule, tuple[int, int]]] = {}
    columns: dict[str, int] = {}
    for rule in rules:
        base = HELPER_COLUMN + columns.get(rule.sheet, 0)
        spread = {c for _, c in rule.cells}
        columns[rule.sheet] = columns.get(rule.sheet, 0) + len(spread)
        offsets = {c: i for i, c in enumerate(sorted(spread))}
        for cell in rule.cells:
            helper = (cell[0], base + offsets[cell[1]])
            helpers.setdefault(rule.sheet, {})[helper] = at(rule, cell)
            where[(rule.sheet, *helper)] = (rule, cell)
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"flags-{path.name}"
    add_formulas(path, copy, helpers)
    values = cached_values(convert(copy, workdir / "lo", "xlsx", recalc=recalc))
    out: dict[Rule, set[tuple[int, int]]] = {rule: set() for rule in rules}
    for (sheet, row, col), (rule, cell) in where.items():
        value = values.get(f"{sheet}!{get_column_letter(col)}{row}")
        if value is True or (isinstance(value, (int, float)) and value == 1):
            out[rule].add(cell)
        else:
            assert value in (False, 0, None) or str(value).startswith("#"), (sheet, row, col, value)
    return out


_SHEETS = re.compile(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_RELS = re.compile(r'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"|'
                   r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


def add_formulas(source: Path, target: Path, cells: dict[str, dict[tuple[int, int], str]]) -> None:
    """A copy of ``source`` with formulas (no stored value) added at (row, column) of sheets;
    each column must lie right of every cell the row already has."""
    with zipfile.ZipFile(source) as zin:
        book = zin.read("xl/workbook.xml").decode()
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
        targets = {m[0] or m[3]: m[1] or m[2] for m in _RELS.findall(rels)}
        parts = {name: "xl/" + targets[rid].lstrip("/").removeprefix("xl/") for name, rid in _SHEETS.findall(book)}
        edited = {parts[_unescape(sheet)]: _with_cells(zin.read(parts[_unescape(sheet)]).decode(), added)
                  for sheet, added in cells.items()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = edited[info.filename].encode() if info.filename in edited else zin.read(info.filename)
                zout.writestr(info, data)


def _with_cells(xml: str, added: dict[tuple[int, int], str]) -> str:
    by_row: dict[int, list[str]] = {}
    for (row, col), formula in sorted(added.items()):
        by_row.setdefault(row, []).append(
            f'<c r="{get_column_letter(col)}{row}"><f>{escape(formula.removeprefix("="))}</f></c>')

    def fill(match: re.Match[str]) -> str:
        row = int(match.group(2))
        extra = "".join(by_row.pop(row, []))
        attrs = re.sub(r'\sspans="[^"]*"', "", match.group(1))
        if match.group(3) is not None:            # <row …>cells</row>
            return f"{attrs}>{match.group(3)}{extra}</row>"
        return f"{attrs}>{extra}</row>"            # <row …/>

    xml = re.sub(r'(<row r="(\d+)"[^>]*?)(?:/>|>(.*?)</row>)', fill, xml, flags=re.S)
    assert not by_row, f"rows not in the sheet: {sorted(by_row)}"
    return xml

