"""Customers across a batch of funnels, forecasts and account plans (kamxl/checks/across.py),
with golden findings: every seeded defect at its cell, nothing on the clean files.

M-ACC-3  one customer, one account manager: the region-order variant of one customer
         claimed by two people (a plan and a funnel; a funnel and a forecast).
M-ACC-2  the credit code decides: two coded companies with alike names are no conflict; a
         code-less name of both is ambiguous; a customer spelt another way than in most files.
M-FUN-5  an open opportunity at or past ``[evidence] decision_chain_from`` whose customer's
         account plan in the batch has an empty decision chain.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from stdnum.cn import uscc

from kamxl.checks import across
from kamxl.findings import Severity
from kamxl.io.guard import NO_LIMITS
from kamxl.io.reader import read_workbook
from kamxl.methodology import default_config
from kamxl.schema import TEMPLATES
from kamxl.templates.builder import build_workbook
from kamxl.validate import validate_paths
from tests.content import TODAY, clean_funnel, content
from tests.language import foreign

CODE_A = "91110000600037345" + uscc.calc_check_digit("91110000600037345")
CODE_B = "91110000600037343" + uscc.calc_check_digit("91110000600037343")


def build(folder: Path, name: str, c: dict, file: str, lang: str = "zh") -> Path:
    rows = {k: v for k, v in c.items() if isinstance(v, list)}
    forms = {k: v for k, v in c.items() if isinstance(v, dict)}
    return build_workbook(TEMPLATES[name], folder / file, lang=lang, rows=rows, forms=forms)


def funnel(rows: list[dict]) -> dict:
    """A funnel of ``rows`` over a clean stage-04 opportunity of the sample (open, confirmed)."""
    c = clean_funnel("zh")
    base = next(r for r in c["Opportunities"] if r["id"] == "OPP-2026-0007")
    c["Opportunities"] = [{**base, "credit_code": None, **row} for row in rows]
    c["Assessment"] = []
    return c


def plan(customer: str, manager: str, *, chain: bool = True) -> dict:
    c = content("account-plan", "zh")
    c["Profile"].update(customer=customer, credit_code=None, account_manager=manager)
    if not chain:
        c["DecisionChain"] = []
    return c


def clean_forecast() -> dict:
    """The sample forecast (王磊's) with every line closing in its period."""
    c = content("forecast", "zh")
    for row in c["ForecastLines"]:
        row.update(close_date=dt.date(2026, 12, 15))
    return c


def forecast(owner: str, customer: str) -> dict:
    """A rep's forecast of one line of the sample, for ``customer``."""
    c = clean_forecast()
    c["Forecast"].update(owner=owner)
    c["ForecastLines"] = [dict(c["ForecastLines"][0], owner=owner, customer=customer, opportunity_id="ZM-1")]
    return c


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[dict[str, Path], object]:
    folder = tmp_path_factory.mktemp("customers")
    stage_04 = default_config().stages[3].label("zh")
    files = {
        # clean: the sample funnel, plan and forecast agree (王磊 works 江澜电力 and 恒岳化工)
        "funnel-clean": build(folder, "funnel", clean_funnel("zh"), "funnel-clean.xlsx"),
        "plan-jianglan": build(folder, "account-plan", content("account-plan", "zh"), "plan-jianglan.xlsx"),
        "forecast-wang": build(folder, "forecast", clean_forecast(), "forecast-wang.xlsx"),
        # seeded
        "plan-huaxin": build(folder, "account-plan", plan("北京华信科技有限公司", "王磊"), "plan-huaxin.xlsx"),
        "plan-qingsong": build(folder, "account-plan", plan("青松物流有限公司", "王磊", chain=False),
                               "plan-qingsong.xlsx"),
        "funnel-li": build(folder, "funnel", funnel([
            dict(id="LN-1", customer="华信科技（北京）有限公司", owner="李娜"),          # 王磊's plan: M-ACC-3
            dict(id="LN-2", customer="恒达贸易（上海）有限公司", owner="李娜"),          # 赵敏's forecast: M-ACC-3
            dict(id="LN-3", customer="江瀾電力集團有限公司", owner="王磊",               # another spelling: M-ACC-2
                 credit_code="91320102748213655L"),
            dict(id="LN-4", customer="青松物流有限公司", owner="王磊", stage=stage_04),  # empty chain: M-FUN-5
            dict(id="LN-5", customer="青松物流有限公司", owner="王磊",                   # stage 02: not yet
                 stage=default_config().stages[1].label("zh")),
        ]), "funnel-li.xlsx"),
        "funnel-zhao": build(folder, "funnel", funnel([
            dict(id="ZM-2", customer="华信科技有限公司", owner="赵敏", credit_code=CODE_A),
            dict(id="ZM-3", customer="华信科技股份有限公司", owner="刘洋", credit_code=CODE_B),  # two companies
            dict(id="ZM-4", customer="华信科技", owner="陈晓峰"),                       # which one? M-ACC-2
        ]), "funnel-zhao.xlsx"),
        "forecast-zhao": build(folder, "forecast", forecast("赵敏", "上海恒达贸易有限公司"), "forecast-zhao.xlsx"),
    }
    report = validate_paths(list(files.values()), today=TODAY, limits=NO_LIMITS, base=folder)
    return files, report


def cell(path: Path, table: str, index: int, key: str) -> tuple[str, str]:
    record = read_workbook(path).tables[table].records[index]
    return path.name, record.cells[key]


def profile_cell(path: Path) -> tuple[str, str]:
    return path.name, read_workbook(path).forms["Profile"].cells["customer"]


def test_every_seeded_defect_is_found_at_its_cell(batch):
    """M-ACC-3, M-ACC-2, M-FUN-5: the golden findings of the batch, and no others."""
    files, report = batch
    li, zhao = files["funnel-li"], files["funnel-zhao"]
    expected = {
        ("M-ACC-3", Severity.WARNING, *cell(li, "Opportunities", 0, "customer")),
        ("M-ACC-3", Severity.WARNING, *profile_cell(files["plan-huaxin"])),
        ("M-ACC-3", Severity.WARNING, *cell(li, "Opportunities", 1, "customer")),
        ("M-ACC-3", Severity.WARNING, *cell(files["forecast-zhao"], "ForecastLines", 0, "customer")),
        ("M-ACC-2", Severity.INFO, *cell(li, "Opportunities", 2, "customer")),
        ("M-FUN-5", Severity.WARNING, *cell(li, "Opportunities", 3, "stage")),
        ("M-ACC-2", Severity.WARNING, *cell(zhao, "Opportunities", 2, "customer")),
        # the region-order variants are also two spellings of one customer, one file each (a tie)
        ("M-ACC-2", Severity.INFO, *cell(li, "Opportunities", 0, "customer")),
        ("M-ACC-2", Severity.INFO, *profile_cell(files["plan-huaxin"])),
        ("M-ACC-2", Severity.INFO, *cell(li, "Opportunities", 1, "customer")),
        ("M-ACC-2", Severity.INFO, *cell(files["forecast-zhao"], "ForecastLines", 0, "customer")),
    }
    assert {(f.rule, f.severity, f.file, f.cell) for f in report.across} == expected
    assert len(report.across) == len(expected)


def test_nothing_on_the_clean_files(batch):
    files, report = batch
    mine = report.by_file()
    for name in ("funnel-clean", "plan-jianglan", "forecast-wang"):
        assert mine[files[name].name] == [], [f.text("en") for f in mine[files[name].name]]


def test_the_messages_name_the_people_files_and_spellings_in_both_languages(batch):
    files, report = batch
    by = {(f.rule, f.file, f.cell): f for f in report.across if f.severity is not Severity.INFO or f.rule != "M-ACC-3"}
    by |= {("spelling", f.file, f.cell): f for f in report.across if f.severity is Severity.INFO}
    huaxin = by[("M-ACC-3", *profile_cell(files["plan-huaxin"]))]
    assert huaxin.text("en") == ("customer '北京华信科技有限公司' is worked by 2 people: 王磊 (account plan "
                                 "plan-huaxin.xlsx), 李娜 (funnel funnel-li.xlsx)")
    assert huaxin.text("zh") == ("客户“北京华信科技有限公司”有 2 位负责人：王磊（客户经营计划 plan-huaxin.xlsx）、"
                                 "李娜（销售漏斗 funnel-li.xlsx）")
    hengda = by[("M-ACC-3", *cell(files["forecast-zhao"], "ForecastLines", 0, "customer"))]
    assert "李娜 (funnel funnel-li.xlsx), 赵敏 (forecast forecast-zhao.xlsx)" in hengda.text("en")
    spelt = by[("spelling", *cell(files["funnel-li"], "Opportunities", 2, "customer"))]
    assert spelt.text("en").startswith("customer '江瀾電力集團有限公司' is written 2 ways in this batch: "
                                       "'江澜电力集团有限公司', '江瀾電力集團有限公司'")
    chain = by[("M-FUN-5", *cell(files["funnel-li"], "Opportunities", 3, "stage"))]
    assert chain.text("zh") == "商机处于阶段 04，但客户“青松物流有限公司”的客户经营计划（plan-qingsong.xlsx）中决策链为空"
    which = by[("M-ACC-2", *cell(files["funnel-zhao"], "Opportunities", 2, "customer"))]
    assert CODE_A in which.text("en") and CODE_B in which.text("en") and "2 companies" in which.text("en")
    people = ["王磊", "李娜", "赵敏", "刘洋", "陈晓峰"]
    customers = [dict(f.params)["customer"] for f in report.across if "customer" in dict(f.params)]
    for f in report.across:            # the rest of each message in its language
        data = [*people, *customers, "江澜电力集团有限公司", *(p.name for p in files.values())]
        assert foreign(f.text("zh"), "zh", data=data) == [], f.text("zh")
        assert foreign(f.text("en"), "en", data=data) == [], f.text("en")


def test_two_account_plans_of_one_customer_are_an_error_m_acc_3(tmp_path):
    """M-ACC-3: account plans that disagree stay errors, written with the region anywhere."""
    a = build(tmp_path, "account-plan", plan("北京华信科技有限公司", "王磊"), "a.xlsx")
    b = build(tmp_path, "account-plan", plan("華信科技（北京市）有限公司", "李娜"), "b.xlsx")
    report = validate_paths([a, b], today=TODAY, limits=NO_LIMITS, base=tmp_path)
    acc3 = [(f.severity, f.file) for f in report.across if f.rule == "M-ACC-3"]
    assert sorted(acc3) == [(Severity.ERROR, "a.xlsx"), (Severity.ERROR, "b.xlsx")]


def test_without_the_plan_in_the_batch_nothing_is_said_of_the_chain_m_fun_5(tmp_path):
    """M-FUN-5: no plan of the customer in the batch: no decision-chain finding."""
    f = build(tmp_path, "funnel", funnel([dict(id="X-1", customer="青松物流有限公司", owner="王磊")]), "f.xlsx")
    report = validate_paths([f], today=TODAY, limits=NO_LIMITS)
    assert [x for x in report.findings if x.rule == "M-FUN-5" and "decision" in x.text("en")] == []


def test_a_large_batch_is_checked_quickly():
    """1,000 funnels of 500 rows, 20,000 customers: name keys are computed once per distinct name."""
    blocks = []
    for n in range(1000):
        names = [f"客户{(n * 500 + i) % 20000:05d}科技有限公司" for i in range(500)]
        blocks.append(across.Customers("funnel", f"f{n}.xlsx", "商机", names, [""] * 500,
                                       [f"负责人{((n * 500 + i) % 20000) % 7}" for i in range(500)],
                                       [f"B{i + 5}" for i in range(500)], [""] * 500))
    start = time.perf_counter()
    found = across.check(blocks)
    elapsed = time.perf_counter() - start
    assert found == []
    assert elapsed < 30, elapsed


def test_an_invalid_credit_code_is_reported_and_compared_as_blank_m_acc_2(tmp_path):
    """M-ACC-2: a code with a wrong check digit is a warning at its cell; the row still
    meets its customer by name (here the other row's owner: M-ACC-3)."""
    bad = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")
    f = build(tmp_path, "funnel", funnel([dict(id="X-1", customer="华信科技有限公司", owner="王磊", credit_code=bad),
                                          dict(id="X-2", customer="华信科技", owner="李娜")]), "f.xlsx")
    report = validate_paths([f], today=TODAY, limits=NO_LIMITS, base=tmp_path)
    found = {(x.rule, x.severity, x.cell) for x in report.across}
    assert found == {("M-ACC-2", Severity.WARNING, cell(f, "Opportunities", 0, "credit_code")[1]),
                     ("M-ACC-3", Severity.WARNING, cell(f, "Opportunities", 0, "customer")[1]),
                     ("M-ACC-3", Severity.WARNING, cell(f, "Opportunities", 1, "customer")[1])}
    assert bad in next(x for x in report.across if x.rule == "M-ACC-2").text("en")


def test_one_finding_per_file_and_person_not_per_row_m_acc_3(tmp_path):
    """M-ACC-3: 30 rows of one customer by one person and one row by another: two findings."""
    rows = [dict(id=f"W-{n}", customer="华信科技有限公司", owner="王磊") for n in range(30)]
    f = build(tmp_path, "funnel", funnel([*rows, dict(id="L-1", customer="华信科技", owner="李娜")]), "f.xlsx")
    report = validate_paths([f], today=TODAY, limits=NO_LIMITS, base=tmp_path)
    assert [(x.rule, x.cell) for x in report.across] == [("M-ACC-3", cell(f, "Opportunities", 0, "customer")[1]),
                                                         ("M-ACC-3", cell(f, "Opportunities", 30, "customer")[1])]
