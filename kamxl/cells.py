"""What worksheet functions need between Excel and the methodology core, free of xlwings.

The error convention (one for every ``KAM_*`` function)
--------------------------------------------------------
A worksheet function never raises: bad input comes back as text that starts with an
Excel error code, a space and the reason in the user's language::

    #VALUE! 'maybe' is not a valid yes/no value … [M-SCORE-3]

* ``#VALUE!`` a value cannot be read; ``#NUM!`` a number is outside its scale;
  ``#N/A`` a required input is blank; ``#DIV/0!`` a ratio has no benchmark.
* Plain xlwings shows that text in the cell, so the reason is readable at once.
  The kamxl add-in's VBA wrappers turn it into the real error value (``CVErr``) and keep
  the reason for ``=KAM_WHY(cell)``; the formula-engine tests do the same.
* An input cell that already holds an error (or such text) propagates unchanged, the newer
  errors (#SPILL!, #CALC!, …) too, which reach Python over COM as integers (:func:`from_com`).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from kamxl.errors import InputError, OutOfRangeError
from kamxl.i18n import Lang, Text, check_lang, default_lang

ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
               "#CONNECT!", "#BLOCKED!", "#UNKNOWN!", "#FIELD!", "#CALC!")
_ERROR_TEXT = re.compile(r"^(" + "|".join(re.escape(code) for code in ERROR_CODES) + r")(?: (.*))?$", re.S)
#: Excel's number for each error value (the xlErr… constants, which VBA's CVErr takes)
EXCEL_ERRORS = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029, "#NUM!": 2036,
                "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045, "#CONNECT!": 2046, "#BLOCKED!": 2047,
                "#UNKNOWN!": 2048, "#FIELD!": 2049, "#CALC!": 2050}
#: An error cell read over COM (pywin32) is a VT_ERROR VARIANT: the integer -2146826288 + (xlErr… - 2000),
#: e.g. -2146826281 for #DIV/0!. xlwings' err_to_str knows only the seven classic ones
#: (xlwings/_xlwindows.py); the newer ones (#SPILL!, #CALC!, …) arrive as these integers.
COM_ERRORS = {-2146826288 + number - 2000: code for code, number in EXCEL_ERRORS.items()}
INTERNAL = Text(zh="kamxl 内部错误（请报告）：{kind}: {detail}", en="kamxl internal error (please report): {kind}: {detail}")
MISSING = Text(zh="缺少必填参数 {name}", en="the required argument {name} is blank")

F = TypeVar("F", bound=Callable[..., Any])


def error_text(code: str, reason: str = "") -> str:
    """The convention's text for an error: '#VALUE! reason'."""
    return f"{code} {reason}".rstrip()


def parse_error(value: object) -> tuple[str, str] | None:
    """(code, reason) if ``value`` is an Excel error in the convention's text form, else None."""
    if isinstance(value, str) and value.startswith("#"):
        match = _ERROR_TEXT.match(value)
        if match:
            return match.group(1), match.group(2) or ""
    return None


class CellError(Exception):
    """Raised inside a worksheet function to return an error text (see the module doc)."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(code, reason)
        self.text = error_text(code, reason)


#: the language of the worksheet function being computed: its [lang] argument, else the
#: user's default; every reason it gives, its own or the core's, is in this language
_CELL_LANG: ContextVar[Lang | None] = ContextVar("kamxl_cell_lang", default=None)
BAD_LANG = Text(zh="语言参数 {value!r} 无效：请用 zh 或 en", en="the language {value!r} is not valid: use zh or en")


def cell_lang() -> Lang:
    """The language of the function being computed (see :func:`worksheet_function`)."""
    return _CELL_LANG.get() or default_lang()


def _lang_of(value: object) -> Lang | None:
    try:
        return check_lang(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def language(lang: object = None) -> Lang:
    """An optional [lang] argument: 'zh' or 'en'; blank means the user's default."""
    if lang is None or (isinstance(lang, str) and not lang.strip()):
        return cell_lang()
    try:
        return check_lang(str(lang))
    except ValueError:
        raise CellError("#VALUE!", BAD_LANG(cell_lang(), value=lang)) from None


def call(fn: Callable[..., Any], *args: Any, propagate: bool = True) -> Any:
    """``fn(*args)`` under the error convention: errors in inputs propagate (unless the
    function handles them cell by cell), our errors become text, and nothing else
    escapes either: a cell never shows a traceback."""
    if propagate:
        for arg in args:
            found = first_error(arg)
            if found is not None:
                return found
    try:
        return fn(*args)
    except CellError as exc:
        return exc.text
    except OutOfRangeError as exc:
        return error_text("#NUM!", f"{exc.message(cell_lang())} [{exc.code}]")
    except InputError as exc:
        return error_text("#VALUE!", f"{exc.message(cell_lang())} [{exc.code}]")
    except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
        return error_text("#VALUE!", INTERNAL(cell_lang(), kind=type(exc).__name__, detail=exc))


