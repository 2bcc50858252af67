"""The demo's figures, recomputed independently with pandas from the sample CSV files
(M-FUN-1..3, M-FC-2, M-SCORE-4, M-ACC-2, M-ACC-3, M-ACC-6)."""
from __future__ import annotations

from datetime import date
from importlib import resources

import pandas as pd
import pytest

from kamxl.demo import build_report

TODAY = date(2026, 11, 23)
PROB = {1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4, 5: 0.5, 6: 0.7, 7: 0.8}


def sample(name: str) -> pd.DataFrame:
    path = resources.files("kamxl").joinpath(f"data/samples/{name}.csv")
    return pd.read_csv(str(path), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def report():
    return build_report(today=TODAY)


def test_stage_health_matches_an_independent_computation_m_fun_1_3(report):
    opps = sample("opportunities").assign(stage=lambda d: d.stage.astype(int), amount=lambda d: d.amount.astype(float))
    open_ = opps[opps.status == "open"]
    bench = sample("benchmarks").astype({"stage": int, "count": float, "amount": float}).set_index("stage")
    for row in report.health[:7]:
        at = open_[open_.stage == row.stage.number]
        assert row.count == len(at)
        assert row.amount == pytest.approx(at.amount.sum())
        assert row.weighted == pytest.approx(at.amount.sum() * PROB[row.stage.number])
        assert row.count_ratio == pytest.approx(len(at) / bench.loc[row.stage.number, "count"])
    won = opps[opps.status == "won"]
    assert report.health[7].count == len(won) and report.health[7].weighted == pytest.approx(won.amount.sum())


def test_sample_exercises_every_health_band_and_the_70_percent_boundary_m_fun_3(report):
    bands = {band for row in report.health for band in row.bands() if band}
    assert bands == {"excellent", "good", "warning"}
    assert any(row.count_ratio == 0.7 and row.bands()[0] == "good" for row in report.health)


def test_forecast_counts_confirmed_lines_by_owner_and_quarter_m_fc_2(report):
    opps = sample("opportunities")
    kept = opps[(opps.confirmed.str.upper() == "Y") & (opps.status != "lost")].copy()
    kept["period"] = pd.to_datetime(kept.close_date).dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    expected = kept.assign(amount=kept.amount.astype(float)).groupby(["owner", "period"]).amount.sum()
    got = {(o, p): v[1] for o, periods in report.forecast.items() for p, v in periods.items()}
    assert got == pytest.approx(expected.to_dict())


def test_attention_flags_m_score_4_m_rel_5(report):
    flagged = {ln.id: ln.flags for ln in report.lines if ln.flags}
    assert "M-SCORE-4" in flagged["OPP-2026-0011"] and "M-SCORE-4" in flagged["OPP-2026-0030"]
    assert "M-REL-5" in flagged["OPP-2026-0014"] and "STALE" in flagged["OPP-2026-0022"]
    assert all(ln.status == "open" or "STALE" not in ln.flags for ln in report.lines)


def test_customer_register_finds_variants_and_conflicts_m_acc_2_m_acc_3(report):
    multi = [sorted(c.name for c in g) for g in report.customer_groups if len(g) > 1]
    assert ["江澜电力集团有限公司", "江瀾電力集團有限公司"] in multi
    assert ["锦程酒店管理 Co., Ltd.", "锦程酒店管理股份有限公司"] in multi
    assert not any("江澜电力工程有限公司" in g for g in multi)      # similar name, other company
    assert all(len({c.ref for c in g}) == 2 for g in report.customer_groups if len(g) > 1)


def test_every_account_class_occurs_m_acc_6(report):
    assert {cls for *_, cls in report.evaluations} == {"A", "B", "C", "D"}
