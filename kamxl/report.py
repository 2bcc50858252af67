"""Writing a validation report: an Excel workbook for people, JSON for programs.

:func:`write_report` picks the writer from the file's suffix (``.xlsx`` or ``.json``).
Every writer replaces its target atomically (:func:`kamxl.io.atomic.atomic_path`): a
reader sees the old report or the new one, never half of one.

The workbook has three sheets, named and headed in the report's language, each holding
an Excel Table (filter buttons, frozen header):

``发现 / Findings``
    One row per finding, in :meth:`Report.rows` order, with the columns of
    :data:`kamxl.findings.COLUMNS` and, after the file, its owner (whom to chase:
    :attr:`FileResult.owners`). The cell is a link that opens the submitted file at
    that cell; a finding about a whole file (no cell) links the file itself, if it exists.
    Severity cells are coloured: error red, warning amber, info plain.
``文件汇总 / Files``
    One row per file validated, clean files included: owner, template, readable, counts (its
    own findings and the across-files findings that name it, as the summary counts them).
``规则统计 / Rules``
    Findings per rule (by severity, and how many files), most frequent first; beside it
    the batch's overall counts (:meth:`Report.counts`).

Files are shown relative to the submissions folder (``base``) when inside it, else by
their full path, never cut: the File column is as wide as its longest name (up to
:data:`MAX_FILE_WIDTH`, then wrapped). Links are relative to the report's folder inside
``base``, else ``file:///`` URIs, always with forward slashes, which Excel for Windows,
Excel for Mac and LibreOffice all follow (XlsxWriter writes backslashes).

The workbook carries the custom document property ``kamxl`` = ``report``: discovery passes
over a report left among the submissions, and ``--report`` may replace an earlier one
without ``--force`` (:mod:`kamxl.io.outputs`).

Safety. File names, sheet names, messages and hints come from the submissions (a message
quotes what a rep typed), so each is written as a string, never as a formula, in a
workbook that turns off XlsxWriter's guessing. Text a spreadsheet would take for a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) also gets Excel's quote
prefix, so that editing the cell keeps it text. Links are made only from the paths of
the submitted files and the findings' sheet and cell reference, never from cell contents.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.url import Url

from kamxl.errors import InputError
from kamxl.findings import COLUMNS, Finding, Report, Severity
from kamxl.i18n import Lang, Text, check_lang
from kamxl.io.atomic import atomic_path, output_lock
from kamxl.io.outputs import MARKER
from kamxl.templates.builder import FIXED_DATE, FORMULA_LIKE

__all__ = ["submissions_folder", "write_json", "write_report", "write_xlsx"]

# --- labels ------------------------------------------------------------------------------
TITLE = Text("kamxl 校验报告", "kamxl validation report")
FINDINGS_SHEET = Text("发现", "Findings")
FILES_SHEET = Text("文件汇总", "Files")
RULES_SHEET = Text("规则统计", "Rules")

FINDING_HEADERS = {
    "file": Text("文件", "File"),
    "owner": Text("负责人", "Owner"),
    "sheet": Text("工作表", "Sheet"),
    "cell": Text("单元格", "Cell"),
    "rule": Text("规则", "Rule"),
    "severity": Text("级别", "Severity"),
    "message": Text("问题", "Message"),
    "hint": Text("修改建议", "How to fix"),
}
FILE_HEADERS = {
    "file": Text("文件", "File"),
    "owner": Text("负责人", "Owner"),
    "template": Text("模板", "Template"),
    "readable": Text("可读取", "Readable"),
    "errors": Text("错误", "Errors"),
    "warnings": Text("警告", "Warnings"),
    "infos": Text("提示", "Infos"),
    "total": Text("合计", "Total"),
}
RULE_HEADERS = {
    "rule": Text("规则", "Rule"),
    "count": Text("次数", "Count"),
    "errors": Text("错误", "Errors"),
    "warnings": Text("警告", "Warnings"),
    "infos": Text("提示", "Infos"),
    "files": Text("涉及文件数", "Files affected"),
}
OVERALL = Text("总体", "Overall")
COUNT_LABELS = {  # the keys of Report.counts()
    "files": Text("文件数", "Files"),
    "clean": Text("无问题", "Clean"),
    "with_errors": Text("有错误", "With errors"),
    "with_warnings": Text("有警告（无错误）", "With warnings (no errors)"),
    "unreadable": Text("无法读取", "Unreadable"),
}
MORE_OWNERS = Text("{names} 等 {n} 人", "{names} and {more} more")
OWNER_SEP = {"zh": "、", "en": ", "}
SHOWN_OWNERS = 3          # a funnel of a whole team names its first three owners and how many more
YES = Text("是", "yes")
NO = Text("否", "no")
UNSUPPORTED = Text("不支持的报告格式“{suffix}”：报告文件名请以 .xlsx 或 .json 结尾",
                   "unsupported report format '{suffix}': name the report file .xlsx or .json")

# --- looks -------------------------------------------------------------------------------
TABLE_STYLE = "Table Style Medium 2"
FINDING_COLUMNS = ("file", "owner", *COLUMNS[1:])        # the Findings sheet's columns
FINDING_WIDTHS = {"file": 36, "owner": 14, "sheet": 16, "cell": 9, "rule": 14, "severity": 10, "message": 60,
                  "hint": 48}
MAX_FILE_WIDTH = 90        # the File column grows to its longest name up to this, then wraps
WRAPPED = frozenset({"message", "hint"})
SEVERITY_COLOURS = {Severity.ERROR: ("#FFC7CE", "#9C0006"), Severity.WARNING: ("#FFEB9C", "#9C5700")}  # fill, font
STYLES: dict[str, dict[str, Any]] = {
    "text": {"valign": "top"},
    "wrap": {"valign": "top", "text_wrap": True},
    "number": {"valign": "top", "num_format": "0"},
    "link": {"valign": "top", "font_color": "#0563C1", "underline": 1},
    "wrap_link": {"valign": "top", "font_color": "#0563C1", "underline": 1, "text_wrap": True},
    "label": {"bold": True},
    "heading": {"bold": True, "font_size": 11, "font_color": "#1F4E78"},
}

CELL_REF = re.compile(r"\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(:\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6})?", re.IGNORECASE)
MAX_URL = 2079             # Excel's limit for a link's path and for its location (XlsxWriter's check)
MAX_LINKS = 65_530         # Excel's limit of links per worksheet
# Characters Excel escapes in a link's path (as XlsxWriter does), plus '#', which would
# otherwise start the location. Escaped in one pass, so that '%' is escaped exactly once.
URL_ESCAPES = {"%": "%25", "#": "%23", '"': "%22", " ": "%20", "<": "%3c", ">": "%3e", "[": "%5b",
               "]": "%5d", "^": "%5e", "`": "%60", "{": "%7b", "}": "%7d"}


# --- public API ----------------------------------------------------------------------------
def write_report(report: Report, path: Path, *, lang: Lang, base: Path | None = None) -> Path:
    """Write ``report`` to ``path`` as .xlsx (:func:`write_xlsx`) or .json (:func:`write_json`).

    Any other suffix raises :class:`~kamxl.errors.InputError` ``S-REPORT``. ``base`` only
    affects the workbook (JSON keeps the file names as the report holds them).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".json"):
        with output_lock(path):          # two writers of one report: the second refuses (kamxl.io.atomic)
            if suffix == ".xlsx":
                return write_xlsx(report, path, lang=lang, base=base)
            return write_json(report, path, lang=lang)
    raise InputError("S-REPORT", UNSUPPORTED, {"suffix": path.suffix}).at(file=str(path))


