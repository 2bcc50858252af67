"""The committed templates and examples in a real spreadsheet application (LibreOffice,
headless): after a full recalculation the only error cells are KAM_* cells and cells
that depend on them (LibreOffice cannot run our Python functions); with the cached
values kept, the numbers the examples carry are the ones our engine computed."""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from kamxl.io.book_formulas import iter_formulas
from kamxl.templates import committed_files
from tests.libreoffice import cached_values, convert, recalculated_errors, render_pngs, soffice_available

ROOT = Path(__file__).resolve().parent.parent
FILES = list(committed_files(ROOT / "workbooks"))

# Skipped on a developer machine without LibreOffice; never in CI, which installs it.
pytestmark = pytest.mark.skipif(not soffice_available() and not os.environ.get("CI"),
                                reason="LibreOffice (libreoffice-calc-nogui) is not installed")


def _cells_of(ref: str, sheet: str, names: dict[str, list[str]]) -> set[str]:
    if ref in names:
        return {c for target in names[ref] for c in _cells_of(target, sheet, names)}
    where, _, cells = ref.rpartition("!")
    where = where.strip("'").replace("''", "'") or sheet
    try:
        min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    except (ValueError, TypeError):
        return set()
    if (max_row - min_row + 1) * (max_col - min_col + 1) > 100_000:
        return set()
    return {f"{where}!{openpyxl.utils.get_column_letter(c)}{r}"
            for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}


def kam_dependent_cells(path: Path) -> set[str]:
    """Cells holding a KAM_* call, those an array KAM_* formula fills, and every cell whose
    formula refers (directly or through others, names and table references) to them."""
    book = openpyxl.load_workbook(path)
    names = {name: [f"{s}!{c}" for s, c in dn.destinations] for name, dn in book.defined_names.items()}
    refs: dict[str, set[str]] = {}
    dependent: set[str] = set()
    for ws, cell, text in iter_formulas(book):
        value = cell.value
        span = _cells_of(value.ref, ws.title, {}) if isinstance(value, ArrayFormula) else {f"{ws.title}!{cell.coordinate}"}
        if "KAM_" in text.upper():
            dependent |= span
        operands = {tok.value for tok in Tokenizer(text).items if tok.type == Token.OPERAND and tok.subtype == Token.RANGE}
        used = {c for op in operands for c in _cells_of(op, ws.title, names)}
        for target in span:
            refs[target] = used
    changed = True
    while changed:
        grown = {cell for cell, used in refs.items() if cell not in dependent and used & dependent}
        dependent |= grown
        changed = bool(grown)
    return dependent


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_recalculated_by_libreoffice_only_kam_cells_are_errors(path, tmp_path):
    errors = recalculated_errors(path, tmp_path)
    allowed = kam_dependent_cells(path)
    assert allowed, "every template uses KAM_* functions"
    assert {cell: code for cell, code in errors.items() if cell not in allowed} == {}


@pytest.mark.parametrize("path", [p for p in FILES if "example" in p.name], ids=lambda p: p.name)
def test_libreoffice_keeps_the_values_our_engine_computed(path, tmp_path):
    kept = cached_values(convert(path, tmp_path, "xlsx", recalc=False))
    ours = openpyxl.load_workbook(path, data_only=True)
    # LibreOffice recomputes array formulas on load whatever the setting (Excel keeps their
    # cached results), so cells an array formula fills are left out here.
    arrays = {c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for cell in row
              if isinstance(cell.value, ArrayFormula) for c in _cells_of(cell.value.ref, ws.title, {})}
    sample = [(ws.title, c.coordinate, c.value) for ws in ours.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
              and f"{ws.title}!{c.coordinate}" not in arrays]
    assert len(sample) > 50
    mismatched = [(s, c, v, kept.get(f"{s}!{c}")) for s, c, v in sample if kept.get(f"{s}!{c}") != pytest.approx(v)]
    assert mismatched == []


def test_an_example_renders_to_pages(tmp_path):
    pages = render_pngs(ROOT / "workbooks" / "examples" / "funnel-example.zh.xlsx", tmp_path, first_pages=2)
    assert pages and all(p.stat().st_size > 5_000 for p in pages)
