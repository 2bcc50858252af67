"""Deal flow (kamxl.rollup.flow): an opportunity that changes hands is a movement of both
owners, a deal won or lost is that outcome and not a stage move; through a roll-up the
by-owner sheet shows both owners (issue 15, item 17)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import openpyxl

from kamxl.methodology import default_config
from kamxl.rollup import rollup_files
from kamxl.rollup.flow import Change, by_owner, deal_flow
from kamxl.rollup.model import Line
from kamxl.rollup.sample import write_forecast

CFG = default_config()
TODAY = dt.date(2026, 11, 23)


def line(owner: str, *, stage: int = 5, status: str = "open", category: str = "commit", amount: float = 100.0,
         close: dt.date = dt.date(2026, 12, 1), id_: str = "OPP-1") -> Line:
    return Line(id_, "江澜电力", owner, True, CFG.stage(stage), status, category, amount, close)


def kinds(changes: list[Change]) -> Counter[tuple[str, str]]:
    return Counter((c.owner, c.change) for c in changes)


def test_a_change_of_owner_is_a_movement_out_of_one_and_into_the_other():
    changes = deal_flow([line("李娜")], [line("王磊", stage=6, category="best_case", amount=150.0)], CFG)
    assert kinds(changes) == Counter({("李娜", "owner_out"): 1, ("王磊", "owner_in"): 1, ("王磊", "stage_up"): 1,
                                      ("王磊", "category"): 1, ("王磊", "amount"): 1})
    out = next(c for c in changes if c.change == "owner_out")
    assert (out.before, out.after, out.delta) == ("李娜", "王磊", -100.0)
    owners = {name: (counts, delta) for name, counts, delta in by_owner(changes)}
    assert owners["李娜"] == (Counter({"owner_out": 1}), -100.0)           # the amount leaves 李娜
    assert owners["王磊"][1] == 150.0 and owners["王磊"][0]["owner_in"] == 1  # and arrives at 王磊, as it is now
    assert sum(delta for _n, _c, delta in by_owner(changes)) == 150.0 - 100.0


def test_the_same_owner_spelled_differently_is_no_change_of_hands():
    assert deal_flow([line("王磊")], [line(" 王 磊 ")], CFG) == []


def test_a_lost_or_won_deal_is_its_outcome_not_a_stage_move():
    for outcome in ("lost", "won"):
        changes = deal_flow([line("王磊", stage=5)], [line("王磊", stage=8, status=outcome)], CFG)
        assert [c.change for c in changes] == [outcome]
        assert (changes[0].before, changes[0].after) == ("open", outcome)
    moved = deal_flow([line("王磊", stage=5)], [line("王磊", stage=6)], CFG)
    assert [c.change for c in moved] == ["stage_up"]                       # an open deal still moves stages


def test_the_roll_up_shows_both_owners_of_a_handed_over_deal(tmp_path):
    def forecast(week: str, owner: str, ids: list[str]) -> None:
        write_forecast(tmp_path / week / f"{owner}.xlsx", owner=owner, manager="胡伟", lang="en", submitted=TODAY,
                       quota=0.0, lines=[{"opportunity_id": i, "customer": "江澜电力", "owner": owner,
                                          "confirmed": "Y", "stage": "05", "status": "open", "category": "commit",
                                          "amount": 100.0, "close_date": dt.date(2026, 12, 1)} for i in ids])

    forecast("last", "李娜", ["OPP-1", "OPP-2"])
    forecast("last", "王磊", ["OPP-3"])
    forecast("now", "李娜", ["OPP-2"])
    forecast("now", "王磊", ["OPP-1", "OPP-3"])
    kw = {"owner": "胡伟", "level": "team", "lang": "en", "config": CFG, "today": TODAY}
    last = rollup_files([tmp_path / "last"], tmp_path / "last.xlsx", **kw)
    now = rollup_files([tmp_path / "now"], tmp_path / "now.xlsx", previous=last.output, **kw)
    assert kinds(now.flow or []) == Counter({("李娜", "owner_out"): 1, ("王磊", "owner_in"): 1})
    ws = openpyxl.load_workbook(now.output)["Deal flow"]
    table = ws.tables["RollupFlowOwners"]
    rows = [[c.value for c in row] for row in ws[table.ref]]
    header, body = rows[0], rows[1:]
    assert "Handed over" in header and "Taken over" in header
    by_name = {r[0]: dict(zip(header, r)) for r in body if r[0]}
    assert by_name["李娜"]["Handed over"] == 1 and by_name["李娜"]["Net amount change"] == -100
    assert by_name["王磊"]["Taken over"] == 1 and by_name["王磊"]["Net amount change"] == 100
    assert by_name["王磊"]["Stage up"] == 0
