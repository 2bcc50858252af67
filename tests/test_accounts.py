"""Tests of kamxl.methodology.accounts.

M-ACC-2  customer uniqueness: name keys survive width, spaces, brackets, legal-form
         suffixes and traditional script; a valid unified social credit code (GB 32100)
         is an exact key; group_customers joins one company's rows.
M-ACC-6  key-account evaluation: weighted score and class A/B/C/D, configurable per company.
"""
from __future__ import annotations

import unicodedata

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from kamxl.errors import InputError
from kamxl.methodology.accounts import (
    Customer, account_class, credit_code, customer_key, evaluate_account, group_customers, name_key,
)
from kamxl.methodology.config import load_config

# --------------------------------------------------------------------------- helpers

# GB 32100-2015 character set (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"

# Simplified -> traditional spellings, each checked to convert back with OpenCC t2s.
TRAD = {"澜": "瀾", "电": "電", "团": "團", "锦": "錦", "软": "軟", "华": "華", "东": "東", "贸": "貿",
        "发": "發", "设": "設", "龙": "龍", "业": "業", "产": "產", "门": "門", "岛": "島", "纺": "紡",
        "织": "織", "责": "責"}
# Core characters: no 公/司/有/限/股/份, so a core can never end in a legal-form suffix.
CJK_ALPHABET = "北京江澜电力集团锦程酒店管理科技软件华东贸易发展建设龙业产门岛纺织"
CORES = ["北京某某科技", "江澜电力集团", "锦程酒店管理", "北京某某软件", "江澜电力工程", "华东贸易发展",
         "北京ABC科技", "TCL华东贸易", "3M中国"]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "有限責任公司", "公司", " 有限公司", "(有限公司)",
            "（有限公司）", "\u3000有限公司", " Co., Ltd.", " Ltd", " Inc."]


