"""A real spreadsheet application (headless LibreOffice Calc) for tests.

openpyxl writes formulas without results and the ``formulas`` engine is our own model of
Excel; LibreOffice is an independent application that loads an .xlsx, recalculates it
and writes the results back, so tests can check what a user would actually see:
which cells are errors, what numbers come out, and how a sheet looks on paper.

Every run uses a throw-away user profile (never the real user's), with the
recalculation-on-load mode set explicitly, because the default (``prompt``) silently
means "never" without a user to ask. soffice runs are serialised (thread lock plus file
lock) because instances sharing a profile hand their work to each other or collide.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock only
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LibreOfficeError",
    "cached_errors",
    "cached_values",
    "convert",
    "recalculated_errors",
    "recalculated_values",
    "registry_xml",
    "render_pngs",
    "soffice_available",
]

#: ``--convert-to`` arguments: an explicit export filter, so the result never depends on
#: LibreOffice guessing from the extension. Other formats are passed through as given.
FILTERS: dict[str, str] = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "pdf": "pdf:calc_pdf_Export",
}

#: Values of ``/org.openoffice.Office.Calc/Formula/Load`` ``OOXMLRecalcMode``/``ODFRecalcMode``.
RECALC_ALWAYS = 0
RECALC_NEVER = 1

# LibreOffice's own error codes, in case one ever reaches a file as text.
_LO_ERROR = re.compile(r"^Err:\d{3}$")

_thread_lock = threading.Lock()
_profiles: dict[bool, Path] = {}


class LibreOfficeError(RuntimeError):
    """soffice (or pdftoppm) failed, timed out or produced no output file."""


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True when a LibreOffice ``soffice`` executable is on PATH."""
    return _soffice() is not None


