"""The rows of a big table (a business unit's roll-up: hundreds of thousands of forecast
lines) written straight into the sheet's XML, after XlsxWriter has written everything
else. XlsxWriter spends about 10 µs on a cell; this spends well under one.

XlsxWriter still writes the table (its definition, header, formats, validation and the
first data row); that first row is the pattern: each column's style, and the formula of
each calculated column, are copied from it to every other row. Values become numbers,
booleans, dates (serial numbers in the date style) or inline strings — never formulas:
text from an input is text, whatever it starts with. Such a table's calculated columns
hold their formula in every row but are not declared as calculated columns, so Excel does
not extend them to rows typed below (a roll-up of this size is a report, not a form).
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

EPOCH = dt.date(1899, 12, 30)       # Excel's 1900 date system, as XlsxWriter writes it
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(r"<f>(.*?)</f>", re.S)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class BulkRows:
    """Rows for one table, to be written after the workbook is closed."""

    part: str                    # e.g. 'xl/worksheets/sheet1.xml'
    first_row: int               # 1-based row of the first data row (the pattern)
    first_col: int               # 0-based
    keys: list[str]              # column keys, in column order
    rows: list[dict[str, Any]]   # every data row, the first included


def _escape(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL.search(text):    # as Excel encodes control characters
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _pattern(xml: str, row: int) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """The attributes of the pattern row, and per column letter its style and formula."""
    match = next(m for m in _ROW.finditer(xml) if int(m.group(1)) == row)
    head = re.match(r"<row ([^>]*?)/?>", match.group()).group(1)  # type: ignore[union-attr]
    attrs = re.sub(r'r="\d+"\s*', "", head).strip()
    cells = {}
    for c in _CELL.finditer(match.group()):
        formula = _FORMULA.search(c.group(3) or "")
        cells[c.group(1)] = (f' s="{c.group(2)}"' if c.group(2) else "", formula.group(1) if formula else None)
    return attrs, cells


def _cell(ref: str, style: str, value: object) -> str:
    kind = type(value)                       # the common types first: this runs millions of times
    if kind is str:
        if not value:
            return f'<c r="{ref}"{style}/>'
        space = ' xml:space="preserve"' if value[0] in " \t\n" or value[-1] in " \t\n" else ""  # type: ignore[index]
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'  # type: ignore[arg-type]
    if kind is float or kind is int:
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f'<c r="{ref}"{style}><v>{(day - EPOCH).days}</v></c>'
    return _cell(ref, style, str(value))


def _rows_xml(job: BulkRows, attrs: str, pattern: dict[str, tuple[str, str | None]]) -> list[str]:
    letters = [xl_col_to_name(job.first_col + i) for i in range(len(job.keys))]
    columns = [(key, letter, *pattern.get(letter, ("", None))) for key, letter in zip(job.keys, letters)]
    out = []
    for i, values in enumerate(job.rows):
        r = job.first_row + i
        cells = "".join(f'<c r="{letter}{r}"{style}><f>{formula}</f></c>' if formula is not None
                        else _cell(f"{letter}{r}", style, values.get(key))
                        for key, letter, style, formula in columns)
        out.append(f'<row r="{r}" {attrs}>{cells}</row>' if attrs else f'<row r="{r}">{cells}</row>')
    return out


def fill(path: Path, jobs: list[BulkRows]) -> None:
    """Rewrite ``path`` (a closed XlsxWriter workbook) with every job's rows in place."""
    if not jobs:
        return
    by_part: dict[str, list[BulkRows]] = {}
    for job in jobs:
        by_part.setdefault(job.part, []).append(job)
    tmp = path.with_name(path.name + ".bulk")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in by_part:
                data = _fill_part(data.decode("utf-8"), by_part[info.filename]).encode("utf-8")
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    shutil.move(tmp, path)


def _fill_part(xml: str, jobs: list[BulkRows]) -> str:
    start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
    body = xml[start:end]
    replaced: dict[int, str] = {}
    spans = []
    for job in jobs:
        attrs, pattern = _pattern(body, job.first_row)
        for r, row in enumerate(_rows_xml(job, attrs, pattern), start=job.first_row):
            replaced[r] = row
        spans.append((job.first_row, job.first_row + len(job.rows) - 1))
    kept = [(int(m.group(1)), m.group()) for m in _ROW.finditer(body)
            if not any(lo <= int(m.group(1)) <= hi for lo, hi in spans)]
    rows = sorted(kept + list(replaced.items()), key=lambda pair: pair[0])
    return xml[:start] + "".join(row for _r, row in rows) + xml[end:]
