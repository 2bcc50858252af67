"""Tests of kamxl.methodology.checklist and kamxl/data/checklist.toml.

M-SCORE-5  seed 000's question bank is the account plan's checklist: three sides
           (customer, ours, competition), 20 areas, 80 questions, each in zh and en;
           each area's coverage (answered / total) and the overall coverage are reported.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.methodology.checklist import Coverage, checklist, coverage

AREAS = checklist()
QUESTION_IDS = [q.id for area in AREAS for q in area.questions]
AREA_OF = {q.id: area.id for area in AREAS for q in area.questions}

# --------------------------------------------------------------------------- the data


def test_three_sides_m_score_5() -> None:
    """M-SCORE-5: customer side, our side, competition analysis, in seed order."""
    sides = []
    for area in AREAS:
        if area.side not in sides:
            sides.append(area.side)
    assert [s.zh for s in sides] == ["客户方", "我方", "竞争分析与评估"]
    assert [s.en for s in sides] == ["Customer side", "Our side", "Competition analysis and assessment"]


def test_twenty_areas_and_eighty_questions_m_score_5() -> None:
    """M-SCORE-5: 20 areas (5 + 5 + 10) and 80 questions."""
    assert len(AREAS) == 20
    assert len(QUESTION_IDS) == 80
    per_side: dict[str, int] = {}
    for area in AREAS:
        per_side[area.side.en] = per_side.get(area.side.en, 0) + 1
    assert list(per_side.values()) == [5, 5, 10]


def test_ids_are_unique_m_score_5() -> None:
    """M-SCORE-5: area ids and question ids are unique (and never collide with each other)."""
    area_ids = [a.id for a in AREAS]
    assert len(set(area_ids)) == 20
    assert len(set(QUESTION_IDS)) == 80
    assert not set(area_ids) & set(QUESTION_IDS)


def test_question_ids_are_numbered_within_their_area_m_score_5() -> None:
    """M-SCORE-5: question ids are '<area>.<n>' with n = 1, 2, … in order."""
    for area in AREAS:
        assert [q.id for q in area.questions] == [f"{area.id}.{n}" for n in range(1, len(area.questions) + 1)]


def test_every_area_has_questions_m_score_5() -> None:
    """M-SCORE-5: no area is empty; the per-area counts add up to 80."""
    counts = [len(a.questions) for a in AREAS]
    assert min(counts) >= 1
    assert sum(counts) == 80


@pytest.mark.parametrize("question", [q for a in AREAS for q in a.questions], ids=QUESTION_IDS)
def test_every_question_has_zh_and_en_text_m_score_5(question) -> None:
    """M-SCORE-5: every question is written in both languages (non-empty after trimming)."""
    assert question.text.zh.strip()
    assert question.text.en.strip()
    assert question.text("zh") == question.text.zh
    assert question.text("en") == question.text.en


def test_every_area_and_side_has_zh_and_en_text_m_score_5() -> None:
    """M-SCORE-5: area and side names are bilingual too."""
    for area in AREAS:
        assert area.text.zh.strip() and area.text.en.strip()
        assert area.side.zh.strip() and area.side.en.strip()


def test_checklist_is_stable_m_score_5() -> None:
    """M-SCORE-5: repeated calls give the same question bank."""
    assert checklist() == AREAS


# --------------------------------------------------------------------------- coverage


def test_no_answers_is_zero_coverage_m_score_5() -> None:
    """M-SCORE-5: nothing answered: 0 / total everywhere, ratio 0."""
    per_area, overall = coverage({})
    assert [c.id for c in per_area] == [a.id for a in AREAS]
    assert all(c.answered == 0 for c in per_area)
    assert [c.total for c in per_area] == [len(a.questions) for a in AREAS]
    assert overall == Coverage("ALL", 0, 80)
    assert overall.ratio == 0.0


def test_all_answered_is_full_coverage_m_score_5() -> None:
    """M-SCORE-5: every question answered: 80 / 80, ratio 1 in every area."""
    per_area, overall = coverage({qid: "已了解" for qid in QUESTION_IDS})
    assert all(c.answered == c.total and c.ratio == 1.0 for c in per_area)
    assert overall == Coverage("ALL", 80, 80)


def test_coverage_counts_per_area_m_score_5() -> None:
    """M-SCORE-5: answers are counted in their own area and overall."""
    answers = {"C1.1": "扩容", "C1.2": "降本", "C3.1": "增长", "K10.1": "对手甲", "U1.1": 0}
    per_area, overall = coverage(answers)
    by_id = {c.id: c for c in per_area}
    assert by_id["C1"] == Coverage("C1", 2, 4)
    assert by_id["C1"].ratio == 0.5
    assert by_id["C3"] == Coverage("C3", 1, 3)
    assert by_id["K10"] == Coverage("K10", 1, 3)
    assert by_id["U1"] == Coverage("U1", 1, 4)
    assert by_id["C2"] == Coverage("C2", 0, 4)
    assert overall == Coverage("ALL", 5, 80)


def test_unknown_keys_are_ignored_m_score_5() -> None:
    """M-SCORE-5: keys that are not question ids do not count anywhere."""
    answers = {"C1.1": "x", "C1.9": "x", "c1.2": "x", "Z1.1": "x", "C1": "x", "ALL": "x", "": "x"}
    per_area, overall = coverage(answers)
    assert {c.id: c.answered for c in per_area if c.answered} == {"C1": 1}
    assert overall.answered == 1
    assert overall.total == 80


@pytest.mark.parametrize("blank", [None, "", " ", "   ", "\u3000", "\t\n"])
def test_blank_answers_do_not_count_m_score_5(blank: object) -> None:
    """M-SCORE-5: blank or whitespace-only answers are not answers."""
    per_area, overall = coverage({"C1.1": blank, "C1.2": "是"})
    assert per_area[0] == Coverage("C1", 1, 4)
    assert overall.answered == 1


@given(st.dictionaries(
    st.one_of(st.sampled_from(QUESTION_IDS), st.text(max_size=6)),
    st.one_of(st.text(max_size=5), st.sampled_from(["", " ", "\u3000", None]), st.integers()),
    max_size=40,
))
def test_coverage_property_m_score_5(answers: dict[str, object]) -> None:
    """M-SCORE-5: per-area answered = non-blank answers to that area's questions; overall = their sum."""
    def answered(value: object) -> bool:
        return value is not None and not (isinstance(value, str) and not value.strip())

    expected: dict[str, int] = {a.id: 0 for a in AREAS}
    for key, value in answers.items():
        if key in AREA_OF and answered(value):
            expected[AREA_OF[key]] += 1
    per_area, overall = coverage(answers)
    assert {c.id: c.answered for c in per_area} == expected
    assert overall.answered == sum(expected.values())
    assert overall.total == 80
    assert 0.0 <= overall.ratio <= 1.0
    assert overall.ratio == pytest.approx(sum(expected.values()) / 80)
