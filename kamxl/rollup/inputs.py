"""Reading the roll-up's inputs: forecast workbooks (reps' forecasts or lower roll-ups)
through the same reader and value checks as validation, and the side files (quotas,
channel forecast, currency rates). Inputs are opened read-only and never written."""
from __future__ import annotations

import csv
import hashlib
import os
import stat
from datetime import date
from pathlib import Path

import python_calamine as pc

from kamxl.checks import Context, values
from kamxl.errors import InputError
from kamxl.findings import Finding
from kamxl.i18n import Message, Text
from kamxl.io.intake import CANNOT_OPEN, GONE, NOT_A_FILE, check_input
from kamxl.io.reader import read_workbook
from kamxl.methodology import Config, parse_period
from kamxl.methodology.values import fold, is_blank, parse_number
from kamxl.methodology.vocabulary import FORECAST_LEVEL
from kamxl.rollup.model import INCLUDED, USED, Excluded, LayerRow, Line, Skipped, Submission
from kamxl.schema.rollup import BY_OWNER, LINEAGE

NOT_FORECAST = Text("不是预测工作簿（是“{template}”）", "not a forecast workbook (it is a '{template}')")
HEADER_MISSING = Text("表头缺少“{field}”", "the header lacks '{field}'")
HEADER_INVALID = Text("表头“{field}”（{cell}）无效：{reason}", "the header's '{field}' ({cell}) is invalid: {reason}")
UNREADABLE = Text("无法读取此文件：{reason}", "cannot read this file: {reason}")
SIDE_FILE = Text("{file}：找不到“{column}”列（第一行应为列名，可写作 {names}）",
                 "{file}: no '{column}' column (the first row must hold the column names; it may be {names})")
SIDE_VALUE = Text("{file} 第 {row} 行：“{column}”的值无效：{value!r}（应为{need}）",
                  "{file} row {row}: invalid '{column}': {value!r} (must be {need})")
SIDE_BLANK = Text("{file} 第 {row} 行：“{column}”为空", "{file} row {row}: '{column}' is blank")
SIDE_EMPTY = Text("{file}：没有数据（第一行为列名，其下每行一条）",
                  "{file}: no data (the first row names the columns, one entry on each row below)")
SIDE_ENCODING = Text("{file} 不是 UTF-8 编码的 CSV：请在 Excel 中另存为“CSV UTF-8”，或改用 .xlsx",
                     "{file} is not a UTF-8 CSV: save it from Excel as 'CSV UTF-8', or give an .xlsx")
SIDE_KIND = Text("{file} 不是 .csv 或 .xlsx 表格", "{file} is not a .csv or .xlsx table")
#: what the side files' columns are called in messages
COLUMN_LABELS = {"owner": Text("负责人", "owner"), "period": Text("期间", "period"), "quota": Text("指标", "quota"),
                 "amount": Text("金额", "amount"), "currency": Text("币种", "currency"), "rate": Text("汇率", "rate"),
                 "adjusted": Text("调整后", "adjusted"), "note": Text("说明", "note")}
NOT_NEGATIVE = Text("不小于 0 的数", "a number, 0 or more")
POSITIVE = Text("大于 0 的数", "a number above 0")

