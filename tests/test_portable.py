"""The portable edition (issue 14): plain Excel functions every spreadsheet application
has, written by ``kamxl new --portable`` and ``kamxl portable`` (kamxl/convert.py),
accepted by ``kamxl validate`` as intact — a number typed over a formula still reported."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.io.book_formulas import iter_formulas
from kamxl.io.reader import read_workbook
from kamxl.schema import TEMPLATES
from kamxl.templates import write_template
from kamxl.templates.builder import META_SHEET
from kamxl.validate import validate_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "workbooks" / "examples"

#: what Excel 2016, Excel for Mac and the web, WPS and LibreOffice all have (no dynamic
#: arrays, LAMBDA, LET, XLOOKUP, TEXTJOIN, IFS…); IFNA is Excel 2013's
PLAIN = {"AND", "COLUMNS", "COUNTA", "COUNTIF", "COUNTIFS", "IF", "IFERROR", "IFNA", "INDEX", "ISERROR", "ISNA",
         "ISNUMBER", "LEFT", "LOWER", "MATCH", "MAX", "MONTH", "N", "NA", "OR", "RIGHT", "ROUND", "ROUNDUP", "ROWS",
         "SUBSTITUTE", "SUMIFS", "SUMPRODUCT", "TEXT", "TRIM", "YEAR"}


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", list(TEMPLATES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_portable_uses_only_functions_every_spreadsheet_has(name, lang, tmp_path):
    out = tmp_path / f"{name}.xlsx"
    assert run("new", name, "--portable", "--example", "-o", str(out), "--lang", lang).exit_code == 0
    book = openpyxl.load_workbook(out)
    meta = {r[0].value: r[1].value for r in book[META_SHEET].iter_rows(max_col=2)}
    assert meta["edition"] == "portable"
    used = {f.upper() for _ws, _cell, text in iter_formulas(book) for f in re.findall(r"([A-Za-z_.]+)\(", text)}
    assert used and used - {"_XLFN.IFNA"} <= PLAIN, used - PLAIN
    assert not any(isinstance(c.value, str) and c.value.startswith("{=") for ws in book.worksheets
                   for row in ws.iter_rows() for c in row)          # no array formula to enter with Ctrl+Shift+Enter


def test_what_plain_excel_cannot_compute_is_stored_and_marked(tmp_path):
    """M-REL-3: the TOP-10 check's wording as kamxl computed it, with a note saying so, in both languages."""
    template = TEMPLATES["account-plan"]
    for lang, words in (("zh", "kamxl 在写入文件时计算"), ("en", "kamxl computed this value")):
        path = write_template("account-plan", tmp_path / f"plan.{lang}.xlsx", lang=lang, filled=True,
                              edition="portable")
        sheet = openpyxl.load_workbook(path)[template.sheet_of(template.forms()[1]).name(lang)]
        header = template.forms()[1].field("top10_check").header(lang)
        check = next(row[1] for row in sheet.iter_rows() if row[0].value == header)
        assert check.value and check.comment is not None and words in check.comment.text


def test_kamxl_portable_keeps_every_typed_value(tmp_path):
    source = EXAMPLES / "funnel-example.en.xlsx"
    out = tmp_path / "portable.xlsx"
    result = run("portable", str(source), "-o", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "portable edition" in result.output
    before, after = read_workbook(source), read_workbook(out)
    assert after.edition == "portable" and before.edition == "kam"
    for name, table in before.tables.items():
        inputs = [c.key for c in table.table.columns if not c.formula and c.key in table.offsets]
        assert [[r.values[k] for k in inputs] for r in table.records] == \
               [[r.values[k] for k in inputs] for r in after.tables[name].records], name
        assert table.row_numbers == after.tables[name].row_numbers, name
    assert validate_file(out).findings == validate_file(source).findings or all(
        not f.rule.startswith("S-FORMULA") for f in validate_file(out).findings)


def test_kamxl_portable_keeps_a_number_typed_over_a_formula(tmp_path):
    source = tmp_path / "typed.xlsx"
    shutil.copy(EXAMPLES / "funnel-example.zh.xlsx", source)
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[0]
    header = {c.value: c.column_letter for c in sheet[5]}
    cell = f"{header['阶段赢率']}6"
    sheet[cell] = 0.95
    book.create_sheet("我的备注")["A1"] = "自己的笔记"
    book.save(source)
    out = tmp_path / "out.xlsx"
    result = run("portable", str(source), "-o", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert f"{sheet.title}!{cell}" in result.output and "我的备注" in result.output
    assert openpyxl.load_workbook(out).worksheets[0][cell].value == 0.95
    findings = {(f.rule, f.cell) for f in validate_file(out).findings}
    assert ("M-FUN-6", cell) in findings                 # still reported: validation is not fooled


def test_kamxl_portable_never_writes_over_its_input_or_another_file(tmp_path):
    source = tmp_path / "mine.xlsx"
    shutil.copy(EXAMPLES / "forecast-example.zh.xlsx", source)
    before = source.read_bytes()
    same = run("portable", str(source), "-o", str(source), "--lang", "zh")
    assert same.exit_code == 2 and "就是输入文件" in same.output
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"somebody's work")
    taken = run("portable", str(source), "-o", str(other), "--lang", "en")
    assert taken.exit_code == 2 and "already exists" in taken.output and other.read_bytes() == b"somebody's work"
    assert run("portable", str(source), "-o", str(other), "--force").exit_code == 0
    assert source.read_bytes() == before


def test_validate_accepts_either_edition_and_reports_a_typed_number_in_both(tmp_path):
    for edition in ("kam", "portable"):
        path = write_template("forecast", tmp_path / f"{edition}.xlsx", lang="en", filled=True, edition=edition)
        rules = {f.rule for f in validate_file(path).findings}
        assert not {r for r in rules if r.startswith(("S-FORMULA", "S-CACHED"))}, (edition, rules)
        book = openpyxl.load_workbook(path)
        lines = book.worksheets[0]
        first = int(re.sub(r"[A-Z]", "", lines.tables["ForecastLines"].ref.split(":")[0]))
        header = {c.value: c.column_letter for c in lines[first]}
        cell = f"{header['Weighted amount']}{first + 1}"
        lines[cell] = 123.0
        book.save(path)
        found = {(f.rule, f.cell) for f in validate_file(path).findings}
        assert ("S-FORMULA-OVERWRITTEN", cell) in found, edition


def test_a_stored_value_gone_stale_in_the_portable_edition_is_reported(tmp_path):
    path = write_template("account-plan", tmp_path / "plan.xlsx", lang="en", filled=True, edition="portable")
    book = openpyxl.load_workbook(path)
    template = TEMPLATES["account-plan"]
    ws = book[template.sheet_of(template.table("RelationshipPlan")).name("en")]
    first = next(row[1] for row in ws.iter_rows() if row[1].value == "Edward Collins")
    first.value = "Someone Else"            # the TOP-10 check's stored 'consistent' no longer holds (M-REL-3)
    book.save(path)
    stale = [f for f in validate_file(path).findings if f.rule == "S-CACHED-STALE"]
    assert len(stale) == 1 and "kamxl portable" in stale[0].fix("en") and "kamxl portable" in stale[0].fix("zh")
