"""Write a template (blank or filled) as a real Excel workbook, from its schema.

XlsxWriter is used because it writes every native feature a user expects (tables,
dropdown validation with input messages, conditional formats, charts, print setup,
defined names) *and* can store each formula's cached result, so a filled example shows
correct numbers in any reader, before any recalculation.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kamxl.errors import InputError
from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.vocabulary import HEALTH_BAND, Vocabulary
from kamxl.schema.model import META_SHEET, Chart, Column, Flag, Form, Grid, Kind, Sheet, Table, Template
from kamxl.templates import keys as spellings
from kamxl.templates.bulk import FORMULA_LIKE, BulkRows, Columns, fill
from kamxl.templates.layout import GAP_ROWS, Placed, hint_params, plan, resolve, seed_rows
from kamxl.templates import instructions
from kamxl.templates import presentation as pres
from kamxl.templates.portable import funnel_cells
from kamxl.templates.stored import Book, Typed

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
WHOLE_FORMAT = "#,##0"
# funnel bar labels in millions: a full amount does not fit the narrow bars of the late stages
FUNNEL_LABEL = Text('#,##0.0,,"百万"', '#,##0.0,,"M"')
FUNNEL_FILLS = ("#2E75B6", "#BFBFBF")    # the stages' amounts, then their benchmarks
ZONE_COLOR = "#00B050"
BAND_FILLS = {"excellent": "#C6EFCE", "good": "#FFEB9C", "warning": "#FFC7CE"}
# A rule flag's look (kamxl.schema.model.Flag): fill and text colour, the same in every workbook.
FLAG_LOOKS = {"error": ("#FFC7CE", "#9C0006"), "warning": ("#FFEB9C", "#7F5200"),
              "good": ("#C6EFCE", "#006100"), "info": ("#DDEBF7", "#1F4E78")}
INPUT_STYLE = {"bg_color": "#FFF8E1", "border": 1, "border_color": "#BFBFBF"}   # a form's cell to type into
# sheet protection: no password; what a rep does to a table stays allowed
PROTECTION = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
              "select_locked_cells": True, "select_unlocked_cells": True}


# the forecast periods a header's period dropdown offers (M-FC-1): fixed, so builds are reproducible
PERIOD_YEARS = (2020, 2035)
CHART_WIDTH = 640   # pixels
CHART_ROWS = 19     # rows a chart 360 pixels high spans (20 pixels a row), and one to spare
CHART_HEIGHT = 360  # pixels
#: a data row's own options (a report table's row dict may carry it): ``level``, its outline
#: level (Excel folds level-1 rows under the level-0 row above them; its text is indented as
#: deep); ``style``, 'subtotal' or 'total' (bold, a total with a rule above it)
ROW_OPTIONS = "__row"
ROW_STYLES: dict[str, dict[str, Any]] = {"subtotal": {"bold": True}, "total": {"bold": True, "top": 1}}
BULK_ROWS = 2_000   # a table with more data rows than this is written by bulk.py


_CALLED = re.compile(r"\b([\w.]+)\(")   # the name before each "(", dots included (STDEV.S): all XlsxWriter's patterns look at
_RENAMED: dict[tuple[str, bool], str] = {}   # (function name, expanded) -> as XlsxWriter writes it


def _stripped(formula: str) -> str:
    """What XlsxWriter's ``_prepare_formula`` does to every formula first."""
    if formula.startswith("{"):
        formula = formula[1:]
    if formula.startswith("="):
        formula = formula[1:]
    return formula[:-1] if formula.endswith("}") else formula