def full_width(text: str) -> str:
    """Half-width ASCII -> full-width forms; space -> ideographic space."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def half_width(text: str) -> str:
    """Full-width punctuation of the suffixes -> ASCII (e.g. （ -> ()."""
    return "".join(" " if c == "\u3000" else chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def traditional(text: str, chars: set[str]) -> str:
    return "".join(TRAD[c] if c in chars and c in TRAD else c for c in text)


def with_spaces(text: str, positions: list[int], space: str) -> str:
    out = list(text)
    for pos in sorted(set(p % (len(text) + 1) for p in positions), reverse=True):
        out.insert(pos, space)
    return "".join(out)


def valid_code(prefix17: str) -> str:
    return prefix17 + uscc.calc_check_digit(prefix17)


cjk_core = st.text(alphabet=CJK_ALPHABET, min_size=2, max_size=10)
core = st.one_of(st.sampled_from(CORES), cjk_core)

# GB 32100: char 1 registration authority, char 2 entity type, 3-8 region (digits),
# 9-17 organisation code. stdnum (used by kamxl) wants digits in the first 8 places.
usccs = st.builds(
    lambda a, b, region, org: valid_code(a + b + region + org),
    st.sampled_from("123456789"), st.sampled_from("1239"),
    st.text(alphabet=DIGITS, min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


# --------------------------------------------------------------------------- M-ACC-2 name key


@given(st.text(min_size=1).filter(lambda s: s.strip()))
def test_name_key_is_idempotent_for_any_non_blank_text_m_acc_2(text: str) -> None:
    """M-ACC-2: name_key(name_key(x)) == name_key(x) for arbitrary non-blank text; a text
    without any letter or digit is rejected instead of giving an empty key."""
    if not any(unicodedata.category(c)[0] in "LN" for c in unicodedata.normalize("NFKC", text)):  # 🉐 is 得
        with pytest.raises(InputError) as caught:
            name_key(text)
        assert caught.value.code == "M-ACC-2"
        return
    key = name_key(text)
    assert key and name_key(key) == key


@given(core, st.sampled_from(SUFFIXES))
def test_name_key_is_idempotent_for_company_names_m_acc_2(base: str, suffix: str) -> None:
    """M-ACC-2: idempotence on realistic company names (core + legal form)."""
    key = name_key(base + suffix)
    assert name_key(key) == key


def test_name_key_idempotent_for_traditional_variant_character_m_acc_2() -> None:
    """M-ACC-2: 薴麻 / 苧麻 / 苎麻 (traditional variants of one simplified word) meet on one key."""
    expected = name_key("苎麻纺织有限公司")
    assert expected == "苎麻纺织"
    assert name_key("苧麻紡織有限公司") == expected
    assert name_key("薴麻紡織有限公司") == expected
    assert name_key(name_key("薴麻紡織有限公司")) == name_key("薴麻紡織有限公司")


@given(
    base=core,
    suffix=st.sampled_from(SUFFIXES[:9]),
    width=st.sampled_from(["keep", "full", "half"]),
    upper=st.booleans(),
    trad_chars=st.sets(st.sampled_from(sorted(TRAD))),
    positions=st.lists(st.integers(min_value=0, max_value=40), max_size=3),
    space=st.sampled_from([" ", "\u3000", "  "]),
)
def test_variants_of_one_company_share_one_key_m_acc_2(
    base: str, suffix: str, width: str, upper: bool, trad_chars: set[str], positions: list[int], space: str,
) -> None:
    """M-ACC-2: suffix, width, case, inserted spaces and traditional script never change the key."""
    reference = name_key(base + "有限公司")
    variant = traditional(base + suffix, trad_chars)
    variant = variant.upper() if upper else variant.lower()
    variant = {"keep": variant, "full": full_width(variant), "half": half_width(variant)}[width]
    variant = with_spaces(variant, positions, space)
    assert name_key(variant) == reference
    assert customer_key(variant) == reference


@pytest.mark.parametrize("spelling", [
    "北京某某科技有限公司", "北京某某科技", "北京某某科技股份有限公司", "北京某某科技有限责任公司",
    "北京某某科技公司", "北京某某科技 有限公司", "北京某某科技(有限公司)", "北京某某科技（有限公司）",
    " 北京 某某 科技 有限公司 ", "北京某某科技\u3000有限公司",
])
def test_known_spellings_of_one_company_m_acc_2(spelling: str) -> None:
    """M-ACC-2: the listed spellings all reduce to the core name."""
    assert name_key(spelling) == "某某科技(北京)"   # the region in canonical brackets at the end


@pytest.mark.parametrize("spelling", [
    "Costco", "Costco Co., Ltd.", "COSTCO LTD", "Costco Inc.", "costco, inc", "ＣＯＳＴＣＯ　ＩＮＣ．",
    "Costco Company Limited", "Costco Corp.",
])
def test_english_legal_forms_are_stripped_as_whole_words_m_acc_2(spelling: str) -> None:
    """M-ACC-2: English legal forms (Co., Ltd. / Inc. …) are dropped, case- and width-blind."""
    assert name_key(spelling) == "costco"


def test_traditional_script_matches_simplified_m_acc_2() -> None:
    """M-ACC-2: 江瀾電力集團 / 錦程酒店管理 meet their simplified spellings."""
    assert name_key("江瀾電力集團有限公司") == name_key("江澜电力集团有限公司") == "江澜电力集团"
    assert name_key("錦程酒店管理有限責任公司") == name_key("锦程酒店管理") == "锦程酒店管理"


@pytest.mark.parametrize(("a", "b"), [
    ("北京某某科技有限公司", "北京某某软件有限公司"),
    ("江澜电力集团", "江澜电力工程"),
    ("江澜电力集团有限公司", "江澜电力工程有限公司"),
    ("Costco", "Cost"),
    ("Costco Co., Ltd.", "Cost Co., Ltd."),
    ("锦程酒店管理有限公司", "锦程酒店有限公司"),
])
def test_different_companies_keep_different_keys_m_acc_2(a: str, b: str) -> None:
    """M-ACC-2: similar names of different companies stay apart (English 'co' of Costco kept)."""
    assert name_key(a) != name_key(b)


def test_costco_keeps_its_co_m_acc_2() -> None:
    """M-ACC-2: an English legal word is stripped only as a whole trailing word."""
    assert name_key("Costco") == "costco"
    assert name_key("Cost") == "cost"


def test_name_that_is_only_a_legal_form_is_kept_m_acc_2() -> None:
    """M-ACC-2: a name that is only a legal form is not stripped to nothing."""
    assert name_key("有限公司") == "有限公司"
    assert name_key("公司") == "公司"


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_blank_name_is_an_error_m_acc_2(blank: object) -> None:
    """M-ACC-2: a blank customer name raises InputError M-ACC-2."""
    with pytest.raises(InputError) as info:
        name_key(blank)
    assert info.value.code == "M-ACC-2"


# --------------------------------------------------------------------------- M-ACC-2 credit code


def test_known_valid_credit_code_m_acc_2() -> None:
    """M-ACC-2: a published valid code is returned unchanged."""
    assert credit_code("91110000600037341L") == "91110000600037341L"


@given(usccs)
def test_generated_valid_credit_codes_are_accepted_m_acc_2(code: str) -> None:
    """M-ACC-2: a 17-char GB 32100 prefix with its computed check digit is valid."""
    assert credit_code(code) == code
    assert customer_key("任意名称", code) == f"USCC:{code}"


@given(usccs, st.sampled_from(USCC_ALPHABET))
def test_wrong_check_digit_is_rejected_m_acc_2(code: str, other: str) -> None:
    """M-ACC-2: any other check character is rejected; zh and en messages name the value."""
    if other == code[-1]:
        other = USCC_ALPHABET[(USCC_ALPHABET.index(other) + 1) % len(USCC_ALPHABET)]
    bad = code[:-1] + other
    with pytest.raises(InputError) as info:
        credit_code(bad)
    assert info.value.code == "M-ACC-2"
    assert bad in info.value.message("zh")
    assert bad in info.value.message("en")


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_letter_registration_authority_codes_are_accepted_m_acc_2(authority: str) -> None:
    """M-ACC-2: GB 32100 registration-authority codes include letters (A, N, Y); such codes are valid."""
    code = valid_code(authority + "1110000MA0012345")
    assert len(code) == 18
    assert credit_code(code) == code


@given(usccs, st.data())
def test_credit_code_normalises_case_spaces_and_width_m_acc_2(code: str, data: st.DataObject) -> None:
    """M-ACC-2: lower case, spaces and full-width input give the same code."""
    spelling = data.draw(st.sampled_from(["lower", "spaced", "full", "full_lower", "dashed"]))
    variant = {
        "lower": code.lower(),
        "spaced": f" {code[:2]} {code[2:8]} {code[8:17]} {code[17]} ",
        "full": full_width(code),
        "full_lower": full_width(code.lower()),
        "dashed": f"{code[:8]}-{code[8:]}",
    }[spelling]
    assert credit_code(variant) == code


@pytest.mark.parametrize("value", ["9111000060003734", "91110000600037341L0", "9111000O600037341L", "abc"])
def test_malformed_credit_codes_are_rejected_m_acc_2(value: str) -> None:
    """M-ACC-2: wrong length or characters raise InputError M-ACC-2 naming the value."""
    with pytest.raises(InputError) as info:
        credit_code(value)
    assert info.value.code == "M-ACC-2"
    assert value in info.value.message("en")


@pytest.mark.parametrize("blank", [None, "", "  ", "\u3000"])
def test_blank_credit_code_is_none_m_acc_2(blank: object) -> None:
    """M-ACC-2: no code given is None, and customer_key falls back to the name key."""
    assert credit_code(blank) is None
    assert customer_key("北京某某科技有限公司", blank) == "某某科技(北京)"


# --------------------------------------------------------------------------- M-ACC-2 grouping


def _names(groups: list[list[Customer]]) -> list[list[str]]:
    return [[c.name for c in group] for group in groups]


def test_same_code_joins_rows_with_different_names_m_acc_2() -> None:
    """M-ACC-2: the credit code is an exact key that wins over differing names."""
    code = "91110000600037341L"
    rows = [Customer("甲科技有限公司", code, ref=1), Customer("乙贸易有限公司", code.lower(), ref=2)]
    groups = group_customers(rows)
    assert groups == [rows]


def test_row_without_code_joins_through_name_m_acc_2() -> None:
    """M-ACC-2: a row with a code and a row without one meet through the name key."""
    rows = [Customer("北京某某科技有限公司", "91110000600037341L"), Customer("北京某某科技（有限公司）")]
    assert group_customers(rows) == [rows]


def test_code_and_name_chain_joins_three_rows_m_acc_2() -> None:
    """M-ACC-2: union over both keys: A~B by code, B~C by name, so A, B, C are one company."""
    code = "91110000600037341L"
    rows = [Customer("甲科技", code), Customer("乙贸易有限公司", code), Customer("乙贸易")]
    assert group_customers(rows) == [rows]


def test_similar_names_of_different_companies_stay_apart_m_acc_2() -> None:
    """M-ACC-2: similar names without a shared key are separate groups, in input order."""
    rows = [Customer("北京某某科技有限公司"), Customer("北京某某软件有限公司"), Customer("江澜电力集团"),
            Customer("江澜电力工程"), Customer("Costco"), Customer("Cost")]
    assert group_customers(rows) == [[r] for r in rows]


def test_different_valid_codes_with_different_names_stay_apart_m_acc_2() -> None:
    """M-ACC-2: two codes, two names: two customers."""
    a = valid_code("91110000600037341")
    b = valid_code("91310000600037342")
    rows = [Customer("甲科技有限公司", a), Customer("乙科技有限公司", b)]
    assert group_customers(rows) == [[rows[0]], [rows[1]]]


def test_blank_codes_do_not_join_different_companies_m_acc_2() -> None:
    """M-ACC-2: whitespace-only codes mean 'no code' and must not make two companies one."""
    rows = [Customer("甲科技有限公司", " "), Customer("乙贸易有限公司", "\u3000")]
    assert group_customers(rows) == [[rows[0]], [rows[1]]]


def test_group_order_follows_input_order_m_acc_2() -> None:
    """M-ACC-2: groups ordered by their first member; members keep input order."""
    rows = [Customer("江澜电力集团", ref=0), Customer("锦程酒店管理有限公司", ref=1),
            Customer("江瀾電力集團有限公司", ref=2), Customer("Costco", ref=3), Customer("锦程酒店管理", ref=4)]
    groups = group_customers(rows)
    assert [[c.ref for c in g] for g in groups] == [[0, 2], [1, 4], [3]]


COMPANIES = ["北京某某科技", "北京某某软件", "江澜电力集团", "江澜电力工程", "锦程酒店管理", "Costco", "Cost"]


@given(st.lists(st.tuples(st.integers(0, len(COMPANIES) - 1), st.sampled_from(SUFFIXES)), max_size=12))
def test_group_customers_partitions_by_company_in_input_order_m_acc_2(rows: list[tuple[int, str]]) -> None:
    """M-ACC-2: groups are exactly the companies, ordered by first appearance, members in input order."""
    customers = [Customer(COMPANIES[i] + suffix, ref=n) for n, (i, suffix) in enumerate(rows)]
    expected: dict[int, list[int]] = {}
    for n, (i, _) in enumerate(rows):
        expected.setdefault(i, []).append(n)
    groups = group_customers(customers)
    assert [[c.ref for c in g] for g in groups] == list(expected.values())


def test_invalid_code_in_register_is_an_error_m_acc_2() -> None:
    """M-ACC-2: an invalid code is reported, not silently treated as no code."""
    with pytest.raises(InputError) as info:
        group_customers([Customer("甲科技有限公司", "91110000600037341X")])
    assert info.value.code == "M-ACC-2"


# --------------------------------------------------------------------------- M-ACC-6 evaluation

scores = st.integers(min_value=0, max_value=100)


def _expected_class(score: float, a: float = 80, b: float = 60, c: float = 40) -> str:
    return "A" if score >= a else "B" if score >= b else "C" if score >= c else "D"


@given(scores, scores, scores)
def test_score_is_weighted_sum_with_default_weights_m_acc_6(c: int, p: int, s: int) -> None:
    """M-ACC-6: score = 0.40 contribution + 0.35 potential + 0.25 satisfaction; class by cut-offs."""
    result = evaluate_account(c, p, s)
    expected = 0.40 * c + 0.35 * p + 0.25 * s
    assert result.score == pytest.approx(expected, abs=1e-9)
    assert result.account_class == _expected_class(round(expected, 6))


@pytest.mark.parametrize(("score", "cls"), [
    (100, "A"), (80, "A"), (79.99, "B"), (60, "B"), (59.99, "C"), (40, "C"), (39.99, "D"), (0, "D"),
])
def test_class_boundaries_m_acc_6(score: float, cls: str) -> None:
    """M-ACC-6: A >= 80, B >= 60, C >= 40, D below (boundaries inclusive)."""
    assert account_class(score) == cls


@pytest.mark.parametrize(("value", "cls"), [(80, "A"), (60, "B"), (40, "C")])
def test_equal_inputs_on_a_cut_off_land_in_that_class_m_acc_6(value: int, cls: str) -> None:
    """M-ACC-6: 80/80/80 scores exactly 80 (A), despite float weights."""
    result = evaluate_account(value, value, value)
    assert result.score == value
    assert result.account_class == cls


def test_textual_numbers_are_accepted_m_acc_6() -> None:
    """M-ACC-6: numbers typed as text (also full width) are read."""
    assert evaluate_account("100", "１００", " 100 ").score == 100
    assert evaluate_account("100", "100", "100").account_class == "A"


@pytest.mark.parametrize("bad", [-1, -0.01, 100.01, 101, "abc", None, "", "  ", True, float("nan")])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_out_of_range_or_non_numeric_input_is_an_error_m_acc_6(bad: object, position: int) -> None:
    """M-ACC-6: each measure must be a number from 0 to 100."""
    args: list[object] = [50, 50, 50]
    args[position] = bad
    with pytest.raises(InputError) as info:
        evaluate_account(*args)
    assert info.value.code == "M-ACC-6"


def test_out_of_range_message_names_measure_and_value_m_acc_6() -> None:
    """M-ACC-6: the message names the measure (zh and en) and the value."""
    with pytest.raises(InputError) as info:
        evaluate_account(50, 120, 50)
    assert "合作潜力" in info.value.message("zh") and "120" in info.value.message("zh")
    assert "potential" in info.value.message("en") and "120" in info.value.message("en")


@pytest.fixture
def company_config(tmp_path: Path):
    path = tmp_path / "company.toml"
    path.write_text(
        "[evaluation]\n"
        "weights = { contribution = 0.5, potential = 0.3, satisfaction = 0.2 }\n"
        "classes = { A = 90, B = 70, C = 50 }\n",
        encoding="utf-8",
    )
    return load_config(path)


def test_company_config_changes_weights_m_acc_6(company_config) -> None:
    """M-ACC-6: weights come from the company file (0.5 / 0.3 / 0.2)."""
    assert evaluate_account(100, 0, 0, config=company_config).score == pytest.approx(50)
    assert evaluate_account(0, 100, 0, config=company_config).score == pytest.approx(30)
    assert evaluate_account(0, 0, 100, config=company_config).score == pytest.approx(20)
    assert evaluate_account(100, 0, 0).score == pytest.approx(40)


@pytest.mark.parametrize(("score", "company", "default"), [
    (90, "A", "A"), (89.99, "B", "A"), (80, "B", "A"), (70, "B", "B"), (69.99, "C", "B"),
    (50, "C", "C"), (49.99, "D", "C"), (40, "D", "C"),
])
def test_company_config_changes_class_cut_offs_m_acc_6(company_config, score: float, company: str,
                                                      default: str) -> None:
    """M-ACC-6: class cut-offs A=90, B=70, C=50 from the company file; defaults unchanged."""
    assert account_class(score, config=company_config) == company
    assert account_class(score) == default


def test_company_config_applies_to_evaluate_account_m_acc_6(company_config) -> None:
    """M-ACC-6: 80/80/80 is A by default but B under the company's cut-offs."""
    assert evaluate_account(80, 80, 80).account_class == "A"
    result = evaluate_account(80, 80, 80, config=company_config)
    assert result.score == pytest.approx(80)
    assert result.account_class == "B"


def test_percent_text_means_points_on_the_0_to_100_scale_m_acc_6() -> None:
    """M-ACC-6: '80%' typed into a 0-100 evaluation field is 80 points, not 0.8."""
    assert evaluate_account("80%", "80%", "80%").score == pytest.approx(80)
    assert evaluate_account("80%", 80, 80).account_class == "A"
