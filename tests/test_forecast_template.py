"""The forecast template as a rep and a manager use it (issue 17): the header's period as the
company writes periods (M-FC-1) in validation and roll-up alike, the lines' frozen panes, the
rep's copy without the manager's columns (M-FC-4), the Summary's chart and grids."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamxl.errors import InputError
from kamxl.methodology import default_config, load_config, parse_period
from kamxl.rollup import rollup_files
from kamxl.rollup.inputs import read_submission
from kamxl.rollup.model import Skipped, Submission
from kamxl.rollup.sample import write_forecast
from kamxl.validate import validate_file

CFG = default_config()
TODAY = dt.date(2026, 11, 23)


def _rep(path: Path, owner: str = "王磊", period: str = "2026-Q4", lang: str = "en", config=None) -> Path:
    yes, status, category = ("Y", "Open", "Commit") if lang == "en" else ("是", "进行中", "承诺")
    return write_forecast(path, owner=owner, manager="孙建华", lang=lang, submitted=TODAY, quota=1000.0,  # type: ignore[arg-type]
                          period=period, config=config,
                          lines=[{"opportunity_id": f"OPP-{owner}", "customer": "江澜电力", "owner": owner,
                                  "confirmed": yes, "stage": "05", "status": status, "category": category,
                                  "amount": 100.0, "close_date": dt.date(2026, 12, 1)}])


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("company") / "company.toml"
    path.write_text('[forecast]\nperiod = "month"\n', encoding="utf-8")
    return load_config(path)


# --- M-FC-1: the header's period ---------------------------------------------------------------

@pytest.mark.parametrize(("typed", "period"), [("2026-Q4", "2026-Q4"), (" 2026-q1 ", "2026-Q1")])
def test_a_quarter_as_the_company_writes_it_m_fc_1(typed: str, period: str) -> None:
    assert parse_period(typed) == period


@pytest.mark.parametrize("bad", ["Q4 2026", "2026Q4", "2026-Q5", "2026-11", "2026 年第四季度", "", None,
                                 dt.date(2026, 11, 1)])
def test_anything_else_is_not_a_quarter_m_fc_1(bad: object) -> None:
    with pytest.raises(InputError) as info:
        parse_period(bad)
    assert info.value.code == "M-FC-1" and "2026-Q4" in info.value.message("en")
    assert "2026-Q4" in info.value.message("zh") and "季度" in info.value.message("zh")


def test_a_month_when_the_company_forecasts_by_month_m_fc_1(monthly) -> None:
    assert parse_period("2026-11", config=monthly) == "2026-11"
    for bad in ("2026-Q4", "2026-13", "2026-1", "11/2026"):
        with pytest.raises(InputError, match="2026-11"):
            parse_period(bad, config=monthly)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_validate_names_the_cell_of_a_period_written_otherwise_m_fc_1(tmp_path: Path, lang: str) -> None:
    path = _rep(tmp_path / "rep.xlsx", period="Q4 2026", lang=lang)
    findings = [f for f in validate_file(path, today=TODAY).findings if f.rule == "M-FC-1" and f.severity.name == "ERROR"]
    assert [(f.sheet, f.cell) for f in findings] == [("预测" if lang == "zh" else "Forecast", "B8")]
    assert "Q4 2026" in findings[0].text(lang) and "2026-Q4" in findings[0].text(lang)
    assert "2026-Q4" in findings[0].fix(lang)
    # the lines close in 2026-Q4: no "outside the period" warning against a period that is not one
    assert not [f for f in validate_file(path, today=TODAY).findings if f.cell.startswith("I")]


def test_a_period_written_as_the_company_does_validates_clean_m_fc_1(tmp_path: Path) -> None:
    path = _rep(tmp_path / "rep.xlsx", period="2026-Q4")
    assert not [f for f in validate_file(path, today=TODAY).findings if f.rule == "M-FC-1"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rollup_skips_a_forecast_whose_period_it_cannot_take_m_fc_1(tmp_path: Path, lang: str) -> None:
    bad = _rep(tmp_path / "in" / "bad.xlsx", owner="李娜", period="Q4 2026")
    sub = read_submission(bad, "bad.xlsx", CFG, TODAY)
    assert isinstance(sub, Skipped)
    said = sub.reason(lang, **{k: (v(lang) if callable(v) else v) for k, v in sub.params.items()})
    assert "Q4 2026" in said and "2026-Q4" in said and "B8" in said
    _rep(tmp_path / "in" / "good.xlsx", owner="王磊", period="2026-Q4")
    result = rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang=lang,
                          config=CFG, today=TODAY)
    assert [s.owner for s in result.used] == ["王磊"] and [Path(s.file).name for s in result.skipped] == ["bad.xlsx"]
    assert result.rollup.period == "2026-Q4"


def test_rollup_refuses_when_no_forecast_has_a_period_it_can_take_m_fc_1(tmp_path: Path) -> None:
    _rep(tmp_path / "in" / "bad.xlsx", period="Q4 2026")
    with pytest.raises(InputError) as info:
        rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang="en", config=CFG,
                     today=TODAY)
    assert "Q4 2026" in info.value.message("en") and "2026-Q4" in info.value.message("en")
    assert "Q4 2026" in info.value.message("zh")


def test_a_lower_case_quarter_rolls_up_with_the_others_m_fc_1(tmp_path: Path) -> None:
    _rep(tmp_path / "in" / "a.xlsx", owner="李娜", period="2026-q4")
    _rep(tmp_path / "in" / "b.xlsx", owner="王磊", period="2026-Q4")
    result = rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang="en",
                          config=CFG, today=TODAY)
    assert len(result.used) == 2 and result.rollup.period == "2026-Q4"


def test_an_unreadable_level_is_not_taken_for_a_rep_m_fc_4(tmp_path: Path) -> None:
    import openpyxl

    path = _rep(tmp_path / "rep.xlsx")
    wb = openpyxl.load_workbook(path)
    next(c for row in wb.worksheets[0].iter_rows() for c in row if c.value == "Rep").value = "Team lead"
    wb.save(path)
    sub = read_submission(path, "rep.xlsx", CFG, TODAY)
    assert isinstance(sub, Skipped) and "B6" in str(sub.params["cell"])
    assert isinstance(read_submission(_rep(tmp_path / "ok.xlsx"), "ok.xlsx", CFG, TODAY), Submission)
