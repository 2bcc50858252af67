"""The presentation every template and roll-up gets (kamxl.templates.presentation), read back
with openpyxl as Excel would: headers not cut off, print setup as each sheet declares it,
protection with the inputs unlocked, helper sheets very hidden, closed lists that stop a
wrong entry, readable messages, the instructions sheet."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from kamxl.i18n import Text
from kamxl.methodology import default_config
from kamxl.schema import TEMPLATES
from kamxl.schema.model import SIGNED_MONEY, Flag, Form, Kind, Table
from kamxl.schema.rollup import ROLLUP
from kamxl.templates.builder import KEYS_SHEET, LISTS_SHEET, META_SHEET, build_workbook
from kamxl.templates.instructions import NAME as INSTRUCTIONS
from kamxl.templates.layout import hint_params
from kamxl.validate import validate_file
from tests import presented

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
MIN_LINE = 12.75        # points: the smallest line of 10 pt text (Calibri's) a header row must give each line
HEADER_FILL = "1F4E78"  # the builder's header look (grids), tables have their own headers


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[Path, tuple[str, object, bool, str]]:
    folder = tmp_path_factory.mktemp("presented")
    found = presented.templates(folder)
    for lang in presented.LANGS:
        found[presented.rollup(folder, lang)] = ("rollup", lang, True, "kam")
    return found


def _naive(text: str) -> float:
    """An estimate independent of the builder's: one unit a character, CJK two."""
    return sum(2 if CJK.match(ch) else 1 for ch in text)


def _words(text: str) -> list[str]:
    return re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+",
                      text)


def _lines(text: str, width: float) -> int:
    lines, used = 1, 0.0
    for word in _words(text):
        w = _naive(word)
        gap = 0 if used == 0 or CJK.match(word) else 1
        if used and used + gap + w > width:
            lines, used = lines + 1, w
        else:
            used += gap + w
    return lines


def _width(ws, col: int) -> float:
    """openpyxl keys neighbouring columns of one width under the first of them (<col min max>)."""
    groups = [d for d in list(ws.column_dimensions.values()) if d.width and (d.min or 0) <= col <= (d.max or 0)]
    return groups[0].width if groups else 8.43


def _headers(ws) -> list[tuple[int, int, str]]:
    """(row, column, text) of every table header and every grid header on the sheet."""
    found = []
    for table in ws.tables.values():
        first = table.ref.split(":")[0]
        row = ws[first].row
        for cell in ws[table.ref.split(":")[0]:re.sub(r"\d+", str(row), table.ref.split(":")[1])][0]:
            found.append((cell.row, cell.column, str(cell.value)))
    for row in ws.iter_rows():
        for cell in row:
            if cell.value and cell.fill.fgColor.rgb and str(cell.fill.fgColor.rgb).endswith(HEADER_FILL):
                found.append((cell.row, cell.column, str(cell.value)))
    return found


def _template_sheets(kind: str):
    return (ROLLUP if kind == "rollup" else TEMPLATES[kind]).sheets


def test_no_header_is_cut_off(books):
    """Every word fits its column, and the header row is tall enough for the wrapped lines."""
    cut = []
    for path in books:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            for row, col, text in _headers(ws):
                width = _width(ws, col) - 1          # the cell's inner margins
                height = ws.row_dimensions[row].height or 15
                wraps = ws.cell(row, col).alignment.wrap_text
                if (max(_naive(w) for w in _words(text)) > width or _lines(text, width) * MIN_LINE > height
                        or (_lines(text, width) > 1 and not wraps)):
                    cut.append(f"{path.name} {ws.title}!{get_column_letter(col)}{row} {text!r} "
                               f"width {width + 1:g} height {height:g}")
            for row in ws.iter_rows():   # form and grid row labels: fit, or wrapped in a row tall enough
                for cell in row:
                    if cell.data_type == "s" and cell.font.b and cell.fill.fgColor.rgb and str(cell.fill.fgColor.rgb).endswith("DDEBF7"):
                        span = next((m for m in ws.merged_cells.ranges if cell.coordinate in m), None)
                        cols = range(span.min_col, span.max_col + 1) if span else [cell.column]   # a band
                        width, height = sum(_width(ws, c) for c in cols) - 1, ws.row_dimensions[cell.row].height or 15
                        fits = (_lines(str(cell.value), width) * MIN_LINE <= height if cell.alignment.wrap_text
                                else _naive(str(cell.value)) <= width)
                        if not fits:
                            cut.append(f"{path.name} {ws.title}!{cell.coordinate} {cell.value!r} label")
    assert not cut, "\n".join(cut[:20])


