"""``kamxl addin doctor``: whether the add-in can work on this machine, one line per check
with its fix.

What the add-in needs, outside Excel:

* the interpreter ``kamxl.conf`` names (else this one) exists and runs;
* xlwings is the version the add-in's VBA was built from (the DLL's name carries it);
* ``xlwings64-<version>.dll`` is where xlwings' VBA looks for it: beside the interpreter
  or in its parent folder. pip puts the wheel's data files into the install scheme's data
  folder: the Python's or venv's folder, or, for a per-user install (``pip --user``, or
  pip's fall-back when site-packages is not writable), ``%APPDATA%\\Python``, where the
  add-in does not look. Read from the installed wheel's RECORD; off Windows (no DLL in
  the wheel) worked out as it would be on Windows for this kind of install;
* ``kamxl.conf`` reads back in the system's code page (as VBA's ``Input #`` reads it) and
  names this interpreter;
* the UDF module the wrappers call imports;
* conda or a virtual environment, as detected.

Where there is no Excel (Linux) one line says so and everything else is checked.
:func:`blocking` is what ``kamxl addin install`` refuses to install over.
"""
from __future__ import annotations

import importlib
import ntpath
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path, PureWindowsPath
from typing import Any

from kamxl.i18n import Lang, Message, Text

Runner = Callable[..., Any]
DLL_ENTRY = re.compile(r"(?:^|[/\\])xlwings(?P<bits>64|32)-(?P<version>[0-9][0-9A-Za-z.]*)\.dll$", re.I)

