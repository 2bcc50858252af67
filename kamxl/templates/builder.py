"""Write a template (blank or filled) as a real Excel workbook, from its schema.

XlsxWriter is used because it writes every native feature a user expects (tables,
dropdown validation with input messages, conditional formats, charts, print setup,
defined names) *and* can store each formula's cached result, so a filled example shows
correct numbers in any reader, before any recalculation.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.vocabulary import HEALTH_BAND, Vocabulary
from kamxl.schema.model import Chart, Column, Flag, Form, Grid, Kind, Sheet, Table, Template
from kamxl.templates import keys as spellings
from kamxl.templates.bulk import FORMULA_LIKE, BulkRows, Columns, fill
from kamxl.templates.layout import Placed, plan, resolve, seed_rows
from kamxl.templates import instructions
from kamxl.templates import presentation as pres
from kamxl.templates.portable import funnel_cells
from kamxl.templates.stored import Book, Typed

META_SHEET = "_kamxl"
LISTS_SHEET = "_lists"
KEYS_SHEET = spellings.SHEET
EDITIONS = ("kam", "portable")   # KAM_* functions (the add-in) or plain Excel functions
# Excel 365's calculation engine: a file stamped with it (and no full-calculation flag) opens
# showing its stored values instead of recalculating everything on load.
CALC_ID = 191029
STORED_LOOK = {"italic": True, "font_color": "#7F6000"}   # a value kamxl computed (portable edition)
STORED_NOTE = Text("此值由 kamxl 在写入文件时计算：普通 Excel 公式无法计算它。安装 kamxl 加载项后使用 KAM_* 版本可自动更新，"
                   "或用 kamxl portable 重新生成。",
                   "kamxl computed this value when it wrote the file: plain Excel formulas cannot compute it. "
                   "The KAM_* edition with the kamxl add-in keeps it up to date, or run kamxl portable again.")
FIXED_DATE = dt.datetime(2026, 1, 1)  # document properties: builds must be reproducible
YES_NO = {"zh": ("是", "否"), "en": ("Y", "N")}
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD")
BAND_FILLS = {"excellent": "#C6EFCE", "good": "#FFEB9C", "warning": "#FFC7CE"}
INPUT_STYLE = {"bg_color": "#FFF8E1", "border": 1, "border_color": "#BFBFBF"}   # a form's cell to type into
# sheet protection: no password; what a rep does to a table stays allowed
PROTECTION = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
              "select_locked_cells": True, "select_unlocked_cells": True}


# the forecast periods a header's period dropdown offers (M-FC-1): fixed, so builds are reproducible
PERIOD_YEARS = (2020, 2035)
CHART_WIDTH = 640   # pixels
BULK_ROWS = 2_000   # a table with more data rows than this is written by bulk.py


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet (``add_worksheet(worksheet_class=…)``), remembering each
    prepared formula: a table column repeats one formula on every row, and preparing it
    runs about 150 regular expressions (future-function prefixes) each time."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        prepared: dict[tuple[str, bool], str] = self.__dict__.setdefault("_kamxl_prepared", {})
        key = (formula, expand_future_functions)
        if key not in prepared:
            prepared[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared[key]

    def _xml_formula_element(self, formula: str, result: Any, attributes: Any = ()) -> None:
        # A formula whose result is empty text stores it as text (XlsxWriter leaves such a
        # result untyped, which readers take for "no value stored").
        if result == "" and not any(k == "t" for k, _ in attributes):
            attributes = [*attributes, ("t", "str")]
        super()._xml_formula_element(formula, result, list(attributes))


class Builder:
    def __init__(self, template: Template, path: Path, *, lang: Lang, config: Config,
                 rows: Mapping[str, Sequence[dict[str, Any]]], forms: Mapping[str, Mapping[str, Any]],
                 edition: str = "kam", snapshot: bool = False) -> None:
        if edition not in EDITIONS:
            raise ValueError(f"edition: {edition!r} (one of {EDITIONS})")
        self.t, self.lang, self.cfg, self.snapshot, self.edition = template, lang, config, snapshot, edition
        given = {name: r if isinstance(r, Columns) else list(r) for name, r in rows.items()}
        self.places = plan(template, lang, config, {k: len(v) for k, v in given.items()})
        # Seeded rows (stage list, checklist questions) take what the example adds to them.
        self.rows = {t.name: _with_seed(t, config, lang, given.get(t.name) or []) for t in template.tables()}
        self.forms = forms
        # what every formula shows, computed from these very cells (kamxl.templates.stored)
        self.book = Book(template, lang=lang, config=config, places=self.places, tables=self.rows, forms=forms)
        # use_future_functions: Excel 2010+ functions (IFNA…) must be stored as _xlfn.IFNA, or Excel
        # and LibreOffice do not recognise them.
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "use_future_functions": True})
        # every formula stores its value: no full recalculation on load (a KAM_* workbook opened
        # where the add-in is not installed shows the values instead of #NAME?)
        self.wb.calc_on_load, self.wb.calc_id = False, CALC_ID
        self.wb.set_properties({"title": template.title(lang), "author": "kamxl", "created": FIXED_DATE,
                                "comments": f"kamxl template {template.id} v{template.version} ({lang}, {edition})"})
        self.fmt = self._formats()
        self.lists: dict[str, list[str]] = {}
        self.resolved: dict[tuple[object, str | None], str] = {}
        self.path, self.bulk = path, []   # tables too big for cell-by-cell writing: see bulk.py

    # --- formats ------------------------------------------------------------------------
    def _add_format(self, props: dict[str, Any]) -> Any:
        fmt = self.wb.add_format(props)
        self.props[id(fmt)] = props
        return fmt

    def _formats(self) -> dict[str, Any]:
        self.props: dict[int, dict[str, Any]] = {}
        add = self._add_format
        base = {"font_name": "Microsoft YaHei" if self.lang == "zh" else "Calibri", "font_size": 10}
        fmt = {
            "title": add({**base, "bold": True, "font_size": 14, "font_color": "#1F4E78"}),
            "hint": add({**base, "italic": True, "font_color": "#595959"}),
            "block": add({**base, "bold": True, "font_size": 11, "font_color": "#1F4E78"}),
            "label": add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1}),
            "label:wrap": add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                               "valign": "vcenter"}),
            "header": add({**base, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                           "text_wrap": True, "valign": "vcenter"}),
            "text": add({**base}),
            "wrap": add({**base, "text_wrap": True, "valign": "top"}),
            "input": add({**base, "border": 1, "bg_color": "#FFFFFF"}),
        }
        # Protection (on by default, no password) locks what is not typed into: inputs are
        # unlocked; table cells all are, so a table can still be sorted on a protected sheet
        # (Excel refuses to sort locked cells) — the validator reports a formula typed over.
        fmt["in:text:wrap"] = add({**base, "text_wrap": True, "valign": "top", "locked": False})
        fmt["form:text:wrap"] = add({**base, **INPUT_STYLE, "text_wrap": True, "valign": "top", "locked": False})
        for kind in Kind:
            calc = {**base, "num_format": _num(kind), "bg_color": "#F2F2F2", "font_color": "#1F4E78"}
            fmt[f"in:{kind.value}"] = add({**base, "num_format": _num(kind), "locked": False})
            fmt[f"form:{kind.value}"] = add({**base, **INPUT_STYLE, "num_format": _num(kind), "locked": False})
            fmt[f"calc:{kind.value}"] = add(calc)
            fmt[f"tcalc:{kind.value}"] = add({**calc, "locked": False})
        return fmt

    # --- workbook ------------------------------------------------------------------------
    def build(self) -> None:
        for sheet in self.t.sheets:
            self._sheet(sheet)
        self._instructions()
        self._lists_sheet()
        self._keys_sheet()
        self._meta_sheet()
        self.wb.close()
        fill(self.path, self.bulk)

    def _sheet(self, sheet: Sheet) -> None:
        ws = self.wb.add_worksheet(sheet.name(self.lang), worksheet_class=_Worksheet)
        ws.write(0, 0, f"{self.t.title(self.lang)} · {sheet.name(self.lang)}", self.fmt["title"])
        if sheet.hint:
            ws.write(1, 0, sheet.hint(self.lang), self.fmt["hint"])
        widths: dict[int, float] = {}
        self.headers: list[tuple[int, int, str, bool]] = []   # (row, col, text, in a table)
        self.labels: list[tuple[int, int, str]] = []          # a grid's row labels: (row, col, text)
        for block in sheet.blocks:
            place = self.places[_key(block)]
            title = (block.title or sheet.name)(self.lang) if isinstance(block, Form) else block.title(self.lang)
            ws.write(place.first_row - 1, place.first_col, title, self.fmt["block"])
            if isinstance(block, Table):
                self._table(ws, block, place, widths)
            elif isinstance(block, Form):
                self._form(ws, block, place, widths)
            else:
                self._grid(ws, block, place, widths)
        self._fit_headers(ws, widths)
        for col, width in widths.items():
            ws.set_column(col, col, width)
        anchor = None
        for slot, chart in enumerate(sheet.charts):
            anchor = self._chart(ws, chart, slot, anchor)
        first = self.places[_key(sheet.blocks[0])]
        if isinstance(sheet.blocks[0], Table) and len(sheet.blocks) == 1:
            ws.freeze_panes(first.header_row + 1, 1)
        self._print(ws, sheet, widths)
        ws.hide_gridlines(2)
        ws.protect("", PROTECTION)

    def _fit_headers(self, ws: Any, widths: dict[int, float]) -> None:
        """Headers wrap: a column widens only where one word cannot fit; each header row is as
        tall as its most wrapped header."""
        for _, col, text, table in self.headers:
            widths[col] = pres.header_fit(text, widths.get(col, 0), table=table)[0]
        lines: dict[int, int] = {}
        for row, col, text, table in self.headers:
            lines[row] = max(lines.get(row, 1), pres.header_fit(text, widths[col], table=table)[1])
        for row, n in lines.items():
            ws.set_row(row, max(pres.row_height(n, self.lang), 30))
        for row, col, text in self.labels:
            n = pres.header_fit(text, widths[col], table=False)[1]
            if n > 1:
                ws.set_row(row, pres.row_height(n, self.lang))

    def _print(self, ws: Any, sheet: Sheet, widths: dict[int, float]) -> None:
        """Print setup as the sheet declares it (Sheet.print_fit, pages_wide)."""
        ws.set_landscape() if sheet.landscape else ws.set_portrait()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(pres.footer(self.lang, self.t.title(self.lang), self._facts()))
        tables = [self.places[b.name] for b in sheet.blocks if isinstance(b, Table)]
        if sheet.print_fit == "summary" or not tables:
            ws.fit_to_pages(sheet.pages_wide, 0)
            return
        longest = max(tables, key=lambda p: p.rows)
        ws.repeat_rows(longest.header_row)
        if sheet.pages_wide == 1:
            ws.fit_to_pages(1, 0)
            return
        ws.repeat_columns(0)   # the ID column on every page
        layout = pres.page_columns([widths.get(c, 8.43) for c in range(max(widths) + 1)], sheet.pages_wide,
                                   landscape=sheet.landscape)
        ws.set_print_scale(layout.scale)
        ws.set_v_pagebreaks(list(layout.breaks))

    def _facts(self) -> list[str]:
        """What the footer says the workbook is about: the owner, period and customer its forms hold."""
        facts = []
        for form in self.t.forms():
            values = self.forms.get(form.prefix, {})
            for key in ("customer", "owner", "period"):
                if any(f.key == key for f in form.fields) and values.get(key) not in (None, ""):
                    facts.append(str(values[key]))
        return facts

    # --- blocks --------------------------------------------------------------------------
    def _table(self, ws: Any, table: Table, place: Placed, widths: dict[int, float]) -> None:
        data = self.rows[table.name]
        n = place.rows
        bulk = len(data) > BULK_ROWS
        columns = []
        for c, col in enumerate(table.columns):
            spec: dict[str, Any] = {"header": col.header(self.lang)}
            if not bulk:  # (bulk: bulk.py copies the first row's format and formula to every row)
                spec["format"] = self._format("tcalc" if col.formula else "in", col)
                if col.formula:
                    spec["formula"] = self._formula(self._edition(col), table)
            columns.append(spec)
            widths[place.first_col + c] = max(widths.get(place.first_col + c, 0), col.width)
        last_col = place.first_col + len(columns) - 1
        # XlsxWriter notes every cell of a table's range to refuse overlaps (3 million entries for a
        # business unit's lines): a bulk table is declared over its first row, then given its range.
        ws.add_table(place.header_row, place.first_col, place.header_row + (1 if bulk else n), last_col,
                     {"name": table.name, "style": table.style, "columns": columns, "autofilter": True})
        if bulk:
            whole = xl_range(place.header_row, place.first_col, place.header_row + n, last_col)
            ws.tables[-1].update({"range": whole, "a_range": whole, "autofilter": whole})
        self.headers += [(place.header_row, place.first_col + c, col.header(self.lang), True)
                         for c, col in enumerate(table.columns)]
        for r in range(1 if bulk else n):
            row = place.header_row + 1 + r
            values = data[r] if r < len(data) else {}
            for c, col in enumerate(table.columns):
                given = values.get(col.key)
                value = self.book.column(table.name, col.key)[r] if col.formula else given
                self._cell(ws, row, place.first_col + c, col, value, table, typed=isinstance(given, Typed))
        if bulk:  # the first row is the pattern; the rest go straight into the XML (bulk.py)
            part = f"xl/worksheets/sheet{self.wb.worksheets().index(ws) + 1}.xml"
            self.bulk.append(BulkRows(part, place.header_row + 2, place.first_col, [c.key for c in table.columns],
                                      data, {c.key: self.book.column(table.name, c.key)
                                             for c in table.columns if c.formula}))
        for c, col in enumerate(table.columns):
            self._validate(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)
            self._look(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)

    def _form(self, ws: Any, form: Form, place: Placed, widths: dict[int, float]) -> None:
        values = self.forms.get(form.prefix, {})
        labels = max(_text_width(col.header(self.lang)) for col in form.fields)
        widths[place.first_col] = max(widths.get(place.first_col, 0), 22, labels)
        for i, col in enumerate(form.fields):
            row = place.first_row + i
            ws.write(row, place.first_col, col.header(self.lang), self.fmt["label"])
            value = self.book.field(form.prefix, col.key) if col.formula else values.get(col.key)
            self._cell(ws, row, place.first_col + 1, col, value, None, wrap=col.width >= 40,
                       typed=isinstance(values.get(col.key), Typed))
            self._validate(ws, row, row, place.first_col + 1, col)
            self._look(ws, row, row, place.first_col + 1, col)
            widths[place.first_col + 1] = max(widths.get(place.first_col + 1, 0), col.width)
            self.wb.define_name(f"{form.prefix}_{col.key}", f"={_quote(ws.name)}!{_abs(row, place.first_col + 1)}")

    def _grid(self, ws: Any, grid: Grid, place: Placed, widths: dict[int, float]) -> None:
        ws.write(place.header_row, place.first_col, grid.row_header(self.lang), self.fmt["header"])
        widths[place.first_col] = max(widths.get(place.first_col, 0), 20)
        self.headers.append((place.header_row, place.first_col, grid.row_header(self.lang), False))
        for c, col in enumerate(grid.columns, start=1):
            ws.write(place.header_row, place.first_col + c, col.header(self.lang), self.fmt["header"])
            widths[place.first_col + c] = max(widths.get(place.first_col + c, 0), col.width)
            self.headers.append((place.header_row, place.first_col + c, col.header(self.lang), False))
        first, last = place.header_row + 1, place.header_row + place.rows
        body = self.book.grid(grid.key)

        def cached(r: int, c: int) -> object:   # the stored value of the body's cell (sheet row r)
            value = body[r - first][c]
            return "" if value is None else value

        if grid.funnel and (self.snapshot or self.edition == "portable"):
            formulas = self._funnel_formulas(grid, place) if self.edition == "portable" else None
            for r in range(first, last + 1):
                for c in range(len(grid.columns) + 1):
                    col = grid.columns[c - 1] if c else None
                    value, fmt = cached(r, c), self._format("calc", col)
                    if formulas:  # the portable edition: a plain formula per cell
                        ws.write_formula(r, place.first_col + c, formulas[r - first][c], fmt, value)
                    else:         # values only: see build_workbook
                        ws.write(r, place.first_col + c, value, fmt)
        elif grid.funnel:
            formula = self._formula(grid.funnel.formula, None)
            ws.write_array_formula(first, place.first_col, last, place.first_col + len(grid.columns), formula,
                                   self.fmt["calc:text"], cached(first, 0))
            for r in range(first, last + 1):
                for c in range(len(grid.columns) + 1):
                    col = grid.columns[c - 1] if c else None
                    fmt = self._format("calc", col) if col else self.fmt["calc:text"]
                    if (r, c) != (first, 0):
                        ws.write(r, place.first_col + c, cached(r, c), fmt)
        else:
            for i, (_, label) in enumerate(grid.rows):
                row = first + i
                text = getattr(label, self.lang)  # raw: may hold {placeholders}
                if text.startswith("="):  # a computed row label (the next forecast periods)
                    prev = {"prev": xl_rowcol_to_cell(row - 1, place.first_col)}
                    ws.write_formula(row, place.first_col, self._formula(getattr(label, self.lang), None, prev),
                                     self.fmt["label"], cached(row, 0))
                else:   # wrapped, its row as tall as the lines (see _fit_headers)
                    ws.write(row, place.first_col, text, self.fmt["label:wrap"])
                    self.labels.append((row, place.first_col, text))
                for c, col in enumerate(grid.columns, start=1):
                    extra = {"row": xl_rowcol_to_cell(row, place.first_col), "row_key": grid.rows[i][0]}
                    ws.write_formula(row, place.first_col + c, self._formula(col.formula, None, extra),
                                     self._format("calc", col), cached(row, c))
        for c, col in enumerate(grid.columns, start=1):
            self._look(ws, first, last, place.first_col + c, col)

    # --- cells ---------------------------------------------------------------------------
    def _cell(self, ws: Any, row: int, col: int, column: Column, value: object, table: Table | None,
              wrap: bool = False, typed: bool = False) -> None:
        calc = "tcalc" if table else "calc"
        if typed:   # a value someone typed over the formula: kept, in the calculated look
            fmt = self._format(calc, column)
            ws.write(row, col, value, self._quoted(fmt) if str(value).startswith(FORMULA_LIKE) else fmt)
            return
        if column.formula and column.stored and self.edition == "portable":
            # plain Excel cannot compute it: the value kamxl computed, marked as such
            ws.write(row, col, "" if value is None else value, self._stored_format(calc, column))
            ws.write_comment(row, col, STORED_NOTE(self.lang), {"author": "kamxl", "x_scale": 2, "y_scale": 1.5})
            return
        if column.formula:
            formula = self._formula(self._edition(column), table)
            ws.write_formula(row, col, formula, self._format(calc, column), "" if value is None else value)
            return
        style = "in" if table else "form"   # a form's input cells look like inputs
        fmt = self.fmt[f"{style}:text:wrap"] if wrap and column.kind is Kind.TEXT else self._format(style, column)
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.write_datetime(row, col, value if isinstance(value, dt.datetime)
                              else dt.datetime(value.year, value.month, value.day), fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, fmt)
        else:
            text = str(value)
            ws.write_string(row, col, text, self._quoted(fmt) if text.startswith(FORMULA_LIKE) else fmt)

    def _quoted(self, fmt: Any) -> Any:
        """The same look with Excel's quote prefix (the text is never taken for a formula)."""
        key = f"quoted:{id(fmt)}"
        if key not in self.fmt:
            self.fmt[key] = self.wb.add_format({**self.props[id(fmt)], "quote_prefix": True})
        return self.fmt[key]

    def _edition(self, column: Column) -> str | Text:
        assert column.formula is not None
        return column.portable if self.edition == "portable" and column.portable else column.formula

    def _stored_format(self, calc: str, column: Column) -> Any:
        key = f"stored:{id(self._format(calc, column))}"
        if key not in self.fmt:
            self.fmt[key] = self._add_format({**self.props[id(self._format(calc, column))], **STORED_LOOK})
        return self.fmt[key]

    def _format(self, style: str, column: Column | None) -> Any:
        """The style's format for the column's kind ('in', 'form', 'calc', 'tcalc'), with the
        column's own number format where it declares one."""
        fmt = self.fmt[f"{style}:{_kind(column).value}"]
        if column is None or not column.number_format:
            return fmt
        key = f"{style}:{column.number_format}"
        if key not in self.fmt:
            self.fmt[key] = self._add_format({**self.props[id(fmt)], "num_format": column.number_format})
        return self.fmt[key]

    def _funnel_formulas(self, grid: Grid, place: Placed) -> list[list[str]]:
        """The portable edition of a KAM_FUNNEL block: a plain formula per cell."""
        spec = grid.funnel
        assert spec is not None

        def ref(token: str) -> str:
            return self._formula("{" + token + "}", None)

        positions = {"stage": 0, **{c.key: i for i, c in enumerate(grid.columns, start=1)}}
        cells = [{k: xl_rowcol_to_cell(place.header_row + 1 + r, place.first_col + c) for k, c in positions.items()}
                 for r in range(place.rows)]
        bench = tuple(ref(b) for b in spec.benchmarks) if spec.benchmarks else None
        return funnel_cells(ref(spec.stages), ref(spec.amounts), ref(spec.statuses), bench,  # type: ignore[arg-type]
                            lang=self.lang, config=self.cfg, cells=cells)

    def _formula(self, formula: str | Text | None, table: Table | None, extra: dict[str, str] | None = None) -> str:
        assert formula is not None
        if extra:
            return resolve(formula, lang=self.lang, table=table, places=self.places, config=self.cfg, extra=extra)
        key = (formula, table.name if table else None)   # a table column's formula is the same on every row
        if key not in self.resolved:
            self.resolved[key] = resolve(formula, lang=self.lang, table=table, places=self.places, config=self.cfg)
        return self.resolved[key]

    # --- validation and looks --------------------------------------------------------------
    def _validate(self, ws: Any, first: int, last: int, col: int, column: Column) -> None:
        rule: dict[str, Any] | None = None
        header = column.header(self.lang)[:32]
        # "stop" where the methodology's list is closed (stage, yes/no, period: M-FUN-1, M-FC-1);
        # a vocabulary or currency only warns (a synonym or another currency may be right)
        if column.kind is Kind.STAGE:
            rule = {"validate": "list", "source": self._list("Stage", [s.label(self.lang) for s in self.cfg.stages]),
                    "error_type": "stop"}
        elif column.key == "period" and column.kind is Kind.ID and self.t.id == "forecast":
            rule = {"validate": "list", "source": self._list("Period", pres.periods(
                self.cfg.forecast.period, *PERIOD_YEARS)), "error_type": "stop"}
        elif column.kind is Kind.CHOICE and column.vocabulary:
            rule = {"validate": "list", "source": self._vocab_list(column.vocabulary), "error_type": "warning"}
        elif column.kind is Kind.YES_NO:
            rule = {"validate": "list", "source": list(YES_NO[self.lang]), "error_type": "stop"}
        elif column.kind in (Kind.MONEY, Kind.NUMBER, Kind.SCORE, Kind.INTEGER, Kind.PERCENT):
            lo, hi = column.bounds or (0, 1e15)
            rule = {"validate": "integer" if column.kind is Kind.INTEGER else "decimal", "criteria": "between",
                    "minimum": lo, "maximum": hi}
        elif column.kind is Kind.DATE:
            rule = {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                    "maximum": dt.date(2100, 12, 31)}
        elif column.key == "currency":
            rule = {"validate": "list", "source": list(CURRENCIES), "error_type": "warning"}
        if column.kind is Kind.FORMULA:
            return
        rule = rule or {"validate": "any"}
        if column.hint:
            rule.update(input_title=header, input_message=column.hint(self.lang)[:255])
        if rule["validate"] != "any":
            rule.update(error_title=header, error_message=_error_message(column, self.lang)[:255])
        ws.data_validation(first, col, last, col, rule)

    def _list(self, name: str, labels: list[str]) -> str:
        self.lists.setdefault(name, labels)  # written to the hidden lists sheet at the end
        return f"=List_{name}"

    def _vocab_list(self, vocabulary: Vocabulary) -> str:
        return self._list(vocabulary.name.en.title().replace(" ", ""), vocabulary.labels(self.lang))

    def _look(self, ws: Any, first: int, last: int, col: int, column: Column) -> None:
        cells = (first, col, last, col)
        if column.look == "ratio":  # M-FUN-3 traffic lights: > 100% green, >= 70% amber, else red
            ws.conditional_format(*cells, {"type": "icon_set", "icon_style": "3_traffic_lights", "icons": [
                {"criteria": ">", "type": "number", "value": self.cfg.health.excellent_above},
                {"criteria": ">=", "type": "number", "value": self.cfg.health.good_from}]})
        elif column.look == "band":
            for term in HEALTH_BAND.terms:
                ws.conditional_format(*cells, {"type": "cell", "criteria": "==", "value": f'"{term.label(self.lang)}"',
                                               "format": self.wb.add_format({"bg_color": BAND_FILLS[term.key]})})

    def _chart(self, ws: Any, chart: Chart, slot: int = 0,
               anchor: tuple[int, int] | None = None) -> tuple[int, int]:
        """Beside its source block; a sheet's further charts in a row to the right of the first.
        Returns where the first one stands."""
        place = self.places[chart.source]
        block = place.block
        first = place.header_row + 1
        last = place.header_row + (chart.rows or place.rows)
        if isinstance(block, Grid):  # column 0 holds the row labels
            keys = ["", *(c.key for c in block.columns)]
        else:
            assert isinstance(block, Table)
            keys = [c.key for c in block.columns]
        col = {key: place.first_col + i for i, key in enumerate(keys)}
        sheet = _quote(ws.name)

        def span(key: str) -> str:
            return f"={sheet}!{_abs(first, col[key])}:{_abs(last, col[key])}"

        xl = self.wb.add_chart({"type": chart.kind, **({"subtype": chart.subtype} if chart.subtype else {})})
        for key in chart.values:
            series: dict[str, Any] = {"name": [ws.name, place.header_row, col[key]],
                                      "categories": span(chart.categories), "values": span(key)}
            if chart.kind == "scatter":
                series["marker"] = {"type": "circle", "size": 8}
                if chart.labels:
                    series["data_labels"] = {"custom": [{"value": f"={sheet}!{_abs(r, col[chart.labels])}"}
                                                        for r in range(first, last + 1)], "position": "right"}
            else:
                series["gap"] = 40
            xl.add_series(series)
        xl.set_title({"name": chart.title(self.lang), "name_font": {"size": 11}})
        if chart.kind == "bar":
            xl.set_y_axis({"reverse": True})  # stage 01 at the top: the funnel's wide end
        if chart.axis_max is not None:
            axis = {"min": 0, "max": chart.axis_max, "major_unit": 1}
            xl.set_x_axis({**axis, "name": block.column(chart.categories).header(self.lang)
                           if isinstance(block, Table) else ""})
            xl.set_y_axis({**axis, "name": block.column(chart.values[0]).header(self.lang)
                           if isinstance(block, Table) else ""})
        xl.set_legend({"position": "bottom"} if len(chart.values) > 1 else {"none": True})
        xl.set_size({"width": CHART_WIDTH, "height": 360})
        row, col = anchor or (place.header_row, place.first_col + len(keys) + 1)
        ws.insert_chart(row, col, xl, {"x_offset": slot * (CHART_WIDTH + 16)} if slot else {})
        return row, col

    # --- support sheets ----------------------------------------------------------------------
    def _instructions(self) -> None:
        """After the template's sheets, so each workbook still opens on its first one."""
        ws = instructions.write(self)
        ws.set_footer(pres.footer(self.lang, self.t.title(self.lang), self._facts()))
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.hide_gridlines(2)
        ws.protect("", PROTECTION)

    def _lists_sheet(self) -> None:
        ws = self.wb.add_worksheet(LISTS_SHEET)
        for c, (name, labels) in enumerate(sorted(self.lists.items())):
            ws.write(0, c, name)
            for r, label in enumerate(labels, start=1):
                ws.write_string(r, c, label)
            col = xl_col_to_name(c)
            self.wb.define_name(f"List_{name}", f"={LISTS_SHEET}!${col}$2:${col}${len(labels) + 1}")
        ws.very_hidden()   # not in Excel's Unhide list: only kamxl reads it

    def _keys_sheet(self) -> None:
        """The spellings table and settings the plain formulas look up (kamxl.templates.keys)."""
        ws = self.wb.add_worksheet(KEYS_SHEET)
        table = spellings.columns(self.cfg)
        prob = [c for c, column in enumerate(table) if column.title.startswith(spellings.PROB_BLOCK)]
        for c, column in enumerate(table):
            ws.write_string(0, c, column.title)
            for r, cell in enumerate(column.cells, start=1):
                if isinstance(cell, spellings.Error):
                    ws.write_formula(r, c, cell.formula, None, cell.code)
                elif isinstance(cell, str):
                    ws.write_string(r, c, cell)
                else:
                    ws.write_number(r, c, cell)
            letter = xl_col_to_name(c)
            for name, (first, last) in column.names.items():
                self.wb.define_name(name, f"={KEYS_SHEET}!${letter}${first + 2}:${letter}${last + 2}")
        rows = len(table[prob[0]].cells)
        self.wb.define_name(spellings.PROB_BLOCK, f"={KEYS_SHEET}!${xl_col_to_name(prob[0])}$2:"
                                                  f"${xl_col_to_name(prob[-1])}${rows + 1}")
        ws.very_hidden()   # not in Excel's Unhide list: only kamxl reads it

    def _meta_sheet(self) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        for r, (key, value) in enumerate([("template", self.t.id), ("schema_version", self.t.version),
                                          ("language", self.lang), ("title", self.t.title(self.lang)),
                                          ("generator", "kamxl"), ("edition", self.edition)]):
            ws.write_string(r, 0, key)
            ws.write(r, 1, value)
        ws.very_hidden()   # not in Excel's Unhide list: only kamxl reads it


