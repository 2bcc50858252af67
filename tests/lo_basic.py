"""Run a Basic function against a workbook's VBA in a real LibreOffice (not a test module).

Usage: ``python lo_basic.py WORKBOOK DRIVER.bas`` with a Python that has LibreOffice's UNO
bridge (Debian: python3-uno, for the system ``/usr/bin/python3``). The workbook is loaded
hidden with the VBA import filter and macros allowed, in a throw-away profile; the
driver's source becomes a module of the document's Standard library, its ``Main()`` is
called and its result printed. soffice is always stopped, also on failure.
"""
from __future__ import annotations

import os
import sys

from lo_uno import NotStarted, office, prop


def main(workbook: str, driver: str) -> int:
    import uno

    try:
        with office("basic") as (desktop, _profile):
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(os.path.abspath(workbook)), "_blank", 0,
                (prop("Hidden", True), prop("MacroExecutionMode", 4), prop("FilterName", "Calc MS Excel 2007 VBA XML")))
            try:
                libraries = doc.BasicLibraries
                for name in libraries.getElementNames():
                    libraries.loadLibrary(name)
                with open(driver, encoding="utf-8") as handle:
                    libraries.getByName("Standard").insertByName("KamDriver", handle.read())
                script = doc.getScriptProvider().getScript(
                    "vnd.sun.star.script:Standard.KamDriver.Main?language=Basic&location=document")
                result = script.invoke((), (), ())[0]
                print(result if result is not None else "<no result: a Basic error>")
            finally:
                doc.close(True)
    except NotStarted as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
