"""A roll-up that cannot be made says which file and why, every time (issue 15, item 13),
and the roll-up's own sheets speak the output's language (item 12: Conflicts' Detail,
Deal flow's lines)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.errors import InputError
from kamxl.methodology import default_config
from kamxl.rollup import rollup_files
from kamxl.rollup.sample import write_forecast
from kamxl.schema.rollup import CONFLICTS, FLOW
from kamxl.templates import write_template
from tests.language import foreign

TODAY = date(2026, 11, 23)
CFG = default_config()


def _line(n: int, owner: str, **changes: object) -> dict[str, object]:
    return {"opportunity_id": f"OPP-2026-{n:04d}", "customer": "江澜电力集团有限公司", "owner": owner, "confirmed": "是",
            "stage": "05 进入短名单", "status": "进行中", "category": "承诺", "amount": 100_000.0,
            "close_date": date(2026, 12, 15), **changes}


def _rep(folder: Path, name: str, lines: list[dict[str, object]]) -> Path:
    return write_forecast(folder / f"{name}.xlsx", owner=name, manager="胡伟", lines=lines, lang="zh",
                          submitted=date(2026, 11, 20), quota=1_000_000.0)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("reasons")
    reps = root / "reps"
    _rep(reps, "王磊", [_line(1, "王磊"), _line(2, "王磊", stage="09")])     # one line that cannot be read
    _rep(reps, "李娜", [_line(3, "李娜")])
    team = rollup_files([reps], root / "team.xlsx", owner="胡伟", level="team", lang="zh", config=CFG, today=TODAY)
    write_template("funnel", root / "funnel.xlsx", lang="zh", filled=True)
    (root / "quotas.csv").write_text("owner,period,quota\n王磊,2026-Q4,1000000\n", encoding="utf-8")
    (root / "rates.csv").write_text("code,value\nUSD,7.1\n", encoding="utf-8")
    (root / "rates0.csv").write_text("currency,rate\nUSD,0\n", encoding="utf-8")
    (root / "empty").mkdir()
    return root, team.output


def run(root: Path, *args: str, lang: str = "en"):
    return CliRunner().invoke(main, ["rollup", *args, "-o", str(root / "out.xlsx"), "--owner", "胡伟",
                                     "--lang", lang, "--today", "2026-11-23"])


def said(result) -> str:
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


# --- item 13: which file and why ---------------------------------------------------------

def test_team_files_rolled_up_at_team_level_say_their_level(files):
    root, team = files
    out = said(run(root, str(team), "--level", "team"))
    assert "no forecast to roll up" in out and "team.xlsx: its level 'Team' is not below this roll-up's 'Team'" in out
    out = said(run(root, str(team), "--level", "team", lang="zh"))
    assert "team.xlsx：层级为“团队”，不低于本次汇总的“团队”" in out


def test_a_malformed_period_is_refused_before_anything_is_read(files):
    root, _team = files
    out = said(run(root, str(root / "reps"), "--level", "team", "--period", "2026Q4"))
    assert "--period '2026Q4' is not a quarter: write it like 2026-Q4" in out
    with pytest.raises(InputError) as caught:         # before reading: even a folder with nothing in it
        rollup_files([root / "empty"], root / "x.xlsx", owner="胡伟", level="team", lang="en", period="Q4 2026")
    assert "Q4 2026" in caught.value.message("en")


def test_a_period_without_inputs_names_the_inputs_and_their_period(files):
    root, _team = files
    out = said(run(root, str(root / "reps"), "--level", "team", "--period", "2027-Q1"))
    assert "none of the 2 input files can be used" in out
    assert "李娜.xlsx" in out and "王磊.xlsx" in out and "its period is 2026-Q4; this roll-up is for 2027-Q1" in out


def test_a_funnel_given_as_input_is_named_as_a_funnel(files):
    root, _team = files
    out = said(run(root, str(root / "funnel.xlsx"), "--level", "team"))
    assert "funnel.xlsx: not a forecast workbook (it is a 'Sales funnel')" in out
    assert "funnel.xlsx：不是预测工作簿（是“销售漏斗”）" in said(run(root, str(root / "funnel.xlsx"), "--level", "team",
                                                                lang="zh"))


def test_a_folder_without_workbooks_is_named(files):
    root, _team = files
    assert f"no workbook in {root / 'empty'}" in said(run(root, str(root / "empty"), "--level", "team"))


def test_previous_that_is_not_a_roll_up_names_the_file(files):
    root, _team = files
    out = said(run(root, str(root / "reps"), "--level", "team", "--previous", str(root / "quotas.csv")))
    assert f"--previous {root / 'quotas.csv'} cannot be the previous roll-up: " in out


@pytest.mark.parametrize(("option", "file", "why"), [
    ("--rates", "rates.csv", "no 'currency' column"),
    ("--rates", "rates0.csv", "row 2: invalid 'rate': '0' (must be a number above 0)"),
    ("--quota", "rates.csv", "no 'owner' column"),
    ("--channel", "quotas.csv", "no 'amount' column"),
    ("--adjustments", "quotas.csv", "no 'adjusted' column"),
])
def test_a_malformed_side_file_is_refused_by_name_even_where_unused(files, option, file, why):
    """The inputs share one currency, so the rates are not needed: still read, still checked."""
    root, _team = files
    out = said(run(root, str(root / "reps"), "--level", "team", option, str(root / file)))
    assert f"{root / file}" in out and why in out


# --- item 12: the roll-up's sheets in the output's language ---------------------------------------

def _table(path: Path, name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path)
    ws = next(ws for ws in book.worksheets if name in ws.tables)
    cells = ws[ws.tables[name].ref]
    header = [c.value for c in cells[0]]
    return [dict(zip(header, (c.value for c in row))) for row in cells[1:]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conflicts_detail_is_in_the_outputs_language_only(files, lang, tmp_path):
    root, _team = files
    out = rollup_files([root / "reps"], tmp_path / "t.xlsx", owner="胡伟", level="team", lang=lang, config=CFG,
                       today=TODAY).output
    details = [r[CONFLICTS.column("detail").header(lang)] for r in _table(out, CONFLICTS.name)]
    details = [d for d in details if d]
    assert details and all(not foreign(d, lang, data=["09"]) for d in details), details
    assert ("不是有效的阶段" if lang == "zh" else "is not a stage") in details[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deal_flow_shows_category_labels_not_keys(files, tmp_path, lang):
    root, team = files
    folder = tmp_path / "reps"
    folder.mkdir()
    for rep in ("王磊", "李娜"):
        (folder / f"{rep}.xlsx").write_bytes((root / "reps" / f"{rep}.xlsx").read_bytes())
    _rep(folder, "赵强", [_line(7, "赵强", category="最佳情况")])                    # new since the previous roll-up
    out = rollup_files([folder], tmp_path / "now.xlsx", owner="胡伟", level="team", lang=lang, config=CFG,
                       today=TODAY, previous=team).output
    header = {key: FLOW.column(key).header(lang) for key in ("change", "after")}
    new = [r for r in _table(out, FLOW.name) if r[header["change"]] in ("新增", "new")]
    assert new and all(("最佳情况" if lang == "zh" else "Best case") in r[header["after"]] for r in new), new
    assert not any(key in str(r[header["after"]]) for r in new for key in ("best_case", "pipeline", "commit"))
