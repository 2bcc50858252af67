"""Reading a standard workbook back through its schema, in either language.

Values come through python-calamine (fast: about 1 ms to open a template and its tables,
shared/IO-NOTES.md); each value keeps the cell it came from, so every later finding can
name file, sheet and cell. Headers are matched to the schema's column keys in zh or en
(width- and case-blind), so a zh workbook and an en workbook read into the same records.
Which template a file is comes from its hidden ``_kamxl`` sheet, or, when that is gone,
from the names of its Excel tables.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine as pc

from kamxl.errors import InputError
from kamxl.i18n import Lang, Text
from kamxl.io.a1 import column_letter as get_column_letter
from kamxl.io.intake import Package, check_input
from kamxl.io.tables import TablePlace, table_places
from kamxl.methodology.config import MAX_STAGES
from kamxl.methodology.values import fold, is_blank
from kamxl.schema import TEMPLATES, Column, Form, Grid, Table, Template
from kamxl.schema.model import META_SHEET

UNKNOWN_TEMPLATE = Text(zh="无法识别的工作簿：既没有 kamxl 元数据，也没有标准模板的表格",
                        en="not a kamxl workbook: no kamxl metadata and none of the standard tables")


@lru_cache(maxsize=None)
def _letters(col: int) -> str:
    return get_column_letter(col + 1)


def a1(row: int, col: int) -> str:
    """0-based row/column to 'B7'."""
    return f"{_letters(col)}{row + 1}"


class RowCells(Mapping[str, str]):
    """The A1 cell of each key of one table row, computed only when asked for: a batch of
    500-row files would otherwise name hundreds of thousands of cells nobody looks at."""

    __slots__ = ("_row", "_columns")

    def __init__(self, row: int, columns: dict[str, int]) -> None:
        self._row, self._columns = row, columns   # 0-based row; key -> 0-based column

    def __getitem__(self, key: str) -> str:
        return a1(self._row, self._columns[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class RowValues(Mapping[str, object]):
    """The values of one table row by key: a view of the row calamine returned, not a copy."""

    __slots__ = ("_row", "_columns")

    def __init__(self, row: list[object], columns: dict[str, int]) -> None:
        self._row, self._columns = row, columns   # key -> position in the row

    def __getitem__(self, key: str) -> object:
        return self._row[self._columns[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


@dataclass(slots=True)
class Record:
    """One table row or one form: values by column key, and the cell each came from."""

    sheet: str
    row: int                                  # 1-based row of a table record (0 for forms)
    values: Mapping[str, object] = field(default_factory=dict)
    cells: Mapping[str, str] = field(default_factory=dict)


@dataclass
class TableData:
    table: Table
    sheet: str
    header_row: int                           # 1-based
    columns: dict[str, int]                   # key -> 0-based column of the headers found
    header_langs: dict[str, Lang]             # key -> its header's language (where zh and en differ)
    unknown_headers: list[tuple[str, str]]    # (header text, cell) that match no column
    row_numbers: list[int]                    # 1-based row of each record
    offsets: dict[str, int] = field(default_factory=dict)  # key -> position in calamine's rows
    rows: list[list[object]] = field(default_factory=list)  # the records' rows as calamine read them

    _columns: dict[str, list[object]] = field(default_factory=dict, repr=False)
    _records: list[Record] | None = field(default=None, repr=False)

    @property
    def records(self) -> list[Record]:
        """One Record per row, made on first use: the column-wise checks of a big file
        look rows up by position (:meth:`record`) only where they have a finding."""
        if self._records is None:
            self._records = [self.record(i) for i in range(len(self.rows))]
        return self._records

    def record(self, i: int) -> Record:
        """The i-th record (0-based position among the records)."""
        if self._records is not None:
            return self._records[i]
        row = self.row_numbers[i]
        return Record(self.sheet, row, RowValues(self.rows[i], self.offsets), RowCells(row - 1, self.columns))

    def column(self, key: str) -> list[object]:
        """Every record's value of one column, straight from the rows read (all columns
        transposed at once, at C speed, on first use: the checks ask for nearly all)."""
        if not self._columns and self.rows:
            transposed = list(map(list, zip(*self.rows)))
            self._columns.update((k, transposed[i]) for k, i in self.offsets.items() if i < len(transposed))
        if key not in self._columns:
            self._columns[key] = list(map(itemgetter(self.offsets[key]), self.rows))
        return self._columns[key]


@dataclass
class GridData:
    """Where a computed block (a summary) was found, by its header row, and what its cells show."""

    grid: Grid
    sheet: str
    header_row: int                           # 1-based
    first_col: int                            # 0-based: the row-label column
    values: dict[str, object]                 # A1 -> value of every cell of its body

    def cells(self) -> list[tuple[str, Column | None, str]]:
        """(row key, column or None for a computed row label, A1) of every cell that must
        hold a formula: the top-left cell of an array grid; else each row's formulas (and
        the label when it is computed)."""
        grid = self.grid
        if grid.array_formula:
            return [("", None, a1(self.header_row, self.first_col))]
        out: list[tuple[str, Column | None, str]] = []
        for i, (key, label) in enumerate(grid.rows):
            row = self.header_row + i          # 0-based row of the body's i-th row
            if label.zh.startswith("="):
                out.append((key, None, a1(row, self.first_col)))
            out += [(key, col, a1(row, self.first_col + c)) for c, col in enumerate(grid.columns, start=1)]
        return out


@dataclass
class WorkbookData:
    path: Path
    template: Template
    version: int | None
    lang: Lang | None
    identified_by: str                        # 'metadata' or 'tables'
    tables: dict[str, TableData]
    forms: dict[str, Record]
    grids: dict[str, GridData] = field(default_factory=dict)
    edition: str = "kam"                      # 'portable': plain formulas, some values stored (see schema.model)


_HEADER_INDEX: dict[int, dict[str, tuple[str, Lang | None]]] = {}


def _header_index(columns: tuple[Column, ...]) -> dict[str, tuple[str, Lang | None]]:
    """Folded header text -> (column key, its language; None when zh and en agree), per schema."""
    index = _HEADER_INDEX.get(id(columns))
    if index is None:
        index = {}
        for column in columns:
            zh, en = fold(column.header("zh")), fold(column.header("en"))
            index.setdefault(en, (column.key, None if zh == en else "en"))
            index.setdefault(zh, (column.key, None if zh == en else "zh"))
        for column in columns:   # an earlier version's header reads as the column it became
            for former in column.former:
                zh, en = fold(former("zh")), fold(former("en"))
                index.setdefault(en, (column.key, None if zh == en else "en"))
                index.setdefault(zh, (column.key, None if zh == en else "zh"))
        _HEADER_INDEX[id(columns)] = index  # schemas live as long as the process
    return index


def _header_key(columns: tuple[Column, ...], header: object) -> tuple[str, Lang | None] | None:
    """The column a header names, and its language (None when both languages spell it alike)."""
    return None if is_blank(header) else _header_index(columns).get(fold(header))


def _identify(book: pc.CalamineWorkbook) -> tuple[Template, int | None, Lang | None, str, str]:
    """Template, schema version, language, how it was told, edition."""
    if META_SHEET in book.sheet_names:
        meta = {str(r[0]): r[1] for r in book.get_sheet_by_name(META_SHEET).to_python() if len(r) > 1}
        template = TEMPLATES.get(str(meta.get("template", "")))
        if template:
            version = meta.get("schema_version")
            lang = meta.get("language")
            edition = "portable" if meta.get("edition") == "portable" else "kam"
            return (template, int(version) if isinstance(version, float) else None,
                    lang if lang in ("zh", "en") else None, "metadata", edition)  # type: ignore[return-value]
    names = {fold(n) for n in book.table_names}
    for template in TEMPLATES.values():
        if fold(template.tables()[0].name) in names:
            return template, None, None, "tables", "kam"
    raise InputError("S-TEMPLATE", UNKNOWN_TEMPLATE)


class _Cut:
    """A table cut out of its sheet's rows, as calamine's own table read would give it."""

    def __init__(self, place: TablePlace, grid: list[list[object]]) -> None:
        self.sheet, self.columns, self.start = place.sheet, list(place.columns), (place.first_row, place.first_col)
        self._rows = grid[place.first_row:place.last_row + 1]
        self._rows += [[]] * (place.last_row + 1 - place.first_row - len(self._rows))
        self._span = (place.first_col, place.first_col + len(place.columns))

    def to_python(self) -> list[list[object]]:
        left, right = self._span
        width = right - left
        return [row[left:right] if len(row) >= right else (row[left:right] + [""] * width)[:width]
                for row in self._rows]


def _sheet_rows(book: pc.CalamineWorkbook, name: str, sheets: dict[str, list[list[object]]]) -> list[list[object]]:
    """A sheet's rows from A1 (empty leading rows and columns kept), read once per read.
    (python-calamine parses a sheet read this way twice, once more for its merged cells;
    a table alone it parses once.)"""
    if name not in sheets:
        sheets[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return sheets[name]


def _read_table(book: pc.CalamineWorkbook, table: Table, places: dict[str, TablePlace],
                sheets: dict[str, list[list[object]]]) -> TableData | None:
    """A table, cut out of its sheet's rows where the whole sheet is read anyway (for a form
    or a summary on it), else as calamine reads a table."""
    found = next((n for n in book.table_names if fold(n) == fold(table.name)), None)
    if found is None:
        return None
    place = places.get(found)
    if place is not None and place.sheet in sheets:
        xl: Any = _Cut(place, sheets[place.sheet])
    else:
        xl = book.get_table_by_name(found)
    (first, left), sheet = xl.start, xl.sheet  # calamine: 0-based, first DATA row
    header = first - 1
    columns, langs, unknown = {}, {}, []
    for offset, text in enumerate(xl.columns):
        matched = _header_key(table.columns, text)
        if matched:
            columns[matched[0]] = offset
            if matched[1]:
                langs[matched[0]] = matched[1]
        else:
            unknown.append((str(text), a1(header, left + offset)))
    inputs = [c for k, c in columns.items() if table.column(k).formula is None]
    placed = {k: left + c for k, c in columns.items()}
    numbers, rows = [], []
    key_column = inputs[0] if inputs else 0
    for r, row in enumerate(xl.to_python(), start=first + 1):
        key = row[key_column]   # usually filled: the other inputs are looked at only when it is not
        if (key is None or (type(key) is str and not key.strip())) and all(is_blank(row[c]) for c in inputs):
            continue  # the empty rows a blank template offers (formulas there compute nothing)
        numbers.append(r)
        rows.append(row)
    return TableData(table, sheet, header + 1, placed, langs, unknown, numbers, columns, rows)


def _read_form(book: pc.CalamineWorkbook, template: Template, form: Form, tables: dict[str, TableData],
               sheets: dict[str, list[list[object]]]) -> Record | None:
    sheet = template.sheet_of(form)
    name = next((n for n in book.sheet_names if fold(n) in {fold(sheet.name("zh")), fold(sheet.name("en"))}), None)
    if name is None:
        return None
    record = Record(name, 0)
    # A form sits above the tables that follow it on its sheet: rows are read up to the first
    # such table's header (a forecast's header block, not its hundreds of lines).
    after = sheet.blocks[sheet.blocks.index(form) + 1:]
    below = min((t.header_row for t in tables.values() if t.sheet == name and t.table in after), default=None)
    rows = _sheet_rows(book, name, sheets)
    for r, row in enumerate(rows):
        if below is not None and r + 1 >= below:
            break
        for c, label in enumerate(row):
            matched = _header_key(form.fields, label)
            if matched and matched[0] not in record.values:
                # calamine trims empty trailing cells: a label with nothing beside it has a blank value
                record.values[matched[0]] = row[c + 1] if c + 1 < len(row) else ""
                record.cells[matched[0]] = a1(r, c + 1)
    return record


def _sheet_name(book: pc.CalamineWorkbook, template: Template, block: Form | Grid) -> str | None:
    sheet = template.sheet_of(block)
    names = {fold(sheet.name("zh")), fold(sheet.name("en"))}
    return next((n for n in book.sheet_names if fold(n) in names), None)


def _read_grid(book: pc.CalamineWorkbook, template: Template, grid: Grid,
               sheets: dict[str, list[list[object]]]) -> GridData | None:
    """Found by its header row (row header, then every column header, in zh or en): a
    table on the same sheet may share the first headers, never all of them."""
    name = _sheet_name(book, template, grid)
    if name is None:
        return None
    wanted = [{fold(grid.row_header.zh), fold(grid.row_header.en)}] + [
        {fold(c.header("zh")), fold(c.header("en"))} for c in grid.columns]
    rows = _sheet_rows(book, name, sheets)    # several blocks share a sheet: it is read once
    height = MAX_STAGES if grid.funnel else len(grid.rows)   # a funnel grid: a row per stage (as many as set)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) is str and fold(value) in wanted[0] and all(
                    c + i < len(row) and type(row[c + i]) is str and fold(row[c + i]) in names
                    for i, names in enumerate(wanted[1:], start=1)):
                body = {a1(rr, cc): rows[rr][cc] for rr in range(r + 1, min(r + 1 + height, len(rows)))
                        for cc in range(c, min(c + len(wanted), len(rows[rr])))}
                return GridData(grid, name, r + 1, c, body)
    return None


def read_workbook(path: Path, *, grids: bool = True, forms: tuple[str, ...] | None = None,
                  extra: tuple[Table, ...] = (), package: Package | None = None) -> WorkbookData:
    """Everything a standard workbook holds, by schema key, with the cell of every value
    (``grids=False`` skips locating the summaries and ``forms`` names the only forms to read:
    a roll-up reads only the data and the header; ``extra`` tables are read where the
    workbook has them: a roll-up's lineage and by-owner table, which a rep's forecast has not).

    The file is opened read-only and never written. What is not a workbook package a
    reader may safely open (encrypted, legacy, corrupt, a zip bomb, a DTD in its XML)
    is refused first, with its reason (:func:`kamxl.io.intake.check_input`; ``package``: what it
    said of this file, when the caller asked it already).
    """
    package = package or check_input(path)
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    sheets: dict[str, list[list[object]]] = {}
    try:
        template, version, lang, how, edition = _identify(book)
        wanted = [f for f in template.forms() if forms is None or f.prefix in forms]
        # A sheet with a form is read whole anyway; a table below that form (a forecast's
        # lines) is cut out of the same rows. (Summaries' sheets hold small tables only.)
        whole = {name for f in wanted if (name := _sheet_name(book, template, f)) is not None}
        places = (table_places(package) or {}) if whole else {}
        if places:
            for name in whole:
                _sheet_rows(book, name, sheets)
        tables = {t.name: data for t in (*template.tables(), *extra)
                  if (data := _read_table(book, t, places, sheets)) is not None}
        found_forms = {f.prefix: rec for f in wanted if (rec := _read_form(book, template, f, tables, sheets)) is not None}
        found_grids = {g.key: found for g in template.grids() if grids
                       and (found := _read_grid(book, template, g, sheets)) is not None}
    finally:
        book.close()
    return WorkbookData(path, template, version, lang, how, tables, found_forms, found_grids, edition)
