"""Checks across files (kamxl/checks/across.py) and what a batch says of each file: a
correct file is never accused (issue 15, items 6-10). A blank owner is its own file's
finding; forecasts are compared as a roll-up takes them (period, levels, superseded
reports, lineage); per-file counts include the across-files findings; messages say
any number and stay short; a duplicate in one file is reported at the copy; a blank
template is said once. Property: correct files and copies with one required value
blanked give findings only in the copies."""
from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamxl.checks import across
from kamxl.findings import FileResult, Report, Severity, finding
from kamxl.i18n import Text
from kamxl.io.guard import NO_LIMITS
from kamxl.io.reader import read_workbook
from kamxl.methodology.values import is_blank
from kamxl.methodology.vocabulary import FORECAST_LEVEL
from kamxl.report import write_json, write_xlsx
from kamxl.rollup import rollup_files
from kamxl.schema import TEMPLATES, Kind
from kamxl.templates.builder import build_workbook
from kamxl.validate import discover, validate_paths
from tests.content import TODAY, clean_funnel, content

Q4 = dt.date(2026, 12, 15)


# --- building and blanking -----------------------------------------------------------------------

def build(folder: Path, name: str, c: dict, file: str, lang: str = "en") -> Path:
    rows = {k: v for k, v in c.items() if isinstance(v, list)}
    forms = {k: v for k, v in c.items() if isinstance(v, dict)}
    return build_workbook(TEMPLATES[name], folder / file, lang=lang, rows=rows, forms=forms)


def forecast(owner: str = "王磊", *, prefix: str = "OPP", lang: str = "en", period: str = "2026-Q4",
             close: dt.date = Q4, level: str = "rep", line_owner: str | None = None) -> dict:
    """The example forecast made clean: every line closes in the period and is the owner's."""
    c = content("forecast", lang)
    c["Forecast"].update(owner=owner, period=period, level=FORECAST_LEVEL.get(level).label(lang))
    for row in c["ForecastLines"]:
        row.update(close_date=close, owner=line_owner or owner,
                   opportunity_id=row["opportunity_id"].replace("OPP", prefix))
        if prefix != "OPP":      # another rep's opportunities are of other customers (M-ACC-3)
            row["customer"] = f"{prefix} {row['customer']}"
    return c


def validate(paths: list[Path]) -> Report:
    return validate_paths(paths, today=TODAY, limits=NO_LIMITS)


