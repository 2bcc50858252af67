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


def test_a_month_company_takes_months_only_in_validation_and_roll_up_m_fc_1(tmp_path: Path, monthly) -> None:
    quarter = _rep(tmp_path / "in" / "quarter.xlsx", owner="李娜", period="2026-Q4", config=monthly)
    month = _rep(tmp_path / "in" / "month.xlsx", owner="王磊", period="2026-12", config=monthly)
    assert [f.cell for f in validate_file(quarter, config=monthly, today=TODAY).findings
            if f.rule == "M-FC-1" and f.severity.name == "ERROR"] == ["B8"]
    assert not [f for f in validate_file(month, config=monthly, today=TODAY).findings if f.rule == "M-FC-1"]
    result = rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang="en",
                          config=monthly, today=TODAY, period="2026-12")
    assert [s.owner for s in result.used] == ["王磊"] and result.rollup.period == "2026-12"


def test_the_period_option_is_taken_as_the_headers_are_m_fc_1(tmp_path: Path) -> None:
    _rep(tmp_path / "in" / "a.xlsx", period="2026-Q4")
    result = rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang="en",
                          config=CFG, today=TODAY, period="2026-q4")
    assert len(result.used) == 1 and result.rollup.period == "2026-Q4"
    with pytest.raises(InputError, match="2026-Q4"):
        rollup_files([tmp_path / "in"], tmp_path / "out.xlsx", owner="孙建华", level="team", lang="en",
                     config=CFG, today=TODAY, period="Q4 2026")


def test_an_unreadable_level_is_not_taken_for_a_rep_m_fc_4(tmp_path: Path) -> None:
    import openpyxl

    path = _rep(tmp_path / "rep.xlsx")
    wb = openpyxl.load_workbook(path)
    next(c for row in wb.worksheets[0].iter_rows() for c in row if c.value == "Rep").value = "Team lead"
    wb.save(path)
    sub = read_submission(path, "rep.xlsx", CFG, TODAY)
    assert isinstance(sub, Skipped) and "B6" in str(sub.params["cell"])
    assert isinstance(read_submission(_rep(tmp_path / "ok.xlsx"), "ok.xlsx", CFG, TODAY), Submission)


# --- the workbook a rep and a manager open ------------------------------------------------------

import re  # noqa: E402
import zipfile  # noqa: E402

import openpyxl  # noqa: E402
from openpyxl.utils import column_index_from_string, get_column_letter  # noqa: E402

from kamxl.schema import TEMPLATES  # noqa: E402
from kamxl.templates import write_template  # noqa: E402
from tests.libreoffice import recalculated_values, soffice_available  # noqa: E402

FORECAST = TEMPLATES["forecast"]
MANAGER_COLUMNS = [c.key for c in FORECAST.table("ForecastLines").columns if c.manager]


def _sheet(key: str, lang: str) -> str:
    return next(s for s in FORECAST.sheets if s.key == key).name(lang)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The rep's copies (blank and example) and a team roll-up of two reps, in both languages."""
    root = tmp_path_factory.mktemp("books")
    out: dict[tuple[str, str], Path] = {}
    for lang in ("zh", "en"):
        out[("blank", lang)] = write_template("forecast", root / f"blank.{lang}.xlsx", lang=lang)  # type: ignore[arg-type]
        out[("example", lang)] = write_template("forecast", root / f"example.{lang}.xlsx", lang=lang,  # type: ignore[arg-type]
                                                filled=True)
        for owner in ("王磊", "李娜"):
            _rep(root / f"in-{lang}" / f"{owner}.xlsx", owner=owner, lang=lang)
        out[("rollup", lang)] = rollup_files([root / f"in-{lang}"], root / f"rollup.{lang}.xlsx", owner="孙建华",
                                             level="team", lang=lang, config=CFG, today=TODAY).output  # type: ignore[arg-type]
    return out


def _header_row(ws, first: str) -> int:
    return next(c.row for row in ws.iter_rows(max_col=1) for c in row if c.value == first)


