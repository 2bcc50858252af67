"""The ribbon's macros and the one fixed table the add-in's VBA dispatches to.

Every button on the **KAM** tab carries a Tag; the add-in's single VBA callback
(``KamRibbon.OnAction``) checks the Tag against the list generated from :data:`BUTTONS`,
lets the rep pick a folder or saves a copy of the active workbook when the button needs
one, and calls :func:`run` with the Tag, that path (hex-encoded, so no quote in a path
can end the Python string) and the ribbon's language. Nothing written in a workbook is
ever evaluated: a Tag only selects an entry of this table.

Each macro takes a :class:`Call` and returns what to tell the rep and which files to
open (:class:`Done`); :func:`dispatch` does the Excel side (open, alert). The macros run
the same core as the command line: ``validate_file``/``validate_paths`` and the report
writer, ``write_template``, ``rollup_files``, ``load_config``.
"""
from __future__ import annotations

import functools
import getpass
import logging
import os
import platform
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from kamxl.errors import InputError, KamxlError
from kamxl.i18n import Lang, Text, check_lang, default_lang
from kamxl.methodology.config import active_config, company_config_path, load_config

TITLE = "kamxl"
SNAPSHOT_PREFIX = "kamxl-snapshot-"   # the copies KamRibbon.bas saves of the active workbook


@dataclass(frozen=True)
class Call:
    """One button press: the active workbook (an xlwings Book or a stand-in), the path
    the VBA side picked (a folder, or a copy of the active workbook; else ''), the
    language, and where outputs go."""

    book: Any
    arg: str
    lang: Lang
    outputs: Path
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class Done:
    """What a macro tells the rep, the workbooks to open in Excel and files to open in
    their own program (the company configuration, in a text editor)."""

    message: str
    open: tuple[Path, ...] = ()
    edit: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Button:
    """One ribbon button: its Tag, label and tip in both languages, what the VBA side
    prepares before calling Python ('' nothing, 'folder', 'workbook'), and the macro."""

    tag: str
    label: Text
    tip: Text
    needs: str
    macro: Callable[[Call], Done]


# --- messages ----------------------------------------------------------------------------
NO_FILES = Text("文件夹中没有工作簿：{folder}", "no workbooks in the folder: {folder}")
NO_FORECASTS = Text("文件夹中没有可汇总的预测工作簿：{folder}", "no forecast workbooks to roll up in the folder: {folder}")
ROLLED_UP = Text("已汇总 {count} 个预测（{level}，{owner}）：{path}{skipped}",
                 "rolled up {count} forecasts ({level}, {owner}): {path}{skipped}")
SKIPPED = Text("\n跳过 {count} 个非预测文件。", "\n{count} files that are not forecasts were skipped.")
NO_COPY = Text("没有拿到当前工作簿的副本", "no copy of the active workbook was made")
CLEAN = Text("{name}：没有发现问题。", "{name}: no findings.")
CHECKED = Text("{name}：{errors} 个错误、{warnings} 个警告、{infos} 个提示。\n批注与清单在副本中：{path}\n原工作簿未被修改。",
               "{name}: {errors} errors, {warnings} warnings, {infos} notes.\n"
               "The comments and the list are in a copy: {path}\nYour workbook was not changed.")
FOLDER_CHECKED = Text("已检查 {files} 个文件：{clean} 个无误，{with_errors} 个有错误，{with_warnings} 个有警告，"
                      "{unreadable} 个无法读取。\n报告：{path}",
                      "checked {files} files: {clean} clean, {with_errors} with errors, {with_warnings} with warnings, "
                      "{unreadable} unreadable.\nReport: {path}")
CREATED = Text("已新建：{path}", "created: {path}")
RECALCULATED = Text("已重新计算所有公式（含 KAM_* 函数，使用公司配置 {config}）。",
                    "recalculated every formula (KAM_* functions included, with the company configuration {config}).")
DEFAULTS = Text("默认配置", "the defaults")
CONFIG_OK = Text("公司配置有效：{path}\n已在编辑器中打开；保存后点“刷新评分”生效。",
                 "the company configuration is valid: {path}\nIt is open in your editor; after saving, press Refresh scores.")
