"""The building blocks a template is declared with: sheets, tables, form fields, columns.

A template is declared once (``kamxl/schema/funnel.py`` …) and everything else is
derived from that declaration: the workbook builder, the reader, the validator, the
roll-up mapping and the docs. Nothing about a column is typed anywhere else.

Formulas are written with ``{key}`` placeholders naming columns of the same table (this
row) or form fields; the builder turns them into structured references or defined names
in the template's language, so one declaration serves both languages.

Two editions are written from one declaration: the ``KAM_*`` edition (the add-in's
worksheet functions, with reasons behind every error) and the portable edition (plain
Excel functions that Excel 2016+, Excel for Mac and the web, WPS and LibreOffice all
have). A computed column that calls a ``KAM_*`` function declares its ``portable``
formula beside it (``{@macro:args}`` of :mod:`kamxl.templates.portable`), or ``stored``
when plain Excel cannot compute it: the portable edition then holds the value kamxl
computed when it wrote the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from enum import Enum

from kamxl.i18n import Lang, Text
from kamxl.methodology.vocabulary import Vocabulary


class Kind(Enum):
    """What a cell holds; decides number format, data validation and parsing."""

    TEXT = "text"
    ID = "id"              # identifiers: text, never numbers (OPP-0001 stays as typed)
    MONEY = "money"
    NUMBER = "number"
    INTEGER = "integer"
    PERCENT = "percent"
    SCORE = "score"        # a 0-10 or 0-100 rating (validation bounds come from ``bounds``)
    DATE = "date"
    YES_NO = "yes_no"      # Y/N or 是/否 dropdown
    CHOICE = "choice"      # a methodology vocabulary
    STAGE = "stage"        # the funnel stage table (company-configurable labels)
    FORMULA = "formula"    # computed; never typed


META_SHEET = "_kamxl"   # the hidden sheet naming a workbook's template, language and edition
SIGNED_MONEY = "+#,##0;-#,##0;0"   # a change in money: its sign always shown

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: "#,##0",
    Kind.NUMBER: "#,##0.00",
    Kind.INTEGER: "0",
    Kind.PERCENT: "0%",
    Kind.SCORE: "0",
    Kind.DATE: "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Column:
    """One column of a table, or one field of a form."""

    key: str
    header: Text
    kind: Kind
    required: bool = False
    vocabulary: Vocabulary | None = None
    formula: str | Text | None = None    # with {key} placeholders; Kind.FORMULA only
    portable: str | Text | None = None   # the portable edition's formula, where it differs
    stored: bool = False                 # the portable edition stores kamxl's value (no plain formula)
    result: Kind = Kind.TEXT             # how a formula's result is formatted
    bounds: tuple[float, float] | None = None
    width: float = 12
    hint: Text | None = None             # the input message shown when the cell is selected
    rules: tuple[str, ...] = ()          # M-… ids this column carries
    look: str | None = None              # conditional format: 'ratio' (traffic lights), 'band', 'flag',
    #                                      'ladder' (a data bar over 1..bounds[1]), 'whole' (no decimals when whole)
    manager: bool = False                # a manager's column (M-FC-4): outlined, collapsed in a rep's copy
    group: Text | None = None            # a band above the header naming the columns it spans (a table's)
    note: Text | None = None             # printed above the header, wrapped: what the column asks
    align: str | None = None             # horizontal alignment where the kind's default misleads ('center')
    number_format: str | None = None     # overrides the kind's format (a signed money change)
    former: tuple[Text, ...] = ()        # headers it had in older template versions (still read)

    def title(self, lang: Lang) -> str:
        return self.header(lang)

    @property
    def shown_as(self) -> str | None:
        """The number format the builder gives its cells."""
        return self.number_format or NUMBER_FORMATS.get(self.result if self.kind is Kind.FORMULA else self.kind)


@dataclass(frozen=True)
class Flag:
    """A rule shown in the cell while the rep types: a conditional format (native Excel formula,
    so the same in both editions) over ``columns``, applied where ``when`` is true.

    ``when`` is a formula with ``{key}`` placeholders naming cells of the same row (tables) or
    form fields, like a computed column's formula; ``legend`` says in the instructions sheet
    what the colour means; ``look`` picks the colour: 'error' (red), 'warning' (amber),
    'good' (green), 'info' (blue).
    """

    rule: str                            # the M-… id the flag shows
    when: str | Text
    columns: tuple[str, ...]
    legend: Text
    look: str = "warning"


@dataclass(frozen=True)
class Table:
    """An Excel Table (ListObject). ``name`` is the same in every language (readers rely on it)."""

    name: str
    title: Text
    columns: tuple[Column, ...]
    style: str = "Table Style Medium 2"
    blank_rows: int = 20                 # empty rows in a blank template, ready to type into
    rules: tuple[str, ...] = ()
    seed: str | None = None              # rows the builder fills in: 'open_stages' (all but the last)
    flags: tuple[Flag, ...] = ()         # rules shown while typing (conditional formats)
    since: int = 1                       # the template version that added it (older files lack it)

    def column(self, key: str) -> Column:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        """Key -> column (the checks ask ~150 times a file; a search of 59 columns each time)."""
        return {c.key: c for c in reversed(self.columns)}   # the first of a key wins, as a search finds it

    @property
    def lead_rows(self) -> int:
        """Rows between the table's title and its header: the group band, the notes line."""
        return any(c.group for c in self.columns) + any(c.note for c in self.columns)


