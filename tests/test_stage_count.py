"""A company-set number of funnel stages (M-FUN-1) works end to end: a six-stage company
file replaces the default table, builds every template in both editions and languages,
computes the KAM_* functions, recalculates in LibreOffice as stored, validates (stage 07
unknown, stage 06 open is M-FUN-4) and rolls up; a ten-stage one builds. And which
stages count toward a forecast (M-FC-1, ``[forecast] counted_from``): the same headline
in the forecast template, its LibreOffice recalculation and the roll-up, with validation
naming the setting."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.engine import evaluate
from kamxl.errors import ConfigError
from kamxl.excel.udfs import KAM_FUNNEL, KAM_STAGE_PROB, KAM_WEIGHTED
from kamxl.methodology import Config, default_config, load_config
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, STATUS
from kamxl.rollup import rollup_files
from kamxl.rollup.sample import organisation
from kamxl.schema import TEMPLATES
from kamxl.templates import write_template
from kamxl.templates.builder import KEYS_SHEET, build_workbook
from kamxl.templates.layout import plan
from kamxl.validate import validate_file
from tests.libreoffice import cached_errors, cached_values, convert, soffice_available

SIX = [("发现机会", "Discover", 0.10), ("确认需求", "Qualify", 0.25), ("方案设计", "Solution", 0.40),
       ("投标评标", "Bid", 0.60), ("商务谈判", "Negotiate", 0.80), ("赢单或丢单", "Closed", 1.00)]
TODAY = dt.date(2026, 11, 23)
needs_libreoffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")


def stage_table(stages: list[tuple[str, str, float]]) -> str:
    """A company [stages] table of its own: every stage with name, duty and probability."""
    return "".join(f'[stages.{n:02d}]\nname = {{ zh = "{zh}", en = "{en}" }}\n'
                   f'duty = {{ zh = "{zh}的职责", en = "What {en} needs" }}\nprobability = {p}\n'
                   for n, (zh, en, p) in enumerate(stages, start=1))


def ten() -> list[tuple[str, str, float]]:
    names = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
    return [(f"第{z}步", f"Step {n}", round(min(1.0, n / 10), 2)) for n, z in enumerate(names, start=1)]


def load_config_text(text: str, folder: Path) -> Config:
    path = folder / "company.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="module")
def six_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("six") / "company.toml"
    path.write_text(stage_table(SIX), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def six(six_file) -> Config:
    return load_config(six_file)


def _findings(path: Path, cfg: Config) -> list:
    return validate_file(path, config=cfg, today=TODAY).findings


def _same(a: object, b: object) -> bool:
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _formula_cells(path: Path) -> set[str]:
    from openpyxl.worksheet.formula import ArrayFormula

    book = openpyxl.load_workbook(path)
    return {f"{ws.title}!{c.coordinate}" for ws in book.worksheets if ws.title != KEYS_SHEET for row in ws.iter_rows()
            for c in row if isinstance(c.value, ArrayFormula) or (isinstance(c.value, str) and c.value.startswith("="))}


# --- the configuration (M-FUN-1) ---------------------------------------------------------------

def test_a_whole_stage_table_replaces_the_default_one_m_fun_1(six, tmp_path):
    assert [s.code for s in six.stages] == ["01", "02", "03", "04", "05", "06"]
    assert six.stage(6).label("en") == "06 Closed" and six.stage(4).probability == 0.60
    partial = load_config_text("[stages.05]\nprobability = 0.45\n", tmp_path)   # keys only: the default eight, changed
    assert len(partial.stages) == 8 and partial.stage(5).probability == 0.45


@pytest.mark.parametrize(("extra", "key"), [
    ("[scoring]\nlate_stage = 7\n", "scoring.late_stage"),
    ("[evidence]\nscore_from = 7\n", "evidence.score_from"),
    ("[evidence]\ncoach_from = 9\n", "evidence.coach_from"),
    ("[forecast]\ncounted_from = 7\n", "forecast.counted_from"),
])
def test_a_setting_naming_a_stage_the_table_lacks_is_rejected_naming_the_key(tmp_path, extra, key):
    with pytest.raises(ConfigError) as caught:
        load_config_text(stage_table(SIX) + extra, tmp_path)
    assert caught.value.where.key == key
    for lang in ("zh", "en"):
        assert key in caught.value.message(lang) and "6" in caught.value.message(lang)
    assert "阶段" in caught.value.message("zh") and "stage" in caught.value.message("en")


@pytest.mark.parametrize(("stages", "key"), [
    (SIX[:1], "stages"),                                           # the won/lost stage alone
    (ten() + [("十一", "Eleven", 1.0), ("十二", "Twelve", 1.0), ("十三", "Thirteen", 1.0)], "stages"),
    ([SIX[0], SIX[2], SIX[1], *SIX[3:]], "stages.03.probability"),  # falling
])
def test_a_stage_table_of_the_wrong_shape_is_rejected(tmp_path, stages, key):
    with pytest.raises(ConfigError) as caught:
        load_config_text(stage_table(stages), tmp_path)
    assert caught.value.where.key == key


def test_a_gap_in_the_codes_is_rejected(tmp_path):
    text = stage_table(SIX).replace("[stages.03]", "[stages.09]")
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, tmp_path)
    assert caught.value.where.key == "stages"
    assert "01" in caught.value.message("zh") and "01" in caught.value.message("en")


def test_config_show_lists_the_six_stages_and_the_forecast_setting(six_file):
    for lang, last in (("zh", "最后阶段（06）"), ("en", "last stage (06)")):
        shown = CliRunner().invoke(main, ["config", "show", "--config", str(six_file), "--lang", lang]).stdout
        assert "06 " in shown and "07 " not in shown and last in shown
        assert "forecast.counted_from" in shown and "[stages]" in shown


# --- templates, functions, LibreOffice (M-FUN-1..4) --------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kamxl_new_builds_every_template_with_six_stages(tmp_path, six_file, six, lang):
    for name in tuple(TEMPLATES):
        for edition in ([], ["--portable"]):
            for example in ([], ["--example"]):
                out = tmp_path / f"{name}{''.join(edition + example)}.xlsx"
                result = CliRunner().invoke(main, ["new", name, "-o", str(out), "--lang", lang, "--config",
                                                   str(six_file), *edition, *example])
                assert result.exit_code == 0, (name, edition, example, result.output)
    book = openpyxl.load_workbook(tmp_path / "funnel--example.xlsx")
    sheet = book[TEMPLATES["funnel"].sheets[0].name(lang)]
    prompts = {dv.prompt for dv in sheet.data_validations.dataValidation if dv.prompt}
    assert ("从下拉列表选择 01–06" if lang == "zh" else "Pick 01–06 from the list") in prompts
    assert ("阶段 06 必须为赢单或丢单" if lang == "zh" else "Stage 06 must be won or lost") in prompts
    # the example's stages are the company's (M-FUN-1), and it is a valid funnel
    errors = [f for f in _findings(tmp_path / "funnel--example.xlsx", six) if f.severity.name == "ERROR"]
    assert errors == []


def test_the_health_summary_has_a_row_per_stage(tmp_path, six):
    path = write_template("funnel", tmp_path / "f.xlsx", lang="en", config=six, filled=True)
    places = plan(TEMPLATES["funnel"], "en", six, {})
    assert places["health"].rows == 6 and places["Benchmarks"].rows == 5   # the open stages' benchmarks
    ws = openpyxl.load_workbook(path, data_only=True)["Funnel health"]
    first = places["health"].header_row + 1
    labels = [ws.cell(first + i + 1, 1).value for i in range(7)]
    assert labels[:6] == [s.label("en") for s in six.stages] and labels[6] in (None, "")


def test_the_kam_functions_compute_with_six_stages_m_fun_1_m_fun_2(monkeypatch, six_file):
    monkeypatch.setenv("KAMXL_CONFIG", str(six_file))
    assert KAM_STAGE_PROB("04") == 0.60 and KAM_STAGE_PROB("05 Negotiate") == 0.80
    assert KAM_STAGE_PROB("06", "won") == 1.0 and KAM_STAGE_PROB("06", "lost") == 0.0
    assert KAM_STAGE_PROB("06") == "#VALUE! stage 06 must say won or lost [M-FUN-4]"        # open at the last
    assert KAM_STAGE_PROB("07") == "#VALUE! '07' is not a stage: use 01 to 06, e.g. '04 Bid' [M-FUN-1]"
    assert KAM_WEIGHTED(1000.0, "03") == pytest.approx(400)
    spill = KAM_FUNNEL([["04"], ["06"], ["02"]], [[100.0], [50.0], [10.0]], [["open"], ["won"], ["open"]],
                       [["04", 1, 50.0]], "en")
    assert len(spill) == 6 and spill[3][:4] == ["04 Bid", 1, 100.0, pytest.approx(60.0)]
    assert spill[3][5] == pytest.approx(2.0) and spill[5][:4] == ["06 Closed", 1, 50.0, 50.0]


@pytest.mark.parametrize("name", ["funnel", "forecast"])
def test_a_formula_engine_computes_the_stored_values_with_six_stages(monkeypatch, tmp_path, six_file, six, name):
    path = write_template(name, tmp_path / f"{name}.xlsx", lang="zh", config=six, filled=True)
    monkeypatch.setenv("KAMXL_CONFIG", str(six_file))
    computed = evaluate(path)
    stored = {f"{ws.title.upper()}!{c.coordinate}": c.value for ws in openpyxl.load_workbook(path, data_only=True)
              for row in ws.iter_rows() for c in row}
    cells = [c.upper() for c in _formula_cells(path)]
    assert len(cells) > 50
    assert {c: (stored.get(c), computed.get(c)) for c in cells if not _same(stored.get(c), computed.get(c))} == {}


def _portable_matches_stored(path: Path, workdir: Path) -> None:
    recalculated = convert(path, workdir, "xlsx", recalc=True)
    assert {c: e for c, e in cached_errors(recalculated).items() if not c.startswith(f"{KEYS_SHEET}!")} == {}
    shown, stored = cached_values(recalculated), cached_values(path)
    cells = _formula_cells(path)
    assert len(cells) > 50
    assert {c: (stored.get(c), shown.get(c)) for c in cells if not _same(stored.get(c), shown.get(c))} == {}


@needs_libreoffice
@pytest.mark.parametrize("name", ["funnel", "forecast"])
def test_libreoffice_recalculates_the_portable_edition_as_stored_with_six_stages(tmp_path, six, name):
    path = write_template(name, tmp_path / f"{name}.xlsx", lang="en", config=six, filled=True, edition="portable")
    _portable_matches_stored(path, tmp_path / "lo")


# --- validation and roll-up (M-FUN-1, M-FUN-4) -----------------------------------------------

def _opportunity(n: int, stage: str, status: str, lang: str = "en") -> dict[str, object]:
    return {"id": f"OPP-{n:03d}", "customer": "Huaxin Technology Co., Ltd.", "name": f"Deal {n}", "owner": "Ann Lee",
            "stage": stage, "status": STATUS.get(status).label(lang), "amount": 100_000.0,
            "close_date": dt.date(2026, 12, 15), "currency": "CNY",
            "category": FORECAST_CATEGORY.get("closed" if status == "won" else "pipeline").label(lang),
            "confirmed": "Y", "budget": "Y", "sponsor": "Bob", "coach": "Cathy"}


def test_validation_knows_the_six_stages_m_fun_1_m_fun_4(tmp_path, six):
    rows = [_opportunity(1, "02", "open"), _opportunity(2, "07", "open"), _opportunity(3, "06", "open"),
            _opportunity(4, "06", "won")]
    path = build_workbook(TEMPLATES["funnel"], tmp_path / "f.xlsx", lang="en", config=six,
                          rows={"Opportunities": rows}, forms={})
    found = _findings(path, six)
    stage_col = {f.cell for f in found if f.rule == "M-FUN-1"}
    assert len(stage_col) == 1 and stage_col.pop().startswith("E")           # row 2's stage 07: not a stage
    assert any("07" in f.text("en") and "01 to 06" in f.text("en") for f in found if f.rule == "M-FUN-1")
    assert any("01 到 06" in f.text("zh") for f in found if f.rule == "M-FUN-1")
    open_last = [f for f in found if f.rule == "M-FUN-4"]
    assert len(open_last) == 1 and "stage 06" in open_last[0].text("en") and "阶段 06" in open_last[0].text("zh")
    with_defaults = _findings(path, default_config())          # the same file under the default eight stages
    assert not [f for f in with_defaults if f.rule == "M-FUN-4" and f.cell == open_last[0].cell]


def test_a_six_stage_business_unit_rolls_up(tmp_path, six, six_file):
    org = organisation(tmp_path / "in", config=six, reps_per_team=5, teams_per_region=1, lines=(3, 6))
    team, (manager, _region) = next(iter(org.teams.items()))
    out = tmp_path / "team.xlsx"
    result = CliRunner().invoke(main, ["rollup", str(tmp_path / "in" / "this-week" / team), "-o", str(out),
                                       "--owner", manager, "--level", "team", "--lang", "en", "--config",
                                       str(six_file), "--today", "2026-11-23", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    done = rollup_files([tmp_path / "in" / "this-week" / team], tmp_path / "again.xlsx", owner=manager, level="team",
                        lang="en", config=six, today=TODAY)
    assert done.rollup.lines and {x.stage.code for x in done.rollup.lines} <= {s.code for s in six.stages}
    assert any(x.stage.code == "06" for x in done.rollup.lines)
    errors = [f for f in _findings(out, six) if f.severity.name == "ERROR"]
    assert errors == []


def test_a_ten_stage_company_builds_and_validates(tmp_path):
    cfg = load_config_text(stage_table(ten()), tmp_path)
    assert len(cfg.stages) == 10
    for name in ("funnel", "forecast", "account-plan"):
        for edition in ("kam", "portable"):
            path = write_template(name, tmp_path / f"{name}-{edition}.xlsx", lang="zh", config=cfg, filled=True,
                                  edition=edition)
            assert [f for f in _findings(path, cfg) if f.severity.name == "ERROR"] == []
    assert plan(TEMPLATES["funnel"], "zh", cfg, {})["health"].rows == 10


# --- which stages count toward a forecast (M-FC-1) ---------------------------------------------

FROM_04 = "[forecast]\ncounted_from = 4\n"
# (stage, status, category, amount): what the rep lists; with counted_from = 4 the first three are not counted
LINES = [("02", "open", "commit", 100.0), ("03", "open", "best_case", 200.0), ("03", "open", "pipeline", 400.0),
         ("04", "open", "commit", 1_000.0), ("05", "open", "best_case", 2_000.0), ("07", "open", "pipeline", 4_000.0),
         ("08", "won", "closed", 8_000.0)]


def _forecast(path: Path, cfg: Config, edition: str = "kam") -> Path:
    lang = "en"
    lines = [{"opportunity_id": f"OPP-{i:03d}", "customer": f"Customer {i}", "owner": "Ann Lee", "confirmed": "Y",
              "stage": cfg.stage(int(stage)).label(lang), "status": STATUS.get(status).label(lang),
              "category": FORECAST_CATEGORY.get(category).label(lang), "amount": amount,
              "close_date": dt.date(2026, 12, 1)} for i, (stage, status, category, amount) in enumerate(LINES, start=1)]
    header = {"owner": "Ann Lee", "level": "rep", "manager": "Tom", "period": "2026-Q4", "currency": "CNY",
              "submitted_at": dt.date(2026, 11, 20), "quota": 20_000.0}
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_workbook(TEMPLATES["forecast"], path, lang=lang, config=cfg, rows={"ForecastLines": lines},
                          forms={"Forecast": header}, edition=edition)


def _headline(path: Path) -> dict[str, float]:
    """The summary's closed, commit, best case and pipeline, as the workbook stores them."""
    ws = openpyxl.load_workbook(path, data_only=True)["Summary"]
    found = {}
    for row in ws.iter_rows(max_col=2):
        label, value = row[0].value, row[1].value
        for key, text in (("closed", "Closed"), ("commit", "Commit (incl. closed)"),
                          ("best_case", "Best case (incl. commit)"), ("pipeline", "Pipeline")):
            if label == text and key not in found:
                found[key] = value
    return found


