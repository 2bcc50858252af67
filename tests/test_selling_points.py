"""Tests of kamxl.methodology.selling_points.

M-PLAN-4  a selling point is scored 0-10 on uniqueness and 0-10 on value to the customer;
          it is a buying point only in the high/high zone (default: both >= 7), and the
          minimums are configurable per company.
"""
from __future__ import annotations


import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology.config import load_config
from kamxl.methodology.selling_points import is_buying_point

in_scale = st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("uniqueness", "value", "expected"), [
    (7, 7, True), (10, 10, True), (7, 10, True), (10, 7, True), (8.5, 9, True),
    (6.99, 7, False), (7, 6.99, False), (6.99, 6.99, False), (0, 10, False), (10, 0, False), (0, 0, False),
    (6, 9, False),
])
def test_buying_point_boundaries_m_plan_4(uniqueness: float, value: float, expected: bool) -> None:
    """M-PLAN-4: both scores >= 7 is a buying point; 7 is in, 6.99 is out."""
    assert is_buying_point(uniqueness, value) is expected


@given(in_scale, in_scale)
def test_buying_point_property_m_plan_4(u: float, v: float) -> None:
    """M-PLAN-4: for any scores in [0, 10], the result is (u >= 7 and v >= 7)."""
    assert is_buying_point(u, v) == (u >= 7 and v >= 7)


@pytest.mark.parametrize(("uniqueness", "value", "expected"), [
    ("7", "7", True), ("７", " 8 ", True), ("6.99", "10", False), ("9", "6", False),
])
def test_scores_typed_as_text_m_plan_4(uniqueness: object, value: object, expected: bool) -> None:
    """M-PLAN-4: scores typed as text (also full width) are read as numbers."""
    assert is_buying_point(uniqueness, value) is expected


@pytest.mark.parametrize("bad", [-0.01, -1, 10.01, 11, 100, None, "", "  ", "\u3000", "high", True,
                                 float("nan"), float("inf")])
@pytest.mark.parametrize("axis", ["uniqueness", "value"])
def test_out_of_scale_or_blank_is_an_error_m_plan_4(bad: object, axis: str) -> None:
    """M-PLAN-4: a score outside 0..10, blank or not a number raises InputError M-PLAN-4."""
    args = {"uniqueness": 8, "value": 8, axis: bad}
    with pytest.raises(InputError) as info:
        is_buying_point(args["uniqueness"], args["value"])
    assert info.value.code == "M-PLAN-4"


def test_error_message_names_axis_and_value_m_plan_4() -> None:
    """M-PLAN-4: the message names the axis, the scale and the value in both languages."""
    with pytest.raises(InputError) as info:
        is_buying_point(8, 12)
    assert "价值" in info.value.message("zh") and "12" in info.value.message("zh")
    en = info.value.message("en")
    assert "value" in en and "12" in en and "10" in en


def test_error_names_uniqueness_axis_m_plan_4() -> None:
    """M-PLAN-4: a bad uniqueness score is reported as uniqueness, not value."""
    with pytest.raises(InputError) as info:
        is_buying_point(-3, 8)
    assert "独特性" in info.value.message("zh")
    assert "uniqueness" in info.value.message("en")


@pytest.fixture(scope="module")
def stricter(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("company") / "company.toml"
    path.write_text("[selling_points]\nuniqueness_min = 8\n", encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(("uniqueness", "value", "expected"), [
    (8, 7, True), (7.99, 10, False), (7, 7, False), (8, 6.99, False), (10, 10, True),
])
def test_company_override_of_uniqueness_minimum_m_plan_4(stricter, uniqueness: float, value: float,
                                                        expected: bool) -> None:
    """M-PLAN-4: selling_points.uniqueness_min = 8 moves the uniqueness boundary; value_min stays 7."""
    assert stricter.selling_points.uniqueness_min == 8
    assert stricter.selling_points.value_min == 7
    assert is_buying_point(uniqueness, value, config=stricter) is expected
    assert is_buying_point(7, 7) is True  # the defaults are untouched


@given(u=in_scale, v=in_scale)
def test_company_override_property_m_plan_4(stricter, u: float, v: float) -> None:
    """M-PLAN-4: with uniqueness_min = 8 the result is (u >= 8 and v >= 7)."""
    assert is_buying_point(u, v, config=stricter) == (u >= 8 and v >= 7)
