"""Batch validation: files and folders in, one report of findings out.

Each file is read once through the fast value reader and its structure parts, checked by
every rule family in :mod:`kamxl.checks`, and never modified, locked or re-saved. A file
that cannot be read is one finding naming the reason; the batch goes on. ``jobs`` > 1
validates in worker processes; the across-files checks run at the end on the facts each
file reported.
"""
from __future__ import annotations

import gc
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from kamxl.checks import Context, account_plan, across, forecast, formulas, funnel, structure, values
from kamxl.errors import InputError
from kamxl.findings import FileResult, Finding, Report, Severity, finding
from kamxl.i18n import Text
from kamxl.io.reader import WorkbookData, read_workbook
from kamxl.io.structure import check_archive, read_structure
from kamxl.methodology import Config, default_config

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
KNOWN_OTHER = {".xls": Text("旧版 .xls 格式", "legacy .xls format"), ".xlsb": Text("二进制 .xlsb 格式", "binary .xlsb format")}
UNREADABLE = Text("无法读取此文件：{reason}", "cannot read this file: {reason}")
UNREADABLE_FIX = Text("用 Excel 另存为 .xlsx（无密码）后重新提交", "save it from Excel as .xlsx (no password) and submit again")
ENCRYPTED = Text("工作簿设有打开密码", "the workbook is password protected")
NOT_ZIP = Text("不是有效的 Excel 文件（文件损坏，或扩展名不对）", "not a valid Excel file (corrupt, or a wrong extension)")
OTHER_FORMAT = Text("{what}：请另存为 .xlsx", "{what}: save it as .xlsx")
NOT_TEMPLATE_FIX = Text("用 kamxl new … 生成的模板填写", "fill in a template made by kamxl new …")

METHODOLOGY: dict[str, Callable[[Context], list[Finding]]] = {
    "funnel": funnel.check, "forecast": forecast.check, "account-plan": account_plan.check,
}


def discover(paths: Iterable[Path], *, recursive: bool = False) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Workbooks to validate, and the files passed over with why (lock files, other files)."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*") if recursive else path.iterdir())
            candidates = [p for p in found if p.is_file()]
        else:
            candidates = [path]
        for p in candidates:
            if p.name.startswith("~$"):
                skipped.append((p, "lock"))          # Excel's lock file of an open workbook
            elif p.suffix.lower() in WORKBOOK_SUFFIXES or p.suffix.lower() in KNOWN_OTHER or not path.is_dir():
                files.append(p)
            else:
                skipped.append((p, "other"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]  # type: ignore[func-returns-value]
    return unique, skipped


def _sniff(path: Path) -> Text | None:
    """Why a file is not a readable .xlsx, judged from its first bytes (None: it may be)."""
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):       # OLE container: encrypted .xlsx, or .xls
        return KNOWN_OTHER[".xls"] if suffix == ".xls" else ENCRYPTED
    if suffix in KNOWN_OTHER:
        return KNOWN_OTHER[suffix]
    if not head.startswith(b"PK"):
        return NOT_ZIP
    return None


def validate_file(path: Path, *, config: Config | None = None, today: date | None = None,
                  display: str | None = None) -> FileResult:
    """Every check on one workbook. Never raises for the file's content."""
    name = display or str(path)
    cfg, day = config or default_config(), today or date.today()
    try:
        reason = _sniff(path)
        if reason is not None:
            return _unreadable(name, reason if reason in (ENCRYPTED, NOT_ZIP) else OTHER_FORMAT, what=reason)
        check_archive(path)       # a zip bomb is refused before anything unpacks it
        data = read_workbook(path)
        shape = read_structure(path, columns=formula_columns(data))
    except InputError as exc:
        if exc.code == "S-TEMPLATE":
            return FileResult(name, "", True, [finding("S-TEMPLATE", Severity.ERROR, exc.text, NOT_TEMPLATE_FIX,
                                                       file=name, **exc.params)])
        return _unreadable(name, exc.text, **exc.params)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return _unreadable(name, UNREADABLE, reason=f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors, and panics (BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return _unreadable(name, UNREADABLE, reason=f"{type(exc).__name__}: {exc}")
    ctx = Context(data, shape, cfg, day, name)
    found = values.check(ctx) + structure.check(ctx) + METHODOLOGY[data.template.id](ctx) + formulas.check(ctx)
    return FileResult(name, data.template.id, True, found, claims(ctx))


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


def _unreadable(name: str, text: Text, **params: object) -> FileResult:
    if "what" in params and isinstance(params["what"], Text):
        params = {"what": params["what"].both()}
    return FileResult(name, "", False, [finding("S-UNREADABLE", Severity.ERROR, text, UNREADABLE_FIX, file=name,
                                                **params)])


def claims(ctx: Context) -> list[across.Claim | across.Claims]:
    """The facts of this file that other files may contradict."""
    out: list[across.Claim | across.Claims] = []
    for table, kind, key in (("Opportunities", "opportunity", "id"), ("ForecastLines", "forecast_line", "opportunity_id")):
        data = ctx.data.tables.get(table)
        if data is None:
            continue
        rows = [(str(id_), str(owner or ""), record.cells[key])
                for record, id_, owner in zip(data.records, ctx.column(table, key), ctx.column(table, "owner")) if id_]
        if rows:
            keys, owners, cells = map(list, zip(*rows))
            out.append(across.Claims(kind, ctx.file, data.sheet, keys, owners, cells))
    profile = ctx.data.forms.get("Profile")
    typed = ctx.forms.get("Profile", {})
    if profile and typed.get("customer"):
        out.append(across.Claim("customer", str(typed["customer"]), str(typed.get("account_manager") or ""), ctx.file,
                                profile.sheet, profile.cells.get("customer", ""), str(typed.get("credit_code") or "")))
    return out


def _worker(args: tuple[Path, Config, date, str]) -> FileResult:
    path, cfg, day, display = args
    return validate_file(path, config=cfg, today=day, display=display)


def validate_paths(paths: Iterable[Path], *, jobs: int = 1, config: Config | None = None, today: date | None = None,
                   base: Path | None = None, progress: Callable[[FileResult], None] | None = None) -> Report:
    """Validate every file; ``base`` makes file names relative in findings and reports."""
    cfg, day = config or default_config(), today or date.today()
    files = list(paths)
    tasks = [(p, cfg, day, _display(p, base)) for p in files]
    results: list[FileResult] = []
    for result in _run(tasks, jobs):
        results.append(result)
        if progress:
            progress(result)
    report = Report(results)
    report.across = across.check(c for r in results for c in r.claims)  # type: ignore[misc]
    return report


def _run(tasks: list[tuple[Path, Config, date, str]], jobs: int) -> Iterator[FileResult]:
    if jobs <= 1 or len(tasks) < 2:
        yield from map(_worker, tasks)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.freeze) as pool, _no_cycle_collection():
        yield from pool.map(_worker, tasks, chunksize=max(1, min(32, len(tasks) // (jobs * 8) or 1)))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Results are plain acyclic data freed by reference counting; the cycle collector
    would only rescan the growing pile of them, once per few hundred objects unpickled.
    (Workers freeze what they inherit, for the same reason.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


__all__ = ["discover", "formula_columns", "validate_file", "validate_paths"]