def test_print_setup_is_what_each_sheet_declares(books):
    for path, (kind, lang, _example, _edition) in books.items():
        wb = openpyxl.load_workbook(path)
        for sheet in _template_sheets(kind):
            ws = wb[sheet.name(lang)]
            assert ws.page_setup.paperSize in (9, "9")
            assert "&D" in ws.oddFooter.right.text, (path.name, ws.title)   # the print date
            if sheet.print_fit == "summary":
                # (Excel omits fitToWidth when it is the default 1)
                assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == sheet.pages_wide
                assert ws.page_setup.fitToHeight == 0, (path.name, ws.title)
                continue
            assert ws.print_title_rows, (path.name, ws.title)               # the header row on every page
            if sheet.pages_wide > 1:
                # the ID column on every page (a questionnaire: the ID and the opportunity's name)
                assert ws.print_title_cols in ("$A:$A", "A:A", "$A:$B", "A:B"), ws.print_title_cols
                assert len(ws.col_breaks.brk) == sheet.pages_wide - 1, (path.name, ws.title)
                assert ws.page_setup.orientation == "landscape"


def test_footers_say_whose_workbook_it_is(books):
    for path, (kind, lang, example, _edition) in books.items():
        wb = openpyxl.load_workbook(path)
        first = wb.worksheets[0]
        left = first.oddFooter.left.text or ""
        if kind in ("forecast", "rollup") and example:
            header = {wb.defined_names[n].value.split("!")[1].replace("$", ""): n for n in ("Forecast_owner", "Forecast_period")}
            sheet = wb[wb.defined_names["Forecast_owner"].value.split("!")[0].strip("'")]
            for cell in header:
                assert str(sheet[cell].value) in left, (path.name, left)
        if kind == "account-plan" and example:
            ref = wb.defined_names["Profile_customer"].value
            sheet, cell = ref.split("!")
            assert str(wb[sheet.strip("'")][cell.replace("$", "")].value).replace("&", "&&") in left


def test_protected_with_inputs_unlocked_and_helpers_very_hidden(books):
    for path, (kind, lang, _example, _edition) in books.items():
        wb = openpyxl.load_workbook(path)
        for name in (LISTS_SHEET, KEYS_SHEET, META_SHEET):
            assert wb[name].sheet_state == "veryHidden", (path.name, name)
        template = ROLLUP if kind == "rollup" else TEMPLATES[kind]
        for sheet in template.sheets:
            ws = wb[sheet.name(lang)]
            assert ws.protection.sheet and not ws.protection.password, (path.name, ws.title)
            assert not ws.protection.autoFilter and not ws.protection.sort   # allowed (an unset lock)
        for table in template.tables():
            ws = wb[template.sheet_of(table).name(lang)]
            ref = ws.tables[table.name].ref
            first = ws[ref.split(":")[0]]
            for c, column in enumerate(table.columns):
                cell = ws.cell(first.row + 1, first.column + c)
                assert not cell.protection.locked, (path.name, table.name, column.key)  # sortable, typable
        for form in template.forms():
            for field in form.fields:
                sheet, cell = wb.defined_names[f"{form.prefix}_{field.key}"].value.split("!")
                locked = wb[sheet.strip("'")][cell.replace("$", "")].protection.locked
                assert locked == bool(field.formula), (path.name, form.prefix, field.key)


def test_form_inputs_look_like_inputs_and_differ_from_calculated(books):
    path = next(p for p, (k, _l, e, _ed) in books.items() if k == "forecast" and not e)
    wb = openpyxl.load_workbook(path)
    fills = {}
    for field in TEMPLATES["forecast"].forms()[0].fields + TEMPLATES["forecast"].forms()[1].fields:
        prefix = "Forecast" if field in TEMPLATES["forecast"].forms()[0].fields else "Attainment"
        sheet, cell = wb.defined_names[f"{prefix}_{field.key}"].value.split("!")
        c = wb[sheet.strip("'")][cell.replace("$", "")]
        fills[bool(field.formula)] = (c.fill.fgColor.rgb, c.border.left.style)
    assert fills[False][1] and fills[False][0] != fills[True][0]


def test_closed_lists_stop_and_messages_read_well(books):
    for path, (kind, lang, _example, _edition) in books.items():
        if kind == "rollup":
            continue
        wb = openpyxl.load_workbook(path)
        template = TEMPLATES[kind]
        yes_no = {"zh": '"是,否"', "en": '"Y,N"'}[lang]
        for ws in wb.worksheets:
            for dv in ws.data_validations.dataValidation:
                assert "e+" not in (dv.error or ""), (path.name, dv.error)
                if dv.formula1 in (yes_no, "List_Stage", "List_Period"):
                    assert dv.errorStyle in (None, "stop"), (path.name, dv.sqref, dv.errorStyle)
        if kind == "forecast":
            period = wb.defined_names["Forecast_period"].value.split("!")
            ws = wb[period[0].strip("'")]
            cell = period[1].replace("$", "")
            assert any(dv.formula1 == "List_Period" and cell in str(dv.sqref) for dv in ws.data_validations.dataValidation)
            assert "2026-Q4" in [c.value for col in wb[LISTS_SHEET].iter_cols() for c in col]
        money = {"zh": "请输入不小于 0 的金额", "en": "Enter an amount of 0 or more"}[lang]
        has_money = any(c.kind is Kind.MONEY for t in template.tables() for c in t.columns)   # not the register
        assert has_money <= any(dv.error == money for ws in wb.worksheets for dv in ws.data_validations.dataValidation), \
            path.name
        assert template


