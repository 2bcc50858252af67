"""A real formula engine (the ``formulas`` package) with the ``KAM_*`` functions registered.

Workbooks are evaluated as Excel would with the kamxl add-in loaded: formula text is
first normalised as a reader must (``[1]!KAM_SCORE`` -> ``KAM_SCORE``), range arguments
arrive as rows of cells (blanks as None, error cells as '#N/A' text, like xlwings with
``ndim=2, err_to_str=True``), and the error convention's text comes back as the real
error value, as the add-in's VBA wrappers return ``CVErr``.
"""
from __future__ import annotations

import functools
import logging
import shutil
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import openpyxl
import schedula as sh
from formulas.functions import Error, XlError, wrap_func

from kamxl.cells import parse_error
from kamxl.io.formula_text import normalise_formula
from udfs.kam import FUNCTIONS

logging.getLogger("formulas").setLevel(logging.ERROR)


def _cell(value: object) -> object:
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _to_python(value: object, is_range: bool) -> object:
    if isinstance(value, np.ndarray):
        rows = [[_cell(v) for v in row] for row in np.atleast_2d(value).tolist()]
        return rows if is_range else rows[0][0]
    return [[_cell(value)]] if is_range else _cell(value)


def _to_engine(value: object) -> object:
    if isinstance(value, list):
        return np.array([[_to_engine(v) for v in row] for row in value], dtype=object)
    found = parse_error(value)
    return Error.errors.get(found[0], Error.errors["#VALUE!"]) if found else value


def _adapt(fn: Any) -> Any:
    ranges = [arg.range for _, arg in fn.kam.args]

    @functools.wraps(fn)
    def call(*args: object) -> object:
        return _to_engine(fn(*(_to_python(a, r) for a, r in zip(args, ranges))))

    return call


def register() -> None:
    """Make every KAM_* function known to the engine (idempotent)."""
    table = formulas.get_functions()
    for name, fn in FUNCTIONS.items():
        table[name] = wrap_func(_adapt(fn))


def normalised_copy(source: Path, target: Path) -> Path:
    """A copy of ``source`` whose formulas are normalised; ``source`` is never written."""
    shutil.copyfile(source, target)
    book = openpyxl.load_workbook(target)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.value = normalise_formula(cell.value)
                elif hasattr(cell.value, "text"):  # ArrayFormula
                    cell.value.text = normalise_formula(cell.value.text)
    book.save(target)
    return target


def evaluate(path: Path, workdir: Path) -> dict[str, object]:
    """Evaluate a workbook; returns {'Sheet!A1': value} for every cell the engine computed."""
    register()
    copy = normalised_copy(path, workdir / f"normalised-{path.name}")
    solution = formulas.ExcelModel().loads(str(copy)).finish().calculate()
    values: dict[str, object] = {}
    for key, ranges in solution.items():
        if "]" not in key:  # the engine's own nodes ('self', constants), not cells
            continue
        ref = key.split("]", 1)[1].replace("'", "")
        sheet, _, cells = ref.rpartition("!")
        array = np.atleast_2d(getattr(ranges, "value", ranges))
        first = openpyxl.utils.cell.range_boundaries(cells.upper())
        for r, row in enumerate(array):
            for c, value in enumerate(row):
                name = f"{openpyxl.utils.get_column_letter(first[0] + c)}{first[1] + r}"
                values[f"{sheet.upper()}!{name}"] = _cell(value) if not isinstance(value, XlError) else value
    return values


def is_error(value: object, code: str | None = None) -> bool:
    return isinstance(value, XlError) and (code is None or str(value) == code)
