"""Batch validation: files and folders in, one report of findings out.

Each file is read once through the fast value reader and its structure parts, checked by
every rule family in :mod:`kamxl.checks`, and never modified, locked or re-saved. A file
that cannot be read is one finding naming the reason, and so is a file that hits a
per-file ceiling (time, memory: :mod:`kamxl.io.guard`) or takes its worker down; the
batch goes on. ``jobs`` > 1 validates in several worker processes; the across-files
checks run at the end on the facts each file reported.
"""
from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from kamxl.checks import Context, account_plan, across, forecast, formulas, funnel, register, structure, values
from kamxl.errors import InputError
from kamxl.findings import FileResult, Finding, Report, Severity, finding
from kamxl.i18n import Message, Text
from kamxl.io.a1 import column_letter as get_column_letter
from kamxl.io.atomic import LOCK_SUFFIX, TEMP_PREFIX
from kamxl.io.guard import Breach, Limits, run_guarded
from kamxl.io.intake import GONE, TOO_LARGE_CODE, check_input
from kamxl.io.reader import WorkbookData, read_workbook
from kamxl.io.structure import read_structure
from kamxl.methodology import Config, default_config
from kamxl.methodology.values import is_blank
from kamxl.methodology.vocabulary import FORECAST_LEVEL
from kamxl.schema.rollup import LINEAGE

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
KNOWN_OTHER = {".xls", ".xlsb"}                      # taken, so the report says what they are
UNREADABLE = Text("无法读取此文件：{reason}", "cannot read this file: {reason}")
UNREADABLE_FIX = Text("用 Excel 另存为 .xlsx（无密码）后重新提交", "save it from Excel as .xlsx (no password) and submit again")
NOT_TEMPLATE_FIX = Text("用 kamxl new … 生成的模板填写", "fill in a template made by kamxl new …")
TIMEOUT = Text("读取和检查此文件超过了每个文件 {seconds} 秒的上限，已停止",
               "reading and checking this file took longer than the {seconds} s allowed per file; it was stopped")
TIMEOUT_FIX = Text("检查文件是否异常庞大（Ctrl+End 可显示最后使用的单元格），删除多余内容后重新提交；"
                   "或提高上限（--file-timeout，或公司配置 limits.file_seconds）",
                   "check whether the file is unusually large (Ctrl+End shows the last cell used), delete what does "
                   "not belong and submit again; or raise the ceiling (--file-timeout, or limits.file_seconds in the "
                   "company configuration)")
MEMORY = Text("读取此文件所需内存超过了每个文件 {memory} MB 的上限，已停止",
              "reading this file needed more than the {memory} MB of memory allowed per file; it was stopped")
MEMORY_FIX = Text("文件中可能有远离表格的零星内容（如 XFD1048576 单元格；Ctrl+End 可显示），删除后重新提交；"
                  "或提高上限（--file-memory，或公司配置 limits.file_memory_mb）",
                  "the file may hold stray content far from its tables (a cell such as XFD1048576: Ctrl+End shows "
                  "it); delete it and submit again; or raise the ceiling (--file-memory, or limits.file_memory_mb in "
                  "the company configuration)")
CRASHED = Text("读取程序意外终止（{detail}）", "the reader stopped abruptly ({detail})")
SKIPPED = {
    "lock": Text("跳过 Excel 锁文件（工作簿正在 Excel 中打开）", "skipped Excel's lock file (the workbook is open in Excel)"),
    "other": Text("跳过非工作簿文件", "skipped a file that is not a workbook"),
    "loop": Text("跳过符号链接循环（或已访问过的文件夹）", "skipped a symbolic link loop (or a folder already visited)"),
    "unreachable": Text("跳过无法访问的路径：{reason}", "skipped a path that cannot be reached: {reason}"),
    "temp": Text("跳过 kamxl 写入中断留下的临时文件或锁文件", "skipped a temporary or lock file of a kamxl write"),
    "report": Text("跳过 kamxl 的校验报告（kamxl 自己的输出，不是提交的工作簿）",
                   "skipped a kamxl validation report (kamxl's own output, not a submission)"),
    "outside": Text("跳过指向所给文件夹之外的符号链接（{reason}）",
                    "skipped a symbolic link to a folder outside the folder given ({reason})"),
    "nested": Text("未查看子文件夹：其中有 {reason} 个工作簿；加 -r（--recursive）一并查看",
                   "sub-folders not looked into: they hold {reason} workbooks; add -r (--recursive) to include them"),
}
SKIPPED_FIX = Text("无需处理（如属误放，请移出文件夹）", "nothing to do (move it out of the folder if it does not belong)")
SKIPPED_FIXES = {"nested": Text("加 -r（--recursive）一并查看子文件夹", "add -r (--recursive) to include the sub-folders"),
                 "report": Text("无需处理：kamxl 不校验自己的报告", "nothing to do: kamxl does not validate its own reports")}