HEADER_FIELDS = ("owner", "period", "currency")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_of(path: Path) -> str:
    """The file's SHA-256, or '' when it cannot be read (gone, not a regular file: a pipe
    would block the reader for ever)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        return sha256(path)
    except OSError:
        return ""


def read_submission(path: Path, name: str, config: Config, today: date) -> Submission | Skipped:
    """One forecast workbook as a submission, or why it cannot be one (never raises for
    the file's content; ``MemoryError`` is left to the ceilings of :mod:`kamxl.io.guard`)."""
    digest = digest_of(path)
    try:
        # refuses what is not a safe workbook package first (intake); the summaries are not needed
        data = read_workbook(path, grids=False, forms=("Forecast",), extra=(LINEAGE, BY_OWNER))
    except InputError as exc:
        return Skipped(name, digest, exc.text, exc.params)
    except FileNotFoundError:
        return Skipped(name, digest, GONE)
    except MemoryError:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors, and panics
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return Skipped(name, digest, UNREADABLE, {"reason": f"{type(exc).__name__}: {exc}"})
    if data.template.id != "forecast":
        return Skipped(name, digest, NOT_FORECAST, {"template": data.template.title})
    ctx = Context(data, None, config, today, name)
    return submission_of(ctx, digest, values.check(ctx))


def submission_of(ctx: Context, digest: str, problems: list[Finding]) -> Submission | Skipped:
    """A forecast as the roll-up takes it, from its typed values (``ctx`` after the value
    checks, whose findings are ``problems``: a line with one is unreadable). Validation's
    across-files checks take forecasts the same way (:mod:`kamxl.checks.across`)."""
    data, name = ctx.data, ctx.file
    header = ctx.forms.get("Forecast", {})
    invalid = _invalid_header(ctx, problems)
    if invalid:
        return Skipped(name, digest, HEADER_INVALID, invalid)
    missing = next((f for f in HEADER_FIELDS if not header.get(f)), None)
    if missing:
        return Skipped(name, digest, HEADER_MISSING, {"field": data.template.forms()[0].field(missing).header})
    bad_rows = {int(f.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")): f for f in problems
                if f.cell and data.tables.get("ForecastLines") and f.sheet == data.tables["ForecastLines"].sheet}
    lines, unreadable = _lines(ctx, name, bad_rows, header.get("submitted_at"))
    return Submission(
        file=name, sha256=digest, owner=str(header["owner"]), level=header.get("level") or "rep",
        manager=str(header.get("manager") or ""), period=parse_period(header["period"], config=ctx.config),
        currency=str(header["currency"]).upper(),
        submitted_at=header.get("submitted_at"), quota=header.get("quota"), lines=tuple(lines),
        layer=tuple(_layer(ctx)), unreadable=tuple(unreadable), rows_read=len(lines) + len(unreadable),
        lineage=_sources(ctx), owner_quotas=_owner_quotas(ctx))


def _invalid_header(ctx: Context, problems: list[Finding]) -> dict[str, object] | None:
    """The first header field the roll-up cannot take as written: a value the value checks
    could not read (a level not in the list), or a period not as the company writes periods
    (M-FC-1: 'Q4 2026' would be rolled up as a period of its own). ``kamxl validate``
    reports the same values as errors at the same cells."""
    record = ctx.data.forms.get("Forecast")
    if record is None:
        return None
    form = ctx.data.template.forms()[0]
    at = {(record.sheet, cell): key for key, cell in record.cells.items()}
    for problem in problems:
        key = at.get((problem.sheet, problem.cell))
        if key is not None:
            return {"field": form.field(key).header, "cell": problem.cell,
                    "reason": Message(problem.message, problem.params)}
    period = ctx.forms.get("Forecast", {}).get("period")
    if period:
        try:
            parse_period(period, config=ctx.config)
        except InputError as exc:
            return {"field": form.field("period").header, "cell": record.cells.get("period", ""), "reason": exc.reason}
    return None


LINE_KEYS = ("opportunity_id", "customer", "owner", "confirmed", "stage", "status", "category", "amount",
             "close_date", "owner_forecast", "adjusted_forecast", "adjustment_note", "adjusted_by", "submitted_at")


def _lines(ctx: Context, name: str, bad_rows: dict, submitted: date | None) -> tuple[list[Line], list[Excluded]]:
    """Column by column (no dict or record per row): a business unit reads 200,000 lines."""
    data = ctx.data.tables.get("ForecastLines")
    if data is None:
        return [], []
    lines, unreadable = [], []
    dates: dict[date, date] = {}     # one object per distinct date: pickled once, not per line
    letter = data.record(0).cells.get("opportunity_id", "A1").rstrip("0123456789") if data.rows else "A"
    for row, (id_, customer, owner, confirmed, stage, status, category, amount, close, owner_forecast, adjusted,
              note, adjusted_by, submitted_at) in zip(data.row_numbers,
                                                      zip(*(ctx.column("ForecastLines", k) for k in LINE_KEYS))):
        cell = f"{letter}{row}"
        problem = bad_rows.get(row)
        if problem is not None or None in (id_, owner, stage, category, amount, close):   # the required ones
            detail = Message(problem.message, problem.params) if problem else None
            unreadable.append(Excluded("unreadable", str(id_ or ""), str(owner or ""), amount, category, name,
                                       problem.cell if problem else cell, detail=detail))
            continue
        lines.append(Line(
            id=str(id_), customer=str(customer or ""), owner=str(owner), confirmed=bool(confirmed), stage=stage,
            status=status or "open", category=category, amount=float(amount),
            owner_forecast=owner_forecast, adjusted_forecast=adjusted, adjustment_note=str(note or ""),
            adjusted_by=str(adjusted_by or ""), submitted_at=dates.setdefault(submitted_at, submitted_at) or submitted,
            close_date=dates.setdefault(close, close), file=name, cell=cell))
    return lines, unreadable


def _layer(ctx: Context) -> list[LayerRow]:
    rows = []
    for _record, t in ctx.rows("OwnerForecasts"):
        if not (t.get("level") and t.get("manager") and t.get("owner")):
            continue
        rows.append(LayerRow(level=t["level"], manager=str(t["manager"]), owner=str(t["owner"]),
                             period=str(t.get("period") or ""), lines=int(t.get("lines") or 0),
                             unadjusted=float(t.get("unadjusted") or 0.0), owner_figure=float(t.get("owner_figure") or 0.0),
                             adjusted_figure=t.get("adjusted_figure"), adjusted_by=str(t.get("adjusted_by") or ""),
                             note=str(t.get("note") or "")))
    return rows


_SOURCE = {fold(text) for status in (USED, INCLUDED) for text in (status.zh, status.en)}


def _sources(ctx: Context) -> tuple[tuple[str, str], ...]:
    """A roll-up's sources at every level below it (its lineage rows used or included, by
    SHA-256): what makes it and one of its sources together a mixed-level input (M-FC-3)."""
    return tuple((str(t.get("file") or ""), str(t["sha256"])) for _r, t in ctx.rows(LINEAGE.name)
                 if t.get("sha256") and fold(t.get("status") or "") in _SOURCE)


def source_reports(ctx: Context) -> tuple[tuple[str, str, str], ...]:
    """A roll-up's direct inputs as reports: (owner, level, period) of its lineage rows
    used, the owner folded as the roll-up compares owners (one forecast per report: another
    version of one of them is that report again, not another forecast)."""
    used = {fold(text) for text in (USED.zh, USED.en)}
    out = []
    for _r, t in ctx.rows(LINEAGE.name):
        if fold(t.get("status") or "") in used and t.get("owner") and t.get("level") and t.get("period"):
            try:
                level = FORECAST_LEVEL.parse(t["level"]).key
            except InputError:
                continue
            out.append((fold(t["owner"]).replace(" ", ""), level, str(t["period"]).strip()))
    return tuple(out)


def _owner_quotas(ctx: Context) -> tuple[tuple[str, float], ...]:
    """A roll-up's by-owner quotas (M-TEAM-1): a roll-up above it, without a quota file,
    allocates its quota to the same owners."""
    return tuple((str(t["owner"]), float(t["quota"])) for _r, t in ctx.rows(BY_OWNER.name)
                 if t.get("owner") and t.get("quota") is not None)


# --- side files: a first sheet (or CSV) whose first row names the columns ----------------------------

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "预测人", "负责人", "主要负责人", "name", "姓名"),
    "period": ("period", "预测期间", "期间"),
    "quota": ("quota", "指标", "销售指标"),
    "amount": ("amount", "channel forecast", "金额", "渠道预测"),
    "currency": ("currency", "币种"),
    "rate": ("rate", "汇率"),
    "adjusted": ("adjusted", "adjusted figure", "manager-adjusted", "上级调整后", "调整后"),
    "note": ("note", "why", "调整说明", "说明"),
}


