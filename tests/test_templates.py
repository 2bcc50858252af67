"""The standard workbooks, checked against their schemas (one source of truth):
every table, header, dropdown, input message, defined name, conditional format, chart,
print setting and the metadata a reader needs are present, in both languages; the
committed copies in workbooks/ have not drifted; the filled examples recalculate
without a single error cell in a real formula engine with the KAM_* functions."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kamxl.engine import evaluate
from kamxl.methodology import default_config
from kamxl.schema import TEMPLATES, Form, Grid, Kind, Table
from kamxl.templates import EXAMPLES, committed_files, write_template
from kamxl.templates.instructions import NAME as INSTRUCTIONS
from kamxl.templates.builder import KEYS_SHEET, LISTS_SHEET, META_SHEET
from kamxl.templates.layout import hint_params, plan

ROOT = Path(__file__).resolve().parent.parent
CASES = [(name, lang, filled) for name in TEMPLATES for lang in ("zh", "en")
         for filled in ((False, True) if name in EXAMPLES else (False,))]
FORBIDDEN = re.compile(r"[\[\]#']")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str, bool], Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {case: write_template(case[0], folder / f"{case[0]}-{case[1]}-{case[2]}.xlsx", lang=case[1], filled=case[2])
            for case in CASES}


# --- the schemas themselves ----------------------------------------------------------------

@pytest.mark.parametrize("name", list(TEMPLATES))
def test_schema_is_well_formed(name):
    template = TEMPLATES[name]
    names = [t.name for t in template.tables()]
    assert len(names) == len(set(names)) and all(n.isidentifier() and n.isascii() for n in names)
    for lang in ("zh", "en"):
        sheets = [s.name(lang) for s in template.sheets]
        assert len(sheets) == len(set(sheets)) and all(len(s) <= 31 for s in sheets)
        for block in (b for s in template.sheets for b in s.blocks):
            columns = block.fields if isinstance(block, Form) else block.columns
            headers = [c.header(lang) for c in columns]
            assert len(headers) == len(set(headers)), (name, headers)
            assert not any(FORBIDDEN.search(h) for h in headers), headers   # structured references
    for block in (b for s in template.sheets for b in s.blocks if not isinstance(b, Grid)):
        for column in block.fields if isinstance(block, Form) else block.columns:
            assert (column.kind is Kind.FORMULA) == (column.formula is not None), column.key
            assert (column.kind is Kind.CHOICE) == (column.vocabulary is not None), column.key
    assert template.rules and all(r.startswith("M-") for r in template.rules)


# --- the built files, walked from the schema ---------------------------------------------------

def _charts_per_sheet(path: Path) -> dict[str, int]:
    """openpyxl drops charts when reading, so count them in the package parts."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)" [^>]*Target="([^"]+)"', rels) +
                       [(b, a) for a, b in re.findall(r'Target="([^"]+)" [^>]*Id="(rId\d+)"', rels)])
        counts = {}
        for sheet_name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', book):
            sheet_path = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
            rel_path = sheet_path.replace("worksheets/", "worksheets/_rels/") + ".rels"
            count = 0
            if rel_path in z.namelist():
                for drawing in re.findall(r'Target="\.\./drawings/(drawing\d+\.xml)"', z.read(rel_path).decode()):
                    count += z.read(f"xl/drawings/{drawing}").decode().count("<c:chart ")
            counts[openpyxl.utils.escape.unescape(sheet_name)] = count
        return counts


def _validation_at(ws, cell: str):
    for dv in ws.data_validations.dataValidation:
        if cell in dv.sqref:
            return dv
    return None


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{'example' if c[2] else 'blank'}")
def test_every_declared_feature_is_in_the_file(built, case):
    name, lang, _ = case
    template, path = TEMPLATES[name], built[case]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [s.name(lang) for s in template.sheets] + [INSTRUCTIONS(lang), LISTS_SHEET, KEYS_SHEET,
                                                                         META_SHEET]
    assert {book[s].sheet_state for s in (META_SHEET, LISTS_SHEET, KEYS_SHEET)} == {"veryHidden"}
    meta = {r[0].value: r[1].value for r in book[META_SHEET].iter_rows(max_col=2)}
    assert (meta["template"], meta["schema_version"], meta["language"]) == (name, template.version, lang)
    names = set(book.defined_names.keys())
    content = EXAMPLES[name](template, lang, default_config()) if case[2] else {}
    places = plan(template, lang, default_config(), {k: len(v) for k, v in content.items() if isinstance(v, list)})
    charts = _charts_per_sheet(path)
    for sheet in template.sheets:
        ws = book[sheet.name(lang)]
        assert ws.page_setup.orientation == ("landscape" if sheet.landscape else "portrait")
        # fitted one page wide and as many tall as needed, or scaled over the declared pages
        # across with column breaks (Excel omits fitToWidth when it is the default 1);
        # tests/test_presentation.py and tests/test_print.py check the rest
        if sheet.pages_wide == 1:
            assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == 1
            assert ws.page_setup.fitToHeight == 0
        else:
            assert len(ws.col_breaks.brk) == sheet.pages_wide - 1
        assert ws.page_setup.paperSize == 9
        assert charts.get(ws.title, 0) == len(sheet.charts), ws.title
        for block in sheet.blocks:
            if isinstance(block, Table):
                table = ws.tables[block.name]
                assert [c.name for c in table.tableColumns] == [c.header(lang) for c in block.columns]
                assert table.tableStyleInfo.name == block.style.replace(" ", "")
                first_data = int(re.findall(r"\d+", table.ref)[0]) + 1
                for i, column in enumerate(block.columns):
                    letter = openpyxl.utils.get_column_letter(i + 1)
                    _check_column(ws, column, f"{letter}{first_data}", lang, names)
                    if column.formula:
                        assert table.tableColumns[i].calculatedColumnFormula is not None, column.key
            elif isinstance(block, Form):
                for column in block.fields:
                    assert f"{block.prefix}_{column.key}" in names
                    row = places[block.prefix].first_row + block.fields.index(column) + 1
                    assert ws[f"A{row}"].value == column.header(lang)
                    _check_column(ws, column, f"B{row}", lang, names)
            else:
                header = places[block.key].header_row + 1
                assert [ws.cell(header, c + 1).value for c in range(len(block.columns) + 1)] == \
                    [block.row_header(lang), *(c.header(lang) for c in block.columns)]
                for i, column in enumerate(block.columns, start=2):
                    if column.look:
                        cell = f"{openpyxl.utils.get_column_letter(i)}{header + 1}"
                        assert any(cell in rng.sqref for rng in ws.conditional_formatting), (block.key, column.key)
        if len(sheet.blocks) == 1 and isinstance(sheet.blocks[0], Table):
            assert ws.freeze_panes is not None


