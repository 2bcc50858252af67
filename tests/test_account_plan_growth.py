"""The account plan's relationship layers, responsible persons, coaches, route and review, and
its growth sheet (issue 18), golden: each seeded defect gives its finding at its cell, the
examples none; the stored formula values follow the company settings.

M-REL-2  three relationship layers (seed 003, 均衡的客户关系): a layer per chain person, a
         per-layer summary (people, average level, coverage), a warning naming a missing layer.
M-REL-4  a first responsible person per relationship is required, a second one optional; a
         version-1 plan's one owner column reads as the first.
M-REL-5  a coach may be an outsider (seed 003: retired executives, investment banks,
         consultancies, government, partners): the coaches table counts.
M-PLAN-1 route to the goals, account strategy, review and revision; a review overdue by the
         company's ``plan.review_every_days`` warns.
M-PLAN-5 seed 004's growth steps: classification linked to the evaluation, growth
         opportunities, joint business plan (both sides' commitments, dates), execution
         against targets (attainment; a missed target needs an adjustment), roll-out.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamxl.findings import Severity
from kamxl.io.reader import read_workbook
from kamxl.methodology import load_config
from kamxl.methodology.vocabulary import COACH_KIND, RELATIONSHIP_LAYER
from kamxl.schema import TEMPLATES
from kamxl.templates.builder import build_workbook
from kamxl.validate import validate_file
from tests.content import TODAY, content

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
PLAN = TEMPLATES["account-plan"]


def build(tmp_path: Path, c: dict, lang: str = "en", config=None, file: str = "plan.xlsx") -> Path:
    rows = {k: v for k, v in c.items() if isinstance(v, list)}
    forms = {k: v for k, v in c.items() if isinstance(v, dict)}
    options = {"config": config} if config else {}
    return build_workbook(PLAN, tmp_path / file, lang=lang, rows=rows, forms=forms, **options)


def findings(path: Path, rule: str, config=None):
    options = {"config": config} if config else {}
    return [f for f in validate_file(path, today=TODAY, **options).findings if f.rule == rule]


def table_cell(path: Path, table: str, index: int, key: str) -> tuple[str, str]:
    record = read_workbook(path).tables[table].records[index]
    return record.sheet, record.cells[key]


def form_cell(path: Path, prefix: str, key: str) -> tuple[str, str]:
    record = read_workbook(path).forms[prefix]
    return record.sheet, record.cells[key]


def at(found) -> list[tuple[str, str]]:
    return [(f.sheet, f.cell) for f in found]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_examples_validate_clean(lang):
    """The filled examples fill every new block (layers, coaches, review, growth) without a finding."""
    path = ROOT / "workbooks" / "examples" / f"account-plan-example.{lang}.xlsx"
    assert validate_file(path, today=TODAY).findings == []
    data = read_workbook(path)
    for table in ("Coaches", "GrowthOpportunities", "JointPlan", "Execution", "Rollout"):
        assert data.tables[table].records, table


# --- M-REL-2 -------------------------------------------------------------------------------------

def test_layer_summary_counts_averages_and_covers_m_rel_2():
    """The example's 14 people: 2 organisational (respect, know), 7 key, 5 extensive; covered
    from 'accept' (the default) — the stored values, in both languages."""
    for lang in ("zh", "en"):
        grid = read_workbook(ROOT / "workbooks" / "examples" / f"account-plan-example.{lang}.xlsx").grids["layers"]
        rows = [[grid.values[f"{c}{r}"] for c in "ABCD"] for r in range(grid.header_row + 1, grid.header_row + 4)]
        assert [r[0] for r in rows] == RELATIONSHIP_LAYER.labels(lang)
        assert [r[1] for r in rows] == [2.0, 7.0, 5.0]
        assert [round(r[2], 4) for r in rows] == [3.0, round(20 / 7, 4), 3.8]
        assert [round(r[3], 4) for r in rows] == [0.5, round(4 / 7, 4), 0.6]


def test_coverage_follows_the_company_level_m_rel_2(tmp_path):
    company = tmp_path / "company.toml"
    company.write_text("[plan]\ncovered_from = 5\n", encoding="utf-8")   # trust and up
    path = build(tmp_path, content("account-plan"), config=load_config(company))
    grid = read_workbook(path).grids["layers"]
    first = grid.header_row + 1
    assert [grid.values[f"D{r}"] for r in range(first, first + 3)] == [0.0, 2 / 7, 0.4]


def test_a_missing_layer_is_named_m_rel_2(tmp_path):
    c = content("account-plan")
    key = RELATIONSHIP_LAYER.get("key").label("en")
    for row in c["DecisionChain"]:
        row["layer"] = key
    c["DecisionChain"][3]["layer"] = None
    path = build(tmp_path, c)
    [warning] = findings(path, "M-REL-2")
    assert warning.severity is Severity.WARNING
    assert (warning.sheet, warning.cell) == table_cell(path, "DecisionChain", 0, "layer")
    assert "Organisational, Extensive" in warning.text("en")
    zh = content("account-plan", "zh")
    zh["DecisionChain"] = [r for r in zh["DecisionChain"] if r["layer"] != RELATIONSHIP_LAYER.get("extensive").label("zh")]
    [warning] = findings(build(tmp_path, zh, "zh", file="zh.xlsx"), "M-REL-2")
    assert warning.text("zh") == "决策链中没有普遍客户关系层面的人"


# --- M-REL-4 -------------------------------------------------------------------------------------

def test_the_first_responsible_person_is_required_the_second_optional_m_rel_4(tmp_path):
    c = content("account-plan")
    c["RelationshipPlan"][2]["owner"] = None
    c["RelationshipPlan"][4]["second_owner"] = None
    path = build(tmp_path, c)
    [error] = findings(path, "M-REL-4")
    assert error.severity is Severity.ERROR
    assert (error.sheet, error.cell) == table_cell(path, "RelationshipPlan", 2, "owner")


def test_a_version_1_plan_reads_its_one_owner_as_the_first_m_rel_4():
    """A plan written by template version 1 (its 'Owner' column, none of the new blocks): the
    owner is read as the first responsible person; everything else it lacks is a warning under
    S-VERSION, nothing an error."""
    path = GOLDEN / "account-plan-v1.en.xlsx"
    data = read_workbook(path)
    assert data.version == 1
    owners = [r.values.get("owner") for r in data.tables["RelationshipPlan"].records]
    assert owners[:3] == ["Andrew Gordon", "Andrew Gordon", "James Walker"] and all(owners)
    result = validate_file(path, today=TODAY).findings
    assert "S-VERSION" in {f.rule for f in result}
    assert [f for f in result if f.severity is Severity.ERROR] == []
    assert not [f for f in result if f.rule.startswith("M-")]


# --- M-REL-5 -------------------------------------------------------------------------------------

def test_an_outside_coach_is_a_coach_m_rel_5(tmp_path):
    c = content("account-plan")
    for row in c["DecisionChain"]:
        row["coach"] = "N"
    c["Coaches"] = [row for row in c["Coaches"] if row["kind"] == COACH_KIND.get("consultancy").label("en")]
    assert c["Coaches"] and findings(build(tmp_path, c), "M-REL-5") == []
    c["Coaches"] = []
    path = build(tmp_path, c, file="none.xlsx")
    [warning] = findings(path, "M-REL-5")
    assert (warning.sheet, warning.cell) == table_cell(path, "DecisionChain", 0, "coach")


@pytest.mark.parametrize(("spelling", "kind"), [
    ("客户关键岗位人员", "insider"), ("退休的CXO", "retired_executive"), ("投资银行", "investment_bank"),
    ("咨询公司", "consultancy"), ("政府", "government"), ("合作伙伴&友商", "partner"),
    ("Retired executive", "retired_executive"), ("investment bank", "investment_bank"),
])
def test_the_seed_names_every_coach_kind_m_rel_5(spelling, kind):
    """Seed 003's “谁”可以成为教练 list, in its own wording and in English."""
    assert COACH_KIND.parse(spelling).key == kind