def sheet_part(path: Path, sheet: str) -> str:
    """The package part holding a sheet, from the workbook's own relationships."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def blanked(original: bytes, target: Path, sheet: str, cell: str) -> Path:
    """A copy of a workbook with one cell emptied, as deleting its content in Excel would
    leave it (the cell keeps its style)."""
    target.write_bytes(original)
    part = sheet_part(target, sheet)
    with zipfile.ZipFile(target) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[part].decode()

    def empty(m: re.Match) -> str:
        return '<c r="' + cell + '"' + re.sub(r' t="[^"]*"', "", m.group(1)) + "/>"
    xml, n = re.subn(rf'<c r="{cell}"([^>]*?)(?:/>|>.*?</c>)', empty, xml, count=1, flags=re.S)
    assert n == 1, (sheet, cell)
    parts[part] = xml.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def cell_of(path: Path, table: str, index: int, key: str) -> tuple[str, str]:
    record = read_workbook(path).tables[table].records[index]
    return record.sheet, record.cells[key]


def across_files(report: Report) -> set[str]:
    return {Path(f.file).name for f in report.across}


# --- item 6: a blank owner is its own file's finding --------------------------------------------

@pytest.mark.parametrize("kind", ["funnel", "forecast"])
def test_a_blank_owner_accuses_no_other_file(tmp_path, kind):
    a = build(tmp_path, kind, clean_funnel() if kind == "funnel" else forecast(), "a.xlsx")
    table = "Opportunities" if kind == "funnel" else "ForecastLines"
    sheet, cell = cell_of(a, table, 4, "owner")                   # Opportunities!E10 in the issue
    b = blanked(a.read_bytes(), tmp_path / "b.xlsx", sheet, cell)
    report = validate([a, b])
    assert report.across == []
    mine = report.by_file()
    assert mine[str(a)] == []
    assert [(f.rule, f.cell) for f in mine[str(b)] if f.severity is Severity.ERROR] == [("S-VALUE-REQUIRED", cell)]
    assert report.counts()["with_errors"] == 1 and report.counts()["clean"] == 1


def test_blank_account_managers_and_forecast_headers_assert_nothing(tmp_path):
    plan = content("account-plan")
    a = build(tmp_path, "account-plan", plan, "a.xlsx")
    profile = read_workbook(a).forms["Profile"]
    b = blanked(a.read_bytes(), tmp_path / "b.xlsx", profile.sheet, profile.cells["account_manager"])
    other = dict(plan, Profile=dict(plan["Profile"], account_manager="刘洋"))
    c = build(tmp_path, "account-plan", other, "c.xlsx")           # a real second manager: a and c conflict
    report = validate([a, b, c])
    assert across_files(report) == {"a.xlsx", "c.xlsx"}
    assert all("2 account managers" in f.text("en") for f in report.across)
    f1 = build(tmp_path, "forecast", forecast(), "f1.xlsx")
    header = read_workbook(f1).forms["Forecast"]
    f2 = build(tmp_path, "forecast", forecast("李娜"), "f2.xlsx")  # 李娜 claims 王磊's lines: a real conflict
    for key in ("owner", "level", "period"):
        lost = blanked(f1.read_bytes(), tmp_path / f"no-{key}.xlsx", header.sheet, header.cells[key])
        assert across_files(validate([lost, f2])) == set(), key
    assert across_files(validate([f1, f2])) == {"f1.xlsx", "f2.xlsx"}


def test_many_owners_and_files_make_short_messages():
    """The 200-file batch: one message was 4,278 characters long."""
    blocks = [across.Claims("opportunity", f"submissions/region-{n // 10}/rep-{n}.xlsx", "Opportunities",
                            ["OPP-1"], [f"负责人{n % 12}"], "A", [6]) for n in range(60)]
    found = across.check(blocks)
    assert len(found) == 60 and {f.file for f in found} == {b.file for b in blocks}
    for f in found:
        for lang in ("zh", "en"):
            assert len(f.text(lang)) < 300, f.text(lang)
        assert "12 primary owners" in f.text("en") and "and 7 more" in f.text("en") and "and 56 more" in f.text("en")
        assert "12 个主要负责人" in f.text("zh") and "等 12 个" in f.text("zh") and "等 59 个" in f.text("zh")


# --- item 7: forecasts compared as a roll-up takes them -----------------------------------------

def test_another_period_is_another_forecast(tmp_path):
    q3 = build(tmp_path, "forecast", forecast(period="2026-Q3", close=dt.date(2026, 8, 15)), "q3.xlsx")
    q4 = build(tmp_path, "forecast", forecast(period="2026-Q4", close=dt.date(2026, 8, 15)), "q4.xlsx")
    report = validate([q3, q4])
    assert report.across == []
    assert {f.rule for f in report.findings} == {"M-FC-1"}        # q4's lines close in Q3: its own warnings


def test_the_same_report_twice_is_a_newer_forecast_not_a_duplicate(tmp_path):
    old = build(tmp_path, "forecast", forecast(), "old.xlsx")
    newer = forecast()
    newer["Forecast"]["submitted_at"] = dt.date(2026, 11, 21)
    new = build(tmp_path, "forecast", newer, "new.xlsx")
    assert validate([old, new]).findings == []


def test_a_batch_of_roll_ups_with_their_inputs_accuses_only_the_real_conflict(tmp_path):
    """Reps' forecasts (one also as an older draft and for another quarter), their teams',
    region's and business unit's roll-ups, validated together: the one opportunity two reps
    of different teams both claim is found wherever its copies could meet in a roll-up,
    and nothing else is (not a roll-up against the files it is made of)."""
    src, out = tmp_path / "in", tmp_path / "out"
    out.mkdir()
    for folder in ("team-1", "team-2", "other"):
        (src / folder).mkdir(parents=True)
    wang = forecast()
    stolen = dict(wang["ForecastLines"][1], owner="李娜")            # 李娜 claims 王磊's opportunity
    li = forecast("李娜", prefix="LN")
    li["ForecastLines"].append(stolen)
    zhang = forecast("张伟", prefix="ZW")
    zhang["ForecastLines"].append(dict(wang["ForecastLines"][2]))    # 王磊's, listed as his: not 张伟's (M-FC-2)
    draft = forecast()
    draft["Forecast"]["submitted_at"] = dt.date(2026, 11, 2)
    build(src, "forecast", wang, "team-1/wang.xlsx")
    build(src, "forecast", forecast("赵敏", prefix="ZM"), "team-1/zhao.xlsx")
    build(src, "forecast", li, "team-2/li.xlsx")
    build(src, "forecast", zhang, "team-2/zhang.xlsx")
    build(src, "forecast", draft, "other/wang-draft.xlsx")
    build(src, "forecast", forecast(period="2026-Q3", close=dt.date(2026, 9, 1)), "other/wang-q3.xlsx")
    kw = {"lang": "en", "today": TODAY}
    teams = [rollup_files([src / t], out / f"{t}.xlsx", owner=m, level="team", **kw)
             for t, m in (("team-1", "孙建华"), ("team-2", "胡伟"))]
    region = rollup_files([t.output for t in teams], out / "east.xlsx", owner="曾超", level="region", **kw)
    rollup_files([region.output], out / "bu.xlsx", owner="林洋", level="bu", **kw)
    files, _ = discover([src, out], recursive=True)
    report = validate(files)
    fc3 = [f for f in report.across if f.rule == "M-FC-3"]
    assert {Path(f.file).name for f in fc3} == {"wang.xlsx", "li.xlsx", "team-1.xlsx", "team-2.xlsx"}
    assert {dict(f.params)["id"] for f in fc3} == {stolen["opportunity_id"]}
    assert all("2 primary owners in the forecasts for 2026-Q4: " in f.text("en") for f in fc3)
    # M-ACC-3: the stolen opportunity's customer is worked by 王磊 and 李娜, as the reps'
    # forecasts say (王磊's draft, his Q3 forecast and 张伟's list of his line too); roll-ups
    # restate them and are not named
    acc3 = [f for f in report.across if f.rule == "M-ACC-3"]
    assert {Path(f.file).name for f in acc3} == {"wang.xlsx", "li.xlsx", "wang-draft.xlsx", "wang-q3.xlsx",
                                                "zhang.xlsx"}
    assert {f.severity for f in acc3} == {Severity.WARNING}
    assert {f.rule for f in report.across} == {"M-FC-3", "M-ACC-3"}


def test_the_top_level_is_never_an_input_and_levels_meet_below_it(tmp_path):
    """Three forecasts of one owner's opportunity at three levels, none made of another:
    a region roll-up would take the rep's and the team's, never a business unit's."""
    rep = build(tmp_path, "forecast", forecast(), "rep.xlsx")
    team = build(tmp_path, "forecast", forecast("孙建华", level="team", line_owner="王磊"), "team.xlsx")
    region = build(tmp_path, "forecast", forecast("曾超", level="region", line_owner="王磊"), "region.xlsx")
    bu = build(tmp_path, "forecast", forecast("林洋", level="bu", line_owner="王磊"), "bu.xlsx")
    report = validate([rep, team, region, bu])
    assert across_files(report) == {"rep.xlsx", "team.xlsx", "region.xlsx"}
    texts = [f.text("en") for f in report.across]
    assert all("is in 3 forecasts for 2026-Q4" in t and "twice" not in t for t in texts), texts[0]
    assert all("出现在 2026-Q4 的 3 份预测中" in f.text("zh") for f in report.across)


