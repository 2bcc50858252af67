"""A LibreOffice that stays up while a test types into its workbooks (not a test module).

Usage: ``/usr/bin/python3 lo_recalc.py`` — a Python with LibreOffice's UNO bridge
(Debian: python3-uno). It starts soffice in a throw-away profile and answers one JSON
request per line on stdin with one JSON line on stdout:

* ``{"open": PATH}`` loads a workbook hidden -> ``{"doc": N}``;
* ``{"doc": N, "set": [[SHEET, COLUMN, ROW, [v, …]], …], "read": [SHEET, …]}`` types each
  list of values down a column from (0-based) COLUMN, ROW — numbers, text, or null for an
  empty cell — recalculates everything, and answers every formula cell of the sheets
  read: ``{"Sheet!A1": value}`` with a number or text, or ``{"error": "#VALUE!"}``.

An empty line ends it; soffice is always stopped. One process for hundreds of examples:
a property test cannot start LibreOffice for each (tests/test_portable_equivalence.py).
"""
from __future__ import annotations

import json
import os
import sys

from lo_uno import NotStarted, office, prop

# LibreOffice's error codes (cell.getError()) as the Excel errors it saves them as
ERRORS = {502: "#NUM!", 503: "#NUM!", 504: "#VALUE!", 511: "#VALUE!", 519: "#VALUE!", 520: "#VALUE!",
          522: "#VALUE!", 523: "#NUM!", 524: "#REF!", 525: "#NAME?", 532: "#DIV/0!", 32767: "#N/A"}


def main() -> int:
    import uno

    docs: list[object] = []
    try:
        with office("recalc") as (desktop, _profile):
            print(json.dumps({"ready": True}), flush=True)
            try:
                for line in sys.stdin:
                    if not line.strip():
                        break
                    print(json.dumps(_answer(json.loads(line), desktop, docs, uno)), flush=True)
            finally:
                for doc in docs:
                    try:
                        doc.close(True)
                    except Exception:  # noqa: BLE001, S110 - soffice is stopped next anyway
                        pass
    except NotStarted as exc:
        print(json.dumps({"failed": str(exc)}), flush=True)
        return 2
    return 0


def _answer(request: dict, desktop: object, docs: list[object], uno: object) -> object:
    try:
        if "open" in request:
            docs.append(desktop.loadComponentFromURL(  # type: ignore[attr-defined]
                uno.systemPathToFileUrl(os.path.abspath(request["open"])), "_blank", 0,  # type: ignore[attr-defined]
                (prop("Hidden", True),)))
            return {"doc": len(docs) - 1}
        return _type_and_read(docs[request["doc"]], request.get("set", []), request.get("read", []))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails with it
        return {"failed": f"{type(exc).__name__}: {exc}"}


def _type_and_read(doc: object, writes: list, sheets: list[str]) -> dict[str, object]:
    from com.sun.star.sheet.FormulaResult import ERROR

    for sheet_name, column, row, values in writes:   # (an empty string leaves a cell empty)
        cells = doc.Sheets.getByName(sheet_name).getCellRangeByPosition(column, row, column, row + len(values) - 1)
        cells.setDataArray(tuple(("" if v is None else v if isinstance(v, str) else float(v),) for v in values))
    doc.calculateAll()
    out: dict[str, object] = {}
    for name in sheets:
        sheet = doc.Sheets.getByName(name)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        area = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        formulas, data = area.getFormulaArray(), area.getDataArray()
        errors = set()
        found = area.queryFormulaCells(ERROR)
        for address in found.getRangeAddresses():
            for r in range(address.StartRow, address.EndRow + 1):
                for c in range(address.StartColumn, address.EndColumn + 1):
                    errors.add((r, c))
        for r, row in enumerate(formulas):
            for c, text in enumerate(row):
                if text.startswith("="):
                    key = f"{name}!{_column(c)}{r + 1}"
                    if (r, c) in errors:
                        code = sheet.getCellByPosition(c, r).getError()
                        out[key] = {"error": ERRORS.get(code, f"Err:{code}")}
                    else:
                        out[key] = data[r][c]
    return out


def _column(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


if __name__ == "__main__":
    sys.exit(main())