T = {
    "no_excel": Text("此系统（{system}）上没有 Excel：以下检查其余各项，DLL 位置按 Windows 上的情况推算",
                     "Excel is not present on this system ({system}): the other checks follow, the DLL's place "
                     "worked out as it would be on Windows"),
    "python_ok": Text("Python 可运行：{python}（{version}）", "interpreter runs: {python} ({version})"),
    "python_bad": Text("Python 无法运行：{python}（{error}）", "interpreter does not run: {python} ({error})"),
    "python_fix": Text("在要使用的 Python 中安装 kamxl，再从那里运行 kamxl addin install",
                       "install kamxl into the Python to use and run kamxl addin install from there"),
    "xlwings_ok": Text("xlwings {have}，与加载项一致", "xlwings {have}, the add-in's version"),
    "xlwings_bad": Text("xlwings 为 {have}，加载项需要 {want}", "xlwings is {have}, the add-in needs {want}"),
    "xlwings_fix": Text("安装此版本：{pip_xlwings}", "{pip_xlwings}"),
    "dll_ok": Text("{dll} 在加载项查找的位置：{folder}", "{dll} is where the add-in looks: {folder}"),
    "dll_sim_ok": Text("{dll}：在 Windows 上，此类安装（{scheme}）把它放在 {folder}，加载项会在那里找到它",
                       "{dll}: on Windows this kind of install ({scheme}) puts it in {folder}, where the add-in "
                       "finds it"),
    "dll_bad": Text("{dll} 在 {folder}，但加载项只在 {looks} 中查找",
                    "{dll} is in {folder}, but the add-in looks only in {looks}"),
    "dll_sim_bad": Text("{dll}：在 Windows 上，此类安装（{scheme}）把它放在 {folder}，但加载项只在 {looks} 中查找",
                        "{dll}: on Windows this kind of install ({scheme}) puts it in {folder}, but the add-in "
                        "looks only in {looks}"),
    "dll_none": Text("已安装的 xlwings 中没有 {dll}", "the installed xlwings has no {dll}"),
    "dll_fix": Text("使用虚拟环境：{make_venv}，在其中安装 kamxl，"
                    "再运行 %USERPROFILE%\\.kamxl\\venv\\Scripts\\kamxl addin install",
                    "use a virtual environment: {make_venv}, install kamxl into it, "
                    "then run %USERPROFILE%\\.kamxl\\venv\\Scripts\\kamxl addin install"),
    "dll_none_fix": Text("重新安装：{pip_xlwings} --force-reinstall", "{pip_xlwings} --force-reinstall"),
    "conf_ok": Text("kamxl.conf 以系统代码页（{encoding}）读回，指向此 Python：{path}",
                    "kamxl.conf reads back in the system code page ({encoding}) and names this interpreter: {path}"),
    "conf_sim_ok": Text("kamxl.conf 将以代码页 {encoding} 写入，读回仍是此 Python 的路径",
                        "kamxl.conf would be written in the code page {encoding} and reads back as this "
                        "interpreter's path"),
    "conf_missing": Text("没有 kamxl.conf（{path}）", "no kamxl.conf ({path})"),
    "conf_other": Text("kamxl.conf（{path}）以系统代码页（{encoding}）读出的 Python 是 {have}，不是 {want}",
                       "kamxl.conf ({path}) read in the system code page ({encoding}) names {have}, not {want}"),
    "conf_bad": Text("kamxl.conf 无法写入此 Python 的路径：{error}", "kamxl.conf cannot hold this interpreter's path: {error}"),
    "conf_fix": Text("运行 kamxl addin install", "run kamxl addin install"),
    "module_ok": Text("UDF 模块 {module} 可导入（{count} 个函数）", "UDF module {module} imports ({count} functions)"),
    "module_bad": Text("UDF 模块 {module} 无法导入：{error}", "UDF module {module} does not import: {error}"),
    "module_fix": Text("在此 Python 中重新安装 kamxl：{pip_kamxl}", "reinstall kamxl into this interpreter: {pip_kamxl}"),
    "env_conda": Text("conda 环境 {env}（kamxl.conf 写入 CONDA PATH = {path}，CONDA ENV = {env}）",
                      "conda environment {env} (kamxl.conf gets CONDA PATH = {path}, CONDA ENV = {env})"),
    "env_venv": Text("虚拟环境：{prefix}", "virtual environment: {prefix}"),
    "env_user": Text("按用户安装（{pip_user}）：{site}", "per-user install ({pip_user}): {site}"),
    "env_system": Text("系统 Python，没有 conda 或虚拟环境：{prefix}", "system Python, no conda or virtual environment: {prefix}"),
    "mark": Text("（修复：{fix}）", " (fix: {fix})"),
}
SCHEMES = {"venv": Text("虚拟环境", "virtual environment"), "user": Text("按用户安装", "per-user install"),
           "system": Text("系统 Python", "system Python"), "conda": Text("conda 环境", "conda environment")}


@dataclass(frozen=True)
class Check:
    """One line of the doctor: ``ok`` False fails, None only informs."""

    key: str
    ok: bool | None
    said: Message
    fix: Message | None = None

    def line(self, lang: Lang) -> str:
        mark = {True: "✓", False: "✗", None: "·"}[self.ok]
        text = f"{mark} {self.said(lang)}"
        if self.ok is False and self.fix is not None:
            text += T["mark"](lang, fix=self.fix(lang))
        return text


#: Command lines the fixes name (parameters: typed as they are, in either language).
COMMANDS = {"pip_xlwings": "pip install xlwings=={want}", "pip_kamxl": "pip install --force-reinstall kamxl",
            "make_venv": "py -m venv %USERPROFILE%\\.kamxl\\venv", "pip_user": "pip --user"}


def _check(key: str, ok: bool | None, said: str, fix: str | None = None, **params: object) -> Check:
    from kamxl.addin.build import XLWINGS_VERSION

    params = {**{k: v.format(want=XLWINGS_VERSION) for k, v in COMMANDS.items()}, **params}
    return Check(key, ok, Message.of(T[said], **params), Message.of(T[fix], **params) if fix else None)