def read_table(path: Path, *need: str) -> list[tuple[int, dict[str, object]]]:
    """The first sheet of an .xlsx (or a UTF-8 CSV) as (row number, row keyed by the column
    names above); an error naming the file when a column of ``need`` is not in the first
    row or no row holds data."""
    grid = _grid(path)
    names = {fold(n): key for key, spellings in COLUMN_NAMES.items() for n in spellings}
    header = [names.get(fold(h)) if not is_blank(h) else None for h in grid[0]] if grid else []
    for column in need:
        if column not in header:
            raise InputError("S-ROLLUP-INPUT", SIDE_FILE, {"file": str(path), "column": COLUMN_LABELS[column],
                                                            "names": " / ".join(COLUMN_NAMES[column])})
    rows = []
    for row_no, raw in enumerate(grid[1:], start=2):
        row = {key: value for key, value in zip(header, raw) if key and not is_blank(value)}
        if row:
            rows.append((row_no, row))
    if not rows:
        raise InputError("S-ROLLUP-INPUT", SIDE_EMPTY, {"file": str(path)})
    return rows


def _grid(path: Path) -> list[list[object]]:
    if path.suffix.lower() == ".csv":
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError as exc:
            raise InputError("S-UNREADABLE", CANNOT_OPEN, {"reason": exc.strerror or str(exc)}).at(
                file=str(path)) from None
        if not regular:                            # a pipe or a device would block the reader
            raise InputError("S-UNREADABLE", NOT_A_FILE).at(file=str(path))
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return list(csv.reader(handle))
        except UnicodeDecodeError:
            raise InputError("S-ROLLUP-INPUT", SIDE_ENCODING, {"file": str(path)}) from None
        except csv.Error:
            raise InputError("S-ROLLUP-INPUT", SIDE_KIND, {"file": str(path)}) from None
    try:
        check_input(path)                     # the same refusals as for a submission
    except InputError as exc:
        raise exc.at(file=str(path)) from None
    try:
        return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception:  # noqa: BLE001 - calamine raises its own errors
        raise InputError("S-ROLLUP-INPUT", SIDE_KIND, {"file": str(path)}) from None


