"""The KAM_* worksheet functions called directly, as xlwings calls them (ranges as rows of
cells): every function, accepted spellings, spills, bad input and the error convention."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.cells import parse_error
from tests.spellings import answer
from kamxl.excel import udfs as kam
from kamxl.excel.udfs import (
    FUNCTIONS, KAM_ACCOUNT_CLASS, KAM_BUYING_POINT, KAM_EVAL_SCORE, KAM_FUNNEL, KAM_HEALTH_BAND, KAM_NAME_KEY,
    KAM_REL_LEVEL, KAM_SCORE, KAM_SCORE_DIMS, KAM_STAGE_HEALTH, KAM_STAGE_PROB, KAM_TOP10_CHECK, KAM_VALUE_LEVEL,
    KAM_WEIGHTED, KAM_WHY,
)

ISSUE_FUNCTIONS = {"KAM_SCORE", "KAM_SCORE_DIMS", "KAM_VALUE_LEVEL", "KAM_STAGE_PROB", "KAM_WEIGHTED",
                   "KAM_STAGE_HEALTH", "KAM_HEALTH_BAND", "KAM_FUNNEL", "KAM_REL_LEVEL", "KAM_TOP10_CHECK",
                   "KAM_ACCOUNT_CLASS", "KAM_NAME_KEY", "KAM_BUYING_POINT", "KAM_WHY"}


def row(*cells):
    return [list(cells)]


def col(*cells):
    return [[c] for c in cells]


def error_code(value: object) -> str | None:
    found = parse_error(value)
    return found[0] if found else None


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("KAMXL_LANG", "en")
    monkeypatch.setenv("KAMXL_CONFIG", str(tmp_path / "no-company-file.toml"))


def test_every_function_is_registered_with_bilingual_docs_for_the_wizard():
    assert ISSUE_FUNCTIONS <= set(FUNCTIONS)
    for name, fn in FUNCTIONS.items():
        meta = fn.kam
        assert meta.name == name and " · " in meta.doc, name
        for arg_name, arg in meta.args:
            zh, en = arg.doc.split(" · ")
            assert zh and en and len(arg.doc) <= 255, (name, arg_name)


# --- M-SCORE ---------------------------------------------------------------------------

@given(st.lists(st.booleans(), min_size=20, max_size=20).flatmap(
    lambda ts: st.tuples(st.just(ts), st.tuples(*(answer(t) for t in ts)))), st.booleans())
def test_score_of_a_row_or_a_column_in_any_spelling_m_score_1_3(case, as_column):
    truth, cells = case
    assert KAM_SCORE(col(*cells) if as_column else row(*cells)) == sum(truth)


def test_score_incomplete_says_so_in_both_languages_m_score_3():
    cells = ["Y"] * 12 + [None] * 8
    assert KAM_SCORE(row(*cells)) == "incomplete (12 of 20 answered)"
    assert KAM_SCORE(row(*cells), "zh") == "未完成（已答 12/20 题）"


def test_score_block_spills_one_score_per_row_with_errors_kept_to_their_row_m_score_1_3():
    block = [["Y"] * 12 + ["N"] * 8, ["是"] * 20, ["Y"] * 19 + ["maybe"], [None] * 20]
    result = KAM_SCORE(block)
    assert result[:2] == [[12], [20]] and result[3] == ["incomplete (0 of 20 answered)"]
    assert error_code(result[2][0]) == "#VALUE!" and "'maybe'" in result[2][0] and "Q20" in result[2][0]


def test_score_block_of_twenty_rows_spills_across_m_score_1():
    block = [[a, b] for a, b in zip(["Y"] * 20, ["N"] * 20)]
    assert KAM_SCORE(block) == [[20, 0]]


@pytest.mark.parametrize("cells", [row(*["Y"] * 19), [["Y"] * 3] * 4])
def test_score_wrong_shape_m_score_3(cells):
    result = KAM_SCORE(cells)
    assert error_code(result) == "#VALUE!" and "20" in result


def test_score_dims_spill_1x4_and_name_incomplete_dimensions_m_score_1_3():
    assert KAM_SCORE_DIMS(row(*(["Y"] * 5 + ["N"] * 5 + ["1", "0", "√", "×", "是"] + ["N"] * 5))) == [[5, 0, 3, 0]]
    assert KAM_SCORE_DIMS(row(*(["Y"] * 19 + [None])))[0][3] == "incomplete (4 of 5 answered)"


@pytest.mark.parametrize(("score", "threshold", "expected"), [
    (11, None, "high value"), (10, None, "normal value"), (10, 9, "high value"), (12, 12, "normal value"),
    ("incomplete (3 of 20 answered)", None, "incomplete (3 of 20 answered)"),
])
def test_value_level_is_strictly_greater_than_threshold_m_score_2(score, threshold, expected):
    assert KAM_VALUE_LEVEL(score, threshold) == expected


def test_value_level_errors_m_score_2():
    assert error_code(KAM_VALUE_LEVEL(5, 25)) == "#NUM!"
    assert error_code(KAM_VALUE_LEVEL("high", None)) == "#VALUE!"
    assert error_code(KAM_VALUE_LEVEL(None)) == "#N/A"
    assert KAM_VALUE_LEVEL(11, None, "zh") == "商机价值较高"


@pytest.mark.parametrize("score", [25, -3, 21, 10.5, "25", -0.5])
def test_a_value_score_off_its_scale_is_num_m_score_1(score):
    # the README promises #NUM! for a number off its scale: a score is a count of 0..20 yes answers
    result = KAM_VALUE_LEVEL(score)
    assert error_code(result) == "#NUM!" and "M-SCORE-1" in result and "0 to 20" in result
    assert [error_code(r[0]) for r in KAM_VALUE_LEVEL(col(score, 20, 0))] == ["#NUM!", None, None]
    assert KAM_VALUE_LEVEL(col(20, 0)) == [["high value"], ["normal value"]]


def test_value_level_core_refuses_a_total_off_the_scale_m_score_1():
    from kamxl.errors import OutOfRangeError
    from kamxl.methodology import value_level

    assert value_level(20) == "high" and value_level(0) == "normal"
    for total in (21, -1, 3.5):
        with pytest.raises(OutOfRangeError) as raised:
            value_level(total)
        assert raised.value.message("zh") != raised.value.message("en")


# --- M-FUN -----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", [5, "05", "5", "05 Shortlist/Bid", "05 进入短名单", "进入短名单", "Ｓｈｏｒｔｌｉｓｔ/Ｂｉｄ"])
def test_stage_prob_every_spelling_m_fun_1(stage):
    assert KAM_STAGE_PROB(stage) == 0.5 and KAM_STAGE_PROB([[stage]]) == 0.5


def test_stage_prob_column_outcomes_and_errors_m_fun_1_m_fun_4():
    assert KAM_STAGE_PROB(col("01", "07", "08", "08", "09"), col(None, None, "won", "丢单", None))[:4] == \
        [[0.1], [0.8], [1.0], [0.0]]
    assert error_code(KAM_STAGE_PROB("08")) == "#VALUE!" and "won or lost" in KAM_STAGE_PROB("08")
    assert error_code(KAM_STAGE_PROB(None)) == "#N/A"


def test_weighted_on_one_cell_and_on_columns_m_fun_2():
    assert KAM_WEIGHTED(1_000_000, "05 Shortlist/Bid") == 500_000
    result = KAM_WEIGHTED(col(100.0, "2,000", None, -1.0, "abc", 50.0), col("05", "06", "07", "05", "05", "#N/A"))
    assert result[:3] == [[50.0], [1400.0], [0.0]]
    assert error_code(result[3][0]) == "#NUM!" and error_code(result[4][0]) == "#VALUE!"
    assert result[5] == ["#N/A"]                      # an error cell in the input stays in its row


def test_weighted_scalar_stage_broadcasts_and_mismatched_sizes_fail_m_fun_2():
    assert KAM_WEIGHTED(col(100.0, 200.0), [["05"]]) == [[50.0], [100.0]]
    assert error_code(KAM_WEIGHTED(col(1.0, 2.0), col("05", "05", "05"))) == "#VALUE!"


def test_weighted_and_prob_honour_the_company_stage_table_m_fun_1(monkeypatch, tmp_path):
    company = tmp_path / "company.toml"
    company.write_text("[stages.05]\nprobability = 0.45\n", encoding="utf-8")
    monkeypatch.setenv("KAMXL_CONFIG", str(company))
    assert KAM_STAGE_PROB("05") == 0.45 and KAM_WEIGHTED(1000.0, "05") == pytest.approx(450)


@pytest.mark.parametrize(("current", "benchmark", "ratio", "band"), [
    (7, 10, 0.7, "Good, watch the trend"), (10, 10, 1.0, "Good, watch the trend"), (11, 10, 1.1, "Excellent"),
    (6, 10, 0.6, "Warning"),
])
def test_stage_health_and_band_m_fun_3(current, benchmark, ratio, band):
    assert KAM_STAGE_HEALTH(current, benchmark) == pytest.approx(ratio)
    assert KAM_HEALTH_BAND(KAM_STAGE_HEALTH(current, benchmark)) == band


def test_health_errors_and_languages_m_fun_3():
    assert error_code(KAM_STAGE_HEALTH(5, 0)) == "#DIV/0!" and error_code(KAM_STAGE_HEALTH(5, None)) == "#DIV/0!"
    assert KAM_HEALTH_BAND("70%", "zh") == "良好，需关注" and KAM_HEALTH_BAND(col(1.01, 0.69)) == [["Excellent"], ["Warning"]]
    assert error_code(KAM_HEALTH_BAND(0.8, "fr")) == "#VALUE!"


@pytest.mark.parametrize(("current", "benchmark"), [(-1, 5), (5, -1), ("-2", 10), (-0.5, None)])
def test_a_negative_count_amount_or_benchmark_is_num_m_fun_3(current, benchmark):
    result = KAM_STAGE_HEALTH(current, benchmark)
    assert error_code(result) == "#NUM!" and "M-FUN-3" in result
    assert [error_code(r[0]) for r in KAM_STAGE_HEALTH(col(-1, 7), col(5, 10))] == ["#NUM!", None]
    assert KAM_STAGE_HEALTH(col(-1, 7), col(5, 10))[1] == [pytest.approx(0.7)]


def test_funnel_spills_eight_stage_rows_m_fun_1_3():
    stages = col("01", "01 Contact", "05 进入短名单", "08", "08", None)
    amounts = col(100.0, 300.0, 1000.0, 500.0, 9999.0, None)
    statuses = col(None, None, None, "won", "lost", None)
    bench = [[2, 500], [1, 100], [1, 100], [1, 100], [2, 1000], [1, 100], [1, 100]]
    table = KAM_FUNNEL(stages, amounts, statuses, bench)
    assert len(table) == 8 and all(len(r) == 8 for r in table)
    assert table[0][:4] == ["01 Contact", 2, 400.0, pytest.approx(40.0)]
    assert table[0][4:] == [1.0, 0.8, "Good, watch the trend", "Good, watch the trend"]
    assert table[4][1:4] == [1, 1000.0, 500.0] and table[4][6] == "Warning"
    assert table[7][:4] == ["08 Closed", 1, 500.0, 500.0] and table[7][4:] == ["", "", "", ""]


def test_funnel_benchmarks_with_a_stage_column_and_errors_m_fun_3():
    table = KAM_FUNNEL(col("02"), col(10.0), None, [["02 Qualify", 1, 10]], "zh")
    assert table[1][0] == "02 查明需求" and table[1][4:6] == [1.0, 1.0] and table[0][4] == ""
    assert error_code(KAM_FUNNEL(col("02", "03"), col(10.0))) == "#VALUE!"
    assert error_code(KAM_FUNNEL(col("08"), col(10.0))) == "#VALUE!"     # 08 without won/lost
    assert KAM_FUNNEL(col("#N/A"), col(10.0)) == "#N/A"


# --- M-REL, M-ACC, M-PLAN --------------------------------------------------------------

@pytest.mark.parametrize(("level", "ordinal"), [("接触", 1), ("know", 2), ("ACCEPT", 3), ("尊重", 4), ("5 信任", 5),
                                                ("Ｐａｒｔｎｅｒ", 6), (6, 6)])
def test_rel_level_m_rel_1(level, ordinal):
    assert KAM_REL_LEVEL(level) == ordinal


def test_rel_level_column_and_errors_m_rel_1():
    assert KAM_REL_LEVEL(col("接触", "伙伴")) == [[1], [6]]
    assert error_code(KAM_REL_LEVEL("friend")) == "#VALUE!" and error_code(KAM_REL_LEVEL(None)) == "#N/A"


def test_top10_check_m_rel_3():
    assert KAM_TOP10_CHECK(col("张三", "李四"), row("李四 ", "张三")) == "consistent"
    assert KAM_TOP10_CHECK([["张三", 2], ["李四", 1], ["王五", None]], col("李四", "张三"), "zh") == "一致"
    message = KAM_TOP10_CHECK(col("张三", "王五"), col("张三", "赵六", "赵六"))
    assert "only in the decision chain 王五" in message and "assessment table 赵六" in message
    assert "listed twice 赵六" in message


def test_top10_check_reads_a_row_or_column_of_names_or_name_and_rank_m_rel_3():
    # a rep passes the chain's TOP-10 names as a row or a column (two names in a row included),
    # or the chain's name and TOP-10 rank columns; one person with a rank is name and rank
    assert KAM_TOP10_CHECK(row("张三", "李四"), col("李四", "张三")) == "consistent"
    assert KAM_TOP10_CHECK(row("张三", "李四", "王五"), col("王五", "李四", "张三")) == "consistent"
    assert KAM_TOP10_CHECK([["张三", 1]], col("张三")) == "consistent"
    assert KAM_TOP10_CHECK([["张三", None]], col("张三")) == "mismatch: only in the decision chain —; " \
        "only in the assessment table 张三; listed twice —"          # no rank: not in the TOP-10
    assert KAM_TOP10_CHECK([["张三", "1"], ["李四", 11]], col("张三")) == "consistent"   # rank 11 is outside
    assert error_code(KAM_TOP10_CHECK([["张三", "CEO"], ["李四", 1]], col("李四"))) == "#VALUE!"  # a rank typo


def test_account_class_and_score_m_acc_6():
    assert KAM_EVAL_SCORE(90, 70, 60) == pytest.approx(75.5) and KAM_ACCOUNT_CLASS(90, 70, 60) == "B"
    assert KAM_ACCOUNT_CLASS(100, 100, 100) == "A" and KAM_ACCOUNT_CLASS(0, 0, 0) == "D"
    assert error_code(KAM_ACCOUNT_CLASS(101, 50, 50)) == "#NUM!"
    assert error_code(KAM_ACCOUNT_CLASS("lots", 50, 50)) == "#VALUE!"


def test_name_key_m_acc_2():
    assert KAM_NAME_KEY("北京某某科技（有限公司）") == KAM_NAME_KEY("北京某某科技 有限公司") == "某某科技(北京)"  # region in canonical brackets
    assert KAM_NAME_KEY("x", "91110000802100433B") == "USCC:91110000802100433B"
    assert error_code(KAM_NAME_KEY("x", "91110000802100433C")) == "#VALUE!"
    assert error_code(KAM_NAME_KEY(None)) == "#N/A"


def test_buying_point_m_plan_4():
    assert KAM_BUYING_POINT(7, 7) is True and KAM_BUYING_POINT(6.9, 10) is False
    assert KAM_BUYING_POINT(col(8, 3), col(9, 9)) == [[True], [False]]
    assert error_code(KAM_BUYING_POINT(11, 5)) == "#NUM!"


# --- the error convention ----------------------------------------------------------------

def test_why_returns_the_reason_of_an_error_and_nothing_otherwise():
    failed = KAM_BUYING_POINT(11, 5)
    assert KAM_WHY(failed).startswith("the uniqueness score must be from 0 to 10") and "[M-PLAN-4]" in KAM_WHY(failed)
    assert KAM_WHY(12) == "" and KAM_WHY("#N/A") == ""


def test_reasons_follow_the_users_language(monkeypatch):
    monkeypatch.setenv("KAMXL_LANG", "zh")
    assert "不是有效的阶段" in KAM_STAGE_PROB("09")


def test_input_errors_propagate_and_unexpected_failures_never_show_a_traceback(monkeypatch):
    assert KAM_SCORE(row(*(["Y"] * 19 + ["#DIV/0!"]))) == [["#DIV/0!"]] or KAM_SCORE(row(*(["Y"] * 19 + ["#DIV/0!"]))) \
        == "#DIV/0!"
    monkeypatch.setattr(kam, "evaluate_account", lambda *a, **k: 1 / 0)
    result = KAM_ACCOUNT_CLASS(1, 2, 3)
    assert error_code(result) == "#VALUE!" and "ZeroDivisionError" in result and "Traceback" not in result


def test_the_admin_smoke_test_expects_the_default_stage_probability():
    """docs/addin.md's smoke test says what =KAM_STAGE_PROB("05") shows on a fresh machine."""
    import re
    from pathlib import Path

    from kamxl.methodology import default_config

    text = (Path(__file__).resolve().parent.parent / "docs" / "addin.md").read_text("utf-8")
    (shown,) = re.findall(r'`=KAM_STAGE_PROB\("05"\)` shows (\d+)%', text)
    assert int(shown) == round(default_config().stage(5).probability * 100) == round(KAM_STAGE_PROB("05") * 100)


