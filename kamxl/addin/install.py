"""``kamxl addin install / uninstall / status``: the add-in in Excel's start-up folder,
as ``xlwings addin install`` does for xlwings' own add-in.

Excel opens every workbook in the user's start-up folder (XLSTART) when it starts; an
add-in there loads without the Add-ins dialog. Excel need not be running: the folder is
known (``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows, Office's group container on
macOS). On any other system there is no Excel: the commands say so and where the add-in
file is.

``install`` also writes the rep's xlwings settings file for this add-in (``kamxl.conf``,
read by the add-in's xlwings module) with the Python that runs kamxl, unless the admin
already put one there, and on macOS the AppleScript RunPython needs (as ``xlwings
runpython install`` does) and the add-in's own (its folder picker).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kamxl.errors import SetupError
from kamxl.i18n import Lang, Text

ADDIN_NAME = "kamxl.xlam"
MAC_OFFICE = Path("Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel")
MAC_SANDBOX = Path("Library/Containers/com.microsoft.Excel/Data")
MAC_SCRIPTS = Path("Library/Application Scripts/com.microsoft.Excel")
#: the add-in's own AppleScript (kamxl/addin/src): the Mac's folder picker (KamRibbon.KamPickFolder)
MAC_SCRIPT = "kamxl.applescript"

NO_EXCEL = Text("此系统（{system}）上没有 Excel，无法安装加载项。加载项文件：{path}\n"
                "请把它复制到销售人员的 Windows 或 Mac 电脑上，在那里运行 kamxl addin install。",
                "Excel is not present on this system ({system}), so the add-in cannot be installed here. "
                "The add-in file: {path}\nCopy it to the reps' Windows or Mac computers and run kamxl addin install there.")
LOCKED = Text("无法写入或删除 {path}：请先退出 Excel 再试（{error}）",
              "cannot write or remove {path}: quit Excel and try again ({error})")
NO_SOURCE = Text("找不到加载项文件：{path}", "no add-in file at {path}")


@dataclass(frozen=True)
class Places:
    """Where Excel looks on one machine: the start-up folder, the xlwings settings file of
    this add-in, and (macOS) the folder of RunPython's AppleScript."""

    startup: Path
    settings: Path
    scripts: Path | None = None

    @property
    def addin(self) -> Path:
        return self.startup / ADDIN_NAME


def excel_places(*, system: str | None = None, environ: Mapping[str, str] | None = None,
                 home: Path | None = None) -> Places | None:
    """Excel's folders for the current user; None where there is no Excel (Linux…)."""
    system = system or sys.platform
    environ = os.environ if environ is None else environ
    home = home if home is not None else Path.home()
    if system.startswith("win"):
        appdata = Path(environ.get("APPDATA") or home / "AppData" / "Roaming")
        profile = Path(environ.get("USERPROFILE") or home)
        return Places(appdata / "Microsoft" / "Excel" / "XLSTART", profile / ".kamxl" / "kamxl.conf")
    if system == "darwin":
        return Places(home / MAC_OFFICE, home / MAC_SANDBOX / "kamxl.conf", home / MAC_SCRIPTS)
    return None


def _places(system: str | None, environ: Mapping[str, str] | None, home: Path | None, built: Path) -> Places:
    places = excel_places(system=system, environ=environ, home=home)
    if places is None:
        raise SetupError("S-SETUP", NO_EXCEL, {"system": system or sys.platform, "path": built.resolve()})
    return places


def install(*, source: bytes | Path | None = None, system: str | None = None,
            environ: Mapping[str, str] | None = None, home: Path | None = None,
            built: Path = Path("workbooks") / ADDIN_NAME, python: str = sys.executable) -> Places:
    """Put the add-in into Excel's start-up folder: ``source`` (a file or the bytes of one),
    by default a fresh build from this kamxl's sources."""
    places = _places(system, environ, home, built)
    if isinstance(source, Path):
        if not source.is_file():
            raise SetupError("S-SETUP", NO_SOURCE, {"path": source})
        data = source.read_bytes()
    elif source is None:
        from kamxl.addin.build import build_bytes

        data = build_bytes()
    else:
        data = source
    try:
        places.startup.mkdir(parents=True, exist_ok=True)
        places.addin.write_bytes(data)
    except OSError as exc:
        raise SetupError("S-SETUP", LOCKED, {"path": places.addin, "error": exc}) from None
    write_settings(places.settings, system=system or sys.platform, python=python)
    if places.scripts is not None:
        _install_applescript(places.scripts)
    return places


