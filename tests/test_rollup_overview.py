"""The Overview's laws (kamxl.rollup.overview; M-TEAM-1, M-FC-1, M-FC-4), over generated
teams: the total is the roll-up's own figures; the direct reports' rows add up to it (and
their quotas with the quota not allocated to the header quota); against a previous
roll-up, the rows' changes (owners only in the previous one included) add up to the
total's change. The workbook side (outline, first sheet, one page) is in test_rollup."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest import approx

from kamxl.rollup.core import roll_up, select
from kamxl.rollup.overview import GONE, REPORT, TOTAL, UNALLOCATED, overview
from tests.test_rollup_laws import CFG, TODAY, team

FIGURES = ("closed", "commit", "best_case", "pipeline", "adjusted")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(now=team(), before=team(), quotas=st.dictionaries(st.sampled_from(("王磊", "李娜", "张伟", "孙建华")),
                                                          st.integers(1, 9_000).map(lambda q: q * 1_000.0)))
def test_the_rows_add_up_to_the_total_which_is_the_roll_up(now, before, quotas):
    table = {(owner.replace(" ", "").casefold(), ""): q for owner, q in quotas.items()}
    result = roll_up(now, owner="孙建华", level="team", period="2026-Q4", currency="CNY", config=CFG, today=TODAY,
                     quotas=table)
    previous, _excluded = select(before, CFG)
    rows = overview(result, now, CFG, quotas=table, previous=previous)
    total = rows[-1]
    h = result.headline
    assert total.kind == TOTAL and (total.quota, total.closed, total.commit, total.best_case, total.pipeline,
                                    total.adjusted) == (result.quota, h.closed, h.commit, h.best_case, h.pipeline,
                                                        result.adjusted)
    reports = [r for r in rows if r.kind == REPORT]
    assert len(reports) == len(now)                                # one row per report
    for key in FIGURES:
        assert sum(getattr(r, key) or 0.0 for r in reports) == approx(getattr(total, key) or 0.0)
    if result.quota is not None:
        assert sum(r.quota or 0.0 for r in rows if r.kind in (REPORT, UNALLOCATED)) == approx(result.quota)
    was = sum(x.amount for x in previous if x.category in ("commit", "closed") and x.close_date.year == 2026
              and x.close_date.month > 9)
    assert total.commit_change == approx(h.commit - was)
    assert sum(r.commit_change for r in rows if r.kind in (REPORT, GONE)) == approx(total.commit_change)