# --- issue 16 item 3: the newer Excel errors arrive over COM as integers ------------------

#: What pywin32 hands Python for an error cell: -2146826288 + (xlErr… - 2000). xlwings'
#: err_to_str maps only the seven classic ones (xlwings/_xlwindows.py); these are the rest.
NEWER_COM_ERRORS = {"#GETTING_DATA": -2146826245, "#SPILL!": -2146826243, "#CONNECT!": -2146826242,
                    "#BLOCKED!": -2146826241, "#UNKNOWN!": -2146826240, "#FIELD!": -2146826239,
                    "#CALC!": -2146826238}
#: Arguments each function accepts without an error (all of them, optional ones too).
GOOD_ARGS = {
    "KAM_SCORE": (row(*["Y"] * 20), "en"),
    "KAM_SCORE_DIMS": (row(*["Y"] * 20), "en"),
    "KAM_VALUE_LEVEL": (15.0, 10.0, "en"),
    "KAM_STAGE_PROB": ("05", "open"),
    "KAM_WEIGHTED": (100.0, "05", "open"),
    "KAM_STAGE_HEALTH": (7.0, 10.0),
    "KAM_HEALTH_BAND": (0.8, "en"),
    "KAM_FUNNEL": (col("05", "06"), col(100.0, 200.0), col("open", "open"), [[2.0, 100.0]] * 8, "en"),
    "KAM_REL_LEVEL": ("trust",),
    "KAM_TOP10_CHECK": (col("A", "B"), col("A", "B"), "en"),
    "KAM_EVAL_SCORE": (80.0, 70.0, 60.0),
    "KAM_ACCOUNT_CLASS": (80.0, 70.0, 60.0),
    "KAM_NAME_KEY": ("ACME Ltd", None),
    "KAM_BUYING_POINT": (8.0, 9.0),
}


