"""``kamxl addin install / uninstall / status``: the add-in in Excel's start-up folder,
as ``xlwings addin install`` does for xlwings' own add-in.

Excel opens every workbook in the user's start-up folder (XLSTART) when it starts; an
add-in there loads without the Add-ins dialog. Excel need not be running: the folder is
known (``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows, Office's group container on
macOS). On any other system there is no Excel: the commands say so and where the add-in
file is.

``install`` also writes the rep's xlwings settings file for this add-in (``kamxl.conf``,
read by the add-in's xlwings module) with the Python that runs kamxl, and on macOS the
AppleScript RunPython needs (as ``xlwings runpython install`` does) and the add-in's own
(its folder picker). VBA reads that file with ``Input #``, in the system's ANSI code page
(cp936 on Chinese Windows, cp1252 on Western), so it is written in that code page, as
xlwings' own ``config create`` does; a path the code page cannot hold is written as its
Windows short (8.3) path, or refused. An existing file keeps the admin's other settings;
its interpreter is replaced when it names another one.
"""
from __future__ import annotations

import codecs
import hashlib
import locale
import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
CANNOT_WORK = Text("此电脑上的加载项无法工作，未安装：\n{why}",
                   "the add-in cannot work on this computer, so it was not installed:\n{why}")
UNENCODABLE = Text("Python 的路径 {path} 含有系统代码页（{encoding}）无法表示的字符，Excel 的 VBA 无法读取，"
                   "且没有可用的 Windows 短路径（8.3）。请把 Python（或虚拟环境）安装到只含此代码页字符的文件夹，"
                   "例如 C:\\kamxl\\venv，再从那里运行 kamxl addin install。",
                   "the Python path {path} holds characters the system code page ({encoding}) cannot, so Excel's VBA "
                   "cannot read it, and there is no Windows short (8.3) path for it. Install Python (or a virtual "
                   "environment) in a folder whose name this code page holds, e.g. C:\\kamxl\\venv, and run "
                   "kamxl addin install from there.")


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
            built: Path = Path("workbooks") / ADDIN_NAME, python: str = sys.executable,
            checks: Callable[[], list[Any]] | None = None) -> Places:
    """Put the add-in into Excel's start-up folder: ``source`` (a file or the bytes of one),
    by default a fresh build from this kamxl's sources. First the doctor's checks that no
    settings file can mend (:func:`kamxl.addin.doctor.preflight`; ``checks`` stands in for
    them, and on a stand-in ``system`` they are skipped): a setup that cannot work is
    refused, naming why, and nothing is written."""
    places = _places(system, environ, home, built)
    if checks is None and (system is None or system == sys.platform):
        from kamxl.addin.doctor import preflight

        checks = lambda: preflight(system=sys.platform, environ=os.environ if environ is None else environ,  # noqa: E731
                                   python=python)
    if checks is not None:
        from kamxl.addin.doctor import blocking_text, failed

        found = checks()
        if failed(found):
            raise SetupError("S-SETUP", CANNOT_WORK, {"why": blocking_text(found)})
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
    write_settings(places.settings, system=system or sys.platform, python=python, environ=environ)
    if places.scripts is not None:
        _install_applescript(places.scripts)
    return places


SETTING = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')
INTERPRETER_KEYS = ("INTERPRETER_WIN", "INTERPRETER_MAC", "INTERPRETER", "CONDA PATH", "CONDA ENV")


def conf_encoding(system: str) -> str:
    """The code page VBA's ``Input #`` reads ``kamxl.conf`` in: the ANSI code page on
    Windows (``mbcs``), the locale's elsewhere (what xlwings' ``config create`` writes in)."""
    if system.startswith("win"):
        try:
            return codecs.lookup("mbcs").name
        except LookupError:     # not on Windows: a stand-in system in tests
            pass
    return locale.getpreferredencoding(False)


def windows_short_path(path: str) -> str | None:
    """The Windows short (8.3) form of an existing ``path``; None elsewhere, or when the
    volume keeps no short names (the long path comes back)."""
    if not sys.platform.startswith("win"):
        return None
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)  # type: ignore[attr-defined]
    if not size:
        return None
    buffer = ctypes.create_unicode_buffer(size)
    if not ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size):  # type: ignore[attr-defined]
        return None
    return buffer.value if buffer.value != path else None