def _check_column(ws, column, cell: str, lang: str, names: set[str]) -> None:
    value = ws[cell].value
    if column.kind is Kind.FORMULA:
        text = value.text if hasattr(value, "text") else value
        assert isinstance(text, str) and text.startswith("="), (column.key, value)
        return
    dv = _validation_at(ws, cell)
    if column.kind in (Kind.TEXT, Kind.ID) and not column.hint and column.key != "currency":
        return  # free text with no input message: nothing to declare
    assert dv is not None, (ws.title, column.key, cell)
    if column.hint:
        assert dv.prompt == column.hint(lang, **hint_params(default_config()))[:255] and dv.showInputMessage
    if column.kind in (Kind.CHOICE, Kind.STAGE):
        assert dv.type == "list" and dv.formula1.startswith("List_") and dv.formula1 in names
    elif column.kind is Kind.YES_NO:
        assert dv.type == "list" and dv.formula1 == ('"是,否"' if lang == "zh" else '"Y,N"')
    elif column.kind in (Kind.MONEY, Kind.INTEGER, Kind.SCORE, Kind.NUMBER):
        assert dv.type in ("decimal", "whole") and dv.showErrorMessage
    elif column.kind is Kind.DATE:
        assert dv.type == "date"


# --- committed copies and filled examples -------------------------------------------------------

def test_committed_workbooks_match_the_schemas(tmp_path):
    """Regenerate everything and compare bytes: `kamxl templates build` fixes a failure."""
    expected = committed_files(ROOT / "workbooks")
    regenerated = committed_files(tmp_path)
    drifted = []
    for (committed, _), (fresh, (name, lang, filled)) in zip(expected.items(), regenerated.items()):
        fresh.parent.mkdir(exist_ok=True)     # writers never make their folder (kamxl.io.atomic)
        write_template(name, fresh, lang=lang, filled=filled)
        if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
            drifted.append(str(committed.relative_to(ROOT)))
    assert drifted == [], "run `kamxl templates build` and commit workbooks/"


@pytest.mark.parametrize("case", [c for c in CASES if c[2]], ids=lambda c: f"{c[0]}-{c[1]}")
def test_filled_examples_have_no_error_cells_in_a_real_formula_engine(built, case):
    values = evaluate(built[case])
    errors = {k: v for k, v in values.items() if isinstance(v, str) and re.fullmatch(r"#[A-Z/0!?]+[!?A]?", v)
              and not k.startswith(KEYS_SHEET.upper() + "!")}   # the spellings table's sentinels are errors by design
    assert errors == {}
    formulas_seen = len(values)
    assert formulas_seen > 100


def test_funnel_example_shows_the_methodology_results(built):
    book = openpyxl.load_workbook(built[("funnel", "en", True)], data_only=True)
    ws = book["Funnel health"]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 9)] for r in range(1, ws.max_row + 1)}
    assert rows["02 Qualify"][3] == pytest.approx(0.7) and rows["02 Qualify"][5] == "Good, watch the trend"   # M-FUN-3
    assert rows["05 Shortlist/Bid"][:3] == [4, 25_180_000, 12_590_000]                                      # M-FUN-2
    ws = book["Opportunities"]
    header = [c.value for c in ws[5]]
    first = dict(zip(header, [c.value for c in ws[6]]))
    assert (first["Probability"], first["Weighted amount"], first["Value score"]) == (0.5, 3_425_000, 15)


def test_forecast_example_attainment_and_cumulative_categories(built):
    book = openpyxl.load_workbook(built[("forecast", "zh", True)], data_only=True)
    ws = book["汇总"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 12)}
    closed, commit, best = values["已成交金额"], values["承诺（含已成交）"], values["最佳情况（含承诺）"]
    assert 0 < closed <= commit <= best                                                          # cumulative
    assert values["达成率（已成交/指标）"] == pytest.approx(closed / 30_000_000)                    # M-TEAM-1
