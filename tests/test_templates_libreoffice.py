"""The committed templates and examples in a real spreadsheet application (LibreOffice,
headless), in both editions (issue 14).

The KAM_* edition: after a full recalculation the only error cells are KAM_* cells and
cells that depend on them (LibreOffice cannot run our Python functions); with the stored
values kept, the numbers it shows are the ones kamxl stored. The portable edition of the
same workbook: recalculated, no error cell at all (but the spellings table's sentinels,
errors by design), and every formula cell shows exactly the value the KAM_* edition
stores — so every stored value is what a spreadsheet computes."""
from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from kamxl.io.book_formulas import iter_formulas
from kamxl.templates import committed_files, write_template
from kamxl.templates.builder import KEYS_SHEET
from tests.libreoffice import cached_errors, cached_values, convert, recalculated_errors, render_pngs, soffice_available

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


def intended(cell: str) -> bool:
    """The spellings table's sentinel cells (#N/A, #VALUE!) are errors by design."""
    return cell.startswith(f"{KEYS_SHEET}!")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_recalculated_by_libreoffice_only_kam_cells_are_errors(path, tmp_path):
    errors = recalculated_errors(path, tmp_path)
    allowed = kam_dependent_cells(path)
    assert allowed, "every template uses KAM_* functions"
    assert {cell: code for cell, code in errors.items() if cell not in allowed and not intended(cell)} == {}


def formula_cells(path: Path) -> set[str]:
    """'Sheet!A1' of every cell holding a formula (every cell of an array formula's block)."""
    book = openpyxl.load_workbook(path)
    cells = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula):
                    cells |= _cells_of(cell.value.ref, ws.title, {})
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    cells.add(f"{ws.title}!{cell.coordinate}")
    return cells


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_portable_edition_recalculated_shows_every_stored_value(path, tmp_path):
    name, lang, filled = committed_files(ROOT / "workbooks")[path]
    portable = write_template(name, tmp_path / f"portable-{path.name}", lang=lang, filled=filled, edition="portable")
    calls = [text for _ws, _cell, text in iter_formulas(openpyxl.load_workbook(portable))
             if re.search(r"\bKAM_\w+\(", text, re.I)]
    assert calls == []     # (the spellings table's names, Kam_…, are no calls)
    recalculated = convert(portable, tmp_path / "recalculated", "xlsx", recalc=True)
    assert {c: e for c, e in cached_errors(recalculated).items() if not intended(c)} == {}   # no #NAME? either
    shown = cached_values(recalculated)
    stored = cached_values(path)
    cells = [c for c in formula_cells(path) if not intended(c)]
    assert len(cells) >= (20 if name == "register" else 50)   # the register: one key per customer
    differ = {c: (stored.get(c), shown.get(c)) for c in cells if not _same(stored.get(c), shown.get(c))}
    assert differ == {}, "the KAM_* edition stores (left) what LibreOffice computes from the portable one (right)"


def _same(stored: object, shown: object) -> bool:
    if stored in (None, "") or shown in (None, ""):
        return stored in (None, "") and shown in (None, "")
    if isinstance(stored, (int, float)) and isinstance(shown, (int, float)):
        return shown == pytest.approx(stored, rel=1e-9, abs=1e-9)
    return stored == shown


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
