"""The funnel's bid sheet and the rules added with it (issue 18): M-BID-1 (every key-account
project attribute of seed 001 §五 is a column, in the seed's own words), M-FUN-4 (丢单不丢客户:
a lost deal's reason, winner and follow-up), M-FUN-5 (stage 02 finds the budget out: amount and
status), M-FUN-6 (a probability other than the stage table's, only with a reason)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.i18n import Text as T
from kamxl.methodology.vocabulary import (
    BID_SCHEME, BUDGET_STATUS, EVALUATION_PRINCIPLE, LOCAL_IMPACT, RELATIONSHIP_CONTROL, SALES_MODE, STATUS, TENDER_MODE,
)
from kamxl.schema import TEMPLATES, Column, Kind
from kamxl.templates.builder import build_workbook
from kamxl.validate import validate_file
from tests.content import TODAY, clean_funnel, content
from tests.spellings import typed

FUNNEL = TEMPLATES["funnel"]
BIDS = FUNNEL.table("Bids")
ROOT = Path(__file__).resolve().parents[1]

# seed 001 §五 (大客户项目管理), attribute by attribute, and the columns that hold each
SEED_ATTRIBUTES = (
    ("销售方式：投标、批点或分销", ("sales_mode",)),
    ("招标方式：公开开标且仅一次报价、公开开标可二次报价、议标、统签", ("tender_mode",)),
    ("是否分包", ("lots",)),
    ("是否一次报价", ("single_quote",)),
    ("参与的代理商", ("agents",)),
    ("投标方案：企业直接投标、一家代理投一种方案、企业与代理共同投多种方案、多家代理投多种方案", ("bid_scheme",)),
    ("供货日期和供货地点", ("delivery_date", "delivery_place")),
    ("评标原则：包括对价格、服务、技术和商务情况的判断", ("evaluation",)),
    ("项目对客户所在地影响：影响特别大；影响特大；影响中等；影响一般", ("local_impact",)),
    ("参与竞争品牌", ("competitors",)),
    ("项目背景", ("background",)),
    ("客户关系度：非常到位；比较到位；一般；目前无法判断控制程度", ("relationship_control",)),
    ("配置需求、数量、希望价格、报价", ("configuration", "quantity", "target_price", "quote")),
    ("企业所支持渠道的资信情况", ("channel_credit",)),
)

# the seed's wording of each closed list, term by term (the zh label kamxl offers and reads back)
SEED_WORDING = {
    SALES_MODE: {"bid": "投标", "spot": "批点", "distribution": "分销"},
    TENDER_MODE: {"open_single": "公开开标且仅一次报价", "open_double": "公开开标可二次报价", "negotiated": "议标",
                  "framework": "统签"},
    BID_SCHEME: {"direct": "企业直接投标", "agent_one": "一家代理投一种方案", "joint": "企业与代理共同投多种方案",
                 "agents_many": "多家代理投多种方案"},
    LOCAL_IMPACT: {"extreme": "影响特别大", "very_large": "影响特大", "medium": "影响中等", "ordinary": "影响一般"},
    RELATIONSHIP_CONTROL: {"absolute": "非常到位", "considerable": "比较到位", "weak": "一般",
                           "unknown": "目前无法判断控制程度"},
    EVALUATION_PRINCIPLE: {"price": "价格", "service": "服务", "technical": "技术", "commercial": "商务"},
}
# the other ways people write them: the seed's own glosses, English, and kamxl's earlier labels
OTHER_SPELLINGS = [
    (TENDER_MODE, "公开开标一次报价", "open_single"), (TENDER_MODE, "Open, one quote only", "open_single"),
    (TENDER_MODE, "open, two quotes", "open_double"), (TENDER_MODE, "Open, second quote allowed", "open_double"),
    (BID_SCHEME, "一家代理一种方案", "agent_one"), (BID_SCHEME, "企业与代理多种方案", "joint"),
    (BID_SCHEME, "Several agents, several schemes", "agents_many"), (BID_SCHEME, "Direct bid", "direct"),
    (RELATIONSHIP_CONTROL, "绝对控制", "absolute"), (RELATIONSHIP_CONTROL, "大于80%", "absolute"),
    (RELATIONSHIP_CONTROL, "非常到位（>80%）", "absolute"), (RELATIONSHIP_CONTROL, "相当控制", "considerable"),
    (RELATIONSHIP_CONTROL, "把握不大", "weak"), (RELATIONSHIP_CONTROL, "小于30%", "weak"),
    (RELATIONSHIP_CONTROL, "无法判断", "unknown"), (RELATIONSHIP_CONTROL, "Absolute control (>80%)", "absolute"),
    (RELATIONSHIP_CONTROL, "considerable", "considerable"), (RELATIONSHIP_CONTROL, "Cannot judge yet", "unknown"),
    (LOCAL_IMPACT, "Extreme", "extreme"), (LOCAL_IMPACT, "特大", "very_large"),
    (EVALUATION_PRINCIPLE, "Technical", "technical"), (EVALUATION_PRINCIPLE, "价格优先", "price"),
    (SALES_MODE, "Spot purchase", "spot"),
]


# --- M-BID-1: the attributes and their words ------------------------------------------------------

def test_every_seed_attribute_is_a_column_of_the_bid_sheet_m_bid_1():
    assert len(SEED_ATTRIBUTES) == 14
    keys = [c.key for c in BIDS.columns]
    for seed, columns in SEED_ATTRIBUTES:
        for key in columns:
            column = BIDS.column(key)
            assert "M-BID-1" in column.rules, key
            # the header is the seed's own word for it (供货日期 of 供货日期和供货地点, …)
            assert column.header.zh in seed, (key, column.header.zh)
    assert sum(len(c) for _, c in SEED_ATTRIBUTES) == len(keys) - 3   # besides the ID and the looked-up name, customer


def test_the_closed_lists_are_the_seeds_and_the_rest_are_typed_values_m_bid_1():
    kinds = {c.key: c for c in BIDS.columns}
    for vocabulary in SEED_WORDING:
        assert any(c.vocabulary is vocabulary for c in kinds.values()), vocabulary.name.en
    assert kinds["lots"].kind is kinds["single_quote"].kind is Kind.YES_NO
    assert kinds["delivery_date"].kind is Kind.DATE
    assert kinds["quantity"].kind is Kind.NUMBER and kinds["target_price"].kind is kinds["quote"].kind is Kind.MONEY
    assert kinds["channel_credit"].kind is Kind.TEXT   # the seed lists no values for it


@pytest.mark.parametrize(("vocabulary", "key", "seed"),
                         [(v, k, w) for v, words in SEED_WORDING.items() for k, w in words.items()],
                         ids=[w for words in SEED_WORDING.values() for w in words.values()])
def test_the_seeds_wording_is_the_one_term_offered_and_read_m_bid_1(vocabulary, key, seed):
    term = vocabulary.get(key)
    assert term.label("zh") == seed                      # what the dropdown offers
    assert vocabulary.parse(seed) is term                # and reads back
    assert vocabulary.parse(term.label("en")) is term


@pytest.mark.parametrize(("vocabulary", "spelling", "key"), OTHER_SPELLINGS, ids=[s for _, s, _ in OTHER_SPELLINGS])
def test_other_spellings_normalise_to_the_one_term_m_bid_1(vocabulary, spelling, key):
    assert vocabulary.parse(spelling).key == key


@given(st.sampled_from([(v, k, w) for v, words in SEED_WORDING.items() for k, w in words.items()]), st.data())
def test_the_seeds_wording_typed_sloppily_still_reads_m_bid_1(case, data):
    vocabulary, key, seed = case
    assert vocabulary.parse(data.draw(typed(seed))).key == key
    assert vocabulary.parse(data.draw(typed(vocabulary.get(key).label("en")))).key == key


def test_a_word_outside_the_list_is_refused_m_bid_1():
    with pytest.raises(InputError) as caught:
        EVALUATION_PRINCIPLE.parse("最低价")
    assert caught.value.code == "M-BID-1" and "价格" in caught.value.message("zh")


# --- the examples ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_examples_fill_the_new_columns_believably_m_bid_1_m_fun_4_m_fun_6(lang):
    c = content("funnel", lang)
    opportunities = {r["id"]: r for r in c["Opportunities"]}
    lost = [r for r in c["Opportunities"] if STATUS.parse(r["status"]).key == "lost"]
    assert lost and all(r.get("lost_reason") and r.get("winner") and r.get("follow_up") for r in lost)   # M-FUN-4
    adjusted = [r for r in c["Opportunities"] if r.get("prob_override") is not None]
    assert len(adjusted) == 1 and adjusted[0]["override_reason"]                                        # M-FUN-6
    assert {BUDGET_STATUS.parse(r["budget_status"]).key for r in c["Opportunities"] if r.get("budget_status")} == {
        t.key for t in BUDGET_STATUS.terms}                                                              # M-FUN-5
    bids = c["Bids"]
    assert len(bids) >= 10 and all(b["id"] in opportunities for b in bids)                               # M-BID-1
    for key in ("sales_mode", "tender_mode", "bid_scheme", "relationship_control", "evaluation", "local_impact"):
        vocabulary = BIDS.column(key).vocabulary
        used = {vocabulary.parse(b[key]).key for b in bids if b.get(key)}
        assert len(used) == len(vocabulary.terms) or key == "sales_mode", (key, used)   # every term, as a rep meets them
    if lang == "zh":   # the seed's own words, as the dropdown offers them
        words = {b[k] for b in bids for k in ("tender_mode", "bid_scheme", "relationship_control")}
        assert {"公开开标且仅一次报价", "公开开标可二次报价", "一家代理投一种方案", "企业与代理共同投多种方案",
                "非常到位", "比较到位", "一般", "目前无法判断控制程度"} <= words


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_committed_example_shows_the_bid_sheet_and_the_adjusted_weighted_amount(lang):
    path = ROOT / "workbooks" / "examples" / f"funnel-example.{lang}.xlsx"
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet = FUNNEL.sheets[[s.key for s in FUNNEL.sheets].index("bids")].name(lang)
    values = [c.value for row in wb[sheet].iter_rows() for c in row if c.value is not None]
    assert "OPP-2026-0001" in values and (("江澜电力集团有限公司" if lang == "zh" else "Riverlane Power Group Co., Ltd.")
                                          in values)    # the customer looked up from the opportunities
    table = FUNNEL.table("Opportunities")
    ws = wb[FUNNEL.sheet_of(table).name(lang)]
    keys = [c.key for c in table.columns]
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == table.column("id").header(lang))
    for r in range(header + 1, ws.max_row + 1):
        override = ws.cell(r, keys.index("prob_override") + 1).value
        if isinstance(override, float):
            amount = ws.cell(r, keys.index("amount") + 1).value
            assert ws.cell(r, keys.index("weighted") + 1).value == pytest.approx(amount * override)   # M-FUN-6
            break
    else:
        pytest.fail("no adjusted probability in the example")


# --- golden findings ---------------------------------------------------------------------------

def _found(path: Path) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.severity.name, f.sheet, f.cell) for f in validate_file(path, today=TODAY).findings}


def _cell(path: Path, table: str, index: int, key: str) -> tuple[str, str]:
    from kamxl.io.reader import read_workbook

    record = read_workbook(path).tables[table].records[index]
    return record.sheet, record.cells[key]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_seeded_defect_is_found_at_its_cell_and_nothing_else_m_fun_4_m_fun_5_m_fun_6_m_bid_1(tmp_path, lang):
    c = clean_funnel(lang)
    opps, bids = c["Opportunities"], c["Bids"]
    lost = next(i for i, r in enumerate(opps) if STATUS.parse(r["status"]).key == "lost")
    stage02 = next(i for i, r in enumerate(opps) if str(r["stage"]).startswith("02") and r["id"] != opps[lost]["id"])
    stage03 = [i for i, r in enumerate(opps) if str(r["stage"]).startswith("03")]
    label = {t.key: t.label(lang) for t in BUDGET_STATUS.terms}
    opps[lost].update(lost_reason=None, winner="  ", follow_up=None)            # M-FUN-4 ×3
    opps[stage02]["budget_status"] = label["unknown"]                          # M-FUN-5
    opps[stage03[0]].update(prob_override=0.6, override_reason=None)           # M-FUN-6 warning
    opps[stage03[1]].update(prob_override=None, override_reason="客户口头承诺")  # M-FUN-6 info
    opps[stage03[2]].update(prob_override=1.5, override_reason="R")            # out of 0–1
    opps[stage03[3]].update(prob_override=0.45, override_reason="R",           # fine
                            budget_status=label["clarifying"])                 # being clarified is found out enough
    bids.append({**bids[0], "id": "OPP-2099-9999"})                            # M-BID-1: no such opportunity
    bids.append({**bids[1]})                                                   # M-BID-1: twice
    one_quote = next(i for i, b in enumerate(bids)
                     if i > 2 and TENDER_MODE.parse(b["tender_mode"]).key == "open_single")
    bids[one_quote]["single_quote"] = "否" if lang == "zh" else "N"            # M-BID-1: contradicts 仅一次报价
    bids[2].update(tender_mode=" 公开开标且仅一次报价 ", relationship_control="目前无法判断控制程度",
                   bid_scheme="一家代理投一种方案")                               # the seed's words: fine
    path = build_workbook(FUNNEL, tmp_path / f"defects.{lang}.xlsx", lang=lang, rows=c)
    at = lambda i, key, table="Opportunities": _cell(path, table, i, key)   # noqa: E731
    assert _found(path) == {
        ("M-FUN-4", "WARNING", *at(lost, "lost_reason")), ("M-FUN-4", "WARNING", *at(lost, "winner")),
        ("M-FUN-4", "WARNING", *at(lost, "follow_up")),
        ("M-FUN-5", "WARNING", *at(stage02, "budget_status")),
        ("M-FUN-6", "WARNING", *at(stage03[0], "override_reason")),
        ("M-FUN-6", "INFO", *at(stage03[1], "prob_override")),
        ("S-VALUE-RANGE", "ERROR", *at(stage03[2], "prob_override")),
        ("M-BID-1", "WARNING", *at(len(bids) - 2, "id", "Bids")),
        ("M-BID-1", "WARNING", *at(len(bids) - 1, "id", "Bids")),
        ("M-BID-1", "WARNING", *at(one_quote, "single_quote", "Bids")),
    }


def test_the_weighted_amount_takes_the_adjusted_probability_m_fun_6(tmp_path):
    c = clean_funnel("en")
    row = c["Opportunities"][0]
    row.update(amount=1_000_000.0, prob_override=0.35, override_reason="Framework already signed")
    c["Opportunities"][1].update(amount=1_000_000.0, prob_override=1.5, override_reason="R")   # outside 0–1: the stage's
    path = build_workbook(FUNNEL, tmp_path / "w.xlsx", lang="en", rows=c)
    ws = openpyxl.load_workbook(path, data_only=True)[FUNNEL.sheet_of(FUNNEL.table("Opportunities")).name("en")]
    sheet, cell = _cell(path, "Opportunities", 0, "weighted")
    assert ws[cell].value == pytest.approx(350_000.0)
    _, cell = _cell(path, "Opportunities", 1, "weighted")
    _, probability = _cell(path, "Opportunities", 1, "probability")
    assert ws[cell].value == pytest.approx(1_000_000.0 * ws[probability].value)


# --- an older funnel (template version 2) ----------------------------------------------------------

def _version_2():
    """The funnel as version 2 wrote it: a yes/no "budget confirmed", the bid attributes on the
    opportunities sheet, no bid sheet, no adjusted probability and no lost-deal columns."""
    table = FUNNEL.table("Opportunities")
    new = {"budget_amount", "budget_status", "prob_override", "override_reason", "lost_reason", "winner", "follow_up"}
    old_bid = [replace(c, former=()) for c in BIDS.columns if c.key in
               ("sales_mode", "tender_mode", "bid_scheme", "local_impact", "relationship_control")]
    columns = [c for c in table.columns if c.key not in new and c.key != "weighted"]
    columns.insert([c.key for c in columns].index("sponsor"),
                   Column("budget_v2", T("预算已落实", "Budget confirmed"), Kind.YES_NO))
    columns += old_bid
    weighted = replace(table.column("weighted"), formula='=IF({stage}="","",KAM_WEIGHTED({amount},{stage},{status}))',
                       portable='=IF({stage}="","",{@weighted:amount,stage,status})')
    columns.insert([c.key for c in columns].index("probability") + 1, weighted)
    v2 = replace(table, columns=tuple(columns), flags=())
    sheets = tuple(replace(s, blocks=tuple(v2 if b is table else b for b in s.blocks))
                   for s in FUNNEL.sheets if s.key != "bids")
    return replace(FUNNEL, version=2, sheets=sheets)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_version_2_funnel_is_still_read_its_yes_no_budget_as_the_status_m_fun_5(tmp_path, lang):
    c = clean_funnel(lang)
    yes, no = ("是", "否") if lang == "zh" else ("Y", "N")
    rows = []
    for i, r in enumerate(c["Opportunities"]):
        row = {k: v for k, v in r.items() if k not in ("budget_status", "prob_override", "override_reason")}
        row["budget_v2"] = no if i == 6 else yes
        rows.append(row)
    path = build_workbook(_version_2(), tmp_path / f"v2.{lang}.xlsx", lang=lang,
                          rows={"Opportunities": rows, "Assessment": c["Assessment"], "Benchmarks": c["Benchmarks"]})
    found = validate_file(path, today=TODAY).findings
    assert not [f for f in found if f.severity.name == "ERROR"], [(f.rule, f.cell) for f in found]
    rules = {f.rule for f in found}
    assert {"S-VERSION", "S-TABLE-MISSING"} <= rules                   # move to the current template, warned
    moved = [f.text(lang) for f in found if f.rule == "S-COLUMN-UNKNOWN"]   # the bid columns: on the bid sheet now
    bids_sheet = FUNNEL.sheet_of(BIDS).name(lang)
    assert len(moved) == 5 and all(bids_sheet in text for text in moved), moved
    budget = [f for f in found if f.rule == "M-FUN-5"]
    assert [(f.sheet, f.cell) for f in budget] == [_cell(path, "Opportunities", 6, "budget_status")]   # 否: unknown


@pytest.mark.parametrize(("typed", "status"), [(True, "approved"), (1, "approved"), ("√", "approved"), ("TRUE", "approved"),
                                              ("是", "approved"), (False, "unknown"), (0, "unknown"), ("×", "unknown"),
                                              ("否", "unknown")])
def test_a_version_2_budget_answer_reads_as_a_status(typed, status):
    """M-FUN-5: a version-2 funnel's yes/no 'budget confirmed' holds any yes/no spelling."""
    from kamxl.methodology.vocabulary import BUDGET_STATUS
    assert BUDGET_STATUS.parse(typed).key == status