def write_xlsx(report: Report, path: Path, *, lang: Lang, base: Path | None = None) -> Path:
    """Write the report workbook (three sheets, see the module docstring) to ``path``.

    File names in the report are paths, relative ones taken from the current folder.
    With ``base``, a file inside ``base`` is shown relative to it, and linked by a
    relative path from the report's own folder (so the links keep working when the
    report and the submissions are moved or shared together); any other file is shown
    and linked by its absolute path. Without ``base`` every file is absolute.
    """
    lang = check_lang(lang)
    path = Path(path)
    places = _Places.of(base, path.parent)
    with atomic_path(path) as tmp:
        _Workbook(report, tmp, lang=lang, places=places).write()
    return path


def write_json(report: Report, path: Path, *, lang: Lang) -> Path:
    """Write the report as UTF-8 JSON: ``counts``, ``rules`` (rule → count, most frequent
    first), ``files`` (one entry per file, in report order) and ``findings`` (the rows of
    :meth:`Report.rows` plus ``severity_level``: error, warning or info in any language)."""
    lang = check_lang(lang)
    path = Path(path)
    text = json.dumps(_json_data(report, lang), ensure_ascii=False, indent=2) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return path


def submissions_folder(paths: Iterable[Path]) -> Path | None:
    """The folder the report shows files relative to: the deepest folder holding every path
    given (a folder given counts as itself), or None when they share only a drive or the root
    (files are then shown by their full path)."""
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths]
    if not folders:
        return None
    try:
        common = os.path.commonpath(folders)
    except ValueError:  # different drives (Windows)
        return None
    return None if os.path.dirname(common) == common else Path(common)


