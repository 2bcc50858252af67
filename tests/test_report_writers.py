"""The report writers (kamxl.report), read back as a user's tools would see them.

A hand-built batch (a clean file; a file with errors and an info on a sheet named
"Rep's funnel"; a file with a warning; an unreadable file outside the base folder; a
missing one; a finding across files) is written as .xlsx and .json in both languages.
Tested: sheet names, tables and exact headers; rows in Report.rows order; cell links that
open the submitted file at the cell (target and location exactly as XlsxWriter stores
them) and only ever point at submitted files; file and rule counts; severity colours;
a message quoting '=HYPERLINK(...)' stored as text, never a formula (and by each of the
two safety layers alone); byte-identical rewrites; the JSON structure; the
unsupported-suffix error; atomic replacement (a write that fails halfway leaves the
previous report, and no temporary file).
"""
from __future__ import annotations

import html
import json
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from kamxl.errors import InputError
from kamxl.findings import COLUMNS, FileResult, Report, Severity, finding
from kamxl.i18n import Text
from kamxl.report import write_json, write_report, write_xlsx

EVIL = '=HYPERLINK("http://evil","x")'
SHEETS = {"zh": ["发现", "文件汇总", "规则统计"], "en": ["Findings", "Files", "Rules"]}
HEADERS = {
    "zh": {"Findings": ["文件", "负责人", "工作表", "单元格", "规则", "级别", "问题", "修改建议"],
           "Files": ["文件", "负责人", "模板", "可读取", "错误", "警告", "提示", "合计"],
           "Rules": ["规则", "次数", "错误", "警告", "提示", "涉及文件数"]},
    "en": {"Findings": ["File", "Owner", "Sheet", "Cell", "Rule", "Severity", "Message", "How to fix"],
           "Files": ["File", "Owner", "Template", "Readable", "Errors", "Warnings", "Infos", "Total"],
           "Rules": ["Rule", "Count", "Errors", "Warnings", "Infos", "Files affected"]},
}

NOT_A_STAGE = Text("“{value}”不是有效的阶段", "'{value}' is not a stage")
PICK_STAGE = Text("请从下拉列表中选择阶段，如 {example}", "Choose a stage from the list, e.g. {example}")
NOT_AMOUNT = Text("{value}：不是金额", "{value}: not an amount")
TYPE_NUMBER = Text("请填写数字", "Type a number")
NO_NEXT_STEP = Text("阶段 {stage} 没有下一步日期", "Stage {stage} has no next-step date")
ADD_DATE = Text("填写下一步日期", "Add the next-step date")
UNREADABLE = Text("无法读取文件：{reason}", "cannot read the file: {reason}")
RESUBMIT = Text("请重新保存为 .xlsx 后提交", "Save it again as .xlsx and resubmit")
PERIODS = Text("{n} 个文件的预测期间不一致", "{n} files forecast different periods")
SAME_PERIODS = Text("统一预测期间", "Use the same periods")


@pytest.fixture
def batch(tmp_path: Path) -> dict:
    """Submissions in tmp/subs (the base), one file elsewhere; the report goes in tmp."""
    subs = tmp_path / "subs"
    files = {"clean": subs / "clean.xlsx", "errors": subs / "华东" / "张三 #2.xlsx", "warning": subs / "=1+2.xlsx",
             "broken": tmp_path / "elsewhere" / "broken.xlsx", "gone": subs / "gone.xlsx"}
    for key, path in files.items():
        if key != "gone":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"not really a workbook")
    name = {key: str(path) for key, path in files.items()}
    report = Report([
        FileResult(name["clean"], "funnel", owners=("王磊",)),
        FileResult(name["errors"], "funnel", owners=("张三",), findings=[
            finding("S-STAGE", Severity.ERROR, NOT_A_STAGE, PICK_STAGE, file=name["errors"], sheet="Rep's funnel",
                    cell="G7", value="maybe", example="05"),
            finding("S-NUMBER", Severity.ERROR, NOT_AMOUNT, TYPE_NUMBER, file=name["errors"], sheet="Rep's funnel",
                    cell="G12", value=EVIL),
            finding("M-FUN-2", Severity.INFO, NO_NEXT_STEP, ADD_DATE, file=name["errors"], sheet="Rep's funnel",
                    cell="B3", stage="04"),
        ]),
        FileResult(name["warning"], "forecast", owners=("李娜", "王磊", "赵六", "钱七"), findings=[
            finding("S-STAGE", Severity.WARNING, NOT_A_STAGE, PICK_STAGE, file=name["warning"], sheet="商机",
                    cell="D4", value="5", example="05")]),
        FileResult(name["broken"], "", readable=False, findings=[
            finding("S-UNREADABLE", Severity.ERROR, UNREADABLE, RESUBMIT, file=name["broken"], reason="not a zip")]),
        FileResult(name["gone"], "", readable=False, findings=[
            finding("S-UNREADABLE", Severity.ERROR, UNREADABLE, RESUBMIT, file=name["gone"], reason="not found")]),
    ], across=[finding("M-FC-3", Severity.WARNING, PERIODS, SAME_PERIODS, n=2)])
    return {"report": report, "files": files, "base": subs, "out": tmp_path}


