"""Tests of kamxl.methodology.relationships.

M-REL-1  relationship levels, low to high: 接触 contact, 了解 know, 接受 accept, 尊重 respect,
         信任 trust, 伙伴 partner (ordinals 1-6), in every reasonable spelling.
M-REL-3  the TOP-10 of the decision chain must be exactly the TOP-10 of the relationship
         assessment table (chain_top, check_top_ten).
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology.relationships import chain_top, check_top_ten, level_ordinal, parse_level

LEVELS = [  # (ordinal, key, zh, en)
    (1, "contact", "接触", "Contact"),
    (2, "know", "了解", "Know"),
    (3, "accept", "接受", "Accept"),
    (4, "respect", "尊重", "Respect"),
    (5, "trust", "信任", "Trust"),
    (6, "partner", "伙伴", "Partner"),
]


def full_width(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --------------------------------------------------------------------------- M-REL-1


def test_levels_are_ordered_low_to_high_m_rel_1() -> None:
    """M-REL-1: 接触 < 了解 < 接受 < 尊重 < 信任 < 伙伴 are ordinals 1..6."""
    assert [level_ordinal(zh) for _, _, zh, _ in LEVELS] == [1, 2, 3, 4, 5, 6]
    assert [level_ordinal(en) for _, _, _, en in LEVELS] == [1, 2, 3, 4, 5, 6]
    assert [parse_level(n).key for n in range(1, 7)] == [key for _, key, _, _ in LEVELS]


def _spellings(ordinal: int, key: str, zh: str, en: str) -> list[object]:
    return [
        key, zh, en, en.upper(), en.lower(), f"  {en}  ", full_width(en), full_width(en.upper()),
        str(ordinal), ordinal, float(ordinal), full_width(str(ordinal)), f"0{ordinal}",
        f"{ordinal} {zh}", f"{ordinal} {en}", f"{ordinal} {key}", f" {ordinal}  {zh} ",
        f"{full_width(str(ordinal))}\u3000{zh}", f"{ordinal}.0 {zh}",
    ]


@pytest.mark.parametrize(("ordinal", "spelling"), [
    (ordinal, spelling) for ordinal, key, zh, en in LEVELS for spelling in _spellings(ordinal, key, zh, en)
])
def test_every_spelling_parses_m_rel_1(ordinal: int, spelling: object) -> None:
    """M-REL-1: key, zh, en, case/width variants, '5', 5 and '5 信任' all parse to the level."""
    assert level_ordinal(spelling) == ordinal
    assert parse_level(spelling).key == LEVELS[ordinal - 1][1]


@given(st.sampled_from(LEVELS), st.booleans(), st.booleans(), st.sampled_from(["", " ", "\u3000", "  "]))
def test_spelling_variants_property_m_rel_1(level: tuple[int, str, str, str], upper: bool, wide: bool,
                                            pad: str) -> None:
    """M-REL-1: case, width and padding never change the parsed level."""
    ordinal, _, zh, en = level
    for text in (en, f"{ordinal} {zh}", f"{ordinal} {en}"):
        text = text.upper() if upper else text.lower()
        text = full_width(text) if wide else text
        assert level_ordinal(pad + text + pad) == ordinal


@pytest.mark.parametrize("bad", [
    "5 伙伴", "1 伙伴", "6 接触", "5 partner", "7", 7, "0", 0, "-1", "6.5", 6.5, "friend", "5 friend",
    "5信任", "trust me", True,
])
def test_unknown_or_contradictory_levels_are_errors_m_rel_1(bad: object) -> None:
    """M-REL-1: contradictions ('5 伙伴'), out-of-range numbers and unknown words raise InputError."""
    with pytest.raises(InputError) as info:
        parse_level(bad)
    assert info.value.code == "M-REL-1"


def test_error_message_names_value_and_choices_m_rel_1() -> None:
    """M-REL-1: the message names the bad value and lists the levels in both languages."""
    with pytest.raises(InputError) as info:
        level_ordinal("friend")
    assert "friend" in info.value.message("en") and "Partner" in info.value.message("en")
    assert "friend" in info.value.message("zh") and "伙伴" in info.value.message("zh")


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_blank_level_is_none_m_rel_1(blank: object) -> None:
    """M-REL-1: a blank cell is not yet assessed: None, not an error."""
    assert parse_level(blank) is None
    assert level_ordinal(blank) is None


# --------------------------------------------------------------------------- M-REL-3 chain_top


def test_chain_top_takes_ranks_1_to_10_in_rank_order_m_rel_3() -> None:
    """M-REL-3: ranks 1..10 sorted by rank; blank names/ranks, 0 and 11+ ignored; names trimmed."""
    rows = [("C", 3), ("A", 1), ("X", None), ("Y", 11), ("B", "2"), ("", 4), ("Z", 0), (" D ", 10.0),
            ("E", ""), ("F", "  "), ("G", 12)]
    assert chain_top(rows) == ["A", "B", "C", "D"]


def test_chain_top_full_decision_chain_m_rel_3() -> None:
    """M-REL-3: 12 ranked people, listed in reverse: the TOP-10 are ranks 1..10 in order."""
    rows = [(f"P{r}", r) for r in range(12, 0, -1)]
    assert chain_top(rows) == [f"P{r}" for r in range(1, 11)]


@given(st.permutations(list(range(1, 16))))
def test_chain_top_property_m_rel_3(ranks: list[int]) -> None:
    """M-REL-3: whatever the row order, the result is ranks 1..10 in rank order."""
    assert chain_top([(f"人{r}", r) for r in ranks]) == [f"人{r}" for r in range(1, 11)]


def test_chain_top_bad_rank_is_an_error_m_rel_3() -> None:
    """M-REL-3: a rank that is not a number raises InputError M-REL-3."""
    with pytest.raises(InputError) as info:
        chain_top([("张三", "first")])
    assert info.value.code == "M-REL-3"


# --------------------------------------------------------------------------- M-REL-3 check_top_ten

NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "Li Lei", "Han Meimei"]


def _variant(name: str, how: str) -> str:
    return {"same": name, "upper": name.upper(), "lower": name.lower(), "wide": full_width(name),
            "padded": f"  {name}\u3000", "double": name.replace(" ", "  ")}[how]


@given(st.permutations(NAMES), st.lists(st.sampled_from(["same", "upper", "lower", "wide", "padded", "double"]),
                                        min_size=10, max_size=10))
def test_same_ten_in_any_order_and_spelling_is_consistent_m_rel_3(order: list[str], hows: list[str]) -> None:
    """M-REL-3: the same ten names in any order, with width/case/space differences, are consistent."""
    table = [_variant(name, how) for name, how in zip(order, hows)]
    result = check_top_ten(NAMES, table)
    assert result.consistent
    assert (result.only_in_chain, result.only_in_table, result.repeated) == ((), (), ())


def test_inner_space_in_chinese_name_is_a_space_difference_m_rel_3() -> None:
    """M-REL-3: '张 三' (a two-character name padded for alignment) is the same person as '张三'."""
    table = ["张 三", *NAMES[1:]]
    assert check_top_ten(NAMES, table).consistent


def test_reports_names_only_on_one_side_m_rel_3() -> None:
    """M-REL-3: only_in_chain / only_in_table list the differing names as written, in list order."""
    chain = [*NAMES[:8], "郑十一", "冯十二"]
    table = [*NAMES[:9], "陈十三"]
    result = check_top_ten(chain, table)
    assert not result.consistent
    assert result.only_in_chain == ("郑十一", "冯十二")
    assert result.only_in_table == ("Li Lei", "陈十三")
    assert result.repeated == ()


def test_reports_repeated_names_m_rel_3() -> None:
    """M-REL-3: a name listed twice on one side is reported once, as repeated."""
    chain = [*NAMES[:9], " 张三 "]
    result = check_top_ten(chain, NAMES)
    assert not result.consistent
    assert result.repeated == ("张三",)
    assert result.only_in_chain == ()
    assert result.only_in_table == ("Han Meimei",)


def test_repeated_is_case_and_width_blind_m_rel_3() -> None:
    """M-REL-3: 'LI LEI' and 'ｌｉ ｌｅｉ' on the table side are one name listed twice."""
    table = [*NAMES[:8], "LI LEI", full_width("li lei")]
    result = check_top_ten(NAMES, table)
    assert [name.casefold() for name in result.repeated] == ["li lei"]
    assert result.only_in_chain == ("Han Meimei",)
    assert result.only_in_table == ()


def test_only_first_ten_non_blank_names_count_m_rel_3() -> None:
    """M-REL-3: blanks are skipped and an 11th name is outside the TOP-10."""
    chain = [NAMES[0], None, "", *NAMES[1:5], "  ", *NAMES[5:], "外人"]
    assert check_top_ten(chain, NAMES).consistent
    table = [*NAMES[:9], "外人", NAMES[9]]
    result = check_top_ten(NAMES, table)
    assert result.only_in_chain == ("Han Meimei",)
    assert result.only_in_table == ("外人",)


@given(st.sets(st.sampled_from(NAMES), max_size=10), st.sets(st.sampled_from(NAMES), max_size=10))
def test_differences_are_set_differences_m_rel_3(chain_set: set[str], table_set: set[str]) -> None:
    """M-REL-3: only_in_chain = chain - table and only_in_table = table - chain (order kept)."""
    chain = [n for n in NAMES if n in chain_set]
    table = [n for n in reversed(NAMES) if n in table_set]
    result = check_top_ten(chain, table)
    assert result.only_in_chain == tuple(n for n in chain if n not in table_set)
    assert result.only_in_table == tuple(n for n in table if n not in chain_set)
    assert result.repeated == ()
    assert result.consistent == (chain_set == table_set)


def test_empty_lists_are_consistent_but_one_empty_side_is_not_m_rel_3() -> None:
    """M-REL-3: with no names on either side nothing differs; a missing table lists all ten."""
    assert check_top_ten([], []).consistent
    result = check_top_ten(NAMES, [None] * 10)
    assert result.only_in_chain == tuple(NAMES)
    assert result.only_in_table == ()