def _errors_in(result: object) -> list[str]:
    from kamxl.cells import flatten
    return [code for cell in flatten(result) if (code := error_code(cell)) is not None]


def test_every_function_has_good_arguments_for_the_com_error_tests():
    assert set(GOOD_ARGS) == set(FUNCTIONS) - {"KAM_WHY"}
    for name, args in GOOD_ARGS.items():
        assert len(args) == len(FUNCTIONS[name].kam.args), name
        assert not _errors_in(FUNCTIONS[name](*args)), name


@pytest.mark.parametrize("code", NEWER_COM_ERRORS)
@pytest.mark.parametrize("name", sorted(GOOD_ARGS))
def test_a_newer_error_cell_in_any_argument_gives_an_error(name, code):
    """#SPILL!, #CALC!… as COM hands them over, as a cell or inside a range, in each argument:
    an error, the same as for the error's text (how xlwings hands over the classic ones)."""
    number = NEWER_COM_ERRORS[code]
    good = GOOD_ARGS[name]
    for i, arg in enumerate(good):
        spots = [(number, code)]
        if isinstance(arg, list):   # one cell of a range
            spots.append(tuple([[value, *r[1:]] if j == 0 else r for j, r in enumerate(arg)] for value in (number, code)))
        for spot, as_text in spots:
            result = FUNCTIONS[name](*good[:i], spot, *good[i + 1:])
            assert _errors_in(result), (name, i, spot, result)
            assert result == FUNCTIONS[name](*good[:i], as_text, *good[i + 1:]), (name, i, spot)
    if name not in ("KAM_SCORE", "KAM_SCORE_DIMS"):   # these take 20 cells: one is the wrong shape
        assert _errors_in(FUNCTIONS[name](number, *good[1:])) == [code], name


