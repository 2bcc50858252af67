"""The ribbon's macros, run as the add-in runs them (dispatch by Tag) on a thin stand-in for
xlwings' book: only ``name`` and ``app`` (``books.open``, ``alert``, ``calculate``). They
use the command line's core, so their outputs are compared with what that core gives."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from kamxl.excel import macros
from kamxl.findings import Severity
from kamxl.io.reader import read_workbook
from kamxl.methodology import load_config
from kamxl.validate import validate_file, validate_paths
from tests.content import clean_funnel
from tests.test_validate import build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "workbooks" / "examples"
TODAY = dt.date(2026, 11, 23)


class StandInApp:
    """What the macros use of xlwings' App: books.open, alert, calculate (no COM api)."""

    def __init__(self) -> None:
        self.opened: list[Path] = []
        self.alerts: list[str] = []
        self.calculations = 0
        self.books = SimpleNamespace(open=lambda path: self.opened.append(Path(path)))

    def alert(self, prompt: str, title: str | None = None) -> None:
        self.alerts.append(prompt)

    def calculate(self) -> None:
        self.calculations += 1


def book(name: str = "Book1.xlsx") -> SimpleNamespace:
    return SimpleNamespace(name=name, app=StandInApp())


@pytest.fixture
def outputs(tmp_path) -> Path:
    return tmp_path / "outputs"


@pytest.fixture(autouse=True)
def company_file(tmp_path, monkeypatch) -> Path:
    """Every test gets its own (absent) company configuration file."""
    path = tmp_path / "home" / ".kamxl" / "company.toml"
    monkeypatch.setenv("KAMXL_CONFIG", str(path))
    return path


def press(tag: str, target, arg: str = "", *, lang: str = "en", outputs: Path, opener=None) -> macros.Done:
    return macros.dispatch(tag, target, arg, lang=lang, outputs=outputs, opener=opener)