def registry_xml(recalc: bool) -> str:
    """The ``registrymodifications.xcu`` written into each throw-away profile.

    ``recalc=True`` -> 0 (always recalculate on load); ``False`` -> 1 (never: show the
    cached values stored in the file; cells without a cached value are still computed).
    """
    mode = RECALC_ALWAYS if recalc else RECALC_NEVER
    items = "".join(
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="{name}" oor:op="fuse"><value>{mode}</value></prop></item>\n'
        for name in ("OOXMLRecalcMode", "ODFRecalcMode")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


def _profile(recalc: bool) -> Path:
    """This process's throw-away profile for one recalc mode (created once, removed at exit).

    Reused across calls because a fresh profile costs LibreOffice a first-start; callers
    hold the lock, so no two soffice processes ever share it.
    """
    profile = _profiles.get(recalc)
    if profile is None or not profile.is_dir():
        profile = Path(tempfile.mkdtemp(prefix=f"kamxl-lo-profile-{int(recalc)}-"))
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(registry_xml(recalc), encoding="utf-8")
        atexit.register(shutil.rmtree, profile, True)
        _profiles[recalc] = profile
    return profile


def _discard_profile(recalc: bool) -> None:
    """Forget a profile a killed soffice may have left half-written."""
    profile = _profiles.pop(recalc, None)
    if profile is not None:
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def _one_soffice_at_a_time() -> Iterator[None]:
    """Serialise soffice runs across threads and processes (e.g. pytest-xdist workers)."""
    with _thread_lock:
        if fcntl is None:  # pragma: no cover
            yield
            return
        uid = os.getuid() if hasattr(os, "getuid") else 0
        lock_path = Path(tempfile.gettempdir()) / f"kamxl-soffice-{uid}.lock"
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _run(args: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    """Run a command in its own process group so a timeout kills soffice.bin too, not just the wrapper."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
        out, err = proc.communicate()
        raise LibreOfficeError(f"{what} timed out after {timeout:g}s\nstdout: {out.strip()}\nstderr: {err.strip()}") from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def convert(source: Path, target_dir: Path, fmt: str, *, recalc: bool, timeout: float = 120,
            infilter: str | None = None) -> Path:
    """Convert ``source`` with LibreOffice into ``target_dir/<stem>.<ext>`` and return that path.

    ``infilter`` names the import filter when the extension does not (an ``.xlam`` add-in:
    ``"Calc MS Excel 2007 VBA XML"``, which also imports the VBA project).

    LibreOffice only ever sees a private copy of ``source``, so the original is never
    touched, even when converting xlsx to xlsx. ``recalc`` picks the on-load mode (see
    :func:`registry_xml`). Raises LibreOfficeError, carrying soffice's output, when no
    file appears.
    """
    soffice = _soffice()
    if soffice is None:
        raise LibreOfficeError("soffice not found on PATH (Debian: apt-get install libreoffice-calc-nogui)")
    source = Path(source).resolve()
    if not source.is_file():
        raise FileNotFoundError(source)
    ext = fmt.split(":", 1)[0]
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{source.stem}.{ext}"
    if target.resolve() == source:
        raise ValueError(f"converting {source.name} to {ext} in its own folder would overwrite it; pick another target_dir")

    with tempfile.TemporaryDirectory(prefix="kamxl-lo-") as tmp:
        in_dir, out_dir = Path(tmp, "in"), Path(tmp, "out")
        in_dir.mkdir()
        copy = in_dir / source.name
        shutil.copyfile(source, copy)
        with _one_soffice_at_a_time():
            profile = _profile(recalc)
            args = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                FILTERS.get(fmt, fmt),
                "--outdir",
                str(out_dir),
                str(copy),
            ]
            try:
                done = _run(args, timeout, f"soffice converting {source.name} to {ext}")
            except LibreOfficeError:
                _discard_profile(recalc)
                raise
        produced = out_dir / f"{copy.stem}.{ext}"
        if not produced.is_file():
            raise LibreOfficeError(
                f"soffice produced no {ext} for {source} (exit code {done.returncode})\n"
                f"stdout: {done.stdout.strip()}\nstderr: {done.stderr.strip()}"
            )
        shutil.move(str(produced), str(target))
    return target


def _cells(xlsx: Path) -> Iterator[tuple[str, object, str]]:
    """(``"Sheet!A1"``, cached value, openpyxl data type) for every non-empty worksheet cell."""
    wb = openpyxl.load_workbook(xlsx, data_only=True)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield f"{ws.title}!{cell.coordinate}", cell.value, cell.data_type
    finally:
        wb.close()


def cached_values(xlsx: Path) -> dict[str, object]:
    """Every cached value in a file, keyed ``"Sheet!A1"`` (sheet title unquoted)."""
    return {key: value for key, value, _ in _cells(xlsx)}


def cached_errors(xlsx: Path) -> dict[str, str]:
    """Cells whose cached value is an error (``#NAME?``, ``#DIV/0!``, ..., ``Err:502``).

    Uses the cell type (``t="e"``), so text that merely looks like ``#N/A`` is not an error.
    """
    return {
        key: str(value)
        for key, value, data_type in _cells(xlsx)
        if data_type == "e" or (isinstance(value, str) and _LO_ERROR.match(value))
    }


def recalculated_values(source: Path, workdir: Path) -> dict[str, object]:
    """All values after LibreOffice fully recalculates ``source`` (a copy is written to ``workdir``)."""
    return cached_values(convert(source, workdir, "xlsx", recalc=True))


def recalculated_errors(source: Path, workdir: Path) -> dict[str, str]:
    """The error cells after LibreOffice fully recalculates ``source``: ``{"Sheet!A1": "#NAME?"}``."""
    return cached_errors(convert(source, workdir, "xlsx", recalc=True))


def _page_number(png: Path) -> int:
    return int(png.stem.rsplit("-", 1)[1])


def render_pngs(
    source: Path,
    out_dir: Path,
    *,
    recalc: bool = False,
    dpi: int = 60,
    first_pages: int | None = None,
    timeout: float = 120,
) -> list[Path]:
    """Render a workbook to PNG pages (xlsx -> PDF -> pdftoppm) for a human to look at.

    Returns ``out_dir/<stem>-<page>.png`` in page order; ``first_pages`` limits how many.
    Needs pdftoppm (Debian: poppler-utils).
    """
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeError("pdftoppm not found on PATH (Debian: apt-get install poppler-utils)")
    source = Path(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kamxl-png-") as tmp:
        pdf = convert(source, Path(tmp), "pdf", recalc=recalc, timeout=timeout)
        pages_dir = Path(tmp, "pages")
        pages_dir.mkdir()
        args = [pdftoppm, "-r", str(dpi), "-png"]
        if first_pages is not None:
            args += ["-l", str(first_pages)]
        done = _run([*args, str(pdf), str(pages_dir / source.stem)], timeout, f"pdftoppm on {pdf.name}")
        pages = sorted(pages_dir.glob("*.png"), key=_page_number)
        if done.returncode != 0 or not pages:
            raise LibreOfficeError(f"pdftoppm produced no pages for {pdf.name} (exit code {done.returncode})\nstderr: {done.stderr.strip()}")
        result = []
        for page in pages:
            target = out_dir / page.name
            shutil.move(str(page), str(target))
            result.append(target)
    return result