def write(batch: dict, lang: str, name: str = "report.xlsx", **options) -> Path:
    options.setdefault("base", batch["base"])
    return write_xlsx(batch["report"], batch["out"] / name, lang=lang, **options)


def values(ws) -> list[list[object]]:
    return [["" if c.value is None else c.value for c in row] for row in ws.iter_rows()]


def table_rows(ws) -> list[list[object]]:
    (table,) = ws.tables.values()
    return [["" if c.value is None else c.value for c in row] for row in ws[table.ref]][1:]


def excel_target(path: Path) -> str:
    """What the report stores for a link to a file outside the base (openpyxl's hyperlink.target):
    a file URI with forward slashes, ' ' and '#' escaped."""
    text = str(path).replace(" ", "%20").replace("#", "%23").replace("\\", "/")
    return "file://" + text if text.startswith("/") else "file:///" + text


OWNERS = {"zh": {"clean": "王磊", "errors": "张三", "warning": "李娜、王磊、赵六 等 4 人"},
          "en": {"clean": "王磊", "errors": "张三", "warning": "李娜, 王磊, 赵六 and 1 more"}}


# --- sheets, tables, headers ------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheets_tables_and_headers_are_in_the_chosen_language(batch, lang):
    wb = openpyxl.load_workbook(write(batch, lang))
    assert wb.sheetnames == SHEETS[lang]
    for ws, table_name, ref in zip(wb.worksheets, ["Findings", "Files", "Rules"], ["A1:H8", "A1:H6", "A1:F6"]):
        assert list(ws.tables) == [table_name]
        table = ws.tables[table_name]
        assert table.ref == ref and table.autoFilter is not None and table.autoFilter.ref == ref
        headers = HEADERS[lang][table_name]
        assert [c.name for c in table.tableColumns] == headers
        assert [c.value for c in ws[1][:len(headers)]] == headers
        assert ws.freeze_panes == "A2"
    findings = wb.worksheets[0]
    assert findings["G2"].alignment.wrap_text and findings["H2"].alignment.wrap_text
    assert not findings["B2"].alignment.wrap_text
    assert findings.column_dimensions["G"].width > findings.column_dimensions["D"].width


def test_an_empty_report_still_has_its_three_tables(tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(Report(), tmp_path / "r.xlsx", lang="en"))
    assert [list(ws.tables) for ws in wb.worksheets] == [["Findings"], ["Files"], ["Rules"]]
    assert values(wb["Rules"])[1][7:9] == ["Files", 0]