# --- the DLL -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DllPlace:
    """Where ``xlwings64-<v>.dll`` is (or would be, on Windows) and where the add-in tries."""

    dll: str
    folder: str | None
    looks: tuple[str, str]
    scheme: str | None = None      # set when worked out for Windows, not read from a Windows RECORD

    @property
    def found(self) -> bool:
        return self.folder is not None and _norm(self.folder) in {_norm(f) for f in self.looks}


def _norm(path: str) -> str:
    return ntpath.normcase(ntpath.normpath(path))


def addin_folders(python: str) -> tuple[str, str]:
    """Where xlwings' VBA (XLPyLoadDLL) tries to load the DLL: beside the interpreter, then
    its parent folder (a virtual environment's Scripts\\..)."""
    parent = PureWindowsPath(python).parent
    return str(parent), str(parent.parent)


def dll_place(python: str, site_packages: str, record: Iterable[str], version: str) -> DllPlace:
    """The 64-bit DLL as a Windows RECORD (paths relative to site-packages) places it."""
    name = f"xlwings64-{version}.dll"
    for entry in record:
        path = entry.split(",", 1)[0]
        match = DLL_ENTRY.search(path)
        if match and match["bits"] == "64":
            full = ntpath.normpath(ntpath.join(site_packages, path.replace("/", "\\")))
            return DllPlace(name, ntpath.dirname(full), addin_folders(python))
    return DllPlace(name, None, addin_folders(python))


#: What pip writes into RECORD for the wheel's data file ``xlwings-<v>.data/data/<dll>``: the
#: scheme's data folder is two levels above site-packages for the Python's own, a venv's and
#: the per-user scheme alike (nt: {base}, {base}\Lib\site-packages; nt_user: {userbase},
#: {userbase}\PythonXY\site-packages).
WHEEL_DLL_ENTRY = "../../xlwings64-{version}.dll"


def windows_layout(scheme: str, py: str = "311") -> tuple[str, str]:
    """(python.exe, site-packages) of one kind of install on Windows, in placeholders."""
    if scheme == "user":
        return r"<Python>\python.exe", rf"%APPDATA%\Python\Python{py}\site-packages"
    if scheme == "venv":
        return r"<venv>\Scripts\python.exe", r"<venv>\Lib\site-packages"
    if scheme == "conda":
        return r"<env>\python.exe", r"<env>\Lib\site-packages"
    return r"<Python>\python.exe", r"<Python>\Lib\site-packages"


def install_scheme(site: Path, *, prefix: str = sys.prefix, base_prefix: str = sys.base_prefix,
                   user_site: str | None = None, conda: bool = False) -> str:
    """How xlwings was installed here: ``user``, ``venv``, ``conda`` or ``system``."""
    import site as site_module

    user_site = user_site if user_site is not None else site_module.getusersitepackages()
    if user_site and _same(site, Path(user_site)):
        return "user"
    if prefix != base_prefix:
        return "venv"
    return "conda" if conda else "system"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def xlwings_record() -> tuple[Path, list[str]] | None:
    """The installed xlwings' site-packages folder and RECORD lines; None without xlwings."""
    try:
        dist = distribution("xlwings")
    except PackageNotFoundError:
        return None
    site = Path(str(dist.locate_file("")))
    text = dist.read_text("RECORD") or ""
    return site, text.splitlines()