# --- what both writers say -------------------------------------------------------------------
@dataclass(frozen=True)
class _RuleStat:
    rule: str
    count: int
    errors: int
    warnings: int
    infos: int
    files: int


def _by_severity(findings: Iterable[Finding]) -> tuple[int, int, int]:
    """(errors, warnings, infos)."""
    seen = Counter(f.severity for f in findings)
    return seen[Severity.ERROR], seen[Severity.WARNING], seen[Severity.INFO]


def _rule_stats(report: Report) -> list[_RuleStat]:
    """Per rule, most frequent first, then by rule id; files counted by distinct name."""
    findings = report.findings
    stats = []
    for rule, count in report.by_rule().items():
        mine = [f for f in findings if f.rule == rule]
        stats.append(_RuleStat(rule, count, *_by_severity(mine), files=len({f.file for f in mine if f.file})))
    return sorted(stats, key=lambda s: (-s.count, s.rule))


def _file_counts(findings: list[Finding]) -> dict[str, int]:
    """A file's counts, of its own findings and the across-files ones naming it (Report.by_file)."""
    errors, warnings, infos = _by_severity(findings)
    return {"errors": errors, "warnings": warnings, "infos": infos}


def _levels(lang: Lang) -> dict[str, Severity]:
    """A severity from its label in ``lang`` (rows carry only the translated label)."""
    return {level.label(lang): level for level in Severity}


def _json_data(report: Report, lang: Lang) -> dict[str, Any]:
    levels, mine = _levels(lang), report.by_file()
    return {
        "counts": report.counts(),
        "rules": {s.rule: s.count for s in _rule_stats(report)},
        "files": [{"file": r.file, "owners": list(r.owners), "template": r.template, "readable": r.readable,
                   **_file_counts(mine[r.file])} for r in report.files],
        "findings": [{**row, "severity_level": levels[row["severity"]].name.lower()} for row in report.rows(lang)],
    }


# --- where the submitted files are -----------------------------------------------------------
@dataclass(frozen=True)
class _Places:
    """How a submitted file is shown and linked from a report written in ``folder``."""

    base: str | None   # absolute
    folder: str        # absolute: the report's folder, where relative links start

    @classmethod
    def of(cls, base: Path | None, folder: Path) -> _Places:
        return cls(os.path.abspath(base) if base is not None else None, os.path.abspath(folder))

    def _inside_base(self, absolute: str) -> bool:
        if self.base is None:
            return False
        try:
            return os.path.normcase(os.path.commonpath([absolute, self.base])) == os.path.normcase(self.base)
        except ValueError:  # another drive (Windows)
            return False

    def shown(self, file: str) -> str:
        if not file:
            return ""
        absolute = os.path.abspath(file)
        if self.base is not None and self._inside_base(absolute):
            return os.path.relpath(absolute, self.base)
        return absolute

    def exists(self, file: str) -> bool:
        return bool(file) and os.path.isfile(file)

    def link(self, file: str, location: str = "") -> _FileLink:
        """A link to ``file``, opened at ``location`` if given: relative to the report's
        folder when the file is inside ``base``, else a ``file:///`` URI; '/' throughout."""
        absolute = os.path.abspath(file)
        target = None
        if self._inside_base(absolute):
            try:
                target = os.path.relpath(absolute, self.folder).replace(os.sep, "/")
            except ValueError:  # another drive (Windows): absolute it stays
                pass
        if target is None:
            target = _file_uri(absolute)
        return _FileLink("".join(URL_ESCAPES.get(ch, ch) for ch in target), location)