def test_counted_from_sets_the_forecast_headline_m_fc_1(tmp_path):
    cfg = load_config_text(FROM_04, tmp_path)
    assert cfg.forecast.counted_from == 4 and default_config().forecast.counted_from == 1
    counted = _headline(_forecast(tmp_path / "from4.xlsx", cfg))
    everything = _headline(_forecast(tmp_path / "all.xlsx", default_config()))
    assert counted == {"closed": 8_000, "commit": 9_000, "best_case": 11_000, "pipeline": 4_000}
    assert everything == {"closed": 8_000, "commit": 9_100, "best_case": 11_300, "pipeline": 4_400}


def test_counted_from_in_validation_names_the_setting_m_fc_1(tmp_path):
    cfg = load_config_text(FROM_04, tmp_path)
    path = _forecast(tmp_path / "from4.xlsx", cfg)
    found = [f for f in _findings(path, cfg) if f.rule == "M-FC-1"]
    assert [f.cell for f in found] == ["G17", "G18"]         # the category of the stage-02 commit, stage-03 best case
    assert all("forecast.counted_from" in f.text(lang) for f in found for lang in ("zh", "en"))
    assert sorted(dict(f.params)["stage"] for f in found) == ["02", "03"]
    assert not [f for f in _findings(path, default_config()) if f.rule == "M-FC-1"]