METHODOLOGY: dict[str, Callable[[Context], list[Finding]]] = {
    "funnel": funnel.check, "forecast": forecast.check, "account-plan": account_plan.check,
    "register": register.check,
}
REGISTER_UNREADABLE = Text("无法读取客户登记 {file}：{reason}", "cannot read the customer register {file}: {reason}")
NOT_A_REGISTER = Text("{file} 不是客户登记（而是{template}）", "{file} is not a customer register (it is a {template})")


# --- which files ---------------------------------------------------------------------------------
NESTED_CAP = 10_000              # workbooks counted in sub-folders not looked into (the hint without -r)


def discover(paths: Iterable[Path], *, recursive: bool = False) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Workbooks to validate, and the paths passed over with why (a key of :data:`SKIPPED`,
    or ``key:<reason>``): Excel lock files, kamxl's own reports, other files, symbolic link
    loops, folders that cannot be listed, kamxl's own temporary and lock files.

    Symbolic links to folders are followed only within the folder given (a link to ``..``
    is passed over), and no folder is visited twice. Without ``recursive``, sub-folders are
    not looked into, but the workbooks they hold are counted (``nested:<count>``), so the
    caller can say to add -r. A file named explicitly is taken unless it is an Excel lock
    file or a kamxl report."""
    from kamxl.io.outputs import is_report

    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    visited: set[tuple[int, int]] = set()
    unseen: dict[Path, list[Path]] = {}          # folder given -> workbooks in its sub-folders, without -r
    for path in paths:
        if _is_dir(path):
            root = os.path.realpath(path)
            if _key(path) not in visited:
                _walk(path, recursive, files, skipped, visited, root, unseen.setdefault(path, []))
        elif path.name.startswith("~$"):
            skipped.append((path, "lock"))
        elif is_report(path):
            skipped.append((path, "report"))
        else:
            files.append(path)
    seen: set[str] = set()
    unique = []
    for f in files:
        key = _identity(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    for folder, nested in unseen.items():
        count = len({_identity(f) for f in nested} - seen)
        if count:
            skipped.append((folder, f"nested:{count}{'+' if len(nested) >= NESTED_CAP else ''}"))
    return unique, skipped


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _key(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _identity(path: Path) -> str:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return os.path.abspath(path)
    return f"{info.st_dev}:{info.st_ino}"


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:                 # another drive (Windows)
        return False


def _walk(folder: Path, recursive: bool, files: list[Path], skipped: list[tuple[Path, str]],
          visited: set[tuple[int, int]], root: str, unseen: list[Path] | None) -> None:
    """``folder``'s workbooks into ``files`` (its sub-folders' too when ``recursive``); without
    it, the sub-folders' workbooks are counted into ``unseen`` (when given) instead."""
    from kamxl.io.outputs import is_report

    try:
        info = os.stat(folder)
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        skipped.append((folder, f"unreachable:{exc.strerror or exc}"))
        return
    visited.add((info.st_dev, info.st_ino))
    for entry in entries:
        path = Path(entry.path)
        try:
            target = os.stat(entry.path)             # follows links; a link loop raises ELOOP
        except OSError as exc:
            skipped.append((path, "loop" if exc.errno == errno.ELOOP else f"unreachable:{exc.strerror or exc}"))
            continue
        name, suffix = entry.name, path.suffix.lower()
        if stat.S_ISDIR(target.st_mode):
            if not recursive:
                if unseen is not None:
                    unseen.extend(_below(path, root, visited, NESTED_CAP - len(unseen)))
                continue
            real = os.path.realpath(entry.path)
            if entry.is_symlink() and not _within(real, root):
                skipped.append((path, f"outside:{real}"))   # a link out of the folder given: not followed
            elif (target.st_dev, target.st_ino) in visited:
                skipped.append((path, "loop"))
            else:
                _walk(path, recursive, files, skipped, visited, root, None)
        elif name.startswith("~$"):
            skipped.append((path, "lock"))           # Excel's lock file of an open workbook
        elif name.startswith(TEMP_PREFIX) or name.endswith(LOCK_SUFFIX):
            skipped.append((path, "temp"))
        elif stat.S_ISREG(target.st_mode) and (suffix in WORKBOOK_SUFFIXES or suffix in KNOWN_OTHER):
            if suffix == ".xlsx" and is_report(path):
                skipped.append((path, "report"))     # kamxl's own report, left among the submissions
            else:
                files.append(path)
        else:
            skipped.append((path, "other"))


