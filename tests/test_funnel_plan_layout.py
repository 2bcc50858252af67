"""Issue 17: what a rep scans first on the funnel, the funnel chart, the English example's
names, and the account plan's presentation (M-FUN-1..3, M-ACC-2, M-REL-1, M-REL-3, M-PLAN-4)."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from kamxl.methodology import default_config, name_key
from kamxl.samples import sample_rows
from kamxl.templates import TEMPLATES, write_template
from kamxl.templates.builder import build_workbook
from kamxl.templates.layout import plan
from kamxl.templates.stored import Book

FIRST_SCREEN = ["id", "customer", "name", "owner", "stage", "status", "amount", "close_date"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_opportunities_a_rep_scans_come_first_and_the_credit_code_later():
    keys = [c.key for c in TEMPLATES["funnel"].table("Opportunities").columns]
    assert keys[:len(FIRST_SCREEN)] == FIRST_SCREEN
    assert keys.index("credit_code") > keys.index("coach")


def _chart_xml(path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    return next(x for x in charts if name in x)


@pytest.mark.parametrize("edition", ["kam", "portable"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_funnel_chart_is_centred_stacked_bars_over_stored_cells_m_fun_3(tmp_path, lang, edition):
    template = TEMPLATES["funnel"]
    path = write_template("funnel", tmp_path / "f.xlsx", lang=lang, filled=True, edition=edition)
    chart = next(c for s in template.sheets for c in s.charts if c.kind == "funnel")
    xml = _chart_xml(path, "<c:barChart>")
    assert '<c:grouping val="stacked"/>' in xml and '<c:orientation val="maxMin"/>' in xml   # 01 at the top
    assert xml.count("<c:ser>") == 3 * len(chart.values)        # offset, value, offset per lane
    assert xml.count("<a:noFill/>") >= 2 * len(chart.values)    # the offsets are invisible
    assert "<c:showVal val=\"1\"/>" in xml                      # the bars are labelled
    # every series reads cells that store their values: the helpers are formulas with a cached result
    book = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    refs = re.findall(r"<c:val><c:numRef><c:f>'([^']+)'!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)</c:f>", xml)
    assert len(refs) == 3 * len(chart.values)
    from openpyxl.worksheet.cell_range import CellRange

    for sheet, col, first, last in refs:
        arrays = [CellRange(r) for r in book[sheet].array_formulae.values()]   # KAM_FUNNEL's block
        for row in range(int(first), int(last) + 1):
            cell = f"{col}{row}"
            value = book[sheet][cell].value
            assert str(value).startswith("=") or hasattr(value, "ref") or any(
                (row, book[sheet][cell].column) in set(a.cells) for a in arrays), cell
            assert isinstance(values[sheet][cell].value, (int, float)), cell
    # centred: offset + value + offset is the same lane width on every stage
    cfg = default_config()
    places = plan(template, lang, cfg, {})
    grid = places["health"]
    cells = Book(template, lang=lang, config=cfg, places=places, tables={}, forms={})
    assert cells.grid("health")   # the blank book computes (no data: zero everywhere)
    keys = ["", *(c.key for c in grid.block.columns), *(c.key for c in grid.block.helpers)]
    ws = values[grid.sheet]
    lanes = set()
    for r in range(grid.header_row + 2, grid.header_row + 2 + len(cfg.stages) - 1):
        def v(key: str) -> float:
            return ws.cell(r, grid.first_col + 1 + keys.index(key)).value
        lanes.add(round(2 * v("amount_offset") + v("amount"), 6))
        lanes.add(round(2 * v("bench_offset") + v("bench"), 6))
    assert len(lanes) == 1 and lanes.pop() > 0


def test_the_traffic_lights_stand_apart_from_the_previous_number(tmp_path):
    path = write_template("funnel", tmp_path / "f.xlsx", lang="en")
    template = TEMPLATES["funnel"]
    grid = plan(template, "en", default_config(), {})["health"]
    ws = openpyxl.load_workbook(path)[grid.sheet]
    for c, column in enumerate(grid.block.columns, start=1):
        if column.look == "ratio":
            cell = ws.cell(grid.header_row + 2, grid.first_col + 1 + c)
            assert cell.alignment.horizontal == "center" and cell.border.left.style == "thin"


def test_the_english_example_is_named_in_english_and_folds_as_the_chinese_one_m_acc_2():
    for name in ("opportunities", "accounts"):
        zh, en = sample_rows(name, "zh"), sample_rows(name, "en")
        assert len(zh) == len(en)
        for z, e in zip(zh, en):
            for field in ("customer", "opportunity", "owner", "team", "sponsor", "coach", "account_manager"):
                if field in e:
                    assert not CJK.search(e[field]), e[field]
            # the same spellings meet: two rows share a name key in English exactly when they do in Chinese
        keys_zh = [name_key(r["customer"]) for r in zh]
        keys_en = [name_key(r["customer"]) for r in en]
        pairs = {(i, j) for i in range(len(zh)) for j in range(len(zh)) if keys_zh[i] == keys_zh[j]}
        assert pairs == {(i, j) for i in range(len(en)) for j in range(len(en)) if keys_en[i] == keys_en[j]}


def test_the_profile_has_no_internal_customer_key():
    assert "name_key" not in [f.key for f in TEMPLATES["account-plan"].forms()[0].fields]


def test_account_plan_ranks_centred_level_as_a_ladder_targets_whole_m_rel_1(tmp_path):
    template = TEMPLATES["account-plan"]
    path = build_workbook(template, tmp_path / "p.xlsx", lang="en")
    book = openpyxl.load_workbook(path)
    places = plan(template, "en", default_config(), {})
    for table, key in (("DecisionChain", "top10_rank"), ("RelationshipPlan", "rank")):
        place = places[table]
        c = [col.key for col in template.table(table).columns].index(key)
        assert book[place.sheet].cell(place.header_row + 2, c + 1).alignment.horizontal == "center"
    chain = places["DecisionChain"]
    level = [col.key for col in template.table("DecisionChain").columns].index("level_no")
    bars = [r for cf in book[chain.sheet].conditional_formatting for r in cf.rules if r.type == "dataBar"]
    assert bars and float(bars[0].dataBar.cfvo[1].val) == 6
    goals = places["Goals"]
    target = [col.key for col in template.table("Goals").columns].index("target")
    letter = openpyxl.utils.get_column_letter(target + 1)
    whole = [r for cf in book[goals.sheet].conditional_formatting for r in cf.rules
             if r.type == "expression" and any(f"MOD({letter}" in f for f in r.formula)]
    assert whole and whole[0].dxf.numFmt.formatCode == "#,##0"
    assert level >= 0


@pytest.mark.parametrize("edition", ["kam", "portable"])
def test_the_selling_points_chart_draws_the_green_zone_from_the_settings_m_plan_4(tmp_path, edition):
    path = write_template("account-plan", tmp_path / "p.xlsx", lang="zh", filled=True, edition=edition)
    xml = _chart_xml(path, "<c:scatterChart>")
    assert xml.count("<c:ser>") == 2 and "00B050" in xml
    cfg = default_config().selling_points
    grid = next(g for g in TEMPLATES["account-plan"].grids() if g.key == "green_zone")
    sheet = TEMPLATES["account-plan"].sheet_of(grid).name("zh")
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    labels = [label("zh") for _key, label in grid.rows]
    rows = {row[0].value: (row[1].value, row[2].value) for row in ws.iter_rows() if row[0].value in labels}
    points = [rows[label] for label in labels]
    assert points == [(cfg.uniqueness_min, cfg.scale_max), (cfg.uniqueness_min, cfg.value_min),
                      (cfg.scale_max, cfg.value_min)]


def test_class_a_is_declared_as_a_good_flag_m_acc_6():
    evaluation = next(f for f in TEMPLATES["account-plan"].forms() if f.prefix == "Evaluation")
    flag = next(f for f in evaluation.flags if f.rule == "M-ACC-6")
    assert flag.look == "good" and flag.columns == ("account_class",)


def test_the_funnel_chart_stands_under_the_stage_table_on_its_own_printed_page(tmp_path):
    path = write_template("funnel", tmp_path / "f.xlsx", lang="en")
    grid = plan(TEMPLATES["funnel"], "en", default_config(), {})["health"]
    with zipfile.ZipFile(path) as z:
        drawing = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing")
                       and "<xdr:graphicFrame" in z.read(n).decode())
    row = int(re.search(r"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)</xdr:row>",
                        drawing).group(1))
    assert row > grid.header_row + grid.rows
    breaks = openpyxl.load_workbook(path)[grid.sheet].row_breaks.brk
    assert [b.id for b in breaks] == [row - 1]  # the page ends just above the chart


def test_a_long_profile_answer_gets_the_rows_it_needs(tmp_path):
    path = write_template("account-plan", tmp_path / "p.xlsx", lang="en", filled=True)
    ws = openpyxl.load_workbook(path)[TEMPLATES["account-plan"].sheets[0].name("en")]
    tall = {c[0].value: ws.row_dimensions[c[0].row].height for c in ws.iter_rows(min_col=1, max_col=1)
            if c[0].value in ("Basic facts", "Industry")}
    assert tall["Basic facts"] and tall["Basic facts"] >= 27 and not tall["Industry"]
