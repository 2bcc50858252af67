"""Rule flags (``kamxl.schema.model.Flag``): every flag a conditional format in every workbook,
and — computed by LibreOffice — on exactly where the validator reports its rule, on the
filled examples and on workbooks made to break each rule (issue 17).

Date-dependent rules (a past close date, an overdue action) use the real today on both
sides: the validator is given ``date.today()`` and the formula says TODAY().
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter

from kamxl.checks.account_plan import RANK_TWICE
from kamxl.methodology import load_config
from kamxl.methodology.accounts import evaluate_account
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.selling_points import is_buying_point
from kamxl.methodology.vocabulary import ACTION_STATUS, BUDGET_STATUS, FORECAST_CATEGORY, STATUS
from kamxl.schema.model import Form, Table, Template
from kamxl.templates import EXAMPLES, TEMPLATES, write_template
from kamxl.templates.builder import Builder, build_workbook
from kamxl.templates.examples import YES_NO_LABEL
from kamxl.templates.layout import plan
from kamxl.validate import validate_file
from tests.flags import Rule, flag_rules, flagged
from tests.libreoffice import soffice_available

LANGS, EDITIONS = ("zh", "en"), ("kam", "portable")

# Flags whose rule the validator reports once for a whole table or form (at its first row):
# the flag is on somewhere exactly when the validator reports the rule.
WHOLE = {("account-plan", "M-REL-5"), ("account-plan", "M-SCORE-5")}
# Flags on every cell holding a repeated value, which the validator reports once per value.
GROUPED = {("account-plan", "M-REL-3")}
# Flags the validator has no finding for (a good or informative look): checked against the
# methodology's own functions instead.
SHOWN_ONLY = {"M-PLAN-4", "M-ACC-6", "M-TEAM-1"}


def _blocks(template: Template) -> list[Table | Form]:
    return [b for s in template.sheets for b in s.blocks if isinstance(b, (Table, Form)) and b.flags]


def _key(block: Table | Form) -> str:
    return block.name if isinstance(block, Table) else block.prefix


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_flag_is_a_conditional_format_over_its_cells(name, lang, edition, tmp_path):
    """Each flag declared in the schema is one formula conditional format of the written
    workbook, over exactly the data cells of its columns, in declaration order; its formula
    is a plain one (no structured reference, which a conditional format cannot hold)."""
    template, cfg = TEMPLATES[name], default_config()
    path = write_template(name, tmp_path / "t.xlsx", lang=lang, edition=edition)
    written = flag_rules(path)
    places = plan(template, lang, cfg, {})
    builder = Builder(template, tmp_path / "unused.xlsx", lang=lang, config=cfg, rows={}, forms={}, edition=edition)
    expected = []
    for block in _blocks(template):
        place = places[_key(block)]
        for flag in block.flags:
            if isinstance(block, Table):
                keys = [c.key for c in block.columns]
                cells = tuple((place.header_row + 2 + r, place.first_col + 1 + keys.index(k))
                              for k in flag.columns for r in range(place.rows))
            else:
                keys = [f.key for f in block.fields]
                cells = tuple((place.first_row + 1 + keys.index(k), place.first_col + 2) for k in flag.columns)
            expected.append((place.sheet, tuple(sorted(cells)), builder.flag_formula(flag, block, place).removeprefix("=")))
    assert expected, f"{name} declares no flag"
    assert [(r.sheet, r.cells, r.formula) for r in written] == expected
    for rule in written:
        assert "[" not in rule.formula and "KAM_" not in rule.formula, rule.formula


def test_thresholds_and_stages_come_from_the_company_settings(tmp_path):
    """A company that wants a coach from stage 04 and a budget from 03 gets those numbers in
    the formulas; nothing of the defaults stays."""
    company = tmp_path / "company.toml"
    company.write_text("[evidence]\ncoach_from = 4\nbudget_and_sponsor_from = 3\n[scoring]\nthreshold = 12\n",
                       encoding="utf-8")
    cfg = load_config(company)
    template = TEMPLATES["funnel"]
    places = plan(template, "en", cfg, {})
    builder = Builder(template, tmp_path / "unused.xlsx", lang="en", config=cfg, rows={}, forms={})
    table = template.table("Opportunities")
    formulas = {(f.rule, f.columns): builder.flag_formula(f, table, places["Opportunities"]) for f in table.flags}
    assert formulas[("M-REL-5", ("coach",))].endswith(")>=4,TRIM(SUBSTITUTE($" + _letter(table, "coach") + "6,\"\u3000\",\" \"))=\"\")")
    assert ")>=3," in formulas[("M-FUN-5", ("budget_status",))]
    assert formulas[("M-SCORE-4", ("value_score",))].endswith("<=12)")


def _letter(table: Table, key: str) -> str:
    return get_column_letter(1 + [c.key for c in table.columns].index(key))


# --- in LibreOffice, against the validator --------------------------------------------------------------

needs_lo = pytest.mark.skipif(not soffice_available() and not os.environ.get("CI"),
                              reason="LibreOffice (libreoffice-calc-nogui) is not installed")


def _row_of(cell: str) -> int:
    return int(re.sub(r"^[A-Z]+", "", cell))


def _col_of(cell: str) -> int:
    letters = re.match(r"^[A-Z]+", cell).group(0)  # type: ignore[union-attr]
    return sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters)))


def agree(path: Path, template: Template, cfg: Config, workdir: Path, *, recalc: bool) -> dict[str, int]:
    """Assert every flag of ``path`` agrees with the validator (or the methodology); returns how
    many cells each rule flagged, so a caller can say which rules a file exercises."""
    today = dt.date.today()
    on = flagged(path, workdir, recalc=recalc)
    if dt.date.today() != today:   # midnight passed between the two: once more
        today, on = dt.date.today(), flagged(path, workdir, recalc=recalc)
    found = validate_file(path, config=cfg, today=today).findings
    flags = [f for b in _blocks(template) for f in b.flags]
    rules = flag_rules(path)
    assert len(flags) == len(rules)
    by_rule: dict[str, list[tuple[Rule, Any]]] = {}
    for rule, flag in zip(rules, flags):
        by_rule.setdefault(flag.rule, []).append((rule, flag))
    counts = {}
    values = _values(path)
    for rule_id, pairs in by_rule.items():
        cells = {(r.sheet, cell) for r, _ in pairs for cell in on[r]}
        counts[rule_id] = len(cells)
        if rule_id in SHOWN_ONLY:
            _shown(rule_id, pairs, on, values, cfg)
            continue
        sheets = {r.sheet for r, _ in pairs}
        reported = [f for f in found if f.rule == rule_id]
        if (template.id, rule_id) in WHOLE:
            assert bool(cells) == bool(reported), (rule_id, sorted(cells), [(f.sheet, f.cell) for f in reported])
            continue
        reported = [f for f in reported if f.sheet in sheets]
        if (template.id, rule_id) in GROUPED:   # one finding per repeated value, at one of its cells
            reported = [f for f in reported if f.message == RANK_TWICE]
            value = {(sheet, row): values.get((sheet, row, col)) for sheet, (row, col) in cells}
            assert {(f.sheet, _row_of(f.cell)) for f in reported} <= set(value), rule_id
            assert {value[f.sheet, _row_of(f.cell)] for f in reported} == set(value.values()), rule_id
            continue
        rows = {(sheet, row) for sheet, (row, _) in cells}
        assert rows == {(f.sheet, _row_of(f.cell)) for f in reported}, (rule_id, path.name)
        for f in reported:   # the very cell the validator names is coloured
            assert (f.sheet, (_row_of(f.cell), _col_of(f.cell))) in cells, (rule_id, f.sheet, f.cell)
    return counts


def _values(path: Path) -> dict[tuple[str, int, int], object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(ws.title, c.row, c.column): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def _shown(rule_id: str, pairs: list[tuple[Rule, Any]], on: dict[Rule, set[tuple[int, int]]],
           values: dict[tuple[str, int, int], object], cfg: Config) -> None:
    """Flags with a look only (green zone, account class, attainment bands): on where the
    methodology's function says so, computed from the stored values."""
    for rule, flag in pairs:
        expected = set()
        for row, col in rule.cells:
            value = values.get((rule.sheet, row, col))
            if rule_id == "M-TEAM-1":
                band = None if not isinstance(value, (int, float)) else (
                    "good" if value >= cfg.attainment.on_track_from else
                    "warning" if value >= cfg.attainment.at_risk_below else "error")
                hit = band == flag.look
            elif rule_id == "M-ACC-6":
                declared = re.search(r'="(\w)"$', flag.when).group(1)  # type: ignore[union-attr, arg-type]
                hit = value == declared == _evaluated_class(values, rule.sheet, row, col)
            else:   # M-PLAN-4: the selling point's two scores, left of the buying-point column
                first = min(c for _, c in rule.cells)
                u, v = values.get((rule.sheet, row, first)), values.get((rule.sheet, row, first + 1))
                hit = isinstance(u, (int, float)) and isinstance(v, (int, float)) and is_buying_point(u, v, config=cfg)
            if hit:
                expected.add((row, col))
        assert on[rule] == expected, (rule_id, flag.legend.en, sorted(on[rule]), sorted(expected))


