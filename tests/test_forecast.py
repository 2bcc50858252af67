"""Tests of kamxl.methodology.forecast.

M-FC-1  forecast principles: the period (quarter by default, month by configuration) of a
        close date given as a date, text or an Excel serial number.
M-FC-2  only confirmed opportunities of which the forecaster is the primary owner count;
        the confirmed flag accepts the usual yes/no spellings.
M-FC-3  one opportunity, one primary owner: the same id twice is double counting and is
        reported (ids case-blind), with conflicting owners flagged.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology.config import load_config
from kamxl.methodology.forecast import (
    Opportunity, find_duplicates, is_forecastable, parse_confirmed, period_of, same_owner,
)

EXCEL_EPOCH = datetime(1899, 12, 30)


def opp(id_: str = "OPP-1", owner: str = "王磊", confirmed: bool = True, **kw: object) -> Opportunity:
    return Opportunity(id=id_, owner=owner, confirmed=confirmed, amount=kw.pop("amount", 100.0),
                       stage=kw.pop("stage", 3), **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- M-FC-2 confirmed


@pytest.mark.parametrize("yes", ["Y", "y", "Yes", "YES", "是", "TRUE", "true", "True", "1", 1, 1.0, True, "√",
                                 "✓", "Ｙ", "ＴＲＵＥ", " 是 ", "１"])
def test_confirmed_yes_spellings_m_fc_2(yes: object) -> None:
    """M-FC-2: Y, 是, TRUE, 1, √ … (any case or width) mean confirmed."""
    assert parse_confirmed(yes) is True


@pytest.mark.parametrize("no", ["N", "n", "No", "否", "FALSE", "false", "0", 0, 0.0, False, "×", "Ｎ",
                                None, "", "   ", "\u3000"])
def test_confirmed_no_and_blank_spellings_m_fc_2(no: object) -> None:
    """M-FC-2: N, 否, FALSE, 0, × and a blank cell mean not confirmed."""
    assert parse_confirmed(no) is False


@pytest.mark.parametrize("bad", ["maybe", "待定", "2", 2, "yes!", "ok"])
def test_confirmed_unknown_spelling_is_an_error_m_fc_2(bad: object) -> None:
    """M-FC-2: anything else raises InputError M-FC-2 naming the value."""
    with pytest.raises(InputError) as info:
        parse_confirmed(bad)
    assert info.value.code == "M-FC-2"
    assert str(bad) in info.value.message("en")
    assert str(bad) in info.value.message("zh")


# --------------------------------------------------------------------------- M-FC-2 owner


@pytest.mark.parametrize(("a", "b"), [
    ("王磊", "王磊"), ("王磊", " 王磊 "), ("王磊", "王 磊"), ("王磊", "王\u3000磊"), ("Wang Lei", "wang lei"),
    ("Wang Lei", "WANGLEI"), ("Wang Lei", "ＷＡＮＧ ＬＥＩ"),
])
def test_same_owner_is_width_space_and_case_blind_m_fc_2(a: str, b: str) -> None:
    """M-FC-2: owner names compared width-, space- and case-blind."""
    assert same_owner(a, b) is True
    assert same_owner(b, a) is True


@pytest.mark.parametrize(("a", "b"), [("王磊", "王石"), ("Wang Lei", "Wang Li"), ("王磊", ""), ("", ""),
                                      (None, None), ("  ", "  "), ("王磊", None)])
def test_different_or_blank_owners_are_not_the_same_m_fc_2(a: object, b: object) -> None:
    """M-FC-2: different names, or a blank owner, never match."""
    assert same_owner(a, b) is False


@pytest.mark.parametrize(("confirmed", "owner", "forecaster", "expected"), [
    (True, "王磊", "王磊", True),
    (True, "王磊", " 王 磊 ", True),
    (True, "Wang Lei", "WANG LEI", True),
    (False, "王磊", "王磊", False),
    (True, "王磊", "李娜", False),
    (False, "王磊", "李娜", False),
    (True, "", "", False),
])
def test_forecastable_only_when_confirmed_and_own_m_fc_2(confirmed: bool, owner: str, forecaster: str,
                                                         expected: bool) -> None:
    """M-FC-2: forecast only confirmed opportunities of which the forecaster is the primary owner."""
    assert is_forecastable(opp(owner=owner, confirmed=confirmed), forecaster) is expected


@given(st.booleans(), st.sampled_from(["王磊", "李娜", "Wang Lei"]), st.sampled_from(["王磊", "李娜", "Wang Lei"]))
def test_forecastable_property_m_fc_2(confirmed: bool, owner: str, forecaster: str) -> None:
    """M-FC-2: forecastable == confirmed and owner == forecaster."""
    assert is_forecastable(opp(owner=owner, confirmed=confirmed), forecaster) == (confirmed and owner == forecaster)


# --------------------------------------------------------------------------- M-FC-1 period


@pytest.mark.parametrize(("close", "period"), [
    ("2026-01-01", "2026-Q1"), ("2026-03-31", "2026-Q1"), ("2026-04-01", "2026-Q2"), ("2026-06-30", "2026-Q2"),
    ("2026-07-01", "2026-Q3"), ("2026-09-30", "2026-Q3"), ("2026-10-01", "2026-Q4"), ("2026-12-31", "2026-Q4"),
    ("2027-01-01", "2027-Q1"),
])
def test_quarter_boundaries_m_fc_1(close: str, period: str) -> None:
    """M-FC-1: quarters by calendar month; 03-31 is Q1, 04-01 is Q2, 12-31 is Q4."""
    assert period_of(close) == period


@pytest.mark.parametrize("close", [
    date(2026, 11, 15), datetime(2026, 11, 15, 17, 30), "2026-11-15", "2026/11/15", "2026.11.15",
    "2026年11月15日", "２０２６－１１－１５", "2026-11-15 09:00", "2026-11-15T09:00:00",
])
def test_close_date_spellings_m_fc_1(close: object) -> None:
    """M-FC-1: dates, datetimes and ISO-like / Chinese date text give the period."""
    assert period_of(close) == "2026-Q4"


def test_excel_serial_numbers_m_fc_1() -> None:
    """M-FC-1: an Excel serial is days since 1899-12-30 (1900 system); 46022 = 2025-12-31."""
    assert (EXCEL_EPOCH + timedelta(days=46022)).date() == date(2025, 12, 31)
    assert (EXCEL_EPOCH + timedelta(days=46023)).date() == date(2026, 1, 1)
    assert period_of(46022) == "2025-Q4"
    assert period_of(46023) == "2026-Q1"
    assert period_of(46023.75) == "2026-Q1"  # a time of day does not move the date
    assert period_of(46112) == "2026-Q1"     # 2026-03-31
    assert period_of(46113) == "2026-Q2"     # 2026-04-01


def test_excel_1904_serial_numbers_m_fc_1() -> None:
    """M-FC-1: with the 1904 date system serial 0 is 1904-01-01."""
    serial = (date(2026, 4, 1) - date(1904, 1, 1)).days
    assert period_of(serial, date1904=True) == "2026-Q2"
    assert period_of(serial - 1, date1904=True) == "2026-Q1"


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)))
def test_period_property_for_dates_and_serials_m_fc_1(day: date) -> None:
    """M-FC-1: the period is year + quarter of the date, the same via its Excel serial or ISO text."""
    expected = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    serial = (day - EXCEL_EPOCH.date()).days
    assert period_of(day) == expected
    assert period_of(serial) == expected
    assert period_of(day.isoformat()) == expected


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("company") / "company.toml"
    path.write_text('[forecast]\nperiod = "month"\n', encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(("close", "period"), [
    ("2026-11-15", "2026-11"), ("2026-01-01", "2026-01"), ("2026-12-31", "2026-12"), (46023, "2026-01"),
])
def test_month_granularity_by_company_config_m_fc_1(monthly, close: object, period: str) -> None:
    """M-FC-1: [forecast] period = "month" gives '2026-11' instead of the quarter."""
    assert monthly.forecast.period == "month"
    assert period_of(close, config=monthly) == period


def test_default_period_is_quarter_m_fc_1() -> None:
    """M-FC-1: without a company file the period is the quarter."""
    assert period_of("2026-11-15") == "2026-Q4"


@pytest.mark.parametrize("blank", [None, "", "  ", "\u3000"])
def test_blank_close_date_is_an_error_m_fc_1(blank: object) -> None:
    """M-FC-1: a forecast line needs a close date: blank raises InputError M-FC-1."""
    with pytest.raises(InputError) as info:
        period_of(blank)
    assert info.value.code == "M-FC-1"
    assert "close date" in info.value.message("en")


@pytest.mark.parametrize("bad", ["next spring", "2026-13-01", "2026-02-30", "Q4"])
def test_unreadable_close_date_is_an_error_m_fc_1(bad: str) -> None:
    """M-FC-1: text that is not a date raises InputError M-FC-1 naming the value."""
    with pytest.raises(InputError) as info:
        period_of(bad)
    assert info.value.code == "M-FC-1"
    assert bad in info.value.message("en")


# --------------------------------------------------------------------------- M-FC-3 duplicates


def test_no_duplicates_m_fc_3() -> None:
    """M-FC-3: distinct ids are not reported."""
    assert find_duplicates([opp("A"), opp("B"), opp("C")]) == []


def test_duplicate_ids_are_case_blind_m_fc_3() -> None:
    """M-FC-3: 'opp-7' and 'OPP-7' are one opportunity, reported once with both lines."""
    a, b, c = opp("OPP-7", source="east.xlsx"), opp("OPP-8"), opp("opp-7", source="west.xlsx")
    duplicates = find_duplicates([a, b, c])
    assert len(duplicates) == 1
    assert duplicates[0].id == "OPP-7"
    assert duplicates[0].lines == (a, c)


def test_duplicate_ids_are_width_and_space_blind_m_fc_3() -> None:
    """M-FC-3: a full-width or padded id is the same opportunity."""
    duplicates = find_duplicates([opp("OPP-7"), opp("ＯＰＰ－７"), opp(" opp-7 ")])
    assert [len(d.lines) for d in duplicates] == [3]


def test_same_owner_twice_is_not_a_conflict_m_fc_3() -> None:
    """M-FC-3: the same owner (spelt differently) twice: double counting, but no owner conflict."""
    duplicates = find_duplicates([opp("OPP-1", owner="王磊"), opp("opp-1", owner=" 王 磊 ")])
    assert len(duplicates) == 1
    assert duplicates[0].owners == ("王磊",)
    assert duplicates[0].conflicting_owners is False


def test_different_owners_are_a_conflict_m_fc_3() -> None:
    """M-FC-3: one opportunity, two owners: conflicting_owners, owners in first-seen order."""
    duplicates = find_duplicates([opp("OPP-1", owner="王磊"), opp("OPP-1", owner="李娜"), opp("OPP-1", owner="王磊")])
    assert len(duplicates) == 1
    assert duplicates[0].owners == ("王磊", "李娜")
    assert duplicates[0].conflicting_owners is True


def test_several_duplicates_in_first_seen_order_m_fc_3() -> None:
    """M-FC-3: each duplicated id is reported once, in the order first seen."""
    lines = [opp("B"), opp("A"), opp("C"), opp("a"), opp("b"), opp("b")]
    duplicates = find_duplicates(lines)
    assert [(d.id, len(d.lines)) for d in duplicates] == [("B", 3), ("A", 2)]


@given(st.lists(st.tuples(st.sampled_from(["x1", "X1", "y2", "Y2", "z3"]), st.sampled_from(["王磊", "李娜"])),
                max_size=8))
def test_duplicates_property_m_fc_3(rows: list[tuple[str, str]]) -> None:
    """M-FC-3: reported ids are exactly those seen more than once (case-blind); conflict iff owners differ."""
    lines = [opp(i, owner=o) for i, o in rows]
    duplicates = find_duplicates(lines)
    counts: dict[str, list[str]] = {}
    for i, o in rows:
        counts.setdefault(i.lower(), []).append(o)
    expected = {k: v for k, v in counts.items() if len(v) > 1}
    assert {d.id.lower() for d in duplicates} == set(expected)
    for d in duplicates:
        owners = expected[d.id.lower()]
        assert len(d.lines) == len(owners)
        assert d.conflicting_owners == (len(set(owners)) > 1)