CONFIG_NEW = Text("已创建公司配置文件（全部为注释，即默认值）：{path}\n已在编辑器中打开。",
                  "created the company configuration file (all comments, i.e. the defaults): {path}\nIt is open in your editor.")
CONFIG_BAD = Text("公司配置有误，修正前 KAM_* 函数显示 #VALUE!（KAM_WHY 说明原因）：\n{error}\n文件已在编辑器中打开：{path}",
                  "the company configuration is invalid; until it is fixed the KAM_* functions show #VALUE! "
                  "(KAM_WHY says why):\n{error}\nThe file is open in your editor: {path}")
CHECKS = Text("检查（kamxl addin doctor）：\n{doctor}", "Checks (kamxl addin doctor):\n{doctor}")
ABOUT = Text("kamxl {kamxl}\nxlwings {xlwings}\nPython {python}（{executable}）\n公司配置：{config}\n加载项：{addin}\n"
             "输出文件夹：{outputs}\n检查（kamxl addin doctor）：\n{doctor}",
             "kamxl {kamxl}\nxlwings {xlwings}\nPython {python} ({executable})\nCompany configuration: {config}\n"
             "Add-in: {addin}\nOutputs: {outputs}\nChecks (kamxl addin doctor):\n{doctor}")
MISSING = Text("（无，使用默认值）", "(none: the defaults apply)")
UNKNOWN_TAG = Text("未知的按钮：{tag}", "unknown button: {tag}")
INTERNAL = Text("kamxl 内部错误（请把日志发给管理员）：{error}\n日志：{log}",
                "kamxl internal error (please send the log to your admin): {error}\nLog: {log}")
STARTER = """\
# kamxl company configuration / 公司配置
# Every key is optional: remove the '#' in front of a key to override the default.
# 每个键都可选：去掉键前面的 # 即可覆盖默认值。`kamxl config check {path}` checks it.
"""


# --- where outputs go ------------------------------------------------------------------------
def outputs_dir() -> Path:
    """KAMXL_OUTPUT, else Documents/kamxl in the user's home (or ~/kamxl): never the folder
    being rolled up or validated, so an output is not read back as a submission."""
    explicit = os.environ.get("KAMXL_OUTPUT")
    if explicit:
        return Path(explicit)
    documents = Path.home() / "Documents"
    return (documents if documents.is_dir() else Path.home()) / "kamxl"


def free_path(path: Path) -> Path:
    """``path``, or 'name (2).xlsx', 'name (3).xlsx'… when it exists: never overwrite."""
    candidate, n = path, 2
    while candidate.exists():
        candidate, n = path.with_name(f"{path.stem} ({n}){path.suffix}"), n + 1
    return candidate


# --- the macros ------------------------------------------------------------------------------
def roll_up_forecast(call: Call) -> Done:
    """Roll up the forecast workbooks in the folder picked into a new forecast one level up."""
    from kamxl.validate import discover

    from kamxl.io.guard import Breach, run_guarded
    from kamxl.validate import limits_of

    folder = Path(call.arg)
    files, _ = discover([folder])
    # each file looked at under the per-file ceilings: a hostile one is simply not rolled up
    found = run_guarded(_level_in_worker, files, None, limits=limits_of(active_config()))
    levels = {path: None if isinstance(level, Breach) else level for path, level in zip(files, found)}
    forecasts = [path for path, level in levels.items() if level is not None]
    if not forecasts:
        raise InputError("M-FC-4", NO_FORECASTS, {"folder": folder})
    from kamxl.methodology.vocabulary import FORECAST_LEVEL
    from kamxl.rollup import rollup_files

    level = next_level(levels[p] for p in forecasts)
    owner = user_name(call.book.app)
    out = free_path(call.outputs / f"rollup-{level}-{call.today.isoformat()}.xlsx")
    result = rollup_files(forecasts, out, owner=owner, level=level, lang=call.lang, config=active_config())
    skipped = len(files) - len(forecasts)
    return Done(ROLLED_UP(call.lang, count=len(forecasts), level=FORECAST_LEVEL.get(level).text, owner=owner,
                          path=result.output, skipped=SKIPPED(call.lang, count=skipped) if skipped else ""),
                open=(result.output,))


