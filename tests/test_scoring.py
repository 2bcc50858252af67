"""Opportunity value assessment: M-SCORE-1 (total and dimensions), M-SCORE-2 (strictly
greater than the threshold), M-SCORE-3 (spellings, blanks, errors), M-SCORE-4 (late, low)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology import DIMENSIONS, QUESTIONS, low_value_late, parse_answers, score, value_level
from tests.spellings import answer

truths = st.lists(st.booleans(), min_size=20, max_size=20)


def test_twenty_questions_in_four_dimensions_of_five_m_score_1():
    assert [q.id for q in QUESTIONS] == [f"Q{n:02d}" for n in range(1, 21)]
    assert [d.id for d in DIMENSIONS] == ["D1", "D2", "D3", "D4"]
    assert [sum(q.dimension == d.id for q in QUESTIONS) for d in DIMENSIONS] == [5, 5, 5, 5]
    assert QUESTIONS[10].text.en == "Is internal support (a coach) strong?"
    assert all(q.text.zh and q.text.en for q in QUESTIONS)


@given(truths.flatmap(lambda ts: st.tuples(st.just(ts), st.tuples(*(answer(t) for t in ts)))))
def test_total_and_dimensions_count_the_yes_answers_in_any_spelling_m_score_1_3(case):
    truth, cells = case
    result = score(cells)
    assert result.total == sum(truth)
    assert result.dimensions == tuple(sum(truth[i:i + 5]) for i in range(0, 20, 5))
    assert result.complete and result.answered == 20


@given(st.integers(0, 20), st.integers(0, 19))
def test_high_value_is_strictly_greater_than_the_threshold_m_score_2(total, threshold):
    assert (value_level(total, threshold=threshold) == "high") == (total > threshold)


def test_threshold_boundary_with_default_and_company_threshold_m_score_2(company_config):
    ten = ["Y"] * 10 + ["N"] * 10
    eleven = ["Y"] * 11 + ["N"] * 9
    assert score(ten).level == "normal" and score(eleven).level == "high"
    strict = company_config("[scoring]\nthreshold = 11\n")
    assert score(eleven, config=strict).level == "normal"
    assert score(["Y"] * 12 + ["N"] * 8, config=strict).level == "high"


@given(st.lists(st.sampled_from([True, False, None]), min_size=20, max_size=20).filter(lambda a: None in a)
       .flatmap(lambda ts: st.tuples(st.just(ts), st.tuples(*(answer(t) for t in ts)))))
def test_blank_answers_make_the_score_incomplete_never_a_silent_zero_m_score_3(case):
    truth, cells = case
    result = score(cells)
    answered = sum(t is not None for t in truth)
    assert not result.complete and result.level == "incomplete"
    assert result.answered == answered and result.total == sum(t is True for t in truth)
    assert result.describe("en") == f"incomplete ({answered} of 20 answered)"
    assert result.describe("zh") == f"未完成（已答 {answered}/20 题）"


def test_all_blank_is_incomplete_not_zero_m_score_3():
    result = score([None] * 20)
    assert (result.total, result.answered, result.level) == (0, 0, "incomplete")


def test_invalid_answer_names_value_and_question_m_score_3():
    cells = ["Y"] * 20
    cells[6] = "maybe"
    with pytest.raises(InputError) as caught:
        score(cells)
    err = caught.value
    assert err.code == "M-SCORE-3" and err.where.key == "Q07"
    assert "'maybe'" in err.message("en") and "Q07" in err.message("zh")


@pytest.mark.parametrize("count", [0, 19, 21])
def test_wrong_number_of_answers_m_score_3(count):
    with pytest.raises(InputError, match="expected 20 answers"):
        parse_answers(["Y"] * count)


@pytest.mark.parametrize(("stage", "yes", "flagged"), [
    (4, 3, False), (5, 10, True), (5, 11, False), (8, 0, True), (6, 10, True),
])
def test_low_value_late_in_the_funnel_m_score_4(stage, yes, flagged):
    result = score(["Y"] * yes + ["N"] * (20 - yes))
    assert low_value_late(stage, result) is flagged


def test_incomplete_score_is_not_flagged_as_low_value_m_score_4():
    assert not low_value_late(6, score(["Y"] * 5 + [None] * 15))
