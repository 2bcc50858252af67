"""Batch validation, golden: each rule has a workbook with the defect and its expected
findings (rule, sheet, cell); a clean workbook gives none; mutating one cell of a clean
template yields a finding at that cell (hypothesis); unreadable files are one finding
each and the batch goes on; inputs are never modified."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamxl.io.reader import read_workbook
from kamxl.schema import TEMPLATES
from kamxl.templates import EXAMPLES
from kamxl.templates.builder import build_workbook
from kamxl.validate import discover, validate_file, validate_paths
from tests.content import TODAY, clean_funnel, content

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path: Path, name: str, c: dict, lang: str = "en", file: str = "book.xlsx") -> Path:
    rows = {k: v for k, v in c.items() if isinstance(v, list)}
    forms = {k: v for k, v in c.items() if isinstance(v, dict)}
    return build_workbook(TEMPLATES[name], tmp_path / file, lang=lang, rows=rows, forms=forms)


def cell_of(path: Path, table: str, index: int, key: str) -> tuple[str, str]:
    record = read_workbook(path).tables[table].records[index]
    return record.sheet, record.cells[key]


def found(result) -> set[tuple[str, str, str]]:
    return {(f.rule, f.sheet, f.cell) for f in result.findings}


def validate(path: Path):
    return validate_file(path, today=TODAY)


# --- clean ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_clean_funnel_gives_no_findings(tmp_path, lang):
    assert validate(build(tmp_path, "funnel", clean_funnel(lang), lang)).findings == []


def test_the_committed_examples_give_only_their_deliberate_findings():
    from openpyxl.utils import get_column_letter

    from kamxl.templates import TEMPLATES

    keys = [c.key for c in TEMPLATES["funnel"].table("Opportunities").columns]

    def at(key: str, row: int) -> str:
        return f"{get_column_letter(keys.index(key) + 1)}{row}"

    for lang in ("zh", "en"):   # the same data, named in each language: the same findings
        result = validate(ROOT / "workbooks" / "examples" / f"funnel-example.{lang}.xlsx")
        assert sorted((f.rule, f.cell) for f in result.findings) == sorted([
            ("M-SCORE-4", at("value_score", 16)), ("M-SCORE-4", at("value_score", 35)), ("M-REL-5", at("coach", 19)),
            ("M-REL-5", at("coach", 36)), ("S-STALE", at("close_date", 27)), ("S-STALE", at("close_date", 32)),
            ("M-FUN-5", at("budget_status", 30))])
    assert validate(ROOT / "workbooks" / "examples" / "account-plan-example.en.xlsx").findings == []


# --- one defect, one finding at its cell --------------------------------------------------------

FUNNEL_DEFECTS = [
    # (table, row index, column, bad value, expected rule)
    ("Opportunities", 0, "stage", "09", "M-FUN-1"),
    ("Opportunities", 0, "stage", "stage five", "M-FUN-1"),
    ("Opportunities", 1, "amount", -5.0, "S-VALUE-NEGATIVE"),
    ("Opportunities", 1, "amount", "about 3M", "S-VALUE-TYPE"),
    ("Opportunities", 2, "close_date", "next month", "S-VALUE-DATE"),
    ("Opportunities", 2, "customer", None, "S-VALUE-REQUIRED"),
    ("Opportunities", 3, "currency", "RMB", "S-VALUE-CURRENCY"),
    ("Bids", 3, "sales_mode", "auction", "M-BID-1"),
    ("Bids", 1, "evaluation", "cheapest wins", "M-BID-1"),
    ("Bids", 2, "quote", "about 3M", "S-VALUE-TYPE"),
    ("Opportunities", 6, "budget_status", "maybe", "M-FUN-5"),
    ("Opportunities", 4, "status", "pending", "M-FUN-4"),
    ("Opportunities", 4, "confirmed", "perhaps", "M-FC-2"),
    ("Opportunities", 5, "category", "sure thing", "M-FC-2"),
    ("Assessment", 0, "q07", "maybe", "M-SCORE-3"),
    ("Benchmarks", 0, "count", -3.0, "S-VALUE-RANGE"),
]


@pytest.mark.parametrize(("table", "index", "key", "bad", "rule"), FUNNEL_DEFECTS,
                         ids=[f"{d[2]}={d[3]!r}" for d in FUNNEL_DEFECTS])
def test_each_bad_value_is_found_at_its_cell(tmp_path, table, index, key, bad, rule):
    c = clean_funnel()
    c[table][index][key] = bad
    path = build(tmp_path, "funnel", c)
    sheet, cell = cell_of(path, table, index, key)
    result = validate(path)
    assert (rule, sheet, cell) in found(result)
    assert all(f.cell == cell for f in result.findings if f.severity.name == "ERROR")


def test_stage_08_must_be_won_or_lost_and_closed_deals_sit_at_08(tmp_path):
    c = clean_funnel()
    c["Opportunities"][0].update(stage="08 Closed", status="Open")
    c["Opportunities"][1].update(status="Won")          # still at its earlier stage
    path = build(tmp_path, "funnel", c)
    assert {("M-FUN-4", *cell_of(path, "Opportunities", 0, "status")),
            ("M-FUN-4", *cell_of(path, "Opportunities", 1, "stage"))} <= found(validate(path))


def test_evidence_low_value_and_stale_rules(tmp_path):
    c = clean_funnel()
    late = next(i for i, r in enumerate(c["Opportunities"]) if r["stage"].startswith(("05", "06", "07")))
    assessment = next(a for a in c["Assessment"] if a["id"] == c["Opportunities"][late]["id"])
    assessment.update({f"q{q:02d}": "N" for q in range(1, 21)})          # M-SCORE-4: score 0 at stage >= 05
    c["Opportunities"][late]["coach"] = None                            # M-REL-5
    c["Opportunities"][late]["sponsor"] = None                          # M-FUN-5
    c["Opportunities"][late]["close_date"] = dt.date(2026, 11, 1)       # stale
    path = build(tmp_path, "funnel", c)
    result = found(validate(path))
    for rule, key in (("M-SCORE-4", "value_score"), ("M-REL-5", "coach"), ("M-FUN-5", "sponsor"),
                      ("S-STALE", "close_date")):
        assert (rule, *cell_of(path, "Opportunities", late, key)) in result, rule


def test_incomplete_assessment_late_and_duplicate_ids(tmp_path):
    c = clean_funnel()
    late = next(i for i, r in enumerate(c["Opportunities"]) if r["stage"].startswith("05"))
    a_index = next(i for i, a in enumerate(c["Assessment"]) if a["id"] == c["Opportunities"][late]["id"])
    c["Assessment"][a_index]["q20"] = None
    c["Opportunities"][7]["id"] = c["Opportunities"][6]["id"]
    path = build(tmp_path, "funnel", c)
    result = found(validate(path))
    assert ("M-SCORE-3", *cell_of(path, "Assessment", a_index, "status")) in result
    # item 9 of issue 15: at the copy (the later row), naming the first; not at the first row
    assert ("M-FC-3", *cell_of(path, "Opportunities", 7, "id")) in result
    assert ("M-FC-3", *cell_of(path, "Opportunities", 6, "id")) not in result
    twice, = [f for f in validate(path).findings if f.rule == "M-FC-3"]
    assert cell_of(path, "Opportunities", 6, "id")[1] in twice.text("en") and "2 times" in twice.text("en")


def _set_xml_cell(path: Path, sheet_part: str, cell: str, replacement: str) -> None:
    """Rewrite one cell element of a sheet part in place (the way a hand-edit would land)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[sheet_part].decode()
    xml, n = re.subn(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)', replacement, xml, count=1)
    assert n == 1
    parts[sheet_part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_typed_probability_over_the_formula(tmp_path):
    path = build(tmp_path, "funnel", clean_funnel())
    sheet, cell = cell_of(path, "Opportunities", 0, "probability")           # stage 05: 50%
    _set_xml_cell(path, "xl/worksheets/sheet1.xml", cell, f'<c r="{cell}"><v>0.9</v></c>')
    assert ("M-FUN-6", sheet, cell) in found(validate(path))
    _set_xml_cell(path, "xl/worksheets/sheet1.xml", cell, f'<c r="{cell}"><v>0.5</v></c>')
    assert ("S-FORMULA-OVERWRITTEN", sheet, cell) in found(validate(path))


def test_a_cached_value_that_disagrees_with_its_inputs(tmp_path):
    path = tmp_path / "tampered.xlsx"
    path.write_bytes((ROOT / "workbooks" / "examples" / "funnel-example.en.xlsx").read_bytes())
    sheet, cell = cell_of(path, "Opportunities", 0, "weighted")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    original = re.search(rf'<c r="{cell}"[^>]*?>.*?</c>', xml).group()
    _set_xml_cell(path, "xl/worksheets/sheet1.xml", cell, re.sub(r"<v>[^<]*</v>", "<v>9999999</v>", original))
    assert ("S-CACHED-STALE", sheet, cell) in found(validate(path))


def _sheet_part(path: Path, sheet: str) -> str:
    """The package part of a sheet, by its name (openpyxl names parts in order)."""
    return f"xl/worksheets/sheet{openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1}.xml"


def test_a_summary_total_overwritten_or_every_summary_formula_gone(tmp_path):
    """Totals are formulas too: a typed number over one is found at its cell; a summary whose
    formulas all went (pasted as values) is one finding, not dozens."""
    path = tmp_path / "forecast.xlsx"
    path.write_bytes((ROOT / "workbooks" / "examples" / "forecast-example.en.xlsx").read_bytes())
    grids = read_workbook(path).grids
    by_category, by_period = grids["by_category"], grids["by_period"]
    part = _sheet_part(path, by_category.sheet)
    _key, _col, cell = by_category.cells()[4]
    _set_xml_cell(path, part, cell, f'<c r="{cell}"><v>123456</v></c>')
    assert ("S-FORMULA-OVERWRITTEN", by_category.sheet, cell) in found(validate(path))
    for _key, _col, each in by_period.cells():
        _set_xml_cell(path, part, each, f'<c r="{each}"><v>1</v></c>')
    result = found(validate(path))
    assert ("S-FORMULA-DELETED", by_period.sheet, by_period.cells()[0][2]) in result
    assert not any(c in {x for *_, x in by_period.cells()[1:]} for *_, c in result)


def test_the_stage_health_array_formula_replaced_by_values(tmp_path):
    path = tmp_path / "funnel.xlsx"
    path.write_bytes((ROOT / "workbooks" / "examples" / "funnel-example.zh.xlsx").read_bytes())
    health = read_workbook(path).grids["health"]
    (_k, _c, cell), = health.cells()
    _set_xml_cell(path, _sheet_part(path, health.sheet), cell, f'<c r="{cell}" t="str"><v>01 寻找联系人</v></c>')
    assert ("S-FORMULA-OVERWRITTEN", health.sheet, cell) in found(validate(path))


def test_structure_renamed_missing_and_mixed_headers_and_no_metadata(tmp_path):
    path = build(tmp_path, "funnel", clean_funnel())
    book = openpyxl.load_workbook(path)
    ws = book["Opportunities"]
    ws["E5"] = ws.tables["Opportunities"].tableColumns[4].name = "Phase"       # renamed Stage
    ws["B5"] = ws.tables["Opportunities"].tableColumns[1].name = "客户名称"    # a zh header in an en file
    del book["_kamxl"]
    book.save(path)
    result = found(validate(path))
    assert ("S-COLUMN-UNKNOWN", "Opportunities", "E5") in result
    assert ("S-COLUMN-MISSING", "Opportunities", "A5") in result
    assert {r for r, *_ in result} >= {"S-METADATA", "S-HEADER-LANG"}


# --- forecast and account plan --------------------------------------------------------------------

def test_forecast_lines_must_be_confirmed_and_owned_m_fc_2(tmp_path):
    c = content("forecast")
    c["ForecastLines"][0]["confirmed"] = "N"
    c["ForecastLines"][1]["owner"] = "李娜"
    path = build(tmp_path, "forecast", c)
    result = found(validate(path))
    assert ("M-FC-2", *cell_of(path, "ForecastLines", 0, "confirmed")) in result
    assert ("M-FC-2", *cell_of(path, "ForecastLines", 1, "owner")) in result


def test_account_plan_rules(tmp_path):
    c = content("account-plan")
    c["RelationshipPlan"][0]["name"] = "郑晓燕"                            # M-REL-3: not in the chain's TOP-10
    for row in c["DecisionChain"]:
        row["coach"] = "N"                                                 # M-REL-5: no insider…
    c["Coaches"] = []                                                      # …and no outsider
    open_action = next(i for i, a in enumerate(c["Actions"]) if a.get("status") != "Done")
    c["Actions"][open_action]["due"] = dt.date(2026, 10, 1)               # M-PLAN-6
    for row in c["Checklist"]:
        row["answer"] = None                                               # M-SCORE-5
    path = build(tmp_path, "account-plan", c)
    rules = {r for r, *_ in found(validate(path))}
    assert {"M-REL-3", "M-REL-5", "M-PLAN-6", "M-SCORE-5"} <= rules
    assert ("M-PLAN-6", *cell_of(path, "Actions", open_action, "due")) in found(validate(path))


# --- across files --------------------------------------------------------------------------------

def test_one_opportunity_two_owners_and_one_customer_two_managers(tmp_path):
    a, b = clean_funnel(), clean_funnel()
    b["Opportunities"] = [dict(b["Opportunities"][0], owner="李娜")]
    b["Assessment"] = [x for x in b["Assessment"] if x["id"] == b["Opportunities"][0]["id"]]
    plan_a, plan_b = content("account-plan"), content("account-plan")
    plan_b["Profile"].update(customer="RIVERLANE POWER GROUP  LIMITED", credit_code=None, account_manager="Laura Hughes")
    paths = [build(tmp_path, "funnel", a, file="a.xlsx"), build(tmp_path, "funnel", b, file="b.xlsx"),
             build(tmp_path, "account-plan", plan_a, file="pa.xlsx"), build(tmp_path, "account-plan", plan_b, file="pb.xlsx")]
    report = validate_paths(paths, today=TODAY)
    across = {(f.rule, Path(f.file).name) for f in report.across}
    assert {("M-FC-3", "a.xlsx"), ("M-FC-3", "b.xlsx"), ("M-ACC-3", "pa.xlsx"), ("M-ACC-3", "pb.xlsx")} <= across
    assert report.counts()["with_errors"] == 4


# --- unreadable files, folders, safety ------------------------------------------------------------

def test_unreadable_files_are_one_finding_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "noise.xlsx").write_bytes(b"this is not a workbook")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)   # OLE: encrypted
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (tmp_path / "~$book.xlsx").write_bytes(b"lock")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "other.xlsx").write_bytes((tmp_path / "noise.xlsx").read_bytes())
    book = openpyxl.Workbook()
    book.save(tmp_path / "plain.xlsx")
    build(tmp_path, "funnel", clean_funnel(), file="good.xlsx")
    files, skipped = discover([tmp_path])
    assert {p.name for p, _ in skipped} == {"~$book.xlsx", "notes.txt"}
    report = validate_paths(files, today=TODAY, jobs=2)
    by_file = {Path(r.file).name: r for r in report.files}
    assert by_file["good.xlsx"].findings == [] and report.counts()["unreadable"] == 4
    for name in ("noise.xlsx", "locked.xlsx", "old.xls", "other.xlsx"):
        assert [f.rule for f in by_file[name].findings] == ["S-UNREADABLE"] and not by_file[name].readable
    assert "password" in by_file["locked.xlsx"].findings[0].text("en")
    assert ".xls" in by_file["old.xls"].findings[0].text("en")
    assert [f.rule for f in by_file["plain.xlsx"].findings] == ["S-TEMPLATE"]