def _below(folder: Path, root: str, visited: set[tuple[int, int]], budget: int) -> list[Path]:
    """The workbooks a recursive walk of ``folder`` would take (by the same rules), for the
    hint to add -r; at most ``budget`` of them, from at most ten times as many entries."""
    if budget <= 0:
        return []
    found: list[Path] = []
    seen = set(visited)
    stack, entries = [folder], budget * 10
    while stack and len(found) < budget and entries > 0:
        current = stack.pop()
        try:
            info = os.stat(current)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(current) as listing:
                for entry in listing:
                    entries -= 1
                    try:
                        target = os.stat(entry.path)
                    except OSError:
                        continue
                    if stat.S_ISDIR(target.st_mode):
                        if not entry.is_symlink() or _within(os.path.realpath(entry.path), root):
                            stack.append(Path(entry.path))
                    elif (stat.S_ISREG(target.st_mode) and not entry.name.startswith(("~$", TEMP_PREFIX))
                          and Path(entry.name).suffix.lower() in WORKBOOK_SUFFIXES | KNOWN_OTHER):
                        found.append(Path(entry.path))
        except OSError:
            continue
    return found[:budget]


def skipped_findings(skipped: Iterable[tuple[Path, str]], *, base: Path | None = None) -> list[Finding]:
    """One INFO finding (``S-SKIPPED``) per path passed over, naming it and why."""
    out = []
    for path, why in skipped:
        key, _, reason = why.partition(":")
        out.append(finding("S-SKIPPED", Severity.INFO, SKIPPED[key], SKIPPED_FIXES.get(key, SKIPPED_FIX),
                           file=_display(path, base),
                           **({"reason": reason} if reason else {})))
    return out


# --- one file ------------------------------------------------------------------------------------
def validate_file(path: Path, *, config: Config | None = None, today: date | None = None,
                  display: str | None = None, customers: register.Index | None = None) -> FileResult:
    """Every check on one workbook. Never raises for the file's content (only
    ``MemoryError``, which the ceilings of :func:`validate_paths` turn into a finding).
    ``customers``: the customer register the file's customers are checked against."""
    return _validated(path, config=config, today=today, display=display, customers=customers)[0]