@pytest.mark.parametrize("kind", ["blank", "example", "rollup"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_lines_keep_their_header_row_and_id_column_in_view(books, kind: str, lang: str) -> None:
    ws = openpyxl.load_workbook(books[(kind, lang)])[_sheet("forecast", lang)]
    header = _header_row(ws, FORECAST.table("ForecastLines").columns[0].header(lang))
    assert ws.freeze_panes == f"B{header + 1}"
    assert ws.print_title_rows == f"${header}:${header}"
    # the header form above is an open group (folded, the frozen rows take a few lines)
    owner = next(c.row for row in ws.iter_rows(max_col=1) for c in row if c.value == FORECAST.forms()[0].fields[0]
                 .header(lang))
    grouped = [r for r in range(1, header) if ws.row_dimensions[r].outlineLevel == 1]
    assert grouped == list(range(owner - 1, header - 1))
    assert not any(ws.row_dimensions[r].hidden for r in range(1, header + 1))


def _letters(ws, lang: str) -> dict[str, str]:
    header = _header_row(ws, FORECAST.table("ForecastLines").columns[0].header(lang))
    titles = {c.header(lang): c.key for c in FORECAST.table("ForecastLines").columns}
    return {titles[c.value]: c.column_letter for c in ws[header] if c.value in titles}


@pytest.mark.parametrize("kind", ["blank", "example"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reps_copy_folds_the_managers_columns_and_sheet_away_m_fc_4(books, kind: str, lang: str) -> None:
    wb = openpyxl.load_workbook(books[(kind, lang)])
    ws = wb[_sheet("forecast", lang)]
    letters = _letters(ws, lang)
    assert len(MANAGER_COLUMNS) == 4 and set(MANAGER_COLUMNS) <= set(letters)
    for key, letter in letters.items():
        dim = ws.column_dimensions[letter]
        folded = key in MANAGER_COLUMNS
        assert (dim.outlineLevel, bool(dim.hidden)) == ((1, True) if folded else (0, False)), key
    after = get_column_letter(max(column_index_from_string(letters[k]) for k in MANAGER_COLUMNS) + 1)
    assert ws.column_dimensions[after].collapsed
    assert wb[_sheet("team", lang)].sheet_state == "hidden"
    assert wb[_sheet("forecast", lang)].sheet_state == wb[_sheet("summary", lang)].sheet_state == "visible"
    summary = wb[_sheet("summary", lang)]
    attainment = {f.key: f.header(lang) for f in FORECAST.forms()[1].fields}
    rows = {c.value: c.row for row in summary.iter_rows(max_col=1) for c in row if c.value in attainment.values()}
    for field in FORECAST.forms()[1].fields:
        assert bool(summary.row_dimensions[rows[field.header(lang)]].hidden) is field.manager, field.key
    assert [f.key for f in FORECAST.forms()[1].fields if f.manager] == ["adjusted", "adjusted_attainment"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_roll_up_shows_the_managers_columns_as_an_open_group_m_fc_4(books, lang: str) -> None:
    wb = openpyxl.load_workbook(books[("rollup", lang)])
    ws = wb[_sheet("forecast", lang)]
    for key, letter in _letters(ws, lang).items():
        dim = ws.column_dimensions[letter]
        assert (dim.outlineLevel, bool(dim.hidden)) == ((1, False) if key in MANAGER_COLUMNS else (0, False)), key
    assert wb[_sheet("team", lang)].sheet_state == "visible"
    summary = wb[_sheet("summary", lang)]
    assert not any(d.hidden for d in summary.row_dimensions.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_adjustments_empty_rows_show_nothing(books, lang: str, tmp_path: Path) -> None:
    """M-FC-4: a blank row of the adjustment layer shows no 0 in its Figure used, as stored
    and as LibreOffice recalculates it."""
    path = books[("blank", lang)]
    ws = openpyxl.load_workbook(path, data_only=True)[_sheet("team", lang)]
    table = FORECAST.table("OwnerForecasts")
    header = _header_row(ws, table.columns[0].header(lang))
    col = get_column_letter(1 + [c.key for c in table.columns].index("final"))
    cells = [f"{col}{header + 1 + r}" for r in range(table.blank_rows)]
    assert [ws[c].value for c in cells] == [None] * table.blank_rows   # an empty text stored: openpyxl's None
    if soffice_available():
        again = recalculated_values(path, tmp_path)
        assert [again.get(f"{ws.title}!{c}") for c in cells] == [None] * table.blank_rows


def _anchors(path: Path, sheet: str) -> list[tuple[int, int, int, int]]:
    """(first col, first row, last col, last row), 1-based, of each chart on ``sheet``."""
    with zipfile.ZipFile(path) as z:
        wb = openpyxl.load_workbook(path)
        index = wb.sheetnames.index(sheet) + 1
        rels = z.read(f"xl/worksheets/_rels/sheet{index}.xml.rels").decode()
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', rels).group(1)  # type: ignore[union-attr]
        xml = z.read(f"xl/drawings/{drawing}").decode()
    found = []
    for a in re.findall(r"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", xml, re.S):
        (c1, r1), (c2, r2) = [tuple(int(v) for v in re.search(
            rf"<xdr:{end}><xdr:col>(\d+)</xdr:col><xdr:colOff>-?\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", a).groups())
            for end in ("from", "to")]
        found.append((c1 + 1, r1 + 1, c2 + 1, r2 + 1))
    return found


@pytest.mark.parametrize("kind", ["blank", "example", "rollup"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_chart_covers_no_cell_in_use(books, kind: str, lang: str) -> None:
    path = books[(kind, lang)]
    ws = openpyxl.load_workbook(path)[_sheet("summary", lang)]
    used = {(c.column, c.row) for row in ws.iter_rows(min_row=3) for c in row
            if c.value is not None or c.style_id not in (0, None) and c.has_style and c.fill.fgColor.rgb not in
            (None, "00000000")}
    (chart,) = _anchors(path, ws.title)
    c1, r1, c2, r2 = chart
    assert not [(col, row) for col, row in used if c1 <= col <= c2 and r1 <= row <= r2]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_has_no_health_band_or_all_zero_adjusted_columns(books, lang: str) -> None:
    """A forecast has no benchmarks (no M-FUN-3 health); per-category line revisions are
    mostly blank (M-FC-4 adjusts per report): neither is shown, nor charted."""
    path = books[("example", lang)]
    ws = openpyxl.load_workbook(path)[_sheet("summary", lang)]
    headers = {str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    gone = {"数量健康度", "金额健康度", "数量等级", "金额等级", "调整后预测",
            "Health (count)", "Health (amount)", "Band (count)", "Band (amount)", "Adjusted forecast"}
    assert headers & gone == set()
    assert {"加权金额", "Weighted"} & headers    # the grids are there
    by_stage = next(g for g in FORECAST.grids() if g.key == "by_stage")
    assert [c.key for c in by_stage.columns] == ["count", "amount", "weighted"]
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert [c.count("<c:ser>") for c in charts] == [1]