# --- M-PLAN-1 ------------------------------------------------------------------------------------

def test_goals_without_route_or_strategy_warn_m_plan_1(tmp_path):
    c = content("account-plan")
    c["PlanReview"] = {**c["PlanReview"], "route": None, "strategy": "  "}
    path = build(tmp_path, c)
    assert sorted(at(findings(path, "M-PLAN-1"))) == sorted([form_cell(path, "PlanReview", "route"),
                                                            form_cell(path, "PlanReview", "strategy")])
    c["Goals"] = []        # no goals yet: nothing to route to
    assert findings(build(tmp_path, c, file="nogoals.xlsx"), "M-PLAN-1") == []


def test_a_review_overdue_by_the_company_period_warns_m_plan_1(tmp_path):
    """Reviewed 2026-10-15: 90 days (the default) run to 2027-01-13; a company reviewing every
    30 days was due on 2026-11-14, before the tests' today."""
    company = tmp_path / "company.toml"
    company.write_text("[plan]\nreview_every_days = 30\n", encoding="utf-8")
    cfg = load_config(company)
    path = build(tmp_path, content("account-plan"), config=cfg)
    assert read_workbook(path).forms["PlanReview"].values["next_review"] == dt.date(2026, 11, 14)
    [warning] = findings(path, "M-PLAN-1", cfg)
    assert (warning.sheet, warning.cell) == form_cell(path, "PlanReview", "next_review")
    assert "2026-11-14" in warning.text("en")
    assert findings(path, "M-PLAN-1") == []      # the default 90 days: not yet