def test_counted_from_in_the_roll_up_gives_the_template_headline_m_fc_1(tmp_path):
    cfg = load_config_text(FROM_04, tmp_path)
    source = _forecast(tmp_path / "in" / "ann.xlsx", cfg)
    done = rollup_files([tmp_path / "in"], tmp_path / "team.xlsx", owner="Tom", level="team", lang="en", config=cfg,
                        today=TODAY)
    head = done.rollup.headline
    template = _headline(source)
    assert (head.closed, head.commit, head.best_case, head.pipeline) == (
        template["closed"], template["commit"], template["best_case"], template["pipeline"])
    assert sorted(e.id for e in done.rollup.excluded if e.reason == "not_counted") == ["OPP-001", "OPP-002", "OPP-003"]
    assert _headline(done.output) == template                    # the roll-up's own workbook says the same


@needs_libreoffice
def test_counted_from_in_libreoffice_m_fc_1(tmp_path):
    cfg = load_config_text(FROM_04, tmp_path)
    path = _forecast(tmp_path / "from4-portable.xlsx", cfg, edition="portable")
    _portable_matches_stored(path, tmp_path / "lo")
    assert _headline(convert(path, tmp_path / "lo2", "xlsx", recalc=True))["commit"] == 9_000


def test_counted_from_in_the_kam_edition_m_fc_1(tmp_path):
    cfg = load_config_text(FROM_04, tmp_path)
    path = _forecast(tmp_path / "from4.xlsx", cfg)
    computed, stored = evaluate(path), cached_values(path)
    cells = _formula_cells(path)
    assert {c: (stored.get(c), computed.get(c.upper())) for c in cells
            if not _same(stored.get(c), computed.get(c.upper()))} == {}