def _file_uri(absolute: str) -> str:
    """``/home/x/f.xlsx`` -> ``file:///home/x/f.xlsx``; ``C:\\x\\f.xlsx`` -> ``file:///C:/x/f.xlsx``;
    ``\\\\server\\share\\f.xlsx`` -> ``file://server/share/f.xlsx``."""
    path = absolute.replace(os.sep, "/")
    if path.startswith("//"):
        return "file:" + path
    return "file://" + (path if path.startswith("/") else "/" + path)


class _FileLink(Url):
    """An external link whose target is stored as given, with forward slashes.

    XlsxWriter turns every '/' of an ``external:`` link into '\\' (and reads a POSIX
    absolute path as a relative one): Excel for Windows follows those, Excel for Mac and
    LibreOffice do not. Forward slashes work in all three."""

    def __init__(self, target: str, location: str = "") -> None:
        super().__init__(f"external:{target}#{location}" if location else f"external:{target}")
        self.target, self.location = target, location

    def _target(self) -> str:             # what the package's relationship part stores
        return self.target


def _location(sheet: str, cell: str) -> str:
    """``'Rep''s funnel'!G7``: the sheet always quoted, its apostrophes doubled."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell)


def _owner_text(owners: tuple[str, ...], lang: Lang) -> str:
    """'王磊', '王磊、李娜', or '王磊、李娜、张伟 等 7 人' for a whole team's funnel."""
    names = OWNER_SEP[lang].join(owners[:SHOWN_OWNERS])
    if len(owners) <= SHOWN_OWNERS:
        return names
    return MORE_OWNERS(lang, names=names, n=len(owners), more=len(owners) - SHOWN_OWNERS)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