# --- M-PLAN-5 ------------------------------------------------------------------------------------

def test_the_growth_sheet_links_the_class_and_computes_attainment_m_plan_5():
    for lang in ("zh", "en"):
        data = read_workbook(ROOT / "workbooks" / "examples" / f"account-plan-example.{lang}.xlsx")
        assert data.forms["GrowthClass"].values["account_class"] == data.forms["Evaluation"].values["account_class"] == "A"
        assert [r.values["attainment"] for r in data.tables["Execution"].records] == [0.84, 1.24, 0.5, 131 / 120]


def test_a_joint_plan_states_both_commitments_and_a_date_m_plan_5(tmp_path):
    c = content("account-plan")
    c["JointPlan"][0]["customer_commitment"] = None
    c["JointPlan"][1]["due"] = None
    path = build(tmp_path, c)
    assert sorted(at(findings(path, "M-PLAN-5"))) == sorted([table_cell(path, "JointPlan", 0, "customer_commitment"),
                                                            table_cell(path, "JointPlan", 1, "due")])


def test_a_missed_target_needs_an_adjustment_m_plan_5(tmp_path):
    c = content("account-plan")
    c["Execution"][0]["adjustment"] = None          # 84%: missed, nothing adjusted
    c["Execution"][1]["adjustment"] = None          # 124%: met
    path = build(tmp_path, c)
    [warning] = findings(path, "M-PLAN-5")
    assert (warning.sheet, warning.cell) == table_cell(path, "Execution", 0, "attainment")
    assert "84%" in warning.text("en")
    company = tmp_path / "company.toml"
    company.write_text("[plan]\nattained_from = 0.8\n", encoding="utf-8")
    assert findings(path, "M-PLAN-5", load_config(company)) == []


def test_attained_from_is_a_fraction_not_a_percentage(tmp_path):
    """M-PLAN-5: plan.attained_from = 100 (meant as 100 %) would ask for 10,000 %: refused, naming the key."""
    from kamxl.errors import ConfigError
    company = tmp_path / "company.toml"
    company.write_text("[plan]\nattained_from = 100\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(company)
    assert "plan.attained_from" in caught.value.message("en")