# --- item 8: per-file counts include the across-files findings -----------------------------------

def test_per_file_counts_agree_with_the_summary(tmp_path):
    a = build(tmp_path, "forecast", forecast(), "a.xlsx")
    b = build(tmp_path, "forecast", forecast("李娜"), "b.xlsx")
    report = validate([a, b])
    assert report.counts()["with_errors"] == 2 and all(r.findings == [] for r in report.files)
    lines = len(content("forecast")["ForecastLines"])
    customers = len({r["customer"] for r in content("forecast")["ForecastLines"]})  # each worked by both (M-ACC-3)
    data = json.loads(write_json(report, tmp_path / "r.json", lang="zh").read_text("utf-8"))
    assert [(f["errors"], f["warnings"]) for f in data["files"]] == [(lines, customers), (lines, customers)]
    files = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx", lang="en"))["Files"]
    assert [[c.value for c in row][4:] for row in files.iter_rows(min_row=2)] == \
        [[lines, customers, 0, lines + customers]] * 2


def test_the_files_sheet_counts_a_file_by_what_names_it():
    report = Report([FileResult("a.xlsx", "funnel"), FileResult("b.xlsx", "funnel")],
                    across=[finding("M-ACC-3", Severity.ERROR, Text("冲突", "conflict"), Text("改", "fix"), file="a.xlsx")])
    assert report.counts()["with_errors"] == 1
    assert [len(found) for found in report.by_file().values()] == [1, 0]


# --- item 9: any number; the copy, not the first row ---------------------------------------------

def test_three_owners_are_three(tmp_path):
    paths = []
    for n, owner in enumerate(("甲", "乙", "丙")):
        c = clean_funnel()
        c["Opportunities"] = [dict(c["Opportunities"][0], owner=owner)]
        c["Assessment"] = [x for x in c["Assessment"] if x["id"] == c["Opportunities"][0]["id"]]
        paths.append(build(tmp_path, "funnel", c, f"f{n}.xlsx"))
    report = validate(paths)
    fc3 = [f for f in report.across if f.rule == "M-FC-3"]
    assert len(fc3) == 3 and len(report.across) == 6          # and M-ACC-3: their customer is worked by 3
    for f in fc3:
        assert "has 3 primary owners: 甲, 乙, 丙" in f.text("en") and "two" not in f.text("en")
        assert "有 3 个主要负责人：甲、乙、丙" in f.text("zh")