def check_dll(python: str, *, system: str, version: str, record: tuple[Path, list[str]] | None = None,
              scheme: str | None = None) -> Check:
    record = record if record is not None else xlwings_record()
    name = f"xlwings64-{version}.dll"
    if record is None:
        return _check("dll", False, "dll_none", "dll_none_fix", dll=name, want=version)
    site, lines = record
    if any(DLL_ENTRY.search(line.split(",", 1)[0]) for line in lines):     # a Windows wheel
        place = dll_place(python, str(site), lines, version)
        if place.folder is None:
            return _check("dll", False, "dll_none", "dll_none_fix", dll=name, want=version)
        if place.found:
            return _check("dll", True, "dll_ok", dll=name, folder=place.folder)
        return _check("dll", False, "dll_bad", "dll_fix", dll=name, folder=place.folder,
                      looks=" ; ".join(place.looks))
    if system.startswith("win"):
        return _check("dll", False, "dll_none", "dll_none_fix", dll=name, want=version)
    scheme = scheme or install_scheme(site, conda=_conda_here())
    win_python, win_site = windows_layout(scheme, f"{sys.version_info[0]}{sys.version_info[1]}")
    place = dll_place(win_python, win_site, [WHEEL_DLL_ENTRY.format(version=version)], version)
    params = {"dll": name, "folder": place.folder, "looks": " ; ".join(place.looks), "scheme": SCHEMES[scheme]}
    if place.found:
        return _check("dll", True, "dll_sim_ok", **params)
    return _check("dll", False, "dll_sim_bad", "dll_fix", **params)


def _conda_here() -> bool:
    return Path(sys.prefix, "conda-meta").is_dir()


# --- the other checks ------------------------------------------------------------------------------
def check_interpreter(python: str, run: Runner = subprocess.run) -> Check:
    try:
        done = run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True,
                   timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return _check("python", False, "python_bad", "python_fix", python=python, error=type(exc).__name__)
    if done.returncode != 0:
        return _check("python", False, "python_bad", "python_fix", python=python, error=f"exit {done.returncode}")
    return _check("python", True, "python_ok", python=python, version=(done.stdout or "").strip())


def check_xlwings(have: str | None = None) -> Check:
    from importlib.metadata import version

    from kamxl.addin.build import XLWINGS_VERSION

    if have is None:
        try:
            have = version("xlwings")
        except PackageNotFoundError:
            have = "-"
    if have == XLWINGS_VERSION:
        return _check("xlwings", True, "xlwings_ok", have=have)
    return _check("xlwings", False, "xlwings_bad", "xlwings_fix", have=have, want=XLWINGS_VERSION)


def check_conf(path: Path | None, python: str, *, system: str, environ: Mapping[str, str],
               encoding: str | None = None) -> Check:
    """``kamxl.conf`` as VBA reads it. Without Excel (``path`` None): written to a scratch
    file as ``install`` would write it, then read back the same way."""
    from kamxl.addin import install as inst
    from kamxl.errors import SetupError

    encoding = encoding or inst.conf_encoding(system)
    wanted = inst.configured_python(inst.settings_lines(system=system, python=python, environ=environ), system)
    if path is None:
        with tempfile.TemporaryDirectory(prefix="kamxl-doctor-") as tmp:
            scratch = Path(tmp, "kamxl.conf")
            try:
                inst.write_settings(scratch, system=system, python=python, environ=environ, encoding=encoding)
            except SetupError as exc:
                return Check("conf", False, exc.reason, Message.of(T["conf_fix"]))
            have = inst.configured_python(inst.read_settings(scratch.read_bytes(), encoding), system)
        if inst._same_python(have, wanted, system):
            return _check("conf", True, "conf_sim_ok", encoding=encoding)
        return _check("conf", False, "conf_other", "conf_fix", path=scratch, encoding=encoding, have=have, want=wanted)
    if not path.is_file():
        return _check("conf", False, "conf_missing", "conf_fix", path=path)
    have = inst.configured_python(inst.read_settings(path.read_bytes(), encoding), system)
    short = inst.windows_short_path(python) if system.startswith("win") else None
    if inst._same_python(have, wanted, system) or (short and inst._same_python(have, short, system)):
        return _check("conf", True, "conf_ok", encoding=encoding, path=path)
    return _check("conf", False, "conf_other", "conf_fix", path=path, encoding=encoding, have=have or "-",
                  want=wanted)