# --- findings rows and links ---------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_rows_follow_report_rows(batch, lang):
    ws = openpyxl.load_workbook(write(batch, lang))[SHEETS[lang][0]]
    rows = table_rows(ws)
    shown = {str(batch["files"][k]): str(batch["files"][k].relative_to(batch["base"]))
             for k in ("clean", "errors", "warning", "gone")}
    shown[str(batch["files"]["broken"])] = str(batch["files"]["broken"])
    owner = {str(batch["files"][k]): OWNERS[lang][k] for k in OWNERS[lang]}
    expected = [[shown.get(r["file"], r["file"]), owner.get(r["file"], ""), *(r[key] for key in COLUMNS[1:])]
                for r in batch["report"].rows(lang)]
    assert rows == expected
    # the order, spelled out: the across-files finding (no file) first, then by file, cell number
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("", "", "M-FC-3"),
        (str(batch["files"]["broken"]), "", "S-UNREADABLE"),
        ("=1+2.xlsx", "D4", "S-STAGE"),
        ("gone.xlsx", "", "S-UNREADABLE"),
        (str(Path("华东", "张三 #2.xlsx")), "B3", "M-FUN-2"),
        (str(Path("华东", "张三 #2.xlsx")), "G7", "S-STAGE"),
        (str(Path("华东", "张三 #2.xlsx")), "G12", "S-NUMBER"),
    ]
    assert rows[5][1] == "张三" and rows[5][2] == "Rep's funnel"
    assert rows[5][6] == {"zh": "“maybe”不是有效的阶段", "en": "'maybe' is not a stage"}[lang]
    assert rows[5][7] == {"zh": "请从下拉列表中选择阶段，如 05", "en": "Choose a stage from the list, e.g. 05"}[lang]
    error, warning, info = (level.label(lang) for level in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    assert [r[5] for r in rows] == [warning, error, warning, error, info, error, error]


def test_cell_links_open_the_submitted_file_at_the_cell(batch):
    ws = openpyxl.load_workbook(write(batch, "en"))["Findings"]
    links = {c.coordinate: (c.hyperlink.target, c.hyperlink.location) for row in ws.iter_rows() for c in row
             if c.hyperlink is not None}
    # Relative links start from the report's folder, with '/' (macOS, Linux and Windows all
    # follow it); ' ' and '#' escaped in the path; the sheet is quoted, ' doubled.
    assert links == {
        "A3": (excel_target(batch["files"]["broken"]), None),   # whole file, outside base: absolute
        "D4": ("subs/=1+2.xlsx", "'商机'!D4"),
        "D6": ("subs/华东/张三%20%232.xlsx", "'Rep''s funnel'!B3"),
        "D7": ("subs/华东/张三%20%232.xlsx", "'Rep''s funnel'!G7"),
        "D8": ("subs/华东/张三%20%232.xlsx", "'Rep''s funnel'!G12"),
    }   # no link for the across-files finding, nor for gone.xlsx (missing)
    assert ws["D7"].value == "G7" and ws["D7"].data_type == "s"
    assert ws["A5"].value == "gone.xlsx" and ws["A5"].hyperlink is None


def test_links_point_only_at_submitted_files(batch):
    path = write(batch, "zh")
    allowed = {"subs/=1+2.xlsx", "subs/华东/张三%20%232.xlsx", "subs/clean.xlsx",
               excel_target(batch["files"]["broken"])}
    wb = openpyxl.load_workbook(path)
    targets = {c.hyperlink.target for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink}
    assert targets == allowed
    with zipfile.ZipFile(path) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
    assert "evil" not in rels and "http:" not in rels.replace("http://schemas.", "")


def test_without_base_files_are_shown_and_linked_absolute(batch):
    ws = openpyxl.load_workbook(write(batch, "en", base=None))["Findings"]
    error_file = batch["files"]["errors"]
    assert ws["A7"].value == str(error_file)
    assert (ws["D7"].hyperlink.target, ws["D7"].hyperlink.location) == (excel_target(error_file),
                                                                      "'Rep''s funnel'!G7")


# --- files and rules -------------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "yes", "no"), [("zh", "是", "否"), ("en", "yes", "no")])
def test_files_sheet_counts_every_file(batch, lang, yes, no):
    ws = openpyxl.load_workbook(write(batch, lang))[SHEETS[lang][1]]
    owner = OWNERS[lang]
    assert table_rows(ws) == [
        ["clean.xlsx", owner["clean"], "funnel", yes, 0, 0, 0, 0],
        [str(Path("华东", "张三 #2.xlsx")), owner["errors"], "funnel", yes, 2, 0, 1, 3],
        ["=1+2.xlsx", owner["warning"], "forecast", yes, 0, 1, 0, 1],
        [str(batch["files"]["broken"]), "", "", no, 1, 0, 0, 1],
        ["gone.xlsx", "", "", no, 1, 0, 0, 1],
    ]
    assert ws["A2"].hyperlink.target == "subs/clean.xlsx" and ws["A2"].hyperlink.location is None
    assert ws["A6"].hyperlink is None  # gone.xlsx does not exist


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rules_sheet_counts_and_overall_counts(batch, lang):
    ws = openpyxl.load_workbook(write(batch, lang))[SHEETS[lang][2]]
    assert table_rows(ws) == [
        ["S-STAGE", 2, 1, 1, 0, 2],
        ["S-UNREADABLE", 2, 2, 0, 0, 2],
        ["M-FC-3", 1, 0, 1, 0, 0],
        ["M-FUN-2", 1, 0, 0, 1, 1],
        ["S-NUMBER", 1, 1, 0, 0, 1],
    ]
    labels = {"zh": ["总体", "文件数", "无问题", "有错误", "有警告（无错误）", "无法读取"],
              "en": ["Overall", "Files", "Clean", "With errors", "With warnings (no errors)", "Unreadable"]}[lang]
    overall = [row[7:9] for row in values(ws)]
    assert overall == [[labels[0], ""], *([label, n] for label, n in zip(labels[1:], [5, 1, 1, 1, 2]))]
    # the categories partition the files: an unreadable file is not also "with errors"
    assert batch["report"].counts() == {"files": 5, "clean": 1, "with_errors": 1, "with_warnings": 1,
                                        "unreadable": 2}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_severity_cells_are_coloured_by_exact_label(batch, lang):
    ws = openpyxl.load_workbook(write(batch, lang))[SHEETS[lang][0]]
    found = {}
    for area in ws.conditional_formatting:
        for rule in area.rules:
            found[(str(area.sqref), rule.type, rule.operator, tuple(rule.formula))] = rule.dxf.fill.bgColor.rgb
    assert found == {
        ("F2:F8", "cellIs", "equal", (f'"{Severity.ERROR.label(lang)}"',)): "FFFFC7CE",
        ("F2:F8", "cellIs", "equal", (f'"{Severity.WARNING.label(lang)}"',)): "FFFFEB9C",
    }


# --- safety and reproducibility ----------------------------------------------------------------------
def test_formula_like_text_is_stored_as_a_string(batch):
    path = write(batch, "en")
    ws = openpyxl.load_workbook(path)["Findings"]
    message = ws["G8"]
    assert message.value == f"{EVIL}: not an amount" and message.data_type == "s"
    assert message.value.startswith("=") and message.quotePrefix
    assert ws["A4"].value == "=1+2.xlsx" and ws["A4"].data_type == "s" and ws["A4"].quotePrefix
    assert not ws["G7"].quotePrefix  # ordinary text keeps its plain format
    with zipfile.ZipFile(path) as z:
        sheets = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        strings = z.read("xl/sharedStrings.xml").decode()
    assert len(sheets) == 3
    for xml in sheets.values():
        assert "<f>" not in xml and "<f " not in xml
    # G8 is a shared-string cell (t="s") holding only a value, and that string is the text
    cell = re.search(r'<c r="G8"([^>]*)>(.*?)</c>', sheets["xl/worksheets/sheet1.xml"])
    assert cell is not None and 't="s"' in cell.group(1)
    index = re.fullmatch(r"<v>(\d+)</v>", cell.group(2))
    assert index is not None
    shared = re.findall(r"<si><t[^>]*>(.*?)</t></si>", strings)
    assert html.unescape(shared[int(index.group(1))]) == f"{EVIL}: not an amount"


def test_each_safety_layer_alone_keeps_formula_text_a_string(batch, monkeypatch):
    """Strings are written with write_string *and* the workbook turns off string guessing."""
    options_seen = []

    class Guessing(xlsxwriter.Workbook):  # XlsxWriter's defaults: '=…' strings become formulas
        def __init__(self, filename, options=None):
            options_seen.append(options)
            super().__init__(filename, {})

    monkeypatch.setattr(xlsxwriter, "Workbook", Guessing)
    ws = openpyxl.load_workbook(write(batch, "en"))["Findings"]
    assert ws["G8"].data_type == "s" and ws["G8"].value == f"{EVIL}: not an amount"
    assert options_seen == [{"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}]


def test_writing_the_same_report_twice_gives_the_same_bytes(batch):
    first = write(batch, "zh").read_bytes()
    assert write(batch, "zh").read_bytes() == first
    assert write(batch, "en").read_bytes() != first
    with zipfile.ZipFile(batch["out"] / "report.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z</dcterms:created>" in core


# --- json --------------------------------------------------------------------------------------------
def test_json_round_trips_to_the_expected_structure(batch):
    f = {k: str(p) for k, p in batch["files"].items()}
    path = write_json(batch["report"], batch["out"] / "report.json", lang="en")
    data = json.loads(path.read_text("utf-8"))
    assert list(data) == ["counts", "rules", "files", "findings"]
    assert data["counts"] == {"files": 5, "clean": 1, "with_errors": 1, "with_warnings": 1, "unreadable": 2}
    assert list(data["rules"].items()) == [("S-STAGE", 2), ("S-UNREADABLE", 2), ("M-FC-3", 1), ("M-FUN-2", 1),
                                           ("S-NUMBER", 1)]
    assert data["files"] == [
        {"file": f["clean"], "owners": ["王磊"], "template": "funnel", "readable": True, "errors": 0, "warnings": 0,
         "infos": 0},
        {"file": f["errors"], "owners": ["张三"], "template": "funnel", "readable": True, "errors": 2, "warnings": 0,
         "infos": 1},
        {"file": f["warning"], "owners": ["李娜", "王磊", "赵六", "钱七"], "template": "forecast", "readable": True,
         "errors": 0, "warnings": 1, "infos": 0},
        {"file": f["broken"], "owners": [], "template": "", "readable": False, "errors": 1, "warnings": 0, "infos": 0},
        {"file": f["gone"], "owners": [], "template": "", "readable": False, "errors": 1, "warnings": 0, "infos": 0},
    ]
    assert data["findings"][0] == {"file": "", "sheet": "", "cell": "", "rule": "M-FC-3", "severity": "warning",
                                   "message": "2 files forecast different periods", "hint": "Use the same periods",
                                   "severity_level": "warning"}
    assert data["findings"][6] == {"file": f["errors"], "sheet": "Rep's funnel", "cell": "G12", "rule": "S-NUMBER",
                                   "severity": "error", "message": f"{EVIL}: not an amount", "hint": "Type a number",
                                   "severity_level": "error"}
    assert [{k: v for k, v in row.items() if k != "severity_level"} for row in data["findings"]] \
        == batch["report"].rows("en")


def test_json_in_chinese_keeps_levels_and_writes_plain_utf8(batch):
    path = write_json(batch["report"], batch["out"] / "report.json", lang="zh")
    raw = path.read_bytes()
    assert "华东".encode() in raw and b"\\u" not in raw and b"\r\n" not in raw
    assert raw.startswith(b'{\n  "counts": {\n    "files": 5')
    rows = json.loads(raw)["findings"]
    assert [(r["severity"], r["severity_level"]) for r in rows] == [
        ("警告", "warning"), ("错误", "error"), ("警告", "warning"), ("错误", "error"), ("提示", "info"),
        ("错误", "error"), ("错误", "error")]
    assert write_json(batch["report"], batch["out"] / "again.json", lang="zh").read_bytes() == raw


# --- write_report --------------------------------------------------------------------------------------
def test_write_report_picks_the_writer_by_suffix(batch):
    xlsx = write_report(batch["report"], batch["out"] / "r.XLSX", lang="en", base=batch["base"])
    assert xlsx == batch["out"] / "r.XLSX" and zipfile.is_zipfile(xlsx)
    assert openpyxl.load_workbook(xlsx)["Findings"]["D7"].hyperlink.location == "'Rep''s funnel'!G7"
    data = json.loads(write_report(batch["report"], batch["out"] / "r.json", lang="zh").read_text("utf-8"))
    assert data["findings"][0]["severity"] == "警告"


@pytest.mark.parametrize("name", ["report.csv", "report"])
def test_an_unsupported_suffix_is_an_input_error(batch, name):
    with pytest.raises(InputError) as caught:
        write_report(batch["report"], batch["out"] / name, lang="en")
    err = caught.value
    suffix = Path(name).suffix
    assert err.code == "S-REPORT"
    assert f"'{suffix}'" in err.message("en") and ".xlsx" in err.message("en")
    assert f"“{suffix}”" in err.message("zh") and "不支持" in err.message("zh")
    assert not (batch["out"] / name).exists()


@pytest.mark.parametrize("name", ["report.xlsx", "report.json"])
def test_an_existing_report_is_replaced_atomically(batch, monkeypatch, name):
    out = batch["out"] / "out"
    out.mkdir()                           # outputs never make their folder (kamxl.io.atomic)
    target = write_report(batch["report"], out / name, lang="en", base=batch["base"])
    before = target.read_bytes()
    write_report(Report([FileResult("only.xlsx")]), target, lang="en")
    assert target.read_bytes() != before
    if name.endswith(".json"):
        assert json.loads(target.read_text("utf-8"))["counts"]["files"] == 1
    else:
        assert table_rows(openpyxl.load_workbook(target)["Files"]) == [[os.path.abspath("only.xlsx"), "", "", "yes",
                                                                        0, 0, 0, 0]]
    assert sorted(p.name for p in out.iterdir()) == [name]

    # The disk fills up halfway through the next write: the previous report stays whole.
    replaced = target.read_bytes()

    def close_half_written(workbook) -> None:
        Path(workbook.filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    def write_half(file: Path, text: str, **_: object) -> None:
        file.write_bytes(text[: len(text) // 2].encode())
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close_half_written)
    monkeypatch.setattr(Path, "write_text", write_half)
    with pytest.raises(OSError, match="No space"):
        write_report(batch["report"], target, lang="en")
    assert target.read_bytes() == replaced
    assert sorted(p.name for p in out.iterdir()) == [name]


# --- links anyone can open, paths never cut, whom to chase (issue 15, item 15) -----------------------
def _hyperlink_targets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/_rels/"))
    return [html.unescape(t) for t in re.findall(r'Type="[^"]*/hyperlink" Target="([^"]*)"', rels)]


@pytest.mark.parametrize("base", ["subs", None])
def test_links_use_forward_slashes_that_macos_and_linux_open(batch, base):
    path = write(batch, "en", base=batch["base"] if base else None)
    targets = _hyperlink_targets(path)
    assert targets and not any("\\" in t for t in targets), targets
    if base:
        assert "subs/华东/张三%20%232.xlsx" in targets and excel_target(batch["files"]["broken"]) in targets
    else:
        assert all(t.startswith("file:///") for t in targets)
        assert excel_target(batch["files"]["errors"]) in targets


def test_a_file_outside_the_submissions_folder_is_shown_whole_with_its_name(tmp_path):
    deep = tmp_path.joinpath(*[f"区域{i}-forecast-submissions" for i in range(6)], "王磊 Q4 预测.xlsx")
    deep.parent.mkdir(parents=True)
    deep.write_bytes(b"x")
    report = Report([FileResult(str(deep), "forecast", owners=("王磊",), findings=[
        finding("S-STAGE", Severity.ERROR, NOT_A_STAGE, PICK_STAGE, file=str(deep), sheet="商机", cell="D4",
                value="x", example="05")])])
    out = tmp_path / "out"
    out.mkdir()
    wb = openpyxl.load_workbook(write_xlsx(report, out / "r.xlsx", lang="zh", base=tmp_path / "elsewhere"))
    for ws in wb.worksheets[:2]:
        cell = ws["A2"]
        assert cell.value == str(deep) and cell.value.endswith("王磊 Q4 预测.xlsx")
        width = ws.column_dimensions["A"].width
        shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(deep))
        assert width >= min(shown, 90) and (width >= shown or cell.alignment.wrap_text)   # never cut short
        assert ws["B2"].value == "王磊"


def test_files_inside_the_folder_given_are_shown_relative_to_it(tmp_path):
    from kamxl.report import submissions_folder

    subs = tmp_path / "subs"
    (subs / "east").mkdir(parents=True)
    a, b = subs / "a.xlsx", subs / "east" / "b.xlsx"
    a.write_bytes(b"x")
    b.write_bytes(b"x")
    assert submissions_folder([a, b]) == subs and submissions_folder([subs]) == subs
    assert submissions_folder([a]) == subs and submissions_folder([]) is None
    assert submissions_folder([a, Path("/")]) is None          # only the root in common: full paths
    report = Report([FileResult(str(a), "funnel"), FileResult(str(b), "funnel")])
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx", lang="en",
                                           base=submissions_folder([a, b])))["Files"]
    assert [ws["A2"].value, ws["A3"].value] == ["a.xlsx", str(Path("east", "b.xlsx"))]
    assert ws["A3"].hyperlink.target == "subs/east/b.xlsx"