@pytest.mark.parametrize("code", NEWER_COM_ERRORS)
def test_why_of_a_newer_error_cell_is_as_for_a_classic_one(code):
    assert KAM_WHY(NEWER_COM_ERRORS[code]) == KAM_WHY("#N/A") == ""


def test_the_issues_wrong_values_are_errors_now():
    spill = NEWER_COM_ERRORS["#SPILL!"]
    assert error_code(KAM_HEALTH_BAND(spill)) == "#SPILL!"
    assert error_code(KAM_VALUE_LEVEL(spill)) == "#SPILL!"
    assert error_code(KAM_STAGE_HEALTH(spill, 100.0)) == "#SPILL!"
    assert KAM_STAGE_HEALTH(col(1.0, spill), 10.0) == [[0.1], ["#SPILL!"]]     # only its own cell


def test_plain_integers_are_still_numbers():
    from kamxl.cells import from_com
    assert KAM_STAGE_HEALTH(5, 10) == 0.5 and KAM_STAGE_PROB(5) == KAM_STAGE_PROB("05")
    assert KAM_EVAL_SCORE(80, 70, 60) == KAM_EVAL_SCORE(80.0, 70.0, 60.0)
    assert error_code(KAM_STAGE_HEALTH(-3, 10)) == "#NUM!"          # negative, not an error cell
    assert from_com(-3) == -3 and from_com(True) is True and from_com([[5, -3]]) == [[5, -3]]
    assert from_com(-2146826243.0) == -2146826243.0                  # a float is a number, whatever its value


