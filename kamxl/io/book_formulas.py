"""The formulas of an openpyxl workbook in a comparable form: add-in references removed
and structured references expanded to A1 ranges (see :mod:`kamxl.io.formula_text`)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from kamxl.io.formula_text import TableRef, expand_structured_refs, normalise_formula


def table_refs(book: Any) -> dict[str, TableRef]:
    """Every Excel table of an openpyxl workbook, for expanding structured references."""
    refs = {}
    for ws in book.worksheets:
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            last = max_row - (table.totalsRowCount or 0)
            refs[table.displayName] = TableRef(table.displayName, ws.title, min_row, min_col, last,
                                               tuple(c.name for c in table.tableColumns))
    return refs


def table_at(refs: dict[str, TableRef], sheet: str, row: int, col: int) -> str | None:
    """The table whose data rows hold the cell, if any (for ``[@Col]`` references)."""
    for ref in refs.values():
        if (ref.sheet == sheet and ref.first_row < row <= ref.last_row
                and ref.first_col <= col < ref.first_col + len(ref.columns)):
            return ref.name
    return None


def iter_formulas(book: Any) -> Iterator[tuple[Any, Any, str]]:
    """(worksheet, cell, formula) for every formula cell; the formula normalised and its
    structured references expanded. Array formulas are yielded at their master cell."""
    refs = table_refs(book)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                text = value.text if isinstance(value, ArrayFormula) else value
                if isinstance(text, str) and text.startswith("="):
                    here = table_at(refs, ws.title, cell.row, cell.column)
                    yield ws, cell, expand_structured_refs(normalise_formula(text), refs, row=cell.row, here=here)