def _evaluated_class(values: dict[tuple[str, int, int], object], sheet: str, row: int, col: int) -> str | None:
    """The class the methodology gives the evaluation form's three measures (the rows above the
    weighted score, which is the row above the class)."""
    measures = [values.get((sheet, row - k, col)) for k in (4, 3, 2)]
    if any(m is None for m in measures):
        return None
    return evaluate_account(*measures).account_class


# --- workbooks that break each rule ------------------------------------------------------------------------

def broken(name: str, lang: str, cfg: Config) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
    """The example, with rows added (or changed) that break every flagged rule, and some that
    come close without breaking it."""
    content = EXAMPLES[name](TEMPLATES[name], lang, cfg)
    rows = {k: v for k, v in content.items() if isinstance(v, list)}
    forms = {k: dict(v) for k, v in content.items() if isinstance(v, dict)}
    yes, no = YES_NO_LABEL[lang]
    today = dt.date.today()
    past, future = today - dt.timedelta(days=3), today + dt.timedelta(days=40)
    stage = {s.number: s.label(lang) for s in cfg.stages}
    last = len(cfg.stages)
    status = {t.key: t.label(lang) for t in STATUS.terms}
    category = {t.key: t.label(lang) for t in FORECAST_CATEGORY.terms}
    budget = {t.key: t.label(lang) for t in BUDGET_STATUS.terms}
    if name == "funnel":
        def opp(i: int, n: int, **kw: object) -> dict[str, Any]:
            return {"id": f"OPP-T-{i:03d}", "customer": "测试客户", "name": f"T{i}", "owner": "王磊", "stage": stage[n],
                    "status": status["open"], "amount": 100_000.0, "currency": "CNY", "close_date": future,
                    "category": category["pipeline"], "confirmed": yes, "budget_status": budget["identified"],
                    "sponsor": "S",
                    "coach": "C", **kw}
        added = [
            opp(1, last),                                            # M-FUN-4: open at the last stage
            opp(2, 3, status=status["won"]),                         # M-FUN-4: won before the last stage
            opp(3, 4, close_date=past),                              # S-STALE
            opp(4, last, status=status["lost"], close_date=past),    # closed: not stale
            opp(5, 3, budget_status=budget["unknown"]),              # M-FUN-5 budget not found out
            opp(6, 2, sponsor="  "),                                 # M-FUN-5 sponsor (blank once trimmed)
            opp(7, 1, budget_status=None, sponsor=None, coach=None),  # stage 01 needs nothing
            opp(17, 2, budget_status=None),                          # M-FUN-5: a blank status is unknown too
            opp(18, 2, budget_status=budget["clarifying"]),          # being clarified: found out enough
            opp(19, last, status=status["lost"], lost_reason="价格", winner="X"),  # M-FUN-4: no follow-up
            opp(20, last, status=status["lost"], lost_reason="P", winner="X", follow_up="F"),  # complete
            opp(21, 3, prob_override=0.6),                           # M-FUN-6: adjusted without a reason
            opp(22, 3, override_reason="R"),                         # M-FUN-6: a reason alone (info)
            opp(23, 3, prob_override=0.35, override_reason="R"),     # adjusted, with its reason
            opp(8, 4, coach=None),                                   # M-REL-5
            opp(9, 5),                                               # M-FUN-5: no assessment at stage 05
            opp(10, 6),                                              # M-SCORE-4 (its assessment is low)
            opp(11, 6),                                              # high value: nothing
            opp(12, 2, confirmed=no, category=category["commit"]),   # M-FC-2
            opp(13, 2, confirmed=no, category=category["best_case"]),  # best case is upside: nothing
            opp(3, 2),                                               # M-FC-3: OPP-T-003 twice
            opp(14, 4, stage="stage 4" if lang == "en" else "阶段4", coach=None),  # another spelling of 04
            opp(15, 5, status=None, close_date=past),                # a blank status is open: stale, no assessment
            opp(16, 3, stage="?", coach=None),                       # not a stage: skipped by both
        ]
        rows["Opportunities"] = [*rows["Opportunities"], *added]
        answers = {"OPP-T-010": [yes] * 4 + [no] * 16, "OPP-T-011": [yes] * 16 + [no] * 4,
                   "OPP-T-015": [yes] * 10 + [None] * 10,              # M-SCORE-3: unfinished at stage 05
                   "OPP-T-005": [yes] * 10 + [None] * 10,              # unfinished at stage 03: not yet
                   "OPP-T-008": [yes] * 10 + [None] * 9 + ["maybe"]}   # unreadable: reported as a value
        rows["Assessment"] = [*rows["Assessment"],
                              *({"id": i, **{f"q{k:02d}": a for k, a in enumerate(ans, 1)}} for i, ans in answers.items())]
    elif name == "forecast":
        owner = forms["Forecast"]["owner"]
        base = dict(rows["ForecastLines"][0])
        q_end = dt.date(2026, 12, 15)

        def line(i: int, **kw: object) -> dict[str, Any]:
            return {**base, "opportunity_id": f"OPP-T-{i:03d}", "owner": owner, "confirmed": yes,
                    "stage": stage[5], "status": status["open"], "category": category["commit"],
                    "close_date": q_end, **kw}
        rows["ForecastLines"] = [*rows["ForecastLines"],
            line(1, confirmed=no),                                          # M-FC-2 unconfirmed
            line(2, owner="李娜"),                                           # M-FC-2 not the forecaster's
            line(3, owner=f" {owner} "),                                     # the same owner, spaced: nothing
            line(4, stage=stage[last]),                                     # M-FUN-4 open at the last stage
            line(5, category=category["closed"]),                           # M-FC-2 closed but open
            line(6, stage=stage[last], status=status["won"], category=category["closed"]),  # fine
            line(7, close_date=dt.date(2027, 1, 10)),                       # M-FC-1 outside 2026-Q4
            line(1),                                                        # M-FC-3 twice
        ]
        forms["Forecast"]["quota"] = 60_000_000.0   # attainment bands: watch or at risk
    elif name == "register":
        valid = cfg.register.evaluation_valid_days
        base = {**rows["Customers"][0], "credit_code": None, "evaluated_on": today}

        def customer(i: int, **kw: object) -> dict[str, Any]:
            return {**base, "customer": f"测试客户{i}有限公司", **kw}
        rows["Customers"] = [*rows["Customers"],
            customer(1), customer(1, customer="测试客户1股份有限公司"),                 # M-ACC-2: one key, twice
            customer(2, credit_code="91320102748213655X"),                            # M-ACC-2: bad check digit
            customer(3, credit_code="91320102748213655X"),                            # the same bad code: no key
            customer(4, account_manager=" "),                                         # M-ACC-3 (blank once trimmed)
            customer(5, account_class=None, evaluated_on=None),                       # M-ACC-5 not classified
            customer(6, evaluated_on=None),                                           # M-ACC-5 no evaluation date
            customer(7, evaluated_on=today - dt.timedelta(days=valid + 1)),           # M-ACC-5 overdue
            customer(8, evaluated_on=today - dt.timedelta(days=valid)),               # due today: not yet
        ]
    else:
        done, open_ = ACTION_STATUS.get("done").label(lang), ACTION_STATUS.get("open").label(lang)
        rows["Actions"] = [*rows["Actions"],
                           {"action": "T1", "owner": "王磊", "due": past, "status": open_},   # M-PLAN-6
                           {"action": "T2", "owner": "王磊", "due": past, "status": done},    # done: nothing
                           {"action": "T3", "owner": "王磊", "due": past},                    # no status: overdue
                           {"action": "T4", "owner": "王磊", "due": today, "status": open_}]  # due today: not yet
        rows["DecisionChain"] = [{**r, "coach": no} for r in rows["DecisionChain"]]          # M-REL-5: no insider…
        rows["Coaches"] = [{"name": "  "}]                                                    # …a blank outsider
        rows["RelationshipPlan"][1]["owner"] = None                                          # M-REL-4
        rows["RelationshipPlan"][2]["second_owner"] = None                                   # optional: nothing
        forms["PlanReview"] |= {"route": " ", "reviewed_on": today - dt.timedelta(days=95)}  # M-PLAN-1 twice
        rows["JointPlan"] = [*rows["JointPlan"],
                             {"objective": "T8", "customer_commitment": "C", "our_commitment": None},  # M-PLAN-5
                             {"objective": "T9", "customer_commitment": "C", "our_commitment": "O"},   # no date
                             {"customer_commitment": "C"}]                                   # no objective: nothing
        rows["Execution"] = [*rows["Execution"],
                             {"measure": "T10", "target": 10.0, "actual": 9.0},              # M-PLAN-5 missed
                             {"measure": "T11", "target": 10.0, "actual": 10.0},             # met exactly
                             {"measure": "T12", "target": 0.0, "actual": 3.0}]               # no target: nothing
        rows["DecisionChain"][-1]["top10_rank"] = rows["DecisionChain"][0]["top10_rank"]      # M-REL-3 twice
        rows["SellingPoints"] = [*rows["SellingPoints"],
                                 {"point": "T7", "uniqueness": 7.0, "value": 7.0},           # the green zone's edge
                                 {"point": "T6", "uniqueness": 6.9, "value": 10.0}]
        forms["Evaluation"] |= {"contribution": 50.0, "potential": 40.0, "satisfaction": 30.0}   # class C
        rows["Checklist"] = [{"answer": r.get("answer") if i % 4 == 0 else None}
                             for i, r in enumerate(rows["Checklist"])]                           # M-SCORE-5
    return rows, forms