@dataclass(frozen=True)
class Form:
    """Label/value pairs (a header block); each value cell gets a defined name."""

    prefix: str                          # defined names are f"{prefix}_{field.key}"
    fields: tuple[Column, ...]
    title: Text | None = None            # the heading above it (default: the sheet's name)
    flags: tuple[Flag, ...] = ()         # rules shown while typing (conditional formats)
    since: int = 1                       # the template version that added it (older files lack it)

    def field(self, key: str) -> Column:
        return next(f for f in self.fields if f.key == key)


@dataclass(frozen=True)
class Funnel:
    """What KAM_FUNNEL summarises (M-FUN-1..3): the stage, amount and status columns of a
    table, and the benchmarks' stage, count and amount columns (None: no benchmarks)."""

    stages: str
    amounts: str
    statuses: str
    benchmarks: tuple[str, str, str] | None = None

    @property
    def formula(self) -> str:
        """The KAM_* edition: one array formula over the whole block."""
        if self.benchmarks:
            table, _, first = self.benchmarks[0].partition(".")
            bench = f"{{{table}.{first}:{self.benchmarks[2].partition('.')[2]}}}"
        else:
            bench = '""'
        return f'=KAM_FUNNEL({{{self.stages}}},{{{self.amounts}}},{{{self.statuses}}},{bench},"{{lang}}")'


@dataclass(frozen=True)
class Grid:
    """A computed block: fixed row labels, and per column a formula per row.

    ``rows`` are (key, label) pairs; formulas may use {row} (the row's label cell) and
    ``{key}`` placeholders of tables and forms in the workbook (whole columns).
    A ``funnel`` grid is what KAM_FUNNEL fills: one array formula over the whole block in
    the KAM_* edition, a plain formula per cell in the portable one; its columns are the
    first of KAM_FUNNEL's (stage, count, amount, weighted[, health and bands]).
    """

    key: str
    title: Text
    row_header: Text
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, Text], ...] = ()
    funnel: Funnel | None = None         # a funnel grid has a row per stage of the company's table
    rules: tuple[str, ...] = ()
    since: int = 1                       # the template version that added it (older files lack it)
    # Plain formulas right of a funnel block, one per open stage (the last stage's row left
    # out), the same in both editions: what a chart needs beyond KAM_FUNNEL's columns.
    # Placeholders: ``{key}`` this row's cell of a column, ``{key_col}`` that column over the
    # open stages, ``{row_key}`` the stage number, and what :func:`resolve` knows.
    helpers: tuple[Column, ...] = ()

    @property
    def array_formula(self) -> str | None:
        return self.funnel.formula if self.funnel else None


@dataclass(frozen=True)
class Chart:
    """A chart over a grid or a table: ``kind`` is an XlsxWriter chart type."""

    key: str
    title: Text
    kind: str
    source: str                          # the grid or table key
    categories: str                      # column key ('' = the grid's row labels)
    values: tuple[str, ...]              # column keys
    subtype: str | None = None
    rules: tuple[str, ...] = ()
    rows: int | None = None              # plot only the first n rows; -n: all but the last n (the funnel
                                         # leaves out its last, won/lost stage)
    labels: str | None = None            # column key whose cells label the points (scatter)
    axis_max: float | None = None        # fixed 0..max axes (the 0-10 selling-point scale)
    # 'funnel': each value centred in its own lane by the offset column beside it (an
    # invisible series on both sides of the bar), stage 01 at the top
    offsets: tuple[str, ...] = ()
    # scatter: a grid whose rows are the corners of the green zone (both coordinates at or
    # above their minimum), x then y: drawn as its green border
    zone: str | None = None
    below: bool = False                  # under its source block (it prints with it), not beside it


@dataclass(frozen=True)
class Sheet:
    key: str
    name: Text
    blocks: tuple[Form | Table | Grid, ...]
    charts: tuple[Chart, ...] = ()
    landscape: bool = True
    hint: Text | None = None             # one line under the sheet title
    manager: bool = False                # a manager's sheet (M-FC-4): hidden in a rep's copy
    active: bool = False                 # the sheet the workbook opens on (and its first)
    heading: Text | None = None          # after the title: {key}s of the workbook's form values
    charts_below: bool = False           # charts stacked under the blocks, not beside them
    # How it prints (kamxl.templates.presentation): 'summary' fits the sheet to ``pages_wide``
    # pages across; 'table' repeats the header row and the first (ID) column on every page
    # and spreads the columns over ``pages_wide`` pages, balanced. Tests render every sheet in
    # LibreOffice and compare its pages across with ``pages_wide``.
    print_fit: str = "table"
    pages_wide: int = 1


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: Text
    sheets: tuple[Sheet, ...]
    rules: tuple[str, ...] = field(default=())
    #: 'Prefix.key' of the header field saying whose copy a workbook is (a level vocabulary):
    #: blank or the lowest level ('rep') is a rep's copy, where ``manager`` columns, fields and
    #: sheets are folded away; any other level shows them
    level_field: str | None = None

    def tables(self) -> list[Table]:
        return [b for s in self.sheets for b in s.blocks if isinstance(b, Table)]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables() if t.name == name)

    def forms(self) -> list[Form]:
        return [b for s in self.sheets for b in s.blocks if isinstance(b, Form)]

    def grids(self) -> list[Grid]:
        return [b for s in self.sheets for b in s.blocks if isinstance(b, Grid)]

    def sheet_of(self, block: Form | Table | Grid) -> Sheet:
        return next(s for s in self.sheets if block in s.blocks)