def worksheet_function(fn: F | None = None, *, per_cell: bool = False, lang_at: int | None = None) -> Any:
    """Give a ``KAM_*`` function the error convention (see :func:`call`).

    ``per_cell=True`` for functions that work cell by cell over ranges: an error in one
    input cell then shows only in its own result cell, not across the whole column.
    ``lang_at``: the position of the function's [lang] argument; every reason the function
    gives is in that language (a blank or invalid one: the user's default).
    """

    def decorate(inner: F) -> F:
        @functools.wraps(inner)
        def wrapper(*args: Any) -> Any:
            args = tuple(from_com(arg) for arg in args)
            chosen = _lang_of(args[lang_at]) if lang_at is not None and lang_at < len(args) else None
            token = _CELL_LANG.set(chosen or default_lang())
            try:
                return call(inner, *args, propagate=not per_cell)
            finally:
                _CELL_LANG.reset(token)

        return wrapper  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate


def from_com(value: object) -> object:
    """``value`` with every error cell that arrived over COM as an integer (see
    :data:`COM_ERRORS`) as the convention's error text; anything else unchanged. Excel
    hands numbers over as floats, so a Python ``int`` of one of these values is an error."""
    if type(value) is int:
        return COM_ERRORS.get(value, value)
    if isinstance(value, (list, tuple)):
        cells = flatten(value)
        if int in set(map(type, cells)) and any(type(c) is int and c in COM_ERRORS for c in cells):
            return [from_com(c) for c in value]
    return value


def com_errors_as_text(fn: F) -> F:
    """``fn`` given its arguments through :func:`from_com`."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        return fn(*(from_com(arg) for arg in args))

    return wrapper  # type: ignore[return-value]


def first_error(value: object) -> str | None:
    cells = flatten(value)
    try:   # a column of 200,000 cells holds a few hundred distinct values: look at those first
        if not any(type(cell) is str and cell[:1] == "#" for cell in set(cells)):
            return None
    except TypeError:   # an unhashable cell: look at each
        pass
    for cell in cells:
        if type(cell) is str and cell[:1] == "#" and parse_error(cell) is not None:
            return cell
    return None


def flatten(value: object) -> list[object]:
    """A scalar, a row or a block (what Excel hands a function), as one list in reading order."""
    if not isinstance(value, (list, tuple)):
        return [value]
    if value and isinstance(value[0], (list, tuple)):
        return [cell for row in value for cell in row]
    return list(value)


def grid(value: object) -> list[list[object]]:
    """Any argument as a list of rows (a scalar is a 1x1 block, a flat list one row)."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value or not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


def _dims(value: object) -> tuple[int, int]:
    if not isinstance(value, (list, tuple)):
        return 1, 1
    if not value or not isinstance(value[0], (list, tuple)):
        return 1, len(value)
    return len(value), len(value[0])


def is_single(value: object) -> bool:
    """A scalar or a 1x1 range."""
    return _dims(value) == (1, 1)


def shape_like(values: Sequence[object], source: object) -> object:
    """Results for each cell of ``source`` in its shape; a single cell gives a scalar."""
    rows, width = _dims(source)
    if rows == width == 1:
        return values[0]
    if width == 1:  # a column, the usual case: no slicing
        return [[value] for value in values]
    return [list(values[i:i + width]) for i in range(0, len(values), width)]


SIZE_MISMATCH = Text(zh="各区域大小不一致：{sizes}", en="the ranges differ in size: {sizes}")


def aligned(*args: Any) -> tuple[list[list[object]], object]:
    """The arguments' cells as equally long columns (single cells repeated), and the
    first range among them, whose shape the results take."""
    ranges = [a for a in args if not is_single(a)]
    cells = [flatten(a) for a in args]
    size = max(len(c) for c in cells)
    if any(len(c) not in (1, size) for c in cells):
        raise CellError("#VALUE!", SIZE_MISMATCH(cell_lang(), sizes=" / ".join(str(len(c)) for c in cells)))
    return [c * size if len(c) == 1 else c for c in cells], (ranges[0] if ranges else args[0])


def elementwise(fn: Callable[..., Any], *args: Any) -> object:
    """Apply ``fn`` cell by cell over ranges of one size (single cells are broadcast).

    Each result cell carries its own error, so one bad row does not blank a column.
    """
    columns, source = aligned(*args)
    return shape_like([call(fn, *row) for row in zip(*columns)], source)


def required(value: object, name: str) -> object:
    """``value`` unless it is blank, in which case the function returns #N/A."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("#N/A", MISSING(cell_lang(), name=name))
    return value


def column(values: Iterable[object]) -> list[list[object]]:
    """A Python list as an Excel column (spills down)."""
    return [[v] for v in values]