def check_module(module: str | None = None) -> Check:
    from kamxl.addin.build import UDF_MODULE

    module = module or UDF_MODULE
    try:
        loaded = importlib.import_module(module)
        count = len(getattr(loaded, "FUNCTIONS"))
    except Exception as exc:  # noqa: BLE001  (whatever stops the import, say it)
        return _check("module", False, "module_bad", "module_fix", module=module, error=f"{type(exc).__name__}: {exc}")
    return _check("module", True, "module_ok", module=module, count=count)


def check_environment(python: str, *, system: str, environ: Mapping[str, str]) -> Check:
    from kamxl.addin import install as inst

    conda = inst.conda_settings(python, environ) if system.startswith("win") else None
    if conda is None and Path(python).parent.joinpath("conda-meta").is_dir():
        conda = (str(Path(python).parent), "base")
    if conda is None and environ.get("CONDA_PREFIX") and _same(Path(environ["CONDA_PREFIX"]), Path(sys.prefix)):
        conda = (environ.get("CONDA_PREFIX", ""), environ.get("CONDA_DEFAULT_ENV", "base"))
    if conda is not None:
        return _check("env", None, "env_conda", path=conda[0], env=conda[1])
    if sys.prefix != sys.base_prefix:
        return _check("env", None, "env_venv", prefix=sys.prefix)
    record = xlwings_record()
    if record is not None and install_scheme(record[0]) == "user":
        return _check("env", None, "env_user", site=record[0])
    return _check("env", None, "env_system", prefix=sys.prefix)


# --- all of them -------------------------------------------------------------------------------------
def diagnose(*, system: str | None = None, environ: Mapping[str, str] | None = None, home: Path | None = None,
             python: str = sys.executable, run: Runner = subprocess.run) -> list[Check]:
    """Every check, in order, for this machine (or a stand-in system)."""
    from kamxl.addin import install as inst
    from kamxl.addin.build import XLWINGS_VERSION

    system = system or sys.platform
    environ = os.environ if environ is None else environ
    places = inst.excel_places(system=system, environ=environ, home=home)
    checks: list[Check] = []
    if places is None:
        checks.append(_check("excel", None, "no_excel", system=system))
    configured = None
    if places is not None and places.settings.is_file():
        encoding = inst.conf_encoding(system)
        configured = inst.configured_python(inst.read_settings(places.settings.read_bytes(), encoding), system)
    checks.append(check_interpreter(configured or python, run))
    checks.append(check_xlwings())
    if system != "darwin":          # the Mac has no DLL: xlwings runs Python through AppleScript there
        checks.append(check_dll(configured or python, system=system, version=XLWINGS_VERSION))
    checks.append(check_conf(places.settings if places else None, python, system=system, environ=environ))
    checks.append(check_module())
    checks.append(check_environment(python, system=system, environ=environ))
    return checks


def preflight(*, system: str, environ: Mapping[str, str], python: str, run: Runner = subprocess.run) -> list[Check]:
    """What ``install`` checks before it installs: what no kamxl.conf can mend."""
    from kamxl.addin.build import XLWINGS_VERSION

    checks = [check_interpreter(python, run), check_xlwings(), check_module()]
    if system != "darwin":
        checks.append(check_dll(python, system=system, version=XLWINGS_VERSION))
    return checks


def describe_doctor(lang: Lang) -> str:
    """The doctor's lines for the ribbon's About (never raises: About must always answer)."""
    try:
        return report(diagnose(), lang)
    except Exception as exc:  # noqa: BLE001
        return f"? ({type(exc).__name__}: {exc})"


def failed(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.ok is False]


def report(checks: Iterable[Check], lang: Lang) -> str:
    return "\n".join(c.line(lang) for c in checks)


def blocking_text(checks: Iterable[Check]) -> Text:
    """The failed checks as one bilingual text (a parameter of install's refusal)."""
    bad = failed(checks)
    return Text(report(bad, "zh"), report(bad, "en"))