def test_inputs_are_never_modified(tmp_path):
    paths = [ROOT / "workbooks" / "examples" / f"{n}-example.zh.xlsx" for n in EXAMPLES]
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    validate_paths(paths, today=TODAY, jobs=2)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == before


# --- property: one mutated cell, one finding at that cell -----------------------------------------

MUTABLE = [("stage", "99"), ("status", "maybe later"), ("amount", "lots"), ("close_date", "soon"),
           ("confirmed", "perhaps"), ("currency", "RMB"), ("category", "???"), ("budget_status", "sort of")]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 39), mutation=st.sampled_from(MUTABLE), lang=st.sampled_from(["zh", "en"]))
def test_mutating_one_cell_of_a_clean_funnel_is_found_at_that_cell(tmp_path, index, mutation, lang):
    key, bad = mutation
    c = clean_funnel(lang)
    c["Opportunities"][index][key] = bad
    path = build(tmp_path, "funnel", c, lang, file=f"m-{index}-{key}-{lang}.xlsx")
    sheet, cell = cell_of(path, "Opportunities", index, key)
    result = validate(path)
    assert result.findings and {(f.sheet, f.cell) for f in result.findings} == {(sheet, cell)}


# --- whom to chase (issue 15, item 15) -------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_workbook_names_whom_to_chase(lang):
    from kamxl.samples import sample_rows

    examples = ROOT / "workbooks" / "examples"
    funnel = validate_file(examples / f"funnel-example.{lang}.xlsx")
    owners = list(dict.fromkeys(row["owner"] for row in sample_rows("opportunities", lang)))
    assert funnel.owners == tuple(owners) and len(owners) > 1                  # each once, in the order they appear
    rep = {"zh": "王磊", "en": "James Walker"}[lang]                            # the sample's names in its language
    assert validate_file(examples / f"forecast-example.{lang}.xlsx").owners == (rep,)          # the header's owner
    assert validate_file(examples / f"account-plan-example.{lang}.xlsx").owners == (rep,)      # the account manager
    assert validate_file(ROOT / "workbooks" / f"funnel.{lang}.xlsx").owners == ()             # a blank template


