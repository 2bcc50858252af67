"""A headless LibreOffice for the lo_* scripts, which run under a Python with LibreOffice's
UNO bridge (Debian: python3-uno) and import this module from their own folder.

``office(name)`` starts soffice in a throw-away profile, connects over a pipe and yields its
desktop; soffice is always stopped and the profile removed, also on failure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


class NotStarted(Exception):
    """soffice did not answer on its pipe within a minute."""


def prop(name: str, value: object) -> object:
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def office(name: str) -> Iterator[tuple[object, str]]:
    """(LibreOffice's desktop, the profile folder) while the block runs."""
    import uno

    profile = tempfile.mkdtemp(prefix=f"kamxl-lo-{name}-")
    pipe = f"kamxl-{name}-{os.getpid()}"
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
            raise NotStarted("soffice did not start")
        yield ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx), profile
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        shutil.rmtree(profile, ignore_errors=True)
