"""How LibreOffice paginates each sheet of a workbook (not a test module).

Usage: ``/usr/bin/python3 lo_pages.py WORKBOOK…`` — a Python with LibreOffice's UNO bridge
(Debian: python3-uno). It starts soffice in a throw-away profile, loads each workbook,
prints each visible sheet alone to PDF, cut to its top rows (so one page tall) and prints
one JSON line per workbook: ``{"file": PATH, "sheets": {SHEET: pages across, …}}``.
LibreOffice's own page breaks (``getColumnPageBreaks``) ignore a fit-to-width scale, so
the pages are counted in the PDF it prints.
"""
from __future__ import annotations

import json
import os
import re
import sys

from lo_uno import NotStarted, office, prop


def main(paths: list[str]) -> int:
    import uno

    try:
        with office("pages") as (desktop, profile):
            for path in paths:
                doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                                   (prop("Hidden", True),))
                try:
                    visible = [doc.Sheets.getByIndex(i) for i in range(doc.Sheets.Count)]
                    visible = [sheet for sheet in visible if sheet.IsVisible]
                    for sheet in visible:   # an empty list of print ranges: the sheet prints nothing
                        sheet.setPrintAreas(())
                    sheets = {sheet.Name: _pages_across(doc, sheet, profile) for sheet in visible}
                    print(json.dumps({"file": path, "sheets": sheets}, ensure_ascii=False), flush=True)
                finally:
                    doc.close(True)
    except NotStarted as exc:
        print(json.dumps({"failed": str(exc)}), flush=True)
        return 2
    return 0


def _pages_across(doc: object, sheet: object, profile: str) -> int:
    """Pages across the sheet prints on: its print range cut to its top rows (all its columns,
    charts included), so it is one page tall; every other sheet has an empty list of print
    ranges (prints nothing), so the PDF holds this sheet's pages across only."""
    import uno
    from com.sun.star.table import CellRangeAddress

    try:
        right = _content_end(sheet)
        last = 0
        while sheet.getCellByPosition(last + 1, 0).Position.X < right:
            last += 1
        area = CellRangeAddress()
        area.Sheet, area.StartColumn, area.StartRow, area.EndColumn, area.EndRow = sheet.RangeAddress.Sheet, 0, 0, last, 1
        sheet.setPrintAreas((area,))
        pdf = os.path.join(os.environ.get("KAMXL_PAGES_KEEP", profile), f"{sheet.Name}.pdf")
        # LibreOffice skips empty pages: a mark in every column of row 2 (this copy is never saved)
        sheet.unprotect("")
        sheet.getCellRangeByPosition(0, 1, last, 1).setDataArray((tuple("x" for _ in range(last + 1)),))
        doc.storeToURL(uno.systemPathToFileUrl(pdf), (prop("FilterName", "calc_pdf_Export"),))
        with open(pdf, "rb") as f:
            return len(re.findall(rb"/Type\s*/Page[^s]", f.read()))
    finally:
        sheet.setPrintAreas(())


def _content_end(sheet: object) -> int:
    """Where the printed content ends on the right (1/100 mm): used cells and every chart."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    corner = sheet.getCellByPosition(end.EndColumn, 0)
    right = corner.Position.X + corner.Size.Width
    page = sheet.DrawPage
    for i in range(page.Count):
        shape = page.getByIndex(i)
        right = max(right, shape.Position.X + shape.Size.Width)
    return right


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