CASES = [(name, lang, edition) for name in sorted(TEMPLATES) for lang in LANGS for edition in EDITIONS]


@needs_lo
@pytest.mark.parametrize(("name", "lang", "edition"), CASES)
def test_flags_on_the_example_agree_with_the_validator(name, lang, edition, tmp_path):
    path = write_template(name, tmp_path / f"{name}-{lang}-{edition}.xlsx", lang=lang, filled=True, edition=edition)
    counts = agree(path, TEMPLATES[name], default_config(), tmp_path, recalc=edition == "portable")
    assert sum(counts.values()) > 0, f"the {name} example shows no flag"


@needs_lo
@pytest.mark.parametrize(("name", "lang", "edition"), [(n, "zh", "kam") for n in sorted(TEMPLATES)]
                         + [(n, "en", "portable") for n in sorted(TEMPLATES)])
def test_flags_on_broken_workbooks_agree_with_the_validator(name, lang, edition, tmp_path):
    cfg = default_config()
    rows, forms = broken(name, lang, cfg)
    path = build_workbook(TEMPLATES[name], tmp_path / f"broken-{name}.xlsx", lang=lang, config=cfg, rows=rows,
                          forms=forms, edition=edition)
    counts = agree(path, TEMPLATES[name], cfg, tmp_path, recalc=edition == "portable")
    assert all(counts.values()), f"rules never flagged: {[r for r, n in counts.items() if not n]}"


@needs_lo
def test_flags_follow_a_company_with_its_own_stages(tmp_path):
    """Stages with the company's own names, a coach from stage 02, budget from 03, a score from
    04: the flags read the labels the company gives, and agree with the validator."""
    company = tmp_path / "company.toml"
    stages = "".join(f'[stages.0{n}]\nname = {{ zh = "步骤{n}", en = "Step {n}" }}\n' for n in range(1, 9))
    company.write_text("[evidence]\ncoach_from = 2\nbudget_and_sponsor_from = 3\nscore_from = 4\n"
                       "[scoring]\nlate_stage = 4\n" + stages, encoding="utf-8")
    cfg = load_config(company)
    assert cfg.stages[3].label("en").endswith("Step 4")
    rows, forms = broken("funnel", "en", cfg)
    path = build_workbook(TEMPLATES["funnel"], tmp_path / "company.xlsx", lang="en", config=cfg, rows=rows,
                          forms=forms, edition="portable")
    counts = agree(path, TEMPLATES["funnel"], cfg, tmp_path, recalc=True)
    assert all(counts.values()), counts

