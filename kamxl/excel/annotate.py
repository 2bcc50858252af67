"""A reviewed copy of a workbook: its findings as cell comments and on a sheet of their own.

The ribbon's *Validate workbook* never touches the rep's workbook: it validates a copy
Excel saved (``SaveCopyAs``) and writes this annotated copy beside the other kamxl
outputs. openpyxl rewrites the copy, so charts and pictures are not carried over into it;
values, formulas, tables, validations and formats are. The rep reads the comments, then
fixes the original.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook.workbook import Workbook

from kamxl.findings import COLUMNS, FileResult, Finding, Severity
from kamxl.i18n import Lang, Text
from kamxl.io.atomic import atomic_path
from kamxl.report import FINDING_HEADERS

SHEET = Text("kamxl 检查结果", "kamxl findings")
AUTHOR = "kamxl"
NOTE = Text("这是副本：请在原工作簿中修改。", "This is a copy: make the fixes in the original workbook.")
SEVERITY_FONT = {Severity.ERROR: Font(color="C00000", bold=True), Severity.WARNING: Font(color="B45F06")}


def comment_text(finding: Finding, lang: Lang) -> str:
    """What the comment on a finding's cell says: rule, severity, message and fix."""
    return f"[{finding.rule}] {finding.severity.label(lang)}: {finding.text(lang)}\n→ {finding.fix(lang)}"


def annotate_copy(source: Path, result: FileResult, target: Path, *, lang: Lang) -> Path:
    """Write ``target``: the workbook ``source`` with a comment on every cell a finding
    names and, first, a sheet listing every finding with a link to its cell."""
    keep_vba = source.suffix.lower() == ".xlsm" and target.suffix.lower() == ".xlsm"
    book = openpyxl.load_workbook(source, keep_vba=keep_vba, keep_links=True)
    try:
        _comment_cells(book, result.findings, lang)
        _findings_sheet(book, result, lang)
        with atomic_path(target) as tmp:
            book.save(tmp)
    finally:
        book.close()
    return target


def _comment_cells(book: Workbook, findings: list[Finding], lang: Lang) -> None:
    texts: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        if f.sheet in book.sheetnames and _is_cell(f.cell):
            texts.setdefault((f.sheet, f.cell), []).append(comment_text(f, lang))
    for (sheet, cell), lines in texts.items():
        target = book[sheet][cell]
        before = target.comment.text + "\n\n" if target.comment is not None else ""
        comment = Comment(before + "\n\n".join(lines), AUTHOR)
        comment.width, comment.height = 360, 40 + 60 * len(lines)
        target.comment = comment


def _is_cell(ref: str) -> bool:
    try:
        coordinate_from_string(ref)
    except ValueError:
        return False
    return True


def _findings_sheet(book: Workbook, result: FileResult, lang: Lang) -> None:
    sheet = book.create_sheet(_free_name(book, SHEET(lang)), 0)
    sheet.append([NOTE(lang)])
    sheet["A1"].font = Font(italic=True)
    headers = [FINDING_HEADERS[c](lang) for c in COLUMNS]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for f in sorted(result.findings, key=lambda f: (-f.severity, f.sheet, f.cell, f.rule)):
        row = [result.file, f.sheet, f.cell, f.rule, f.severity.label(lang), f.text(lang), f.fix(lang)]
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for cell in cells:
            _keep_text(cell)
        if f.sheet in book.sheetnames and _is_cell(f.cell):
            cells[2].hyperlink = f"#'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell}"
            cells[2].font = Font(color="0563C1", underline="single")
        if f.severity in SEVERITY_FONT:
            cells[4].font = SEVERITY_FONT[f.severity]
    for letter, width in zip("ABCDEFG", (24, 16, 9, 14, 9, 70, 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = 0
    sheet.sheet_view.tabSelected = True


def _free_name(book: Workbook, name: str) -> str:
    taken = {n.casefold() for n in book.sheetnames}
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _keep_text(cell: Cell) -> None:
    """Everything a rep typed stays text, never a formula, in the reviewed copy."""
    if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"
        cell.quotePrefix = True