def test_money_shows_whole_units_and_changes_their_sign(books):
    for path, (kind, lang, _example, _edition) in books.items():
        wb = openpyxl.load_workbook(path)
        template = ROLLUP if kind == "rollup" else TEMPLATES[kind]
        for table in template.tables():
            ws = wb[template.sheet_of(table).name(lang)]
            first = ws[ws.tables[table.name].ref.split(":")[0]]
            for c, column in enumerate(table.columns):
                kind_ = column.result if column.kind is Kind.FORMULA else column.kind
                fmt = ws.cell(first.row + 1, first.column + c).number_format
                if column.number_format:
                    assert fmt == column.number_format
                elif kind_ is Kind.MONEY:
                    assert fmt == "#,##0", (path.name, table.name, column.key, fmt)
    assert any(c.number_format == SIGNED_MONEY for t in ROLLUP.tables() for c in t.columns)


def test_instructions_sheet_explains_colours_flags_and_rules(tmp_path, books):
    for path, (kind, lang, _example, _edition) in books.items():
        wb = openpyxl.load_workbook(path)
        names = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert names[-1] == INSTRUCTIONS(lang), (path.name, names)
        text = " ".join(str(c.value) for row in wb[INSTRUCTIONS(lang)].iter_rows() for c in row if c.value)
        template = TEMPLATES["forecast" if kind == "rollup" else kind]   # a roll-up's report tables are its own
        for block in [*template.tables(), *template.forms()]:
            for column in (block.fields if isinstance(block, Form) else block.columns):
                assert column.header(lang) in text
                for rule in column.rules:
                    assert rule in text
                if column.hint:
                    assert column.hint(lang, **hint_params(default_config())) in text
    # every Flag declared on a table gets a legend line with its rule id
    funnel = TEMPLATES["funnel"]
    flag = Flag("M-FUN-5", '=AND({stage}<>"",{budget_status}="")', ("budget_status",),
                Text("预算未落实（测试用图例）", "Budget not confirmed (test legend)"), look="error")
    opportunities = replace(funnel.table("Opportunities"), flags=(flag,))
    sheets = tuple(replace(s, blocks=tuple(opportunities if isinstance(b, Table) and b.name == "Opportunities" else b
                                           for b in s.blocks)) for s in funnel.sheets)
    flagged = replace(funnel, sheets=sheets)
    for lang in ("zh", "en"):
        path = build_workbook(flagged, tmp_path / f"flag.{lang}.xlsx", lang=lang)
        ws = openpyxl.load_workbook(path)[INSTRUCTIONS(lang)]
        line = next(str(c.value) for row in ws.iter_rows() for c in row if c.value and flag.legend(lang) in str(c.value))
        assert "M-FUN-5" in line and funnel.table("Opportunities").column("budget_status").header(lang) in line
        swatch = ws.cell(next(c.row for row in ws.iter_rows() for c in row if c.value == line), 1)
        assert swatch.fill.fgColor.rgb.endswith("FFC7CE")


def test_the_validator_reads_protected_workbooks_and_ignores_the_instructions(books):
    for path, (kind, _lang, example, edition) in books.items():
        if not example or edition != "kam" or kind == "rollup":
            continue
        found = validate_file(path)
        assert found.template == kind and found.readable
        structure = {"S-BLANK", "S-COLUMN-MISSING", "S-COLUMN-MOVED", "S-COLUMN-UNKNOWN", "S-FORM-MISSING",
                     "S-HEADER-LANG", "S-METADATA", "S-TABLE-MISSING", "S-VERSION", "S-UNREADABLE"}
        assert not [f for f in found.findings if f.rule in structure], (path.name, found.findings)



def test_a_money_column_is_as_wide_as_its_largest_value():
    """A total of 1,395,990,000 in a 14-wide money column showed ### (the roll-up's overview, zh):
    a column written with values is widened to its largest one; smaller ones keep the schema's width."""
    from kamxl.schema.model import Column, Kind
    from kamxl.templates.builder import _number_fit

    money = Column("commit", Text("承诺", "Commit"), Kind.MONEY, width=14)
    assert _number_fit(money, [{"commit": 45_540_000.0}, {"commit": -2_314.0}]) <= 14
    assert _number_fit(money, [{"commit": 45_540_000.0}, {"commit": 1_395_990_000.0}]) >= 16
    assert _number_fit(money, [{"commit": -1_395_990_000}]) == _number_fit(money, [{"commit": 1_395_990_000}])
    assert _number_fit(money, [{"commit": None}, {"commit": ""}, {}]) <= 14
    text = Column("owner", Text("负责人", "Owner"), Kind.TEXT, width=17)
    assert _number_fit(text, [{"owner": 10**12}]) == 0