def _number_fit(column: Column, rows: list[dict[str, Any]]) -> float:
    """The width a money or whole-number column needs for its largest value written (digits,
    thousands separators, a sign; bold in a total row): narrower, the cell shows ### instead."""
    if column.kind not in (Kind.MONEY, Kind.INTEGER):
        return 0.0
    values = (row.get(column.key) for row in rows)
    biggest = max((abs(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)), default=0)
    return pres.text_width(f"-{biggest:,.0f}") + pres.NUMBER_PADDING


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet (``add_worksheet(worksheet_class=…)``), remembering each
    prepared formula: a table column repeats one formula on every row. Preparing one runs
    ~150 regular expressions (``\\bNAME\\(`` -> ``_xlfn.NAME(`` for Excel's newer functions);
    here only the names a formula calls are looked at (~0.3 s of writing a small roll-up)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        prepared: dict[tuple[str, bool], str] = self.__dict__.setdefault("_kamxl_prepared", {})
        key = (formula, expand_future_functions)
        if key not in prepared:
            prepared[key] = self._prepared(formula, expand_future_functions)
        return prepared[key]

    def _prepared(self, formula: str, expand: bool) -> str:
        names = set(_CALLED.findall(formula))
        # already prefixed: XlsxWriter leaves it; its one other pattern is \SINGLE\( (no \b)
        if "_xlfn." in formula or any(n.endswith("INGLE") for n in names):
            return super()._prepare_formula(formula, expand)
        out = _stripped(formula)
        for name in sorted(names):
            renamed = self._renamed(name, expand)
            if renamed != name:
                out = re.sub(rf"\b{re.escape(name)}\(", lambda _m, r=renamed: f"{r}(", out)
        return out

    def _renamed(self, name: str, expand: bool) -> str:
        """A function's name as XlsxWriter writes it, asked of XlsxWriter once per name."""
        key = (name, expand or self.use_future_functions)
        if key not in _RENAMED:
            _RENAMED[key] = super()._prepare_formula(f"{name}()", expand)[:-2]
        return _RENAMED[key]

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
        self.by_column: dict[tuple[str, int], Any] = {}   # (style, id(column)) -> its format (_format)
        self.lists: dict[str, list[str]] = {}
        self.resolved: dict[tuple[object, str | None], str] = {}
        self.path, self.bulk = path, []   # tables too big for cell-by-cell writing: see bulk.py
        self.rep_copy = _rep_copy(template, forms)
        self.outline: dict[int, dict[str, Any]] = {}   # this sheet's outlined columns (manager's columns)

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
            "label": add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "top"}),
            "label:wrap": add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                               "valign": "vcenter"}),
            "header": add({**base, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                           "text_wrap": True, "valign": "vcenter"}),
            "band": add({**base, "bold": True, "bg_color": "#DDEBF7", "font_color": "#1F4E78", "border": 1,
                         "align": "center", "valign": "vcenter"}),
            "note": add({**base, "font_size": 9, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True,
                         "valign": "top"}),
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
        title = f"{self.t.title(self.lang)} · {sheet.name(self.lang)}"
        if sheet.heading:   # whose and when, on a page that is read on its own
            values = {f.key: "" for form in self.t.forms() for f in form.fields}   # blank where not given
            values.update({k: v for form in self.forms.values() for k, v in form.items() if v is not None})
            title += " · " + sheet.heading(self.lang, **values)
        ws.write(0, 0, title, self.fmt["title"])
        if sheet.hint:
            ws.write(1, 0, sheet.hint(self.lang), self.fmt["hint"])
        widths: dict[int, float] = {}
        self.outline = {}
        self.headers: list[tuple[int, int, str, bool]] = []   # (row, col, text, in a table)
        self.labels: list[tuple[int, int, str]] = []          # a grid's row labels: (row, col, text)
        for block in sheet.blocks:
            place = self.places[_key(block)]
            title = (block.title or sheet.name)(self.lang) if isinstance(block, Form) else block.title(self.lang)
            ws.write(place.title_row, place.first_col, title, self.fmt["block"])
            if isinstance(block, Table):
                self._table(ws, block, place, widths)
            elif isinstance(block, Form):
                self._form(ws, block, place, widths)
            else:
                self._grid(ws, block, place, widths)
        self._fit_headers(ws, widths)
        for col, width in widths.items():
            ws.set_column(col, col, width, None, self.outline.get(col, {}))
        for col, options in self.outline.items():
            if col not in widths:   # the collapse button's column, right of a folded group
                ws.set_column(col, col, None, None, options)
        if sheet.manager and self.rep_copy:
            ws.hide()
        anchor = None
        if sheet.charts_below:   # stacked under the last block, within the page's width
            anchor = (max(self.places[_key(b)].last_row for b in sheet.blocks) + 3, 0)
        for slot, chart in enumerate(sheet.charts):
            anchor = self._chart(ws, chart, slot, anchor, sheet, stacked=sheet.charts_below)
        if sheet.active:
            ws.activate()
        main = _main_table(sheet)
        if main is not None:   # its header row and first (ID) column stay in view while scrolling
            first = self.places[main.name]
            ws.freeze_panes(first.header_row + 1, first.first_col + 1)
            ws.repeat_rows(first.header_row - main.lead_rows, first.header_row)
            self._fold_above(ws, sheet, first)
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
        ws.repeat_rows(longest.header_row - longest.block.lead_rows, longest.header_row)  # bands and notes too
        if sheet.pages_wide == 1:
            ws.fit_to_pages(1, 0)
            return
        if not ws.repeat_col_range:   # the ID column on every page (a questionnaire repeats its own)
            ws.repeat_columns(0)
        table = longest.block
        assert isinstance(table, Table)
        bands = frozenset(longest.first_col + c for c in range(1, len(table.columns))
                          if table.columns[c].group and table.columns[c].group != table.columns[c - 1].group)
        repeat = _col_index(ws.repeat_col_range.split(":")[-1]) + 1   # 'Sheet!$A:$B': 2 columns
        layout = pres.page_columns([widths.get(c, 8.43) for c in range(max(widths) + 1)], sheet.pages_wide,
                                   landscape=sheet.landscape, repeat=repeat, breaks_at=bands or None)
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
            # the header's own look, wrapped (pres.header_fit sizes the row): what the table style
            # gives in Excel, kept where table styles are not drawn (LibreOffice, WPS)
            spec: dict[str, Any] = {"header": col.header(self.lang), "header_format": self.fmt["header"]}
            if not bulk:  # (bulk: bulk.py copies the first row's format and formula to every row)
                spec["format"] = self._format("tcalc" if col.formula else "in", col)
                if col.formula:
                    spec["formula"] = self._formula(self._edition(col), table)
            columns.append(spec)
            fit = 0.0 if bulk else _number_fit(col, data)
            widths[place.first_col + c] = max(widths.get(place.first_col + c, 0), col.width, fit)
        last_col = place.first_col + len(columns) - 1
        # XlsxWriter notes every cell of a table's range to refuse overlaps (3 million entries for a
        # business unit's lines): a bulk table is declared over its first row, then given its range.
        ws.add_table(place.header_row, place.first_col, place.header_row + (1 if bulk else n), last_col,
                     {"name": table.name, "style": table.style, "columns": columns, "autofilter": True})
        if bulk:
            whole = xl_range(place.header_row, place.first_col, place.header_row + n, last_col)
            ws.tables[-1].update({"range": whole, "a_range": whole, "autofilter": whole})
        self._lead(ws, table, place)
        self.headers += [(place.header_row, place.first_col + c, col.header(self.lang), True)
                         for c, col in enumerate(table.columns)]
        for r in range(1 if bulk else n):
            row = place.header_row + 1 + r
            values = data[r] if r < len(data) else {}
            looks = self._row_options(ws, row, values.get(ROW_OPTIONS))
            for c, col in enumerate(table.columns):
                given = values.get(col.key)
                value = self.book.column(table.name, col.key)[r] if col.formula else given
                self._cell(ws, row, place.first_col + c, col, value, table, typed=isinstance(given, Typed),
                           look=looks[col.kind is Kind.TEXT] if looks else None)
        if bulk:  # the first row is the pattern; the rest go straight into the XML (bulk.py)
            part = f"xl/worksheets/sheet{self.wb.worksheets().index(ws) + 1}.xml"
            self.bulk.append(BulkRows(part, place.header_row + 2, place.first_col, [c.key for c in table.columns],
                                      data, {c.key: self.book.column(table.name, c.key)
                                             for c in table.columns if c.formula}))
        for c, col in enumerate(table.columns):
            self._validate(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)
            self._look(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)
        self._fold([place.first_col + c for c, col in enumerate(table.columns) if col.manager], columns=True)
        self._flags(ws, table, place)

    def _lead(self, ws: Any, table: Table, place: Placed) -> None:
        """The rows between a table's title and its header: a band naming each group of columns
        (merged across them), then each column's note, wrapped (the Assessment's questions)."""
        row = place.header_row - table.lead_rows
        if any(c.group for c in table.columns):
            start = 0
            for end in range(1, len(table.columns) + 1):
                group = table.columns[start].group
                if end < len(table.columns) and table.columns[end].group == group:
                    continue
                if group:
                    first, last = place.first_col + start, place.first_col + end - 1
                    if first == last:
                        ws.write(row, first, group(self.lang), self.fmt["band"])
                    else:
                        ws.merge_range(row, first, row, last, group(self.lang), self.fmt["band"])
                start = end
            ws.set_row(row, 18)
            row += 1
        if any(c.note for c in table.columns):
            for c, col in enumerate(table.columns):
                ws.write(row, place.first_col + c, col.note(self.lang) if col.note else "", self.fmt["note"])
            lines = max(pres.note_lines(c.note(self.lang), c.width) for c in table.columns if c.note)
            ws.set_row(row, pres.note_height(lines, self.lang))
        # a questionnaire is wider than a page: the columns before its first group (which row it
        # is: the ID and name) repeat on every page
        leading = next((c for c, col in enumerate(table.columns) if col.group), 0)
        if leading:
            ws.repeat_columns(place.first_col, place.first_col + leading - 1)

    def _row_options(self, ws: Any, row: int, options: Mapping[str, Any] | None) -> tuple[dict[str, Any], ...]:
        """A row's outline level (summary rows above their details) and style: the format
        changes of its cells, (other cells, text cells); () for a plain row."""
        if not options:
            return ()
        look = dict(ROW_STYLES.get(options.get("style") or "", {}))
        level = options.get("level") or 0
        if level:
            ws.set_row(row, None, None, {"level": level})
            ws.outline_settings(True, False, True, False)   # the subtotal row is above its people
        return (look, {**look, "indent": level} if level else look)

    def _form(self, ws: Any, form: Form, place: Placed, widths: dict[int, float]) -> None:
        values = self.forms.get(form.prefix, {})
        labels = max(pres.text_width(col.header(self.lang)) + pres.CELL_PADDING for col in form.fields)
        widths[place.first_col] = max(widths.get(place.first_col, 0), 22, labels)
        for i, col in enumerate(form.fields):
            row = place.first_row + i
            ws.write(row, place.first_col, col.header(self.lang), self.fmt["label"])
            value = self.book.field(form.prefix, col.key) if col.formula else values.get(col.key)
            self._cell(ws, row, place.first_col + 1, col, value, None, wrap=col.width >= 40,
                       typed=isinstance(values.get(col.key), Typed))
            if col.width >= 40 and isinstance(value, str):   # a wrapped answer: tall enough for its lines
                lines = pres.wrapped_lines(value, col.width - pres.CELL_PADDING)
                if lines > 1:
                    ws.set_row(row, pres.row_height(lines, self.lang))
            self._validate(ws, row, row, place.first_col + 1, col)
            self._look(ws, row, row, place.first_col + 1, col)
            widths[place.first_col + 1] = max(widths.get(place.first_col + 1, 0), col.width)
            self.wb.define_name(f"{form.prefix}_{col.key}", f"={_quote(ws.name)}!{_abs(row, place.first_col + 1)}")
        self._fold([place.first_row + i for i, col in enumerate(form.fields) if col.manager], columns=False, ws=ws)
        self._flags(ws, form, place)

    def _fold_above(self, ws: Any, sheet: Sheet, table: Placed) -> None:
        """The blocks above a frozen table (a header form) as an open row group: once filled in,
        one click folds them away and the frozen rows take a few lines of the screen."""
        top = self.places[_key(sheet.blocks[0])].first_row - 1
        for row in range(top, table.first_row - 1):   # from the first block's title to the table's
            ws.set_row(row, None, None, {"level": 1})

    def _fold(self, lines: list[int], *, columns: bool, ws: Any = None) -> None:
        """M-FC-4: the manager's columns (or form rows) as an outline group Excel can fold:
        folded in a rep's copy, open in a manager's; the button sits after each run."""
        for i, line in enumerate(lines):
            options: dict[str, Any] = {"level": 1, "hidden": self.rep_copy}
            if columns:
                self.outline[line] = options
            else:
                ws.set_row(line, None, None, options)
            if self.rep_copy and (i + 1 == len(lines) or lines[i + 1] != line + 1):
                if columns:
                    self.outline[line + 1] = {"collapsed": True}
                else:
                    ws.set_row(line + 1, None, None, {"collapsed": True})

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
        if grid.helpers:
            self._helpers(ws, grid, place, widths, cached)

    def _helpers(self, ws: Any, grid: Grid, place: Placed, widths: dict[int, float], cached: Any) -> None:
        """``Grid.helpers``: plain formulas right of a funnel block, on the open stages' rows."""
        first = place.header_row + 1
        open_rows = len(self.cfg.stages) - 1
        keys = ["", *(c.key for c in grid.columns), *(c.key for c in grid.helpers)]
        col = {key: place.first_col + i for i, key in enumerate(keys)}
        whole = {f"{key}_col": f"{_abs(first, at)}:{_abs(first + open_rows - 1, at)}" for key, at in col.items() if key}
        for c, helper in enumerate(grid.helpers, start=len(grid.columns) + 1):
            ws.write(place.header_row, place.first_col + c, helper.header(self.lang), self.fmt["header"])
            widths[place.first_col + c] = max(widths.get(place.first_col + c, 0), helper.width)
            for r in range(first, first + open_rows):
                extra = {**whole, **{key: xl_rowcol_to_cell(r, at) for key, at in col.items() if key},
                         "row_key": str(r - first + 1)}
                ws.write_formula(r, place.first_col + c, self._formula(self._edition(helper), None, extra),
                                 self._format("calc", helper), cached(r, c))

    # --- cells ---------------------------------------------------------------------------
    def _cell(self, ws: Any, row: int, col: int, column: Column, value: object, table: Table | None,
              wrap: bool = False, typed: bool = False, look: dict[str, Any] | None = None) -> None:
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
        if look:
            fmt = self._styled(fmt, look)
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

    def _styled(self, fmt: Any, changes: dict[str, Any]) -> Any:
        """The same look with a row's changes (a subtotal or total row, an indented name)."""
        key = f"styled:{id(fmt)}:{sorted(changes.items())}"
        if key not in self.fmt:
            self.fmt[key] = self._add_format({**self.props[id(fmt)], **changes})
        return self.fmt[key]

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
        column's own number format and alignment where it declares them (once per column:
        a table asks for every cell)."""
        memo = (style, id(column))
        if memo not in self.by_column:
            self.by_column[memo] = self._column_format(style, column)
        return self.by_column[memo]

    def _column_format(self, style: str, column: Column | None) -> Any:
        fmt = self.fmt[f"{style}:{_kind(column).value}"]
        extra: dict[str, Any] = {}
        if column is not None:
            if column.number_format:
                extra["num_format"] = column.number_format
            if column.align:
                extra["align"] = column.align
            if column.look == "ratio":  # a rule keeps the traffic light off the previous column's number
                extra.update(left=1, left_color="#A6A6A6")
        if not extra:
            return fmt
        key = f"{style}:{_kind(column).value}:{sorted(extra.items())}"
        if key not in self.fmt:
            self.fmt[key] = self._add_format({**self.props[id(fmt)], **extra})
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
            rule.update(input_title=header, input_message=column.hint(self.lang, **hint_params(self.cfg))[:255])
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
        elif column.look == "ladder":  # how far up its scale (M-REL-1: 1 contact … 6 partner) at a glance
            top = column.bounds[1] if column.bounds else 1
            ws.conditional_format(*cells, {"type": "data_bar", "bar_color": "#9BC2E6", "bar_solid": True,
                                           "min_type": "num", "min_value": 0, "max_type": "num", "max_value": top})
        elif column.look == "whole":  # a whole number (a head count) shows no decimals
            corner = xl_rowcol_to_cell(first, col)
            ws.conditional_format(*cells, {"type": "formula", "criteria": f"=AND(ISNUMBER({corner}),MOD({corner},1)=0)",
                                           "format": self.wb.add_format({"num_format": WHOLE_FORMAT})})
        elif column.look == "band":
            for term in HEALTH_BAND.terms:
                ws.conditional_format(*cells, {"type": "cell", "criteria": "==", "value": f'"{term.label(self.lang)}"',
                                               "format": self.wb.add_format({"bg_color": BAND_FILLS[term.key]})})

    def _flags(self, ws: Any, block: Table | Form, place: Placed) -> None:
        """Each rule flag as a conditional format over its cells: a table's data rows (row-relative
        references, so each row tests its own cells) or a form's value cells (defined names)."""
        for flag in block.flags:
            formula = self.flag_formula(flag, block, place)
            cells = self.flag_cells(flag, block, place)
            ws.conditional_format(*cells[0], {"type": "formula", "criteria": formula, "format": self._flag_look(flag),
                                              "multi_range": " ".join(xl_range(*c) for c in cells)})

    def flag_formula(self, flag: Flag, block: Table | Form, place: Placed) -> str:
        """The flag's test as it stands for the first of its cells (a table's first data row):
        ``{key}`` this row's cell (a table) or the field (a form), ``{a:b}`` this row's cells a to b,
        ``{above.key}`` the column from the first data row down to this row, ``{all.key}`` the whole
        column, ``{Table.key}`` another table's column, ``{cell}`` the cell being coloured."""
        first, last = place.header_row + 2, place.header_row + 1 + place.rows   # 1-based data rows
        top = self.flag_cells(flag, block, place)[0]
        extra = {"cell": xl_rowcol_to_cell(top[0], top[1])}   # the cell being coloured (relative)
        if isinstance(block, Table):
            for i, c in enumerate(block.columns):   # {key} this row · {above.key} down to this row · {all.key}
                col = xl_col_to_name(place.first_col + i)
                extra |= {c.key: f"${col}{first}", f"above.{c.key}": f"${col}${first}:${col}{first}",
                          f"all.{c.key}": f"${col}${first}:${col}${last}"}
        else:
            extra |= {f.key: f"{block.prefix}_{f.key}" for f in block.fields}
        for other in self.places.values():   # {Table.key}: another table's column as a plain range
            if isinstance(other.block, Table) and other.block is not block:
                for i, c in enumerate(other.block.columns):
                    col = xl_col_to_name(other.first_col + i)
                    extra[f"{other.block.name}.{c.key}"] = (f"{_quote(other.sheet)}!${col}${other.header_row + 2}:"
                                                            f"${col}${other.header_row + 1 + other.rows}")
        formula = resolve(flag.when, lang=self.lang, table=None, places=self.places, config=self.cfg, extra=extra)
        assert "[" not in formula, f"{flag.rule}: a conditional format cannot use structured references"
        return formula

    def flag_cells(self, flag: Flag, block: Table | Form, place: Placed) -> list[tuple[int, int, int, int]]:
        """The ranges a flag colours (0-based first row, col, last row, col), in its columns' order."""
        if isinstance(block, Table):
            cols = [place.first_col + [c.key for c in block.columns].index(k) for k in flag.columns]
            return [(place.header_row + 1, c, place.header_row + place.rows, c) for c in cols]
        rows = [place.first_row + [f.key for f in block.fields].index(k) for k in flag.columns]
        return [(r, place.first_col + 1, r, place.first_col + 1) for r in rows]

    def _flag_look(self, flag: Flag) -> Any:
        key = f"flag:{flag.look}"
        if key not in self.fmt:
            fill, font = FLAG_LOOKS[flag.look]
            self.fmt[key] = self.wb.add_format({"bg_color": fill, "font_color": font})
        return self.fmt[key]

    def _chart(self, ws: Any, chart: Chart, slot: int = 0,
               anchor: tuple[int, int] | None = None, on: Sheet | None = None,
               stacked: bool = False) -> tuple[int, int]:
        """Beside its source block, right of every block whose rows it spans (it covers no
        cell in use); a sheet's further charts in a row to the right of the first
        (``stacked``: at ``anchor``, each under the one before).
        Returns where the first one stands."""
        place = self.places[chart.source]
        block = place.block
        first = place.header_row + 1
        last = place.header_row + (chart.rows or place.rows) + (place.rows if (chart.rows or 0) < 0 else 0)
        if isinstance(block, Grid):  # column 0 holds the row labels
            keys = ["", *(c.key for c in block.columns), *(c.key for c in block.helpers)]
        else:
            assert isinstance(block, Table)
            keys = [c.key for c in block.columns]
        col = {key: place.first_col + i for i, key in enumerate(keys)}
        sheet = _quote(ws.name)

        def span(key: str) -> str:
            return f"={sheet}!{_abs(first, col[key])}:{_abs(last, col[key])}"

        if chart.kind == "funnel":
            xl = self._funnel_chart(ws, chart, place, span, col)
        else:
            xl = self._plain_chart(ws, chart, place, span, col, first, last)
        xl.set_title({"name": chart.title(self.lang), "name_font": {"size": 11}})
        xl.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        beside = (place.header_row, self._free_col(on, place.header_row, place.first_col + len(keys) + 1))
        row, col_at = anchor or ((place.header_row + place.rows + 2 + GAP_ROWS, place.first_col) if chart.below
                                 else beside)
        offset = {"y_offset": slot * (CHART_HEIGHT + 16)} if stacked else {"x_offset": slot * (CHART_WIDTH + 16)}
        ws.insert_chart(row, col_at, xl, offset if slot else {})
        if chart.below and not anchor:   # printed whole on a page of its own, not cut by a page end
            ws.set_h_pagebreaks([*ws.hbreaks, row - 1])
        return row, col_at

    def _plain_chart(self, ws: Any, chart: Chart, place: Placed, span: Any, col: dict[str, int],
                     first: int, last: int) -> Any:
        block = place.block
        sheet = _quote(ws.name)
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
        if chart.zone:
            self._zone(xl, chart.zone)
        if chart.kind == "bar":
            xl.set_y_axis({"reverse": True})  # stage 01 at the top: the funnel's wide end
        if chart.axis_max is not None:
            axis = {"min": 0, "max": chart.axis_max, "major_unit": 1}
            xl.set_x_axis({**axis, "name": block.column(chart.categories).header(self.lang)
                           if isinstance(block, Table) else ""})
            xl.set_y_axis({**axis, "name": block.column(chart.values[0]).header(self.lang)
                           if isinstance(block, Table) else ""})
        shown = len(chart.values) + (1 if chart.zone else 0)
        xl.set_legend({"position": "bottom"} if shown > 1 else {"none": True})
        return xl

    def _zone(self, xl: Any, grid_key: str) -> None:
        """The green zone's border (M-PLAN-4): a thick green line through the grid's corners."""
        place = self.places[grid_key]
        first, last = place.header_row + 1, place.header_row + place.rows
        sheet = _quote(place.sheet)
        x, y = (f"={sheet}!{_abs(first, place.first_col + c)}:{_abs(last, place.first_col + c)}" for c in (1, 2))
        xl.add_series({"name": place.block.title(self.lang), "categories": x, "values": y,
                       "line": {"color": ZONE_COLOR, "width": 2.5}, "marker": {"type": "none"}})

    def _funnel_chart(self, ws: Any, chart: Chart, place: Placed, span: Any, col: dict[str, int]) -> Any:
        """A funnel: per value (amount, benchmark) a lane; each stage's bar centred in it by an
        invisible offset on either side; stage 01 at the top; the bars labelled."""
        xl = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        hidden = {"none": True}
        invisible: list[int] = []
        for lane, (key, offset) in enumerate(zip(chart.values, chart.offsets)):
            pad = {"name": [ws.name, place.header_row, col[offset]], "categories": span(chart.categories),
                   "values": span(offset), "fill": hidden, "border": hidden, "gap": 25}
            label = {"value": True, "position": "center", "num_format": FUNNEL_LABEL(self.lang),
                     "font": {"size": 8, "color": "#FFFFFF" if lane == 0 else "#000000"}}
            invisible.append(3 * lane)
            xl.add_series(pad)
            xl.add_series({"name": [ws.name, place.header_row, col[key]], "categories": span(chart.categories),
                           "values": span(key), "fill": {"color": FUNNEL_FILLS[lane % len(FUNNEL_FILLS)]},
                           "data_labels": label})
            invisible.append(3 * lane + 2)
            xl.add_series(pad)
        xl.set_y_axis({"reverse": True})  # the category axis: stage 01 at the top, the funnel's wide end
        xl.set_x_axis({"visible": False, "major_gridlines": {"visible": False}})
        xl.set_legend({"position": "bottom", "delete_series": invisible})
        return xl

    def _free_col(self, sheet: Sheet | None, row: int, col: int) -> int:
        """The first column from ``col`` where a chart anchored at ``row`` covers no block:
        past (with a column's gap) every block whose rows (title included) it spans."""
        if sheet is None:
            return col
        bottom = row + CHART_ROWS
        for block in sheet.blocks:
            place = self.places[_key(block)]
            if place.first_row - 1 <= bottom and place.last_row >= row:
                col = max(col, place.first_col + _width(block) + 1)
        return col

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