def test_under_xlwings_every_function_and_range_argument_is_declared_to_it():
    """xlwings' UDF server imports xlwings before the UDF module: each KAM_* function is then
    declared with xw.func, each argument with xw.arg (its help, errors as text, and a range
    argument as a 2-D block: ndim=2). Elsewhere xlwings is not imported at all (start-up)."""
    import json
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import json, sys
        import xlwings as xw
        seen = {"func": 0, "args": []}
        def arg(name, **options):
            seen["args"].append([name, options.get("ndim"), options.get("err_to_str"), bool(options.get("doc"))])
            return lambda f: f
        def func(**options):
            seen["func"] += 1
            return lambda f: f
        xw.arg, xw.func = arg, func
        from kamxl.excel import udfs
        print(json.dumps({"seen": seen, "functions": len(udfs.FUNCTIONS),
                          "ranges": sorted(n for f in udfs.FUNCTIONS.values() for n, a in f.kam.args if a.range)}))
    """)
    out = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                    check=True).stdout)
    seen = out["seen"]
    assert seen["func"] == out["functions"] > 0
    assert all(err and doc for _name, _ndim, err, doc in seen["args"])
    two_d = sorted(name for name, ndim, _err, _doc in seen["args"] if ndim == 2)
    assert two_d == out["ranges"] and two_d