LEVELS = ("rep", "team", "region", "bu")


def next_level(levels: Iterable[str | None]) -> str:
    """The level of a roll-up: one above the highest level rolled up (rep -> team ->
    region -> bu; a business unit rolls up into a business unit) (M-FC-4)."""
    found = [LEVELS.index(level) for level in levels if level in LEVELS]
    return LEVELS[min(max(found, default=0) + 1, len(LEVELS) - 1)]


def _level_in_worker(_shared: None, path: Path) -> str | None:
    return _forecast_level(path)


def _forecast_level(path: Path) -> str | None:
    """A forecast workbook's level key ('rep' when blank), None for anything else."""
    from kamxl.io.reader import read_workbook
    from kamxl.methodology.vocabulary import FORECAST_LEVEL

    try:
        data = read_workbook(path)
    except MemoryError:
        raise                      # the ceilings' business
    except BaseException as exc:  # noqa: BLE001 - anything unreadable (calamine panics too) is not rolled up here
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    if data.template.id != "forecast":
        return None
    header = next(iter(data.forms.values()), None)
    try:
        term = FORECAST_LEVEL.parse(header.values.get("level")) if header else None
    except InputError:
        term = None
    return term.key if term else "rep"


def validate_workbook(call: Call) -> Done:
    """Validate the active workbook (a copy Excel saved); findings as comments and a sheet
    in another copy, which is opened. The rep's workbook is never changed."""
    from kamxl.excel.annotate import annotate_copy
    from kamxl.findings import Severity
    from kamxl.validate import validate_file

    snapshot = Path(call.arg)
    if not call.arg or not snapshot.is_file():
        raise InputError("S-UNREADABLE", NO_COPY)
    name = call.book.name
    try:
        result = validate_file(snapshot, config=active_config(), today=call.today, display=name)
        if not result.findings:
            return Done(CLEAN(call.lang, name=name))
        stem = Path(name).stem or "workbook"
        target = free_path(call.outputs / f"{stem} - kamxl findings.xlsx")
        annotate_copy(snapshot, result, target, lang=call.lang)
    finally:
        if snapshot.name.startswith(SNAPSHOT_PREFIX):
            snapshot.unlink(missing_ok=True)
    count = {s: sum(f.severity == s for f in result.findings) for s in Severity}
    return Done(CHECKED(call.lang, name=name, errors=count[Severity.ERROR], warnings=count[Severity.WARNING],
                        infos=count[Severity.INFO], path=target), open=(target,))


def validate_folder(call: Call) -> Done:
    """Validate every workbook in the folder picked (sub-folders too) and open the report."""
    from kamxl.report import write_report
    from kamxl.validate import discover, validate_paths

    folder = Path(call.arg)
    files, _ = discover([folder], recursive=True)
    if not files:
        raise InputError("S-UNREADABLE", NO_FILES, {"folder": folder})
    report = validate_paths(files, jobs=1, config=active_config(), today=call.today, base=folder)
    target = free_path(call.outputs / f"findings-{folder.name or 'folder'}-{call.today.isoformat()}.xlsx")
    write_report(report, target, lang=call.lang, base=folder)
    return Done(FOLDER_CHECKED(call.lang, path=target, **report.counts()), open=(target,))


def new_workbook(call: Call, *, template: str, lang: Lang) -> Done:
    """A new standard workbook (funnel, forecast, account plan) in zh or en, opened."""
    from kamxl.templates import write_template

    target = free_path(call.outputs / f"{template}.{lang}.xlsx")
    write_template(template, target, lang=lang, config=active_config())
    return Done(CREATED(call.lang, path=target), open=(target,))


def refresh_scores(call: Call) -> Done:
    """Recalculate everything, so KAM_* functions pick up an edited company configuration."""
    app = call.book.app
    try:
        app.api.CalculateFull()          # Windows: every formula, not only the dirty ones
    except Exception:  # noqa: BLE001 - elsewhere (macOS) the plain recalculation
        app.calculate()
    path = company_config_path()
    return Done(RECALCULATED(call.lang, config=path if path.is_file() else DEFAULTS(call.lang)))