def _validated(path: Path, *, config: Config | None, today: date | None, display: str | None,
               customers: register.Index | None = None) -> tuple[FileResult, Context | None]:
    """:func:`validate_file`, and the context the checks read (None when the file was not read)."""
    name = display or str(path)
    cfg, day = config or default_config(), today or date.today()
    try:
        # refuses what is not a safe workbook package first (kamxl.io.intake); a roll-up's lineage is read
        # as the roll-up reads it, so that a roll-up and the files it is made of are not duplicates (M-FC-3)
        package = check_input(path)      # once: the reader and the structure both read from what it saw
        data = read_workbook(path, extra=(LINEAGE,), package=package)
        shape = read_structure(path, columns=formula_columns(data), package=package)
    except InputError as exc:
        if exc.code == "S-TEMPLATE":
            return FileResult(name, "", True, [finding("S-TEMPLATE", Severity.ERROR, exc.text, NOT_TEMPLATE_FIX,
                                                       file=name, **exc.params)]), None
        rule = TOO_LARGE_CODE if exc.code == TOO_LARGE_CODE else "S-UNREADABLE"
        return _unreadable(name, exc.text, rule=rule, **exc.params), None
    except FileNotFoundError:
        return _unreadable(name, GONE), None
    except MemoryError:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors, and panics (BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return _unreadable(name, UNREADABLE, reason=f"{type(exc).__name__}: {exc}"), None
    ctx = Context(data, shape, cfg, day, name)
    typed = values.check(ctx)
    empty = structure.blank(ctx)
    if empty is not None:            # said once, not as a required value per field; it asserts nothing
        return FileResult(name, data.template.id, True, [empty, *structure.check(ctx), *formulas.check(ctx)],
                          owners=owners_of(data)), ctx
    found = typed + structure.check(ctx) + METHODOLOGY[data.template.id](ctx) + formulas.check(ctx)
    if customers is not None and data.template.id != "register":
        found += register.against(ctx, customers)
    return FileResult(name, data.template.id, True, found, claims(ctx, typed, path), owners=owners_of(data)), ctx


#: where a workbook names whom it belongs to, in order: the first that names anyone counts
OWNER_FIELDS = (("Forecast", "owner"), ("Profile", "account_manager"), ("ForecastLines", "owner"),
                ("Opportunities", "owner"))


def owners_of(data: WorkbookData) -> tuple[str, ...]:
    """Whom operations chase about a workbook, as it names them: a forecast's (or roll-up's)
    header owner, an account plan's account manager, else the lines' primary owners
    (a funnel's, each once, in the order they first appear)."""
    for name, key in OWNER_FIELDS:
        if name in data.forms:
            values = [data.forms[name].values.get(key)]
        elif name in data.tables and key in data.tables[name].offsets:
            values = data.tables[name].column(key)
        else:
            continue
        names = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if names:
            return tuple(dict.fromkeys(names))
    return ()


def formula_columns(data: WorkbookData) -> dict[str, frozenset[str]]:
    """Sheet -> letters of the columns whose cells must hold formulas (tables and forms)."""
    wanted: dict[str, set[str]] = {}
    for table in data.tables.values():
        for key, col in table.columns.items():
            if table.table.column(key).formula:
                wanted.setdefault(table.sheet, set()).add(get_column_letter(col + 1))
    for form in data.template.forms():
        record = data.forms.get(form.prefix)
        for column in (c for c in form.fields if c.formula) if record else ():
            if column.key in record.cells:  # type: ignore[union-attr]
                cell = record.cells[column.key]  # type: ignore[union-attr]
                wanted.setdefault(record.sheet, set()).add(cell.rstrip("0123456789"))  # type: ignore[union-attr]
    for grid in data.grids.values():
        wanted.setdefault(grid.sheet, set()).update(cell.rstrip("0123456789") for _k, _c, cell in grid.cells())
    return {sheet: frozenset(letters) for sheet, letters in wanted.items()}


def claims(ctx: Context, typed: list[Finding], path: Path) -> list[across.Claim | across.Claims | across.Forecast | across.Customers]:
    """The facts of this file that other files may contradict (``typed``: the value checks'
    findings). A blank owner or account manager asserts nothing: it is the file's own finding."""
    out: list[across.Claim | across.Claims | across.Forecast | across.Customers] = []
    data = ctx.data.tables.get("Opportunities")
    if data is not None:
        names: dict[str, str] = {}
        rows = [(str(id_), names.setdefault(str(owner), str(owner)), row)
                for row, id_, owner in zip(data.row_numbers, ctx.column("Opportunities", "id"),
                                           ctx.column("Opportunities", "owner")) if id_ and owner]
        if rows:
            keys, owners, numbers = map(list, zip(*rows))
            letter = data.record(0).cells["id"].rstrip("0123456789")
            out.append(across.Claims("opportunity", ctx.file, data.sheet, keys, owners, letter, numbers))
    forecast = _forecast(ctx, typed, path) if ctx.data.template.id == "forecast" else None
    if forecast is not None:
        out.append(forecast)
    # a forecast's customers only when a roll-up would take it (a blank header asserts
    # nothing), and only a rep's: a roll-up's lines restate its inputs' owners
    own = ctx.data.template.id != "forecast" or (forecast is not None and forecast.level == FORECAST_LEVEL.terms[0].key)
    customers = _customers(ctx) if own else None
    if customers is not None:
        out.append(customers)
    return out


def _customers(ctx: Context) -> across.Customers | None:
    """M-ACC-2, M-ACC-3, M-FUN-5: the customers this file names and who works each — an
    account plan's customer and account manager (and whether its decision chain has
    anyone), a funnel's opportunities and a forecast's lines with their primary owners."""
    profile = ctx.data.forms.get("Profile")
    if profile is not None:
        facts = ctx.forms.get("Profile", {})
        if not (facts.get("customer") and facts.get("account_manager")):
            return None
        chain = any(not is_blank(n) for n in ctx.column("DecisionChain", "name"))
        return across.Customers("plan", ctx.file, profile.sheet, [str(facts["customer"])],
                                [str(facts.get("credit_code") or "")], [str(facts["account_manager"])],
                                [profile.cells.get("customer", "")], [profile.cells.get("credit_code", "")],
                                chain=chain)
    table = "Opportunities" if "Opportunities" in ctx.data.tables else "ForecastLines"
    data = ctx.data.tables.get(table)
    if data is None or not data.rows:
        return None
    first = data.record(0).cells
    letter = {k: first.get(k, "").rstrip("0123456789") for k in ("customer", "credit_code", "stage")}
    threshold = ctx.config.evidence.decision_chain_from
    names, codes, owners, rows, evidence = [], [], [], [], []
    for row, name, code, owner, stage, status in zip(
            data.row_numbers, *(ctx.column(table, k) for k in ("customer", "credit_code", "owner", "stage", "status"))):
        if is_blank(name) or is_blank(owner):
            continue   # a blank customer or owner asserts nothing: the file's own finding
        if table == "Opportunities" and stage is not None and (status or "open") == "open" \
                and stage.number >= threshold:
            evidence.append((len(names), f"{letter['stage']}{row}", stage.code))
        names.append(sys.intern(str(name)))     # equal texts one object, pickled once: a batch keeps them to its end
        codes.append("" if is_blank(code) else sys.intern(str(code)))
        owners.append(sys.intern(str(owner)))
        rows.append(row)
    kind = "funnel" if table == "Opportunities" else "forecast"
    return across.Customers(kind, ctx.file, data.sheet, names, codes, owners, across.Cells(letter["customer"], rows),
                            across.Cells(letter["credit_code"], rows), tuple(evidence))


def _forecast(ctx: Context, typed: list[Finding], path: Path) -> across.Forecast | None:
    """M-FC-3: the forecast as a roll-up takes it and the lines a roll-up counts of it
    (:func:`kamxl.rollup.inputs.submission_of`, :func:`kamxl.rollup.core.select`); None when
    a required header value is blank or unreadable (which report it is, is unknown)."""
    # the roll-up's package brings its writers: imported only when a forecast is validated
    from kamxl.rollup.core import select
    from kamxl.rollup.inputs import digest_of, source_reports, submission_of
    from kamxl.rollup.model import Submission

    header = ctx.forms.get("Forecast", {})
    form = next(f for f in ctx.data.template.forms() if f.prefix == "Forecast")
    if any(header.get(c.key) is None for c in form.fields if c.required):
        return None
    sub = submission_of(ctx, digest_of(path), typed)
    if not isinstance(sub, Submission):
        return None
    counted, _left_out = select([sub], ctx.config)
    if not counted:
        return None
    letter = counted[0].cell.rstrip("0123456789")
    names: dict[str, str] = {}
    lines = across.Claims("forecast_line", ctx.file, ctx.data.tables["ForecastLines"].sheet,
                          [x.id for x in counted], [names.setdefault(x.owner, x.owner) for x in counted], letter,
                          [int(x.cell[len(letter):]) for x in counted])
    return across.Forecast(lines, sub.sha256, sub.owner, sub.level, sub.period, sub.submitted_at,
                           tuple(digest for _file, digest in sub.lineage), source_reports(ctx))


def _unreadable(name: str, text: Text, *, rule: str = "S-UNREADABLE", hint: Text = UNREADABLE_FIX,
                **params: object) -> FileResult:
    return FileResult(name, "", False, [finding(rule, Severity.ERROR, text, hint, file=name, **params)])


def breach_result(name: str, breach: Breach, limits: Limits) -> FileResult:
    """The one finding of a file that hit a ceiling, or took its worker down."""
    if breach.kind == "timeout":
        return _unreadable(name, TIMEOUT, rule="S-FILE-TIMEOUT", hint=TIMEOUT_FIX, seconds=f"{limits.seconds:g}")
    if breach.kind == "memory":
        return _unreadable(name, MEMORY, rule="S-FILE-MEMORY", hint=MEMORY_FIX, memory=limits.memory_mb or "?")
    return _unreadable(name, CRASHED, detail=breach.detail)


# --- many files ----------------------------------------------------------------------------------
def _worker(shared: tuple[Config, date, register.Index | None], task: tuple[Path, str]) -> FileResult:
    cfg, day, customers = shared
    path, display = task
    return validate_file(path, config=cfg, today=day, display=display, customers=customers)


def read_register(path: Path, *, config: Config, today: date, display: str) -> tuple[FileResult, register.Index]:
    """The customer register, read once for a batch: its own findings and its :class:`Index`;
    InputError (S-REGISTER) naming the file when it cannot be read or is no register."""
    result, ctx = _validated(path, config=config, today=today, display=display)
    if ctx is None:
        first = result.findings[0]
        reason = Message.of(first.message, **dict(first.params))
        raise InputError("S-REGISTER", REGISTER_UNREADABLE, {"file": display, "reason": reason})
    if ctx.data.template.id != "register":
        raise InputError("S-REGISTER", NOT_A_REGISTER, {"file": display, "template": ctx.data.template.title})
    return result, register.index_of(ctx)


def limits_of(config: Config) -> Limits:
    """The per-file ceilings of a configuration (its ``[limits]``)."""
    return Limits(config.ceilings.file_seconds, config.ceilings.file_memory_mb)


def validate_paths(paths: Iterable[Path], *, jobs: int = 1, config: Config | None = None, today: date | None = None,
                   base: Path | None = None, progress: Callable[[FileResult], None] | None = None,
                   limits: Limits | None = None, skipped: Iterable[tuple[Path, str]] = (),
                   customers: Path | None = None) -> Report:
    """Validate every file; ``base`` makes file names relative in findings and reports.

    ``customers``: the customer register (``--register``), read once and validated with the
    batch; every other file's customers are checked against it (:func:`kamxl.checks.register.against`).

    Each file runs under the ceilings (``limits``, else the configuration's ``[limits]``):
    one that takes too long or too much memory, or takes its worker down, is one finding
    and the batch goes on. ``skipped`` (from :func:`discover`) become INFO findings.
    """
    cfg, day = config or default_config(), today or date.today()
    ceilings = limits if limits is not None else limits_of(cfg)
    tasks = [(p, _display(p, base)) for p in paths]
    results: list[FileResult] = []
    index = None
    if customers is not None:
        own, index = read_register(customers, config=cfg, today=day, display=_display(customers, base))
        tasks = [t for t in tasks if _identity(t[0]) != _identity(customers)]   # validated here, once
        results.append(own)
        if progress:
            progress(own)
    for (_path, name), outcome in zip(tasks, run_guarded(_worker, tasks, (cfg, day, index), jobs=jobs,
                                                         limits=ceilings)):
        result = breach_result(name, outcome, ceilings) if isinstance(outcome, Breach) else outcome
        _share_texts(result)
        results.append(result)
        if progress:
            progress(result)
    report = Report(results, notes=skipped_findings(skipped, base=base))
    report.across = across.check((c for r in results for c in r.claims),  # type: ignore[misc]
                                 registered=index is not None)
    return report


def _share_texts(result: FileResult) -> None:
    """The customers' names, codes and people that files have in common, held once for the
    batch (each file's arrive as its own copies; they are kept until the across-files checks)."""
    for facts in result.claims or ():
        if isinstance(facts, across.Customers):
            for column in (facts.names, facts.codes, facts.owners):
                column[:] = map(sys.intern, column)


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            # the folder resolved, not the name: a link shows as itself (and a loop never resolves)
            return str((path.parent.resolve() / path.name).relative_to(base.resolve()))
        except (ValueError, OSError, RuntimeError):   # outside base; a symbolic link loop (RuntimeError < 3.13)
            pass
    return str(path)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


__all__ = ["discover", "formula_columns", "limits_of", "skipped_findings", "validate_file", "validate_paths"]