def _rep_copy(template: Template, forms: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the workbook is a rep's copy (M-FC-4): its level field blank (a blank template)
    or the lowest level; False where the template has no level field or the value is unknown."""
    if template.level_field is None:
        return False
    prefix, _, key = template.level_field.partition(".")
    field = next(f for f in template.forms() if f.prefix == prefix).field(key)
    value = forms.get(prefix, {}).get(key)
    value = value.value if isinstance(value, Typed) else value
    if value is None or value == "":
        return True
    assert field.vocabulary is not None
    try:
        term = field.vocabulary.parse(value)
    except InputError:
        return False
    return term is None or term.key == field.vocabulary.terms[0].key


def _main_table(sheet: Sheet) -> Table | None:
    """The table a sheet is for: its only table, when it is the sheet's last block (a header
    form or title blocks above it stay frozen with its header row)."""
    tables = [b for b in sheet.blocks if isinstance(b, Table)]
    return tables[0] if len(tables) == 1 and sheet.blocks[-1] is tables[0] else None


def _width(block: Form | Table | Grid) -> int:
    """How many columns a block takes (a form: its labels and values; a grid: its row labels too)."""
    if isinstance(block, Form):
        return 2
    return len(block.columns) + (1 if isinstance(block, Grid) else 0)


def _col_index(ref: str) -> int:
    """The 0-based index of a column reference ('$B' -> 1)."""
    return xl_cell_to_rowcol(ref.lstrip("$") + "1")[1]


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