def test_a_line_twice_in_one_forecast_is_reported_at_the_copy(tmp_path):
    c = forecast()
    c["ForecastLines"].append(dict(c["ForecastLines"][1]))
    path = build(tmp_path, "forecast", c, "f.xlsx")
    twice = [f for f in validate([path]).findings if f.rule == "M-FC-3"]
    first, copy = cell_of(path, "ForecastLines", 1, "opportunity_id"), cell_of(path, "ForecastLines", -1, "opportunity_id")
    assert [(f.sheet, f.cell) for f in twice] == [copy]
    assert f"already listed at {first[1]}" in twice[0].text("en") and f"本预测的 {first[1]}" in twice[0].text("zh")


# --- item 10: a blank template is said once -------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_blank_templates_are_blank_not_errors(tmp_path, lang):
    paths = [build_workbook(TEMPLATES[name], tmp_path / f"{name}.xlsx", lang=lang) for name in TEMPLATES]
    report = validate(paths)
    assert [[(f.rule, f.severity) for f in found] for found in report.by_file().values()] == \
        [[("S-BLANK", Severity.INFO)]] * len(paths)
    assert report.counts() == {"files": len(paths), "clean": len(paths), "with_errors": 0, "with_warnings": 0,
                               "unreadable": 0}
    text = report.files[0].findings[0].text(lang)
    assert text == {"zh": "空白模板：尚未填写任何内容", "en": "blank template: nothing filled in"}[lang]
    data = json.loads(write_json(report, tmp_path / "r.json", lang=lang).read_text("utf-8"))
    assert [(f["errors"], f["warnings"], f["infos"]) for f in data["files"]] == [(0, 0, 1)] * len(paths)


def test_a_template_with_one_value_typed_is_not_blank(tmp_path):
    path = build_workbook(TEMPLATES["forecast"], tmp_path / "f.xlsx", lang="en", forms={"Forecast": {"owner": "王磊"}})
    rules = [f.rule for f in validate([path]).findings]
    assert "S-BLANK" not in rules and rules.count("S-VALUE-REQUIRED") == 3


# --- property: findings only in the blanked copies ---------------------------------------------------

@pytest.fixture(scope="module")
def correct(tmp_path_factory) -> list[tuple[str, bytes, list[tuple[str, str]]]]:
    """Correct files that agree with one another — a funnel, two reps' forecasts (zh and en),
    their team's roll-up, an account plan — each with the cells of its filled required
    values: (name, bytes, [(sheet, cell)])."""
    folder = tmp_path_factory.mktemp("correct")
    paths = [build(folder, "funnel", clean_funnel(), "funnel.xlsx"),
             build(folder, "forecast", forecast("James Walker"), "wang.xlsx"),   # the funnel's and plan's
             build(folder, "forecast", forecast("李娜", prefix="LN", lang="zh"), "li.xlsx", lang="zh"),
             build(folder, "account-plan", content("account-plan"), "plan.xlsx")]
    paths.append(rollup_files(paths[1:3], folder / "team.xlsx", owner="孙建华", level="team", lang="zh",
                              today=TODAY).output)
    report = validate(paths)
    assert report.findings == [], [f.text("en") for f in report.findings]
    out = []
    for path in paths:
        data, cells = read_workbook(path), []
        for table in data.tables.values():
            for column in (c for c in table.table.columns if c.required and c.kind is not Kind.FORMULA):
                cells += [(r.sheet, r.cells[column.key]) for r in table.records
                          if column.key in table.columns and not is_blank(r.values[column.key])]
        for form in data.template.forms():
            record = data.forms.get(form.prefix)
            cells += [(record.sheet, record.cells[c.key]) for c in form.fields
                      if record and c.required and not is_blank(record.values.get(c.key))]
        out.append((path.name, path.read_bytes(), cells))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_correct_files_are_never_accused_by_copies_with_a_required_value_blanked(correct, tmp_path, data):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    originals = []
    for name, raw, _cells in correct:
        (folder / name).write_bytes(raw)
        originals.append(folder / name)
    copies = {}
    for n in range(data.draw(st.integers(1, 3), label="copies")):
        name, raw, cells = data.draw(st.sampled_from(correct), label="file")
        sheet, cell = data.draw(st.sampled_from(cells), label="cell")
        copies[blanked(raw, folder / f"copy-{n}-{name}", sheet, cell)] = (sheet, cell)
    report = validate(data.draw(st.permutations([*originals, *copies]), label="order"))
    accused = {f.file for f in report.findings}
    assert accused <= {str(p) for p in copies}, [f.text("en") for f in report.findings if f.file not in map(str, copies)]
    for path, (sheet, cell) in copies.items():
        assert ("S-VALUE-REQUIRED", sheet, cell) in {(f.rule, f.sheet, f.cell) for f in report.by_file()[str(path)]}