def _with_seed(table: Table, config: Config, lang: Lang, given: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    seeded = seed_rows(table, config, lang)
    if not seeded:
        return given
    return [{**s, **g} for s, g in zip(seeded, given)] + seeded[len(given):]


def _text_width(text: str) -> float:
    """Column width (in characters) a bold label needs: a Chinese character takes two."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text) * 1.1 + 1


def _key(block: Form | Table | Grid) -> str:
    return block.name if isinstance(block, Table) else block.prefix if isinstance(block, Form) else block.key


def _kind(column: Column | None) -> Kind:
    if column is None:
        return Kind.TEXT
    return column.result if column.kind is Kind.FORMULA else column.kind


def _num(kind: Kind) -> str:
    from kamxl.schema.model import NUMBER_FORMATS

    return NUMBER_FORMATS.get(kind, "@" if kind in (Kind.ID,) else "General")


def _quote(name: str) -> str:
    return f"'{name}'"


def _abs(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _error_message(column: Column, lang: Lang) -> str:
    if column.kind is Kind.DATE:
        return Text("请输入日期，如 2026-11-23", "Enter a date, e.g. 2026-11-23")(lang)
    if column.kind in (Kind.STAGE, Kind.CHOICE, Kind.YES_NO) or column.key in ("currency", "period"):
        return Text("请从下拉列表中选择", "Please choose from the list")(lang)
    lo, hi = column.bounds or (0, 1e15)
    return pres.number_message(column.kind.value, lo, hi, lang)


def build_workbook(template: Template, path: Path, *, lang: Lang, config: Config | None = None,
                   rows: Mapping[str, Sequence[dict[str, Any]]] | None = None,
                   forms: Mapping[str, Mapping[str, Any]] | None = None, edition: str = "kam",
                   snapshot: bool = False) -> Path:
    """Write ``template`` to ``path`` (blank, or filled with ``rows``/``forms``), every formula
    with the value it gives stored beside it; ``edition`` 'kam' (KAM_* functions) or
    'portable' (plain Excel functions).

    ``snapshot`` writes KAM_FUNNEL's block as plain values: for rendering the KAM_* edition's
    pages in LibreOffice, which recomputes array formulas on load and cannot run KAM_* functions.
    """
    Builder(template, path, lang=lang, config=config or default_config(), rows=rows or {}, forms=forms or {},
            edition=edition, snapshot=snapshot).build()
    return path
