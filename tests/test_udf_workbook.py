"""KAM_* formulas in a real .xlsx, evaluated by a real formula engine (the ``formulas``
package) and asserted cell by cell, including calls saved the way Excel saves add-in
functions (``[1]!KAM_SCORE``, ``'C:\\…\\kamxl.xlam'!KAM_SCORE``, ``_xludf.KAM_SCORE``)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from tests.engine import evaluate, is_error

ADDIN_PATH = r"'C:\Users\wanglei\AppData\Roaming\Microsoft\AddIns\kamxl.xlam'"
ANSWERS = [
    ["Y"] * 11 + ["N"] * 9,                                 # 11: high value
    ["是", "否"] * 10,                                       # 10: normal (not > 10)
    ["1", "0", "√", "×", "yes", "no", "TRUE", "FALSE", "Ｙ", "Ｎ"] * 2,   # 10, every spelling
    ["Y"] * 15 + [None] * 5,                                # incomplete
    ["Y"] * 19 + ["maybe"],                                 # an invalid answer
]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("udf-book")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Assess"
    for r, answers in enumerate(ANSWERS, start=2):
        for c, value in enumerate(answers, start=2):
            ws.cell(r, c, value)
    # Column V: the score, saved in each of the ways Excel writes an add-in call.
    ws["V2"] = "=KAM_SCORE(B2:U2)"
    ws["V3"] = "=[1]!KAM_SCORE(B3:U3)"
    ws["V4"] = f"={ADDIN_PATH}!KAM_SCORE(B4:U4,\"en\")"
    ws["V5"] = "=_xludf.KAM_SCORE(B5:U5,\"en\")"
    ws["V6"] = "=kamxl.xlam!KAM_SCORE(B6:U6)"
    for r in range(2, 7):
        ws[f"W{r}"] = f'=KAM_VALUE_LEVEL(V{r},10,"en")'
        ws[f"X{r}"] = f"=ISERROR(V{r})"
    ws["Y2"] = ArrayFormula("Y2:AB2", '=[1]!KAM_SCORE_DIMS(B2:U2,"en")')
    ws["AC2"] = ArrayFormula("AC2:AC6", '=KAM_SCORE(B2:U6,"en")')        # one score per row, spilled

    fn = wb.create_sheet("Funnel")
    rows = [("05 Shortlist/Bid", 1_000_000, None), ("05 进入短名单", 2_000_000, None), ("07", 500_000, None),
            ("08", 800_000, "won"), ("08 Closed", 300_000, "lost"), ("09", 100_000, None)]
    for r, (stage, amount, status) in enumerate(rows, start=2):
        fn[f"A{r}"], fn[f"B{r}"], fn[f"C{r}"] = stage, amount, status
        fn[f"D{r}"] = f"=[1]!KAM_STAGE_PROB(A{r},C{r})"
        fn[f"E{r}"] = f"=KAM_WEIGHTED(B{r},A{r},C{r})"
    fn["F2"] = ArrayFormula("F2:F6", "=KAM_WEIGHTED(B2:B6,A2:A6,C2:C6)")
    fn["G2"] = "=SUM(F2:F6)"                                        # native arithmetic over a spill
    fn["G3"] = '=IFERROR(E7,"bad stage")'
    fn["H2"] = "=KAM_STAGE_HEALTH(7,10)"
    fn["H3"] = '=KAM_HEALTH_BAND(H2,"zh")'
    fn["H4"] = "=KAM_STAGE_HEALTH(3,0)"
    for r, (count, amount) in enumerate([(2, 5e5), (1, 1e5), (1, 1e5), (1, 1e5), (2, 3e6), (1, 1e5), (1, 1e5)], 2):
        fn[f"J{r}"], fn[f"K{r}"] = count, amount
    fn["L2"] = ArrayFormula("L2:S9", '=KAM_FUNNEL(A2:A6,B2:B6,C2:C6,J2:K8,"en")')

    ac = wb.create_sheet("Account")
    ac["A1"], ac["A2"], ac["A3"] = "信任", "Partner", "friend"
    for r in (1, 2, 3):
        ac[f"B{r}"] = f"=KAM_REL_LEVEL(A{r})"
    for r, name in enumerate(["张三", "李四", "王五"], start=1):
        ac[f"C{r}"], ac[f"D{r}"] = name, name
    ac["D3"] = "赵六"
    ac["E1"] = '=KAM_TOP10_CHECK(C1:C2,D1:D2,"en")'
    ac["E2"] = '=KAM_TOP10_CHECK(C1:C3,D1:D3,"zh")'
    ac["F1"] = "=KAM_EVAL_SCORE(90,70,60)"
    ac["F2"] = "=KAM_ACCOUNT_CLASS(90,70,60)"
    ac["F3"] = "=KAM_ACCOUNT_CLASS(101,70,60)"
    ac["G1"] = '=KAM_NAME_KEY("北京某某科技（有限公司）")'
    ac["G2"] = '=KAM_NAME_KEY("华信","91110000802100433B")'
    ac["H1"] = "=KAM_BUYING_POINT(7,7)"
    ac["H2"] = "=KAM_BUYING_POINT(6,9)"
    ac["H3"] = "=KAM_BUYING_POINT(11,9)"
    path = folder / "kam-functions.xlsx"
    wb.save(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    values = evaluate(path, folder)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "evaluating must not touch the input"
    return path, values


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("KAMXL_LANG", "en")
    monkeypatch.setenv("KAMXL_CONFIG", str(tmp_path / "absent.toml"))


def test_scores_in_every_saved_form_m_score_1_3(book):
    _, v = book
    assert [v["ASSESS!V2"], v["ASSESS!V3"], v["ASSESS!V4"]] == [11, 10, 10]
    assert v["ASSESS!V5"] == "incomplete (15 of 20 answered)"
    assert is_error(v["ASSESS!V6"], "#VALUE!") and v["ASSESS!X6"] is True and v["ASSESS!X2"] is False


def test_value_levels_m_score_2(book):
    _, v = book
    assert [v[f"ASSESS!W{r}"] for r in range(2, 6)] == [
        "high value", "normal value", "normal value", "incomplete (15 of 20 answered)"]
    assert is_error(v["ASSESS!W6"], "#VALUE!")                   # an error score propagates


def test_spilled_dimensions_and_per_row_scores_m_score_1(book):
    _, v = book
    assert [v[f"ASSESS!{c}2"] for c in ("Y", "Z", "AA", "AB")] == [5, 5, 1, 0]
    assert [v[f"ASSESS!AC{r}"] for r in range(2, 6)] == [11, 10, 10, "incomplete (15 of 20 answered)"]
    assert is_error(v["ASSESS!AC6"], "#VALUE!")


def test_probabilities_and_weighted_amounts_m_fun_1_2(book):
    _, v = book
    assert [v[f"FUNNEL!D{r}"] for r in range(2, 7)] == [0.5, 0.5, 0.8, 1.0, 0.0]
    assert [v[f"FUNNEL!E{r}"] for r in range(2, 7)] == [500_000, 1_000_000, 400_000, 800_000, 0]
    assert [v[f"FUNNEL!F{r}"] for r in range(2, 7)] == [500_000, 1_000_000, 400_000, 800_000, 0]
    assert v["FUNNEL!G2"] == pytest.approx(2_700_000)
    assert is_error(v["FUNNEL!D7"], "#VALUE!") and is_error(v["FUNNEL!E7"], "#VALUE!")
    assert v["FUNNEL!G3"] == "bad stage"


def test_health_m_fun_3(book):
    _, v = book
    assert v["FUNNEL!H2"] == pytest.approx(0.7) and v["FUNNEL!H3"] == "良好，需关注"
    assert is_error(v["FUNNEL!H4"], "#DIV/0!")


def test_funnel_table_spills_eight_rows_m_fun_1_3(book):
    _, v = book
    row5 = [v[f"FUNNEL!{c}6"] for c in "LMNOPQRS"]
    assert row5[:4] == ["05 Shortlist/Bid", 2, 3_000_000, 1_500_000]
    assert row5[4:6] == [1.0, 1.0] and row5[6:] == ["Good, watch the trend"] * 2
    assert [v[f"FUNNEL!{c}9"] for c in "LMNO"] == ["08 Closed", 1, 800_000, 800_000]
    assert [v[f"FUNNEL!L{r}"] for r in range(2, 10)][0] == "01 Contact"


def test_relationships_accounts_and_selling_points(book):
    _, v = book
    assert [v["ACCOUNT!B1"], v["ACCOUNT!B2"]] == [5, 6] and is_error(v["ACCOUNT!B3"], "#VALUE!")   # M-REL-1
    assert v["ACCOUNT!E1"] == "consistent" and v["ACCOUNT!E2"].startswith("不一致")                 # M-REL-3
    assert v["ACCOUNT!F1"] == pytest.approx(75.5) and v["ACCOUNT!F2"] == "B"                       # M-ACC-6
    assert is_error(v["ACCOUNT!F3"], "#NUM!")
    assert v["ACCOUNT!G1"] == "某某科技(北京)" and v["ACCOUNT!G2"] == "USCC:91110000802100433B"      # M-ACC-2
    assert [v["ACCOUNT!H1"], v["ACCOUNT!H2"]] == [True, False] and is_error(v["ACCOUNT!H3"], "#NUM!")  # M-PLAN-4
