"""Formula text as Excel stores it, made comparable.

When ``KAM_*`` functions come from an add-in, Excel saves each call with a reference to
the add-in: ``=[1]!KAM_SCORE(B2:B21)`` (an external-link index) or
``='C:\\Users\\me\\AppData\\Roaming\\Microsoft\\AddIns\\kamxl.xlam'!KAM_SCORE(...)``; a
function unknown when the file was saved may come back as ``_xludf.KAM_SCORE``.
Readers normalise all of these to the plain ``KAM_SCORE(...)`` before they compare or
evaluate formulas.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kamxl.io.a1 import column_letter

FUNCTION_PREFIX = "KAM_"

_ADDIN_PREFIX = re.compile(
    r"""(?:'(?:[^']|'')*'|\[\d+\]|[\w.\\:~$-]+\.xla[m]?|_xludf\.)!?(?=KAM_\w+\s*\()""",
    re.IGNORECASE,
)
_KAM_CALL = re.compile(r"(?<![\w.])KAM_\w+(?=\s*\()", re.IGNORECASE)
_STRING = re.compile(r'"(?:[^"]|"")*"')


def normalise_formula(formula: str) -> str:
    """The formula with every add-in reference before a ``KAM_*`` call removed.

    Text inside string literals is left untouched, and function names are upper-cased
    (Excel's own spelling) so two saves of the same formula compare equal.
    """
    parts, last = [], 0
    for literal in _STRING.finditer(formula):
        parts.append(_clean(formula[last:literal.start()]))
        parts.append(literal.group())
        last = literal.end()
    parts.append(_clean(formula[last:]))
    return "".join(parts)


def _clean(code: str) -> str:
    code = _ADDIN_PREFIX.sub("", code)
    return _KAM_CALL.sub(lambda m: m.group().upper(), code)


def kam_functions(formula: str) -> list[str]:
    """The ``KAM_*`` functions a formula calls, in order of appearance (normalised)."""
    code = _STRING.sub('""', normalise_formula(formula))
    return [m.group() for m in _KAM_CALL.finditer(code)]


# --- structured references ---------------------------------------------------------------

@dataclass(frozen=True)
class TableRef:
    """What expanding a structured reference needs to know of an Excel table."""

    name: str
    sheet: str
    first_row: int          # 1-based, the header row
    first_col: int          # 1-based
    last_row: int           # 1-based, last data row (the totals row is not supported)
    columns: tuple[str, ...]

    def col(self, header: str) -> int:
        folded = header.strip().casefold()
        for index, name in enumerate(self.columns):
            if name.strip().casefold() == folded:
                return self.first_col + index
        raise KeyError(f"{self.name} has no column {header!r}")


class StructuredRefError(ValueError):
    """A structured reference names a table or column the workbook does not have."""


_ITEM = re.compile(r"\[([^\[\]]*)\]")


def expand_structured_refs(formula: str, tables: dict[str, TableRef], *, row: int | None = None,
                           here: str | None = None) -> str:
    """Rewrite ``Table[Col]``, ``Table[[#This Row],[A]:[B]]``, ``[@Col]``… as A1 ranges.

    ``row`` is the 1-based row of the cell holding the formula (for #This Row), ``here``
    the name of the table that cell is in (for the short ``[@Col]`` form). String literals
    are left alone. Raises :class:`StructuredRefError` for unknown tables or columns.
    """
    parts, last = [], 0
    for literal in _STRING.finditer(formula):
        parts.append(_expand(formula[last:literal.start()], tables, row, here))
        parts.append(literal.group())
        last = literal.end()
    parts.append(_expand(formula[last:], tables, row, here))
    return "".join(parts)


def _expand(code: str, tables: dict[str, TableRef], row: int | None, here: str | None) -> str:
    by_name = {name.casefold(): t for name, t in tables.items()}
    out, i = [], 0
    while i < len(code):
        match = re.compile(r"(?<![\w.!])([A-Za-z_\u4e00-\u9fff][\w.]*)?\[").search(code, i)
        if not match:
            break
        start, name = match.start(), match.group(1)
        end = _closing(code, match.end() - 1)
        if end is None or (name is None and here is None) or (name and name.casefold() not in by_name):
            out.append(code[i:match.end()])
            i = match.end()
            continue
        table = by_name[name.casefold()] if name else tables[here]  # type: ignore[index]
        out.append(code[i:start])
        out.append(_range(table, code[match.end() - 1:end + 1], row))
        i = end + 1
    out.append(code[i:])
    return "".join(out)


def _closing(code: str, open_at: int) -> int | None:
    depth = 0
    for j in range(open_at, len(code)):
        depth += {"[": 1, "]": -1}.get(code[j], 0)
        if depth == 0:
            return j
    return None


def _range(table: TableRef, spec: str, row: int | None) -> str:
    inner = spec[1:-1]
    this_row = inner.startswith("@")
    items = [m.group(1) for m in _ITEM.finditer(inner)] if "[" in inner else [inner.lstrip("@")]
    if this_row and "[" in inner:
        items = [m.group(1) for m in _ITEM.finditer(inner[1:])]
    specials = [s for s in items if s.startswith("#")]
    names = [s for s in items if not s.startswith("#")]
    this_row = this_row or "#this row" in (s.casefold() for s in specials)
    top, bottom = table.first_row + 1, table.last_row
    if "#all" in (s.casefold() for s in specials):
        top = table.first_row
    elif "#headers" in (s.casefold() for s in specials):
        top = bottom = table.first_row
    if this_row:
        if row is None:
            raise StructuredRefError(f"{table.name}{spec}: #This Row outside a table row")
        top = bottom = row
    try:
        if names:
            span = [c for n in names for c in [table.col(n.strip("'"))]]
            left, right = span[0], span[-1]
        else:
            left, right = table.first_col, table.first_col + len(table.columns) - 1
    except KeyError as exc:
        raise StructuredRefError(str(exc)) from None
    sheet = "'" + table.sheet.replace("'", "''") + "'"
    a = f"${column_letter(left)}${top}"
    b = f"${column_letter(right)}${bottom}"
    return f"{sheet}!{a}" if a == b else f"{sheet}!{a}:{b}"

