"""Cell value parsing shared by every rule: yes/no (M-SCORE-3, M-FC-2), numbers, dates."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology.values import fold, is_blank, parse_date, parse_number, parse_yes_no
from tests.spellings import BLANK, NO, YES, full_width, typed


@given(st.sampled_from(YES).flatmap(typed))
def test_every_yes_spelling(value):
    assert parse_yes_no(value) is True


@given(st.sampled_from(NO).flatmap(typed))
def test_every_no_spelling(value):
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", BLANK)
def test_blank_is_unanswered_not_no(value):
    assert is_blank(value) and parse_yes_no(value) is None


@pytest.mark.parametrize("value", ["maybe", "2", 2, 0.5, "yess", "Y N", "√×", "x"])
def test_anything_else_is_an_error_naming_the_value(value):
    with pytest.raises(InputError) as caught:
        parse_yes_no(value, code="M-SCORE-3")
    assert caught.value.code == "M-SCORE-3"
    assert repr(value) in caught.value.message("zh") and repr(value) in caught.value.message("en")


def test_fold_makes_width_case_and_spaces_irrelevant():
    assert fold(full_width("Shortlist/Bid ")) == fold("  shortlist/bid") == "shortlist/bid"
    assert fold("进入\u3000短名单") == "进入 短名单"


@pytest.mark.parametrize(("value", "expected"), [
    ("1,200,000", 1_200_000), ("¥ 35000", 35000), ("３５０００", 35000), ("50%", 0.5), (7, 7.0),
    ("2,500.50 元", 2500.5), (None, None), ("  ", None),
])
def test_numbers(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", ["abc", "35万", True, float("nan"), "inf"])
def test_not_numbers(value):
    with pytest.raises(InputError):
        parse_number(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-23", date(2026, 11, 23)), ("2026/11/23", date(2026, 11, 23)), ("2026.1.5", date(2026, 1, 5)),
    ("2026年11月23日", date(2026, 11, 23)), (datetime(2026, 11, 23, 15, 0), date(2026, 11, 23)),
    (46349, date(2026, 11, 23)), (46349.75, date(2026, 11, 23)), (None, None),
])
def test_dates(value, expected):
    assert parse_date(value) == expected


def test_1904_date_system():
    assert parse_date(46349 - 1462, date1904=True) == date(2026, 11, 23)


@pytest.mark.parametrize("value", ["23/13/2026", "soon", "2026-02-30", -5])
def test_not_dates(value):
    with pytest.raises(InputError):
        parse_date(value)