def _number(path: Path, row_no: int, column: str, value: object, *, positive: bool = False) -> float:
    try:
        number = parse_number(value)
    except InputError:
        number = None
    if number is None or number < 0 or (positive and number == 0):
        raise InputError("S-ROLLUP-INPUT", SIDE_VALUE, {"file": str(path), "row": row_no,
                                                         "column": COLUMN_LABELS[column], "value": value,
                                                         "need": POSITIVE if positive else NOT_NEGATIVE})
    return number


def _need(path: Path, row_no: int, row: dict[str, object], column: str) -> object:
    """A row's value of a column every row must fill."""
    if column not in row:
        raise InputError("S-ROLLUP-INPUT", SIDE_BLANK, {"file": str(path), "row": row_no,
                                                         "column": COLUMN_LABELS[column]})
    return row[column]


def read_quotas(path: Path) -> dict[tuple[str, str], float]:
    """M-TEAM-1: (owner folded, period or '') -> quota."""
    return {(fold(_need(path, i, r, "owner")).replace(" ", ""), str(r.get("period", ""))):
            _number(path, i, "quota", r.get("quota")) for i, r in read_table(path, "owner", "quota")}


def read_channel(path: Path) -> dict[str, float]:
    """M-FC-5: period -> the channel's forecast for it (rows of one period add up)."""
    out: dict[str, float] = {}
    for i, r in read_table(path, "period", "amount"):
        period = str(_need(path, i, r, "period"))
        out[period] = out.get(period, 0.0) + _number(path, i, "amount", r.get("amount"))
    return out


def read_rates(path: Path) -> dict[str, float]:
    """Currency -> how many units of the roll-up's currency one unit is worth (above 0)."""
    return {str(_need(path, i, r, "currency")).strip().upper(): _number(path, i, "rate", r.get("rate"), positive=True)
            for i, r in read_table(path, "currency", "rate")}


def read_adjustments(path: Path) -> dict[str, tuple[float, str]]:
    """The manager's revisions (M-FC-4): report (folded) -> (adjusted figure, why)."""
    return {fold(_need(path, i, r, "owner")).replace(" ", ""): (_number(path, i, "adjusted", r.get("adjusted")),
                                                                  str(r.get("note", "")))
            for i, r in read_table(path, "owner", "adjusted") if "adjusted" in r}
