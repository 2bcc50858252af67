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
from kamxl.schema.model import Chart, Column, Form, Grid, Kind, Sheet, Table, Template
from kamxl.templates.bulk import FORMULA_LIKE, BulkRows, Columns, fill
from kamxl.templates.layout import Placed, plan, resolve, seed_rows

META_SHEET = "_kamxl"
LISTS_SHEET = "_lists"
FIXED_DATE = dt.datetime(2026, 1, 1)  # document properties: builds must be reproducible
YES_NO = {"zh": ("是", "否"), "en": ("Y", "N")}
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD")
BAND_FILLS = {"excellent": "#C6EFCE", "good": "#FFEB9C", "warning": "#FFC7CE"}


Values = Mapping[str, object]   # 'SHEET!A1' (upper case) -> cached value of a formula cell


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


class Builder:
    def __init__(self, template: Template, path: Path, *, lang: Lang, config: Config,
                 rows: Mapping[str, Sequence[dict[str, Any]]], forms: Mapping[str, Mapping[str, Any]],
                 cached: Values, snapshot: bool = False) -> None:
        self.t, self.lang, self.cfg, self.snapshot = template, lang, config, snapshot
        self.rows = {name: r if isinstance(r, Columns) else list(r) for name, r in rows.items()}
        self.forms, self.cached = forms, cached
        self.places = plan(template, lang, config, {k: len(v) for k, v in self.rows.items()})
        # use_future_functions: Excel 2010+ functions (IFNA…) must be stored as _xlfn.IFNA, or Excel
        # and LibreOffice do not recognise them.
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "use_future_functions": True})
        self.wb.set_properties({"title": template.title(lang), "author": "kamxl", "created": FIXED_DATE,
                                "comments": f"kamxl template {template.id} v{template.version} ({lang})"})
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
            "header": add({**base, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                           "text_wrap": True, "valign": "vcenter"}),
            "text": add({**base}),
            "input": add({**base, "border": 1, "bg_color": "#FFFFFF"}),
            "in:text:wrap": add({**base, "text_wrap": True, "valign": "top"}),  # long form answers
        }
        for kind in Kind:
            fmt[f"in:{kind.value}"] = add({**base, "num_format": _num(kind)})
            fmt[f"calc:{kind.value}"] = add({**base, "num_format": _num(kind), "bg_color": "#F2F2F2",
                                            "font_color": "#1F4E78"})
        return fmt

    # --- workbook ------------------------------------------------------------------------
    def build(self) -> None:
        for sheet in self.t.sheets:
            self._sheet(sheet)
        self._lists_sheet()
        self._meta_sheet()
        self.wb.close()
        fill(self.path, self.bulk)

    def _sheet(self, sheet: Sheet) -> None:
        ws = self.wb.add_worksheet(sheet.name(self.lang), worksheet_class=_Worksheet)
        ws.write(0, 0, f"{self.t.title(self.lang)} · {sheet.name(self.lang)}", self.fmt["title"])
        if sheet.hint:
            ws.write(1, 0, sheet.hint(self.lang), self.fmt["hint"])
        widths: dict[int, float] = {}
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
        for col, width in widths.items():
            ws.set_column(col, col, width)
        anchor = None
        for slot, chart in enumerate(sheet.charts):
            anchor = self._chart(ws, chart, slot, anchor)
        first = self.places[_key(sheet.blocks[0])]
        if isinstance(sheet.blocks[0], Table) and len(sheet.blocks) == 1:
            ws.freeze_panes(first.header_row + 1, 1)
            ws.repeat_rows(first.header_row)
        ws.set_landscape() if sheet.landscape else ws.set_portrait()
        ws.set_paper(9)  # A4
        # A landscape A4 page holds about 150 characters of column width at a readable size.
        ws.fit_to_pages(max(1, math.ceil(sum(widths.values()) / 150)), 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer(f"&L{self.t.title(self.lang)}&C&A&R&P / &N")
        ws.hide_gridlines(2)

    # --- blocks --------------------------------------------------------------------------
    def _table(self, ws: Any, table: Table, place: Placed, widths: dict[int, float]) -> None:
        seeded = seed_rows(table, self.cfg, self.lang)
        given = self.rows.get(table.name) or []
        # Seeded rows (stage list, checklist questions) take what the example adds to them.
        data = [{**s, **g} for s, g in zip(seeded, given)] + seeded[len(given):] if seeded else given
        n = place.rows
        bulk = len(data) > BULK_ROWS and not self.cached
        columns = []
        for c, col in enumerate(table.columns):
            spec: dict[str, Any] = {"header": col.header(self.lang)}
            if not bulk:  # (bulk: bulk.py copies the first row's format and formula to every row)
                spec["format"] = self.fmt[f"{'calc' if col.formula else 'in'}:{_kind(col).value}"]
                if col.formula:
                    spec["formula"] = self._formula(col.formula, table)
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
        ws.set_row(place.header_row, 30)
        for r in range(1 if bulk else n):
            row = place.header_row + 1 + r
            values = data[r] if r < len(data) else {}
            for c, col in enumerate(table.columns):
                self._cell(ws, row, place.first_col + c, col, values.get(col.key), table)
        if bulk:  # the first row is the pattern; the rest go straight into the XML (bulk.py)
            part = f"xl/worksheets/sheet{self.wb.worksheets().index(ws) + 1}.xml"
            self.bulk.append(BulkRows(part, place.header_row + 2, place.first_col, [c.key for c in table.columns],
                                      data))
        for c, col in enumerate(table.columns):
            self._validate(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)
            self._look(ws, place.header_row + 1, place.header_row + n, place.first_col + c, col)

    def _form(self, ws: Any, form: Form, place: Placed, widths: dict[int, float]) -> None:
        values = self.forms.get(form.prefix, {})
        widths[place.first_col] = max(widths.get(place.first_col, 0), 22)
        for i, col in enumerate(form.fields):
            row = place.first_row + i
            ws.write(row, place.first_col, col.header(self.lang), self.fmt["label"])
            self._cell(ws, row, place.first_col + 1, col, values.get(col.key), None, wrap=col.width >= 40)
            self._validate(ws, row, row, place.first_col + 1, col)
            self._look(ws, row, row, place.first_col + 1, col)
            widths[place.first_col + 1] = max(widths.get(place.first_col + 1, 0), col.width)
            self.wb.define_name(f"{form.prefix}_{col.key}", f"={_quote(ws.name)}!{_abs(row, place.first_col + 1)}")

    def _grid(self, ws: Any, grid: Grid, place: Placed, widths: dict[int, float]) -> None:
        ws.write(place.header_row, place.first_col, grid.row_header(self.lang), self.fmt["header"])
        widths[place.first_col] = max(widths.get(place.first_col, 0), 20)
        for c, col in enumerate(grid.columns, start=1):
            ws.write(place.header_row, place.first_col + c, col.header(self.lang), self.fmt["header"])
            widths[place.first_col + c] = max(widths.get(place.first_col + c, 0), col.width)
        first, last = place.header_row + 1, place.header_row + place.rows
        if grid.array_formula and self.snapshot:  # values only: see build_workbook
            for r in range(first, last + 1):
                for c in range(len(grid.columns) + 1):
                    col = grid.columns[c - 1] if c else None
                    ws.write(r, place.first_col + c, self._cached(ws, r, place.first_col + c, ""),
                             self.fmt[f"calc:{_kind(col).value}"])
        elif grid.array_formula:
            formula = self._formula(grid.array_formula, None)
            ws.write_array_formula(first, place.first_col, last, place.first_col + len(grid.columns), formula,
                                   self.fmt["calc:text"], self._cached(ws, first, place.first_col, ""))
            for r in range(first, last + 1):
                for c in range(len(grid.columns) + 1):
                    col = grid.columns[c - 1] if c else None
                    fmt = self.fmt[f"calc:{_kind(col).value}"] if col else self.fmt["calc:text"]
                    if (r, c) != (first, 0):
                        ws.write(r, place.first_col + c, self._cached(ws, r, place.first_col + c, ""), fmt)
        else:
            for i, (_, label) in enumerate(grid.rows):
                row = first + i
                text = getattr(label, self.lang)  # raw: may hold {placeholders}
                if text.startswith("="):  # a computed row label (the next forecast periods)
                    prev = {"prev": xl_rowcol_to_cell(row - 1, place.first_col)}
                    ws.write_formula(row, place.first_col, self._formula(getattr(label, self.lang), None, prev),
                                     self.fmt["label"], self._cached(ws, row, place.first_col, ""))
                else:
                    ws.write(row, place.first_col, text, self.fmt["label"])
                for c, col in enumerate(grid.columns, start=1):
                    extra = {"row": xl_rowcol_to_cell(row, place.first_col)}
                    ws.write_formula(row, place.first_col + c, self._formula(col.formula, None, extra),
                                     self.fmt[f"calc:{_kind(col).value}"], self._cached(ws, row, place.first_col + c, 0))
        for c, col in enumerate(grid.columns, start=1):
            self._look(ws, first, last, place.first_col + c, col)

    # --- cells ---------------------------------------------------------------------------
    def _cell(self, ws: Any, row: int, col: int, column: Column, value: object, table: Table | None,
              wrap: bool = False) -> None:
        if column.formula:
            formula = self._formula(column.formula, table)
            ws.write_formula(row, col, formula, self.fmt[f"calc:{_kind(column).value}"],
                             self._cached(ws, row, col, ""))
            return
        fmt = self.fmt["in:text:wrap" if wrap and column.kind is Kind.TEXT else f"in:{column.kind.value}"]
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

    def _cached(self, ws: Any, row: int, col: int, default: object) -> object:
        value = self.cached.get(f"{ws.name.upper()}!{xl_rowcol_to_cell(row, col)}", default)
        return "" if value is None else value

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
        if column.kind is Kind.STAGE:
            rule = {"validate": "list", "source": self._list("Stage", [s.label(self.lang) for s in self.cfg.stages]),
                    "error_type": "warning"}
        elif column.kind is Kind.CHOICE and column.vocabulary:
            rule = {"validate": "list", "source": self._vocab_list(column.vocabulary), "error_type": "warning"}
        elif column.kind is Kind.YES_NO:
            rule = {"validate": "list", "source": list(YES_NO[self.lang]), "error_type": "information"}
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
    def _lists_sheet(self) -> None:
        ws = self.wb.add_worksheet(LISTS_SHEET)
        for c, (name, labels) in enumerate(sorted(self.lists.items())):
            ws.write(0, c, name)
            for r, label in enumerate(labels, start=1):
                ws.write_string(r, c, label)
            col = xl_col_to_name(c)
            self.wb.define_name(f"List_{name}", f"={LISTS_SHEET}!${col}$2:${col}${len(labels) + 1}")
        ws.hide()

    def _meta_sheet(self) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        for r, (key, value) in enumerate([("template", self.t.id), ("schema_version", self.t.version),
                                          ("language", self.lang), ("title", self.t.title(self.lang)),
                                          ("generator", "kamxl")]):
            ws.write_string(r, 0, key)
            ws.write(r, 1, value)
        ws.hide()


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
    if column.kind in (Kind.STAGE, Kind.CHOICE, Kind.YES_NO) or column.key == "currency":
        return Text("请从下拉列表中选择", "Please choose from the list")(lang)
    lo, hi = column.bounds or (0, 1e15)
    return Text("请输入 {lo:g} 到 {hi:g} 之间的数", "Enter a number from {lo:g} to {hi:g}")(lang, lo=lo, hi=hi)


def build_workbook(template: Template, path: Path, *, lang: Lang, config: Config | None = None,
                   rows: Mapping[str, list[dict[str, Any]]] | None = None,
                   forms: Mapping[str, Mapping[str, Any]] | None = None, cached: Values | None = None,
                   snapshot: bool = False) -> Path:
    """Write ``template`` to ``path`` (blank, or filled with ``rows``/``forms``).

    ``snapshot`` writes array formulas' results as plain values: for rendering pages in
    LibreOffice, which recomputes array formulas on load and cannot run KAM_* functions.
    """
    Builder(template, path, lang=lang, config=config or default_config(), rows=rows or {}, forms=forms or {},
            cached=cached or {}, snapshot=snapshot).build()
    return path