def test_the_report_of_a_command_line_batch_names_files_relative_and_their_owners(tmp_path, monkeypatch):
    import shutil

    from click.testing import CliRunner

    from kamxl.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("funnel", "forecast"):
        shutil.copy(ROOT / "workbooks" / "examples" / f"{name}-example.en.xlsx", subs / f"{name}.xlsx")
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["validate", str(subs / "funnel.xlsx"), str(subs / "forecast.xlsx"),
                                       "--report", str(report), "--lang", "en", "--today", "2026-11-23"])
    assert result.exit_code in (0, 1), result.output
    files = openpyxl.load_workbook(report)["Files"]
    assert {files["A2"].value: files["B2"].value, files["A3"].value: files["B3"].value} == {
        "forecast.xlsx": "James Walker", "funnel.xlsx": "James Walker, Laura Hughes, Daniel Carter and 3 more"}
    assert {files["A2"].hyperlink.target, files["A3"].hyperlink.target} == {"subs/forecast.xlsx", "subs/funnel.xlsx"}


@pytest.mark.parametrize("newer, severity", [(True, "WARNING"), (False, "ERROR")])
def test_a_computed_column_added_since_the_workbooks_version_is_a_warning(tmp_path, monkeypatch, newer, severity):
    """A rep's funnel of an older template version lacks the columns added since (issue 17: the
    Assessment's subtotals and status): S-VERSION says so, and the missing computed columns are
    warnings, not errors; in a workbook of the current version they stay errors."""
    import dataclasses

    from kamxl.i18n import Text
    from kamxl.schema.model import Column, Kind

    path = build(tmp_path, "funnel", clean_funnel())
    funnel = TEMPLATES["funnel"]
    added = Column("added", Text("新增列", "Added"), Kind.FORMULA, formula='=""')
    sheets = tuple(dataclasses.replace(s, blocks=tuple(
        dataclasses.replace(b, columns=(*b.columns, added)) if getattr(b, "name", "") == "Assessment" else b
        for b in s.blocks)) for s in funnel.sheets)
    monkeypatch.setitem(TEMPLATES, "funnel", dataclasses.replace(funnel, sheets=sheets,
                                                                 version=funnel.version + newer))
    missing = [f for f in validate(path).findings if f.rule == "S-COLUMN-MISSING"]
    assert [(f.severity.name, f.sheet) for f in missing] == [(severity, "Assessment")]
    assert any(f.rule == "S-VERSION" for f in validate(path).findings) is newer