def vba_path(path: str, encoding: str, short_path: Callable[[str], str | None] = windows_short_path) -> str:
    """``path`` as it can be written for VBA to read in ``encoding``: itself, else its
    short (8.3) path; a :class:`SetupError` naming it when neither fits."""
    for candidate in (path, short_path(path)):
        if candidate is not None and _encodable(candidate, encoding):
            return candidate
    raise SetupError("S-SETUP", UNENCODABLE, {"path": path, "encoding": encoding})


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def read_settings(data: bytes, encoding: str) -> list[tuple[str, str]]:
    """The ``"KEY","value"`` lines of a settings file, as VBA reads them in ``encoding``."""
    found = []
    for line in data.decode(encoding, errors="replace").splitlines():
        match = SETTING.match(line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def conda_settings(python: str, environ: Mapping[str, str], *, exists: Callable[[Path], bool] = Path.exists
                   ) -> tuple[str, str] | None:
    """(CONDA PATH, CONDA ENV) as xlwings' ``config create`` writes them, when ``python``
    is a conda environment's: the base's folder, and the environment's name (``base``) or
    folder. None for any other Python."""
    from pathlib import PureWindowsPath

    prefix = PureWindowsPath(python).parent
    if not (exists(Path(str(prefix), "conda-meta")) or environ.get("CONDA_PREFIX")):
        return None
    env_prefix = PureWindowsPath(environ.get("CONDA_PREFIX") or str(prefix))
    if env_prefix != prefix:
        return None         # an activated conda, but this Python is not its environment's
    exe = environ.get("CONDA_EXE")
    base = PureWindowsPath(exe).parent.parent if exe else None
    if base is None:
        base = prefix.parent.parent if prefix.parent.name.lower() == "envs" else prefix
    if base == prefix:
        return str(base), "base"
    if prefix.parent == base / "envs":
        return str(base), prefix.name
    return str(base), str(prefix)   # an environment outside the base's envs (xlwings GH 2655)


def settings_lines(*, system: str, python: str, environ: Mapping[str, str],
                   exists: Callable[[Path], bool] = Path.exists) -> list[tuple[str, str]]:
    """The interpreter settings for this Python, as xlwings' ``config create`` writes them."""
    if system.startswith("win"):
        conda = conda_settings(python, environ, exists=exists)
        if conda is not None:
            return [("CONDA PATH", conda[0]), ("CONDA ENV", conda[1])]
        return [("INTERPRETER_WIN", python)]
    return [("INTERPRETER_MAC" if system == "darwin" else "INTERPRETER_WIN", python)]


def configured_python(settings: list[tuple[str, str]], system: str) -> str | None:
    """The interpreter a settings file makes the add-in use (as xlwings' VBA reads it)."""
    values = {key.upper(): value for key, value in reversed(settings)}
    key = "INTERPRETER_MAC" if system == "darwin" else "INTERPRETER_WIN"
    if values.get(key) or values.get("INTERPRETER"):
        return values.get(key) or values.get("INTERPRETER")
    path, env = values.get("CONDA PATH"), values.get("CONDA ENV")
    if system.startswith("win") and path and env:
        folder = path if env == "base" else env if "\\" in env else f"{path}\\envs\\{env}"
        return f"{folder}\\python.exe"
    return None


def write_settings(path: Path, *, system: str, python: str, environ: Mapping[str, str] | None = None,
                   encoding: str | None = None, short_path: Callable[[str], str | None] = windows_short_path
                   ) -> str:
    """The rep's xlwings settings for this add-in (``"KEY","value"`` lines, as ``xlwings
    config create`` writes them, in the code page VBA reads): this interpreter, or this
    conda environment. An existing file keeps its other settings; its interpreter lines are
    replaced when they name another Python (or VBA could not read them). Returns
    ``"written"``, ``"updated"`` or ``"kept"``."""
    environ = os.environ if environ is None else environ
    encoding = encoding or conf_encoding(system)
    wanted = [(key, vba_path(value, encoding, short_path) if key != "CONDA ENV" or "\\" in value else value)
              for key, value in settings_lines(system=system, python=python, environ=environ)]
    kept: list[tuple[str, str]] = []
    if path.exists():
        data = path.read_bytes()
        as_read = read_settings(data, encoding)
        if _same_python(configured_python(as_read, system), configured_python(wanted, system), system):
            return "kept"
        try:
            ours = read_settings(data, "utf-8")     # an earlier kamxl wrote UTF-8
        except UnicodeDecodeError:
            ours = as_read
        kept = [(k, v) for k, v in ours if k.upper() not in INTERPRETER_KEYS and _encodable(v, encoding)]
    text = "".join(f'"{key}","{value}"\n' for key, value in [*wanted, *kept])
    state = "updated" if path.exists() else "written"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return state


def _same_python(have: str | None, want: str | None, system: str) -> bool:
    if have is None or want is None:
        return False
    if system.startswith("win"):
        return have.replace("/", "\\").casefold() == want.replace("/", "\\").casefold()
    return have == want


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