def snapshot(source: Path, folder: Path) -> Path:
    """What KamRibbon.KamCopyOfActiveWorkbook leaves in the temporary folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, folder / f"{macros.SNAPSHOT_PREFIX}20261123-101500-{source.name}"))


def test_validate_workbook_writes_findings_into_a_copy_and_leaves_the_workbook(tmp_path, outputs):
    original = EXAMPLES / "funnel-example.en.xlsx"
    before = original.read_bytes()
    copy = snapshot(original, tmp_path / "temp")
    rep = book("funnel-example.en.xlsx")
    done = press("validate_workbook", rep, str(copy), outputs=outputs)

    expected = validate_file(original, display="funnel-example.en.xlsx").findings
    assert expected, "the example has deliberate defects"
    reviewed, = done.open
    assert rep.app.opened == [reviewed] and reviewed.parent == outputs
    assert rep.app.alerts == [done.message] and "was not changed" in done.message
    errors = sum(f.severity == Severity.ERROR for f in expected)
    assert f"{errors} errors" in done.message
    assert original.read_bytes() == before and not copy.exists(), "the snapshot is removed, the original untouched"

    wb = openpyxl.load_workbook(reviewed)
    listing = wb.worksheets[0]
    assert listing.title == "kamxl findings" and wb.active.title == listing.title
    assert listing.max_row == 2 + len(expected)
    rules = {row[3] for row in listing.iter_rows(min_row=3, values_only=True)}
    assert rules == {f.rule for f in expected}
    for f in expected:
        if f.sheet and f.cell:
            comment = wb[f.sheet][f.cell].comment
            assert comment is not None and f"[{f.rule}]" in comment.text, (f.sheet, f.cell)


def test_a_clean_workbook_gets_no_copy(tmp_path, outputs):
    clean = build(tmp_path, "funnel", clean_funnel(), file="clean.xlsx")
    assert validate_file(clean, today=TODAY).findings == []
    rep = book("clean.xlsx")
    done = macros.validate_workbook(macros.Call(rep, str(snapshot(clean, tmp_path / "t")), "zh", outputs, TODAY))
    assert done.open == () and "没有发现问题" in done.message


def test_validate_folder_reports_what_the_cli_core_finds(tmp_path, outputs):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("funnel-example.en.xlsx", "forecast-example.zh.xlsx"):
        shutil.copyfile(EXAMPLES / name, folder / name)
    done = press("validate_folder", book(), str(folder), lang="zh", outputs=outputs)
    report_path, = done.open
    assert report_path.parent == outputs and report_path.suffix == ".xlsx"
    counts = validate_paths(sorted(folder.iterdir()), base=folder).counts()
    assert f"已检查 {counts['files']} 个文件" in done.message and f"{counts['with_errors']} 个有错误" in done.message
    assert not list(folder.glob("findings-*")), "outputs never land in the folder being checked"


@pytest.mark.parametrize("tag", [t for t in macros.BUTTONS if t.startswith("new_")])
def test_new_buttons_write_and_open_the_standard_workbook(tag, outputs):
    rep = book()
    done = press(tag, rep, outputs=outputs)
    path, = rep.app.opened
    data = read_workbook(path)
    template, lang = tag[4:-3].replace("_", "-"), tag[-2:]
    assert (data.template.id, data.lang) == (template, lang)
    assert str(path) in done.message
    again = press(tag, book(), outputs=outputs).open[0]
    assert again != path and again.exists(), "a second press never overwrites the first workbook"


def test_refresh_recalculates_everything(outputs):
    rep = book()
    done = press("refresh", rep, outputs=outputs)
    assert rep.app.calculations == 1 and "recalculated" in done.message


def test_settings_creates_a_commented_company_file_that_means_the_defaults(company_file, outputs):
    edited: list[Path] = []
    done = press("settings", book(), outputs=outputs, opener=edited.append)
    assert edited == [company_file] and company_file.is_file() and "created" in done.message
    from kamxl.methodology import default_config

    assert load_config(company_file).stages == default_config().stages
    assert "[stages.05]" in company_file.read_text("utf-8")
    again = press("settings", book(), outputs=outputs, opener=edited.append)
    assert "is valid" in again.message


def test_settings_names_the_bad_key(company_file, outputs):
    company_file.parent.mkdir(parents=True)
    company_file.write_text("[scoring]\nthreshold = 99\n", encoding="utf-8")
    done = press("settings", book(), lang="zh", outputs=outputs, opener=lambda path: None)
    assert "scoring.threshold" in done.message and "公司配置有误" in done.message
    # what the functions really do meanwhile (issue 15): an error value, and KAM_WHY says why
    assert "#VALUE!" in done.message and "KAM_WHY" in done.message and "默认值" not in done.message


def test_settings_shows_the_doctors_checks_as_about_does(company_file, outputs):
    """Issue 16: the ribbon's About and Settings show kamxl addin doctor's lines."""
    done = press("settings", book(), outputs=outputs, opener=lambda path: None)
    assert "Checks (kamxl addin doctor):" in done.message and "✓ UDF module kamxl.excel.udfs imports" in done.message


def test_about_tells_the_versions(outputs):
    done = press("about", book(), outputs=outputs)
    assert "kamxl " in done.message and "xlwings 0.37.8" in done.message and "Python 3." in done.message
    assert "Checks (kamxl addin doctor):" in done.message and "✓ UDF module kamxl.excel.udfs imports" in done.message


def test_an_unknown_tag_runs_nothing(outputs):
    rep = book()
    done = press("__import__('os')", rep, outputs=outputs)
    assert rep.app.opened == [] and "unknown button" in done.message


def test_our_errors_become_a_message_in_the_reps_language(tmp_path, outputs):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = press("validate_folder", book(), str(empty), lang="zh", outputs=outputs)
    assert "文件夹中没有工作簿" in done.message and "[S-UNREADABLE]" in done.message


def test_anything_else_becomes_a_message_and_a_log(outputs, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setitem(macros.BUTTONS, "about", macros.Button("about", macros.Text("", ""), macros.Text("", ""), "",
                                                                lambda call: 1 / 0))
    done = press("about", book(), outputs=outputs)
    assert "internal error" in done.message and "ZeroDivisionError" in done.message


def test_next_level_is_one_above_the_highest_rolled_up():
    """M-FC-4: each level rolls up its reports into a new forecast of its own."""
    assert macros.next_level(["rep", "rep"]) == "team"
    assert macros.next_level(["rep", "team"]) == "region"
    assert macros.next_level(["region"]) == "bu" and macros.next_level(["bu"]) == "bu"
    assert macros.next_level([]) == "team"


def test_forecast_level_is_read_from_the_header(tmp_path):
    assert macros._forecast_level(EXAMPLES / "forecast-example.zh.xlsx") in macros.LEVELS
    assert macros._forecast_level(EXAMPLES / "funnel-example.en.xlsx") is None
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    assert macros._forecast_level(tmp_path / "junk.xlsx") is None


def test_roll_up_forecast_through_the_ribbon(tmp_path, outputs):
    folder = tmp_path / "team"
    folder.mkdir()
    for lang in ("zh", "en"):
        shutil.copyfile(EXAMPLES / f"forecast-example.{lang}.xlsx", folder / f"rep-{lang}.xlsx")
    rep = book()
    done = press("rollup", rep, str(folder), outputs=outputs)
    rolled, = rep.app.opened
    assert rolled.parent == outputs and rolled.is_file() and str(rolled) in done.message
    data = read_workbook(rolled)
    assert data.template.id == "forecast"
    assert sorted(p.name for p in folder.iterdir()) == ["rep-en.xlsx", "rep-zh.xlsx"]


def test_roll_up_of_a_folder_without_forecasts_says_so(tmp_path, outputs):
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copyfile(EXAMPLES / "funnel-example.en.xlsx", folder / "funnel.xlsx")
    done = press("rollup", book(), str(folder), outputs=outputs)
    assert "no forecast workbooks" in done.message and "[M-FC-4]" in done.message


def test_outputs_folder_and_free_names(tmp_path, monkeypatch):
    monkeypatch.setenv("KAMXL_OUTPUT", str(tmp_path / "out"))
    assert macros.outputs_dir() == tmp_path / "out"
    monkeypatch.delenv("KAMXL_OUTPUT")
    assert macros.outputs_dir().name == "kamxl"
    first = tmp_path / "a.xlsx"
    assert macros.free_path(first) == first
    first.write_bytes(b"")
    assert macros.free_path(first).name == "a (2).xlsx"