# --- the workbook ----------------------------------------------------------------------------
class _Workbook:
    def __init__(self, report: Report, path: Path, *, lang: Lang, places: _Places) -> None:
        self.report, self.lang, self.places = report, lang, places
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False})
        self.wb.set_properties({"title": TITLE(lang), "author": "kamxl", "created": FIXED_DATE})
        self.wb.set_custom_property(MARKER, "report")   # kamxl's own: discovery skips it, --report may replace it
        self.font = {"font_name": "Microsoft YaHei" if lang == "zh" else "Calibri", "font_size": 10}
        self.formats: dict[tuple[str, bool], Any] = {}
        self.links: Counter[str] = Counter()
        self.owners = {r.file: _owner_text(r.owners, lang) for r in report.files}

    def write(self) -> None:
        self._findings()
        self._files()
        self._rules()
        self.wb.close()

    # --- sheets --------------------------------------------------------------------------
    def _findings(self) -> None:
        ws = self.wb.add_worksheet(FINDINGS_SHEET(self.lang))
        rows = self.report.rows(self.lang)
        widths = {**FINDING_WIDTHS, "file": self._file_width([row["file"] for row in rows])}
        last = self._table(ws, "Findings", [FINDING_HEADERS[key] for key in FINDING_COLUMNS],
                           [widths[key] for key in FINDING_COLUMNS], len(rows))
        for r, row in enumerate(rows, start=1):
            file, sheet, cell = row["file"], row["sheet"], row["cell"]
            at_cell = bool(file and sheet and CELL_REF.fullmatch(cell))
            for c, key in enumerate(FINDING_COLUMNS):
                link = None
                if key == "cell" and at_cell:
                    link = self.places.link(file, _location(sheet, cell))
                elif key == "file" and not at_cell and self.places.exists(file):  # a finding about a whole file
                    link = self.places.link(file, _location(sheet, "A1") if sheet else "")
                if key == "file":
                    value = self.places.shown(file)
                else:
                    value = self.owners.get(file, "") if key == "owner" else row[key]
                self._put(ws, r, c, value, "wrap" if key in WRAPPED or key == "file" else "text", link)
        column = FINDING_COLUMNS.index("severity")
        for level, (fill, font) in SEVERITY_COLOURS.items():
            label = level.label(self.lang).replace('"', '""')
            ws.conditional_format(1, column, last, column, {
                "type": "cell", "criteria": "==", "value": f'"{label}"',
                "format": self.wb.add_format({"bg_color": fill, "font_color": font})})

    def _files(self) -> None:
        ws = self.wb.add_worksheet(FILES_SHEET(self.lang))
        width = self._file_width([r.file for r in self.report.files])
        self._table(ws, "Files", list(FILE_HEADERS.values()), [width, 14, 18, 10, 10, 10, 10, 10],
                    len(self.report.files))
        mine = self.report.by_file()
        for r, result in enumerate(self.report.files, start=1):
            counts = _file_counts(mine[result.file])
            link = self.places.link(result.file) if self.places.exists(result.file) else None
            self._put(ws, r, 0, self.places.shown(result.file), "wrap", link)
            self._put(ws, r, 1, self.owners.get(result.file, ""))
            self._put(ws, r, 2, result.template)
            self._put(ws, r, 3, (YES if result.readable else NO)(self.lang))
            for c, value in enumerate([counts["errors"], counts["warnings"], counts["infos"], len(mine[result.file])],
                                      start=4):
                self._put(ws, r, c, value)

    def _rules(self) -> None:
        ws = self.wb.add_worksheet(RULES_SHEET(self.lang))
        stats = _rule_stats(self.report)
        self._table(ws, "Rules", list(RULE_HEADERS.values()), [16, 10, 10, 10, 10, 14], len(stats))
        for r, s in enumerate(stats, start=1):
            self._put(ws, r, 0, s.rule)
            for c, value in enumerate([s.count, s.errors, s.warnings, s.infos, s.files], start=1):
                self._put(ws, r, c, value)
        label_col = len(RULE_HEADERS) + 1  # one empty column between the table and the totals
        ws.set_column(label_col, label_col, 26)
        ws.set_column(label_col + 1, label_col + 1, 10)
        ws.write_string(0, label_col, OVERALL(self.lang), self._fmt("heading"))
        for r, (key, value) in enumerate(self.report.counts().items(), start=1):
            ws.write_string(r, label_col, COUNT_LABELS[key](self.lang), self._fmt("label"))
            ws.write_number(r, label_col + 1, value, self._fmt("number"))

    # --- parts ---------------------------------------------------------------------------
    def _table(self, ws: Any, name: str, headers: list[Text], widths: list[float], rows: int) -> int:
        """An Excel Table at A1 with ``rows`` data rows; returns its last row."""
        last = max(rows, 1)  # an Excel Table has at least one data row, if empty
        ws.add_table(0, 0, last, len(headers) - 1, {
            "name": name, "style": TABLE_STYLE, "autofilter": True,
            "columns": [{"header": header(self.lang)} for header in headers]})
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        return last

    def _file_width(self, files: list[str]) -> float:
        """The File column as wide as the longest name shown (a Chinese character counts
        two), up to :data:`MAX_FILE_WIDTH`; longer ones wrap, so no file name is cut off."""
        shown = [_display_width(self.places.shown(f)) for f in files if f]
        return min(max([FINDING_WIDTHS["file"] - 2, *shown]) + 2, MAX_FILE_WIDTH)

    def _put(self, ws: Any, row: int, col: int, value: str | int, style: str = "text",
             link: _FileLink | None = None) -> None:
        """One cell: a number, a string (never a formula), or a string that is a link."""
        if isinstance(value, int):
            ws.write_number(row, col, value, self._fmt("number"))
            return
        quoted = value.startswith(FORMULA_LIKE)
        if link is not None and self._can_link(ws, link):
            self.links[ws.name] += 1
            link.text = value
            ws.write_url(row, col, link, self._fmt("wrap_link" if style == "wrap" else "link", quoted=quoted))
        elif value:
            ws.write_string(row, col, value, self._fmt(style, quoted=quoted))
        else:  # an empty cell, not an empty string: blank to ISBLANK and to readers
            ws.write_blank(row, col, None, self._fmt(style))

    def _can_link(self, ws: Any, link: _FileLink) -> bool:
        """Within Excel's limits (else the cell stays plain text rather than going empty)."""
        return (self.links[ws.name] < MAX_LINKS and _utf16_len(link.target) <= MAX_URL
                and _utf16_len(link.location) <= MAX_URL)

    def _fmt(self, style: str, *, quoted: bool = False) -> Any:
        key = (style, quoted)
        if key not in self.formats:
            self.formats[key] = self.wb.add_format({**self.font, **STYLES[style],
                                                    **({"quote_prefix": True} if quoted else {})})
        return self.formats[key]
