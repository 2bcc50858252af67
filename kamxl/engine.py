"""Recalculate a workbook with a real formula engine (the ``formulas`` package) and the
``KAM_*`` worksheet functions registered, as Excel does with the kamxl add-in loaded.

Used to store correct cached values in the filled examples, and by tests. The input is
never written: a normalised copy is evaluated, in which add-in references are removed
(``[1]!KAM_SCORE`` -> ``KAM_SCORE``) and structured references are expanded to A1
ranges (the engine does not read them). Range arguments reach the functions as rows of
cells (blanks as None, error cells as '#N/A' text), as xlwings passes them with
``ndim=2, err_to_str=True``; the error convention's text comes back as the real error.
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from kamxl.cells import parse_error
from kamxl.io.book_formulas import iter_formulas

logging.getLogger("formulas").setLevel(logging.ERROR)


def _engine() -> Any:
    # tqdm reads TQDM_* settings when first imported; the engine's progress bar is noise
    # in a command's output and in test logs.
    os.environ.setdefault("TQDM_DISABLE", "1")
    import formulas  # heavy: imported only when a workbook is recalculated

    return formulas


def _cell(value: object) -> object:
    import schedula as sh
    from formulas.functions import XlError

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
    from formulas.functions import Error

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


@functools.lru_cache(maxsize=1)
def register() -> None:
    """Make every KAM_* function known to the engine (once per process)."""
    from formulas.functions import wrap_func

    from kamxl.excel.udfs import FUNCTIONS

    table = _engine().get_functions()
    for name, fn in FUNCTIONS.items():
        table[name] = wrap_func(_adapt(fn))
    _truncate_array_results()


def _truncate_array_results() -> None:
    """An array formula shows the part of its result that fits its range, as Excel and
    LibreOffice do (a forecast's stage block takes KAM_FUNNEL's first four columns); the
    engine would fill the whole range with #VALUE! instead."""
    from formulas import ranges

    reshape = ranges._reshape_array_as_excel
    if getattr(reshape, "kamxl", False):
        return

    def truncated(value: Any, base_shape: tuple[int, int]) -> Any:
        if np.ndim(value) == 2 and (value.shape[0] > base_shape[0] or value.shape[1] > base_shape[1]):
            value = value[:base_shape[0], :base_shape[1]]
        return reshape(value, base_shape)

    truncated.kamxl = True  # type: ignore[attr-defined]
    ranges._reshape_array_as_excel = truncated


def engine_copy(source: Path, target: Path) -> Path:
    """A copy of ``source`` with formulas the engine reads; ``source`` is never written."""
    shutil.copyfile(source, target)
    book = openpyxl.load_workbook(target)
    for _, cell, text in list(iter_formulas(book)):
        if isinstance(cell.value, ArrayFormula):
            cell.value.text = text
        else:
            cell.value = text
    book.save(target)
    return target


def evaluate(path: Path) -> dict[str, object]:
    """Recalculate ``path``: {'SHEET!A1': value} for every cell the engine computed
    (sheet names upper-cased; error values as their text, e.g. '#VALUE!')."""
    register()
    with tempfile.TemporaryDirectory(prefix="kamxl-engine-") as tmp:
        copy = engine_copy(path, Path(tmp) / path.name)
        solution = _engine().ExcelModel().loads(str(copy)).finish().calculate()
    values: dict[str, object] = {}
    for key, ranges in solution.items():
        if "]" not in key:  # the engine's own nodes ('self', constants), not cells
            continue
        sheet, _, cells = key.split("]", 1)[1].replace("'", "").rpartition("!")
        try:
            min_col, min_row, _, _ = range_boundaries(cells.upper())
        except ValueError:   # a defined name (Kam_Stage_1), not a cell
            continue
        for r, row in enumerate(np.atleast_2d(getattr(ranges, "value", ranges))):
            for c, value in enumerate(row):
                values[f"{sheet.upper()}!{get_column_letter(min_col + c)}{min_row + r}"] = _cell(value)
    return values


def is_error(value: object) -> bool:
    return isinstance(value, str) and parse_error(value) is not None and value == parse_error(value)[0]
