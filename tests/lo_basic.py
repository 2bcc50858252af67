"""Run a Basic function against a workbook's VBA in a real LibreOffice (not a test module).

Usage: ``python lo_basic.py WORKBOOK DRIVER.bas`` with a Python that has LibreOffice's UNO
bridge (Debian: python3-uno, for the system ``/usr/bin/python3``). The workbook is loaded
hidden with the VBA import filter and macros allowed, in a throw-away profile; the
driver's source becomes a module of the document's Standard library, its ``Main()`` is
called and its result printed. soffice is always stopped, also on failure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time


def main(workbook: str, driver: str) -> int:
    import uno
    from com.sun.star.beans import PropertyValue

    def prop(name: str, value: object) -> PropertyValue:
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    profile = tempfile.mkdtemp(prefix="kamxl-lo-basic-")
    pipe = f"kamxl-basic-{os.getpid()}"
    soffice = shutil.which("soffice") or "soffice"
    proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--nologo", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
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
            print("soffice did not start", file=sys.stderr)
            return 2
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
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
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