def write_settings(path: Path, *, system: str, python: str) -> bool:
    """The rep's xlwings settings for this add-in (``"KEY","value"`` lines, as ``xlwings
    config create`` writes): the interpreter. An existing file is the admin's: kept."""
    if path.exists():
        return False
    key = "INTERPRETER_MAC" if system == "darwin" else "INTERPRETER_WIN"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'"{key}","{python}"\n', encoding="utf-8")
    return True


def _install_applescript(folder: Path) -> None:
    from kamxl.addin.build import SRC, XLWINGS_VERSION, xlwings_folder

    folder.mkdir(parents=True, exist_ok=True)
    for script in (xlwings_folder() / f"xlwings-{XLWINGS_VERSION}.applescript", SRC / MAC_SCRIPT):
        shutil.copyfile(script, folder / script.name)


def uninstall(*, system: str | None = None, environ: Mapping[str, str] | None = None, home: Path | None = None,
              built: Path = Path("workbooks") / ADDIN_NAME) -> Path | None:
    """Remove the add-in from the start-up folder: its former path, None if it was not there.
    The settings file stays (it is the admin's as much as ours)."""
    places = _places(system, environ, home, built)
    if not places.addin.exists():
        return None
    try:
        places.addin.unlink()
    except OSError as exc:
        raise SetupError("S-SETUP", LOCKED, {"path": places.addin, "error": exc}) from None
    return places.addin


@dataclass(frozen=True)
class Status:
    places: Places | None
    installed: bool
    current: bool | None       # equal to a fresh build of this kamxl; None when not installed
    settings: bool
    system: str


def status(*, system: str | None = None, environ: Mapping[str, str] | None = None,
           home: Path | None = None, fresh: bytes | None = None) -> Status:
    """Whether the add-in is installed and the same as this kamxl would build."""
    system = system or sys.platform
    places = excel_places(system=system, environ=environ, home=home)
    if places is None or not places.addin.is_file():
        return Status(places, False, None, bool(places and places.settings.is_file()), system)
    if fresh is None:
        from kamxl.addin.build import build_bytes

        fresh = build_bytes()
    same = _digest(places.addin.read_bytes()) == _digest(fresh)
    return Status(places, True, same, places.settings.is_file(), system)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


STATUS_TEXT = {
    "none": Text("此系统（{system}）上没有 Excel", "Excel is not present on this system ({system})"),
    "missing": Text("未安装（{folder}）", "not installed ({folder})"),
    "current": Text("已安装，与此 kamxl 一致：{path}", "installed, matching this kamxl: {path}"),
    "stale": Text("已安装，但与此 kamxl 不一致（请运行 kamxl addin install）：{path}",
                  "installed, but not this kamxl's (run kamxl addin install): {path}"),
}
SETTINGS_TEXT = {True: Text("xlwings 设置：{path}", "xlwings settings: {path}"),
                 False: Text("xlwings 设置：无（{path}），使用 PATH 中的 Python", "xlwings settings: none ({path}); python from PATH")}


def describe(result: Status, lang: Lang) -> str:
    """The status in one or two lines, for ``kamxl addin status`` and the About button."""
    places = result.places
    if places is None:
        return STATUS_TEXT["none"](lang, system=result.system)
    if not result.installed:
        line = STATUS_TEXT["missing"](lang, folder=places.startup)
    else:
        line = STATUS_TEXT["current" if result.current else "stale"](lang, path=places.addin)
    return line + "\n" + SETTINGS_TEXT[result.settings](lang, path=places.settings)


def describe_status(lang: Lang) -> str:
    """This machine's add-in status, described (never raises: About must always answer)."""
    try:
        return describe(status(), lang)
    except Exception as exc:  # noqa: BLE001
        return f"? ({type(exc).__name__}: {exc})"