def settings(call: Call) -> Done:
    """Open the company configuration file in an editor (creating a commented starter
    file first) and say whether it is valid."""
    from kamxl.addin.doctor import describe_doctor

    path = company_config_path()
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_config(path), encoding="utf-8")
        said = CONFIG_NEW(call.lang, path=path)
    else:
        try:
            load_config(path)
            said = CONFIG_OK(call.lang, path=path)
        except KamxlError as exc:
            said = CONFIG_BAD(call.lang, path=path, error=f"{exc.message(call.lang)} [{exc.code}]")
    # the same checks as About: a setting that cannot work is said where settings are made
    return Done(f"{said}\n\n{CHECKS(call.lang, doctor=describe_doctor(call.lang))}", edit=(path,))


def starter_config(path: Path) -> str:
    """The defaults, every line commented out, under a short bilingual header."""
    defaults = (Path(__file__).resolve().parent.parent / "data" / "defaults.toml").read_text("utf-8")
    body = "\n".join(f"# {line}" if line.strip() else "" for line in defaults.splitlines())
    return STARTER.format(path=path) + "\n" + body + "\n"


def about(call: Call) -> Done:
    """Versions: kamxl, xlwings, Python, the add-in in Excel's start-up folder, and the
    configuration and output folders in use."""
    from kamxl.addin.doctor import describe_doctor
    from kamxl.addin.install import describe_status

    config = company_config_path()
    return Done(ABOUT(call.lang, kamxl=_version("kamxl"), xlwings=_version("xlwings"),
                      python=platform.python_version(), executable=sys.executable,
                      config=config if config.is_file() else f"{config} {MISSING(call.lang)}",
                      addin=describe_status(call.lang), outputs=call.outputs, doctor=describe_doctor(call.lang)))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def user_name(app: Any) -> str:
    """The name Excel knows the user by (Windows), else the login name."""
    try:
        name = app.api.UserName
    except Exception:  # noqa: BLE001 - macOS or a stand-in: no COM
        name = None
    return name if isinstance(name, str) and name.strip() else getpass.getuser()


# --- the table -------------------------------------------------------------------------------
def _new(template: str, lang: Lang) -> Callable[[Call], Done]:
    return functools.update_wrapper(functools.partial(new_workbook, template=template, lang=lang), new_workbook)


_TEMPLATE_NAMES = {"funnel": Text("销售漏斗", "Funnel"), "forecast": Text("销售预测", "Forecast"),
                   "account-plan": Text("客户经营计划", "Account plan")}
_LANG_NAMES = {"zh": Text("中文", "Chinese"), "en": Text("英文", "English")}

BUTTONS: dict[str, Button] = {b.tag: b for b in (
    Button("rollup", Text("汇总预测", "Roll up forecast"),
           Text("选择一个文件夹，把其中的预测汇总成上一级的新预测并打开",
                "Pick a folder; its forecasts are rolled up into a new forecast one level up, which opens"),
           "folder", roll_up_forecast),
    Button("validate_workbook", Text("检查工作簿", "Validate workbook"),
           Text("检查当前工作簿；问题以批注和清单写在副本中，原工作簿不变",
                "Check the active workbook; findings go into a copy as comments and a list, your workbook is unchanged"),
           "workbook", validate_workbook),
    Button("validate_folder", Text("检查文件夹", "Validate folder"),
           Text("检查一个文件夹中所有提交的工作簿，打开报告",
                "Check every submitted workbook in a folder and open the report"),
           "folder", validate_folder),
    *(Button(f"new_{template.replace('-', '_')}_{lang}",
             Text(f"{name.zh}（{_LANG_NAMES[lang].zh}）", f"{name.en} ({_LANG_NAMES[lang].en})"),
             Text(f"新建{_LANG_NAMES[lang].zh}{name.zh}工作簿", f"A new {name.en.lower()} workbook in {_LANG_NAMES[lang].en}"),
             "", _new(template, lang))
      for template, name in _TEMPLATE_NAMES.items() for lang in ("zh", "en")),
    Button("refresh", Text("刷新评分", "Refresh scores"),
           Text("重新计算所有 KAM_* 函数（修改公司配置后使用）",
                "Recalculate every KAM_* function (after the company configuration changed)"),
           "", refresh_scores),
    Button("settings", Text("设置", "Settings"),
           Text("打开公司配置文件（阶段赢率、阈值等）", "Open the company configuration file (stage probabilities, thresholds…)"),
           "", settings),
    Button("about", Text("关于", "About"), Text("kamxl、xlwings、Python 的版本", "Versions of kamxl, xlwings and Python"),
           "", about),
)}

