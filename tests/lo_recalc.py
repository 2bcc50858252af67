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
import shutil
import subprocess
import sys
import tempfile
import time

# LibreOffice's error codes (cell.getError()) as the Excel errors it saves them as
ERRORS = {502: "#NUM!", 503: "#NUM!", 504: "#VALUE!", 511: "#VALUE!", 519: "#VALUE!", 520: "#VALUE!",
          522: "#VALUE!", 523: "#NUM!", 524: "#REF!", 525: "#NAME?", 532: "#DIV/0!", 32767: "#N/A"}


def main() -> int:
    import uno
    from com.sun.star.beans import PropertyValue

    def prop(name: str, value: object) -> PropertyValue:
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    profile = tempfile.mkdtemp(prefix="kamxl-lo-recalc-")
    pipe = f"kamxl-recalc-{os.getpid()}"
    soffice = shutil.which("soffice") or "soffice"
    proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--nologo", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    docs: list[object] = []
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(300):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.2)
        else:
            print(json.dumps({"failed": "soffice did not start"}), flush=True)
            return 2
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            request = json.loads(line)
            try:
                if "open" in request:
                    docs.append(desktop.loadComponentFromURL(
                        uno.systemPathToFileUrl(os.path.abspath(request["open"])), "_blank", 0, (prop("Hidden", True),)))
                    answer: object = {"doc": len(docs) - 1}
                else:
                    answer = _type_and_read(docs[request["doc"]], request.get("set", []), request.get("read", []))
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails with it
                answer = {"failed": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)
        return 0
    finally:
        for doc in docs:
            try:
                doc.close(True)
            except Exception:  # noqa: BLE001, S110 - soffice is stopped next anyway
                pass
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        shutil.rmtree(profile, ignore_errors=True)


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
