"""The funnel: M-FUN-1 (stages and probabilities), M-FUN-2 (weighted amount), M-FUN-3
(health on count and amount, 70% and 100% are both good), M-FUN-4 (08 is won or lost)."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.methodology import (
    Deal, default_config, health_band, health_ratio, parse_stage, parse_status, stage_probability, summarize,
    weighted_amount,
)
from tests.spellings import typed

CFG = default_config()


@pytest.mark.parametrize("value", [
    5, 5.0, "5", "05", "5.0", "05 Shortlist/Bid", "05 进入短名单", "05-Shortlist/Bid", "05. 进入短名单", "05：进入短名单",
    "进入短名单", "shortlist/bid", "Stage 5", "阶段05", "第5阶段", "０５ 进入短名单", "05 Shortlist",
])
def test_every_stage_spelling_m_fun_1(value):
    assert parse_stage(value).code == "05"


@given(st.sampled_from(CFG.stages), st.sampled_from(["zh", "en"]), st.booleans(), st.data())
def test_every_stage_label_and_name_parses_back_typed_sloppily_m_fun_1(stage, lang, name_only, data):
    text = stage.name(lang) if name_only else stage.label(lang)
    assert parse_stage(data.draw(typed(text))) is stage


@pytest.mark.parametrize("value", [0, 9, "9", "00", 5.5, "5.5", "5 5", "abc", True, "05 商务谈判", "07 Shortlist/Bid"])
def test_invalid_or_contradictory_stage_m_fun_1(value):
    with pytest.raises(InputError) as caught:
        parse_stage(value)
    assert caught.value.code == "M-FUN-1" and repr(value) in caught.value.message("en")


def test_blank_stage_is_none():
    assert parse_stage(None) is None and parse_stage(" ") is None


def test_stage_probability_and_outcomes_m_fun_1_m_fun_4():
    assert [stage_probability(s) for s in CFG.stages[:7]] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8]
    closed = CFG.stage(8)
    assert stage_probability(closed, "won") == 1.0 and stage_probability(closed, "lost") == 0.0
    with pytest.raises(InputError) as caught:
        stage_probability(closed, "open")
    assert caught.value.code == "M-FUN-4"


@pytest.mark.parametrize(("value", "status"), [
    (None, "open"), ("open", "open"), ("进行中", "open"), ("WON", "won"), ("赢单", "won"), ("丢单", "lost"),
    ("Lost", "lost"),
])
def test_status_spellings_m_fun_4(value, status):
    assert parse_status(value) == status


@given(st.integers(0, 10**9), st.sampled_from(CFG.stages[:7]))
def test_weighted_amount_is_amount_times_probability_m_fun_2(amount, stage):
    assert weighted_amount(amount, stage) == pytest.approx(amount * stage.probability)


def test_weighted_amount_follows_company_table_and_rejects_negative_m_fun_2(company_config):
    cfg = company_config("[stages.05]\nprobability = 0.45\n")
    assert weighted_amount("1,000,000", cfg.stage(5), config=cfg) == pytest.approx(450_000)
    assert weighted_amount(None, CFG.stage(3)) == 0
    with pytest.raises(InputError):
        weighted_amount(-5, CFG.stage(3))


@pytest.mark.parametrize(("current", "benchmark", "band"), [
    (7, 10, "good"),                       # exactly 70%
    (10, 10, "good"),                      # exactly 100%
    (350000.35, 500000.5, "good"),         # exactly 70% as written, not in binary floating point
    (0.7, 1, "good"), (69, 100, "warning"), (6999, 10000, "warning"), (101, 100, "excellent"),
    (10001, 10000, "excellent"), (0, 10, "warning"),
])
def test_health_band_boundaries_m_fun_3(current, benchmark, band):
    assert health_band(health_ratio(current, benchmark)) == band


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_health_band_agrees_with_exact_fractions_m_fun_3(current, benchmark):
    exact = Fraction(current, benchmark)
    expected = "excellent" if exact > 1 else "good" if exact >= Fraction(7, 10) else "warning"
    assert health_band(health_ratio(current, benchmark)) == expected


def test_health_without_benchmark_is_undefined_m_fun_3():
    assert health_ratio(5, 0) is None


def test_summary_counts_open_deals_at_stages_and_won_at_08_m_fun_2_m_fun_3():
    s = CFG.stage
    deals = [Deal(s(1), "open", 100), Deal(s(1), "open", 300), Deal(s(5), "open", 1000),
             Deal(s(8), "won", 500), Deal(s(8), "lost", 9999)]
    rows = {r.stage.code: r for r in summarize(deals, {1: (2, 500), 5: (2, 1000)})}
    assert (rows["01"].count, rows["01"].amount, rows["01"].weighted) == (2, 400, pytest.approx(40))
    assert rows["01"].count_ratio == 1.0 and rows["01"].amount_ratio == 0.8
    assert rows["01"].bands() == ("good", "good")
    assert rows["05"].bands() == ("warning", "good")
    assert (rows["08"].count, rows["08"].amount, rows["08"].weighted) == (1, 500, 500)
    assert rows["03"].count == 0 and rows["03"].bands() == (None, None)