#: Labels of the ribbon's other controls (tab groups and the New menu), by control id.
CONTROLS: dict[str, Text] = {
    "kamGroupForecast": Text("预测", "Forecast"),
    "kamGroupCheck": Text("检查", "Check"),
    "kamGroupNew": Text("工作簿", "Workbooks"),
    "kamMenuNew": Text("新建", "New"),
    "kamGroupTools": Text("工具", "Tools"),
}


# --- running a button --------------------------------------------------------------------------
def dispatch(tag: str, book: Any, arg: str = "", *, lang: Lang, outputs: Path | None = None,
             opener: Callable[[Path], None] | None = None) -> Done:
    """Run the macro of ``tag`` and do what it asks in Excel: open workbooks, show a message.
    Our errors become a message in the rep's language; anything else too, with the
    traceback written to a log file instead of shown."""
    button = BUTTONS.get(tag)
    app = book.app
    if button is None:
        done = Done(UNKNOWN_TAG(lang, tag=tag))
    else:
        folder = outputs or outputs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            done = button.macro(Call(book, arg, lang, folder))
        except KamxlError as exc:
            done = Done(f"{exc.message(lang)} [{exc.code}]")
        except Exception as exc:  # noqa: BLE001 - the rep gets a message, the admin a log
            done = Done(INTERNAL(lang, error=f"{type(exc).__name__}: {exc}", log=_log_error()))
    for path in done.open:
        app.books.open(str(path))
    for path in done.edit:
        (opener or open_with_system)(path)
    app.alert(done.message, title=TITLE)
    return done


def _log_error() -> Path:
    log = Path.home() / ".kamxl" / "kamxl.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(filename=log, level=logging.ERROR)
        logging.getLogger("kamxl.excel").error("macro failed\n%s", traceback.format_exc())
    except OSError:
        log = Path(tempfile.gettempdir()) / "kamxl.log"
    return log


def open_with_system(path: Path) -> None:
    """Open a file in the program the system associates with it (a text editor for .toml,
    falling back to Notepad / TextEdit)."""
    if sys.platform.startswith("win"):
        try:
            os.startfile(str(path), "edit")  # type: ignore[attr-defined]
        except OSError:
            subprocess.Popen(["notepad.exe", str(path)])  # noqa: S603,S607
    elif sys.platform == "darwin":
        subprocess.Popen(["open", "-t", str(path)])  # noqa: S603,S607
    else:
        subprocess.Popen(["xdg-open", str(path)])  # noqa: S603,S607


def decode_arg(hex_text: str) -> str:
    """The path the VBA side sent: UTF-16 code units as 4 hex digits each (KamRibbon.KamHex)."""
    if len(hex_text) % 4 or any(c not in "0123456789ABCDEFabcdef" for c in hex_text):
        raise ValueError(f"not a KamHex string: {hex_text[:40]!r}")
    units = bytes.fromhex(hex_text)
    return units.decode("utf-16-be", errors="surrogatepass")


def run(tag: str, arg_hex: str = "", lang: str = "") -> None:
    """The entry point of ``KamRibbon.OnAction``: RunPython "…m.run('tag', 'hex', 'zh')"."""
    import xlwings as xw

    language = check_lang(lang) if lang else default_lang()
    dispatch(tag, xw.Book.caller(), decode_arg(arg_hex), lang=language)

