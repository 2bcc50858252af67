"""``kamxl portable IN -o OUT``: a filled workbook rewritten as the portable edition, so a
rep can send it to someone without the kamxl add-in (Excel for Mac or the web, WPS,
LibreOffice, or Excel before the add-in is installed).

The workbook is read through its schema and written again by the same builder as a new
template, with every value the rep typed in the standard sheets at its own row; only
the formulas change (plain Excel functions instead of ``KAM_*`` calls) and every formula
stores its value. A number typed over a formula stays the typed number (validation still
reports it). What lies outside the standard blocks — sheets the rep added — is not
carried over, and the result says which. The input is opened read-only and never
written; the output is written atomically, is never the input, and replaces an existing
file only with ``force`` (:func:`kamxl.io.outputs.check_output`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as pc

from kamxl.io.a1 import column_letter
from kamxl.io.atomic import atomic_path
from kamxl.io.outputs import check_output
from kamxl.io.reader import WorkbookData, read_workbook
from kamxl.io.structure import read_structure
from kamxl.methodology import Config
from kamxl.schema import Table
from kamxl.templates.builder import KEYS_SHEET, LISTS_SHEET, META_SHEET, Typed, build_workbook
from kamxl.templates.instructions import NAME as INSTRUCTIONS


@dataclass
class Converted:
    output: Path
    rows: dict[str, int] = field(default_factory=dict)      # table -> rows carried over
    typed_over: list[str] = field(default_factory=list)     # 'Sheet!L7': a typed value where a formula belongs
    left_out: list[str] = field(default_factory=list)       # sheets outside the template


def to_portable(source: Path, target: Path, *, config: Config, force: bool = False) -> Converted:
    """Write the portable edition of ``source`` to ``target``."""
    check_output(target, "portable", inputs=[source], force=force)   # never the input; another file only with force
    data = read_workbook(source)
    structure = read_structure(source)
    done = Converted(target)
    rows = {name: _table_rows(source, data, name, structure, done) for name in data.tables}
    forms = {prefix: _form_values(data, prefix, structure, done) for prefix in data.forms}
    ours = {s.name(lang) for s in data.template.sheets for lang in ("zh", "en")} | {
        LISTS_SHEET, KEYS_SHEET, META_SHEET, INSTRUCTIONS.zh, INSTRUCTIONS.en}
    done.left_out = [name for name in structure.sheets if name not in ours]
    with atomic_path(target) as tmp:
        build_workbook(data.template, tmp, lang=data.lang or "zh", config=config, rows=rows, forms=forms,
                       edition="portable")
    return done


def _value(value: object) -> object:
    """A cell as calamine read it, as the builder writes it ('' is a blank cell)."""
    if value == "" or value is None:
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def _table_rows(source: Path, data: WorkbookData, name: str, structure: Any, done: Converted) -> list[dict[str, Any]]:
    """The table's rows at their own positions (blank rows between and after them kept)."""
    table = data.tables[name]
    schema: Table = table.table
    height = _height(source, name, len(table.rows))
    first = table.header_row + 1
    rows: list[dict[str, Any]] = [{} for _ in range(max(height, max(table.row_numbers, default=0) - first + 1))]
    for row_number, raw in zip(table.row_numbers, table.rows):
        values: dict[str, Any] = {}
        for column in schema.columns:
            if column.key not in table.offsets:
                continue
            value = _value(raw[table.offsets[column.key]])
            cell = f"{_letter(table.columns[column.key])}{row_number}"
            if column.formula:
                if value is not None and not structure.is_formula(table.sheet, cell):
                    values[column.key] = Typed(value)
                    done.typed_over.append(f"{table.sheet}!{cell}")
            elif value is not None:
                values[column.key] = value
        rows[row_number - first] = values
    done.rows[name] = len(table.rows)
    return rows


def _form_values(data: WorkbookData, prefix: str, structure: Any, done: Converted) -> dict[str, Any]:
    record = data.forms[prefix]
    form = next(f for f in data.template.forms() if f.prefix == prefix)
    values: dict[str, Any] = {}
    for column in form.fields:
        value = _value(record.values.get(column.key))
        if value is None:
            continue
        if column.formula:
            cell = record.cells[column.key]
            if not structure.is_formula(record.sheet, cell) and not (column.stored and data.edition == "portable"):
                values[column.key] = Typed(value)
                done.typed_over.append(f"{record.sheet}!{cell}")
        else:
            values[column.key] = value
    return values


def _height(source: Path, name: str, records: int) -> int:
    """The table's data rows in the file (blank ones included)."""
    book = pc.CalamineWorkbook.from_path(str(source), load_tables=True)
    try:
        found = next((n for n in book.table_names if n.casefold() == name.casefold()), None)
        return len(book.get_table_by_name(found).to_python()) if found else records
    finally:
        book.close()


def _letter(col: int) -> str:
    return column_letter(col + 1)
