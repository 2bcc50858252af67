"""Forecast roll-up, level by level (M-FC-2..5, M-TEAM-1): ``kamxl rollup`` and the
ribbon's "Roll up forecast".

Reads the forecasts of the level below (reps' forecasts, or earlier roll-ups), keeps one
period and one currency, one forecast per report (the latest), rolls them up
(:mod:`kamxl.rollup.core`) and writes a forecast workbook one level up
(:mod:`kamxl.rollup.output`) that can be validated and rolled up again. Inputs are never
written; the output is written atomically and is never one of the inputs.

Hostile inputs: every input is read under the per-file ceilings of the configuration
(``[limits]``, or ``limits``) in supervised workers (:mod:`kamxl.io.guard`); a file
that cannot be read, is not a forecast, hits a ceiling or takes its worker down becomes
a skipped lineage row with its reason, and the roll-up goes on. Two roll-ups writing
one output do not interleave: the second refuses at once, naming the first one's lock
file (:func:`kamxl.io.atomic.output_lock`).
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kamxl.errors import InputError, KamxlError
from kamxl.i18n import Lang, Listing, Message, Text
from kamxl.io.atomic import output_lock
from kamxl.io.guard import Breach, Limits, no_cycle_collection
from kamxl.io.outputs import check_output
from kamxl.io.reader import read_workbook
from kamxl.methodology import Config, default_config, parse_period
from kamxl.methodology.forecast import PERIOD_KINDS
from kamxl.methodology.values import fold
from kamxl.methodology.vocabulary import FORECAST_LEVEL
from kamxl.rollup.core import RollUp, roll_up, select, supersede
from kamxl.rollup.flow import Change, deal_flow
from kamxl.rollup.inputs import (
    digest_of, read_adjustments, read_channel, read_quotas, read_rates, read_submission,
)
from kamxl.rollup.model import Line, Skipped, Submission

LEVELS = tuple(t.key for t in FORECAST_LEVEL.terms)          # rep, team, region, bu
NO_INPUT = Text("没有可汇总的预测文件：{why}", "no forecast to roll up: {why}")
NO_FILES = Text("{paths} 中没有工作簿", "no workbook in {paths}")
ONE_UNUSABLE = Text("输入文件不能使用——{reasons}", "the input file cannot be used — {reasons}")
NONE_USABLE = Text("{n} 个输入文件都不能使用——{reasons}", "none of the {n} input files can be used — {reasons}")
FILES_SAY = Text("{files}：{reason}", "{files}: {reason}")
FILES_MORE = Text("{files} 等 {n} 个文件", "{files} and {more} more")
NAMES = Text("、", ", ")
BAD_PERIOD = Text("--period {period!r} 不是{kind}：请写成 {example} 的形式", "--period {period!r} is not a {kind}: write it like {example}")
PREVIOUS = Text("--previous {file} 不能作为上次的汇总：{reason}", "--previous {file} cannot be the previous roll-up: {reason}")
NOT_BELOW = Text("层级为“{level}”，不低于本次汇总的“{target}”", "its level '{level}' is not below this roll-up's '{target}'")
OTHER_PERIOD = Text("期间为 {period}，本次汇总为 {target}", "its period is {period}; this roll-up is for {target}")
SUPERSEDED = Text("已被 {owner} 更新的预测 {newer} 取代", "superseded by {owner}'s newer forecast {newer}")
NESTED = Text("{rollup} 是汇总，已经包含 {file}（其来源表列出了该文件的 SHA-256）：同一份预测不能既在汇总之内又单独输入，请只给出其中之一",
               "{rollup} is a roll-up that already contains {file} (its lineage lists that file's SHA-256): "
               "a forecast cannot be an input both inside a roll-up and on its own; give only one of them")
MANY_PERIODS = Text("输入包含多个期间（{periods}）：请用 --period 指定", "the inputs cover several periods ({periods}): choose one with --period")
PERIOD_FILES = Text("{period}：{files}", "{period}: {files}")
MIXED_CURRENCY = Text("输入币种不一致（{found}），且没有给出汇率：{files}",
                      "the inputs are in different currencies ({found}) and no rates were given: {files}")
NO_RATE = Text("汇率表 {file} 中没有 {currency} 的汇率（{inputs} 使用该币种）",
               "the rates {file} give no rate for {currency} (the currency of {inputs})")
BAD_LEVEL = Text("未知的层级：{level}", "unknown level: {level}")
SKIPPED_PATH = {
    "lock": Text("Excel 锁文件（工作簿正在 Excel 中打开）", "Excel's lock file (the workbook is open in Excel)"),
    "other": Text("不是工作簿", "not a workbook"),
    "loop": Text("符号链接循环（或已访问过的文件夹）", "a symbolic link loop (or a folder already visited)"),
    "unreachable": Text("无法访问：{reason}", "cannot be reached: {reason}"),
    "temp": Text("kamxl 写入时的临时文件或锁文件", "a temporary or lock file of a kamxl write"),
    "report": Text("kamxl 的校验报告（不是预测）", "a kamxl validation report (not a forecast)"),
    "outside": Text("指向所给文件夹之外的符号链接（{reason}），未跟随",
                    "a symbolic link to a folder outside the folder given ({reason}): not followed"),
    "nested": Text("未查看子文件夹：其中有 {reason} 个工作簿；加 -r（--recursive）一并汇总",
                   "sub-folders not looked into: they hold {reason} workbooks; add -r (--recursive) to include them"),
}
NO_INPUT_NESTED = Text("没有可汇总的预测文件：{folder} 的子文件夹中有 {count} 个工作簿，加 -r（--recursive）一并汇总",
                       "no forecast to roll up: the sub-folders of {folder} hold {count} workbooks; "
                       "add -r (--recursive) to include them")
SIDE_TIMEOUT = Text("读取 {file} 超过了每个文件 {seconds} 秒的上限，已停止",
                    "reading {file} took longer than the {seconds} s allowed per file; it was stopped")
SIDE_MEMORY = Text("读取 {file} 所需内存超过了每个文件 {memory} MB 的上限，已停止",
                   "reading {file} needed more than the {memory} MB of memory allowed per file; it was stopped")
SIDE_CRASHED = Text("读取 {file} 时读取程序意外终止（{detail}）", "the reader stopped abruptly on {file} ({detail})")
SIDE_UNREADABLE = Text("无法读取 {file}：{reason}", "cannot read {file}: {reason}")


@dataclass
class RollupResult:
    output: Path
    rollup: RollUp
    used: list[Submission]
    skipped: list[Skipped]
    flow: list[Change] | None
    seconds: dict[str, float]      # time spent reading, rolling up and writing (benchmarks)


def rollup_files(paths: Sequence[Path], out: Path, *, owner: str, level: str, lang: Lang,
                 config: Config | None = None, period: str | None = None, manager: str = "",
                 previous: Path | None = None, channel: Path | None = None, quota: Path | None = None,
                 adjustments: Path | None = None, rates: Path | None = None, today: date | None = None,
                 jobs: int = 1, base: Path | None = None, limits: Limits | None = None,
                 recursive: bool = False, force: bool = False) -> RollupResult:
    """Roll the forecast files (or folders of them, ``recursive``: with their sub-folders) up into ``out``.

    ``out`` is checked before any work (:func:`kamxl.io.outputs.check_output`): an .xlsx in a
    folder that exists, never one of the inputs (side files included), and an existing file
    only when it is an earlier kamxl roll-up, or with ``force``."""
    if level not in LEVELS[1:]:
        raise InputError("S-ROLLUP-INPUT", BAD_LEVEL, {"level": level})
    if period is not None:
        period = _check_period(period, config or default_config())
    sides = {k: p for k, p in (("previous", previous), ("channel", channel), ("quota", quota),
                               ("adjustments", adjustments), ("rates", rates)) if p is not None}
    files, passed_over = _files(paths, recursive)
    check_output(out, "rollup", inputs=[*(p for p in paths if p.is_dir()), *files, *sides.values()], force=force)
    with output_lock(out), no_cycle_collection():
        return _rollup(paths, files, passed_over, out, owner=owner, level=level, lang=lang, config=config,
                       period=period, manager=manager, sides=sides, today=today, jobs=jobs, base=base,
                       limits=limits)


def _rollup(paths: Sequence[Path], files: list[Path], passed_over: list[tuple[Path, str]], out: Path, *,
            owner: str, level: str, lang: Lang, config: Config | None, period: str | None, manager: str,
            sides: dict[str, Path], today: date | None, jobs: int, base: Path | None,
            limits: Limits | None) -> RollupResult:
    from kamxl.validate import limits_of

    cfg, day = config or default_config(), today or date.today()
    clock = [time.perf_counter()]
    ceilings = limits if limits is not None else limits_of(cfg)
    # the side files first, under the same ceilings as the forecasts: a bad one is said
    # before minutes of reading, and even where unused
    side = _read_sides(sides, owner, level, cfg, day, ceilings)
    read = _read_all(files, cfg, day, jobs, base, ceilings)
    read += [Skipped(str(p), "", SKIPPED_PATH[why.partition(":")[0]], {"reason": why.partition(":")[2]})
             for p, why in passed_over]
    clock.append(time.perf_counter())
    subs = [s for s in read if isinstance(s, Submission)]
    skipped = [s for s in read if isinstance(s, Skipped)]
    subs, more = _eligible(subs, level, period)
    skipped += more
    if not subs:
        nested = [(p, why.partition(":")[2]) for p, why in passed_over if why.startswith("nested:")]
        if not files and nested:
            raise InputError("S-ROLLUP-INPUT", NO_INPUT_NESTED, {"folder": str(nested[0][0]), "count": nested[0][1]})
        raise InputError("S-ROLLUP-INPUT", NO_INPUT, {"why": _why_none(paths, skipped)})
    target_period = subs[0].period
    subs, currency = _one_currency(subs, cfg.forecast.currency, sides.get("rates"), side.get("rates"))
    result = roll_up(subs, owner=owner, level=level, period=target_period, currency=currency, config=cfg, today=day,
                     manager=manager, quotas=side.get("quota"), channel=side.get("channel"),
                     adjustments=side.get("adjustments") or {})
    flow = deal_flow(side["previous"], result.lines, cfg) if "previous" in side else None
    clock.append(time.perf_counter())
    from kamxl.rollup.output import write_rollup   # (XlsxWriter: not for validating a forecast, which reads core)

    parts: dict[str, float] = {}
    write_rollup(result, out, lang=lang, config=cfg, used=subs, skipped=skipped, flow=flow,
                 previous=side.get("previous"), quotas=side.get("quota"), seconds=parts)
    clock.append(time.perf_counter())
    seconds = dict(zip(("read", "roll up", "write"), (b - a for a, b in zip(clock, clock[1:]))))
    seconds["write: the sheets' rows"] = parts["rows"]      # of "write": the rest is the workbook itself
    return RollupResult(out, result, subs, skipped, flow, seconds)


def _check_period(period: str, cfg: Config) -> str:
    """M-FC-1: --period as the company writes periods, canonical (what the inputs' headers are)."""
    try:
        return parse_period(period, config=cfg)
    except InputError:
        kind, _pattern, example = PERIOD_KINDS[cfg.forecast.period]
        raise InputError("S-ROLLUP-INPUT", BAD_PERIOD, {"period": period, "kind": kind, "example": example}) from None


def _why_none(paths: Sequence[Path], skipped: list[Skipped]) -> Message:
    """Why nothing can be rolled up: no workbook at all, or each input's reason (inputs
    with the same reason together, a few names each)."""
    if not skipped:
        return Message.of(NO_FILES, paths=Listing(tuple(str(p) for p in paths), NAMES))
    groups: dict[tuple[Text, str], list[Skipped]] = {}
    for s in skipped:
        groups.setdefault((s.reason, repr(sorted(s.params.items()))), []).append(s)
    said = tuple(Message.of(FILES_SAY, files=_some(sorted(s.file for s in group)),
                            reason=Message.of(group[0].reason, **group[0].params)) for group in groups.values())
    return Message.of(ONE_UNUSABLE if len(skipped) == 1 else NONE_USABLE, n=len(skipped), reasons=Listing(said))


def _some(files: list[str], shown: int = 3) -> Listing | Message:
    if len(files) <= shown + 1:
        return Listing(tuple(files), NAMES)
    return Message.of(FILES_MORE, files=Listing(tuple(files[:shown]), NAMES), n=len(files), more=len(files) - shown)


def _files(paths: Sequence[Path], recursive: bool) -> tuple[list[Path], list[tuple[Path, str]]]:
    from kamxl.validate import discover

    return discover(paths, recursive=recursive)


# --- side files: read in a supervised worker, under the same ceilings as the forecasts --------------
def _read_side(shared: tuple[Config, date, str, str], item: tuple[str, Path]) -> Any:
    """One side file's content, or the error saying why it cannot be read (returned, not
    raised: it crosses back from the worker as a value)."""
    cfg, day, owner, level = shared
    kind, path = item
    try:
        if kind == "previous":
            return _previous_lines(path, cfg, day)
        if kind == "adjustments":
            return _adjustments(path, owner, level, cfg)
        return {"quota": read_quotas, "channel": read_channel, "rates": read_rates}[kind](path)
    except KamxlError as exc:
        return exc if exc.where.file or "file" in exc.params else exc.at(file=str(path))
    except MemoryError:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors, and panics
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return InputError("S-ROLLUP-INPUT", SIDE_UNREADABLE, {"file": str(path),
                                                              "reason": f"{type(exc).__name__}: {exc}"})


def _read_sides(sides: dict[str, Path], owner: str, level: str, cfg: Config, day: date,
                limits: Limits) -> dict[str, Any]:
    """Every side file read (quotas, channel, rates, adjustments, the previous roll-up), each
    under the per-file ceilings; the first that cannot be read is an error naming it."""
    from kamxl.io.guard import run_guarded

    items = list(sides.items())
    out: dict[str, Any] = {}
    for (kind, path), outcome in zip(items, run_guarded(_read_side, items, (cfg, day, owner, level), limits=limits)):
        if isinstance(outcome, Breach):
            if outcome.kind == "timeout":
                raise InputError("S-FILE-TIMEOUT", SIDE_TIMEOUT, {"file": str(path), "seconds": f"{limits.seconds:g}"})
            if outcome.kind == "memory":
                raise InputError("S-FILE-MEMORY", SIDE_MEMORY, {"file": str(path), "memory": limits.memory_mb or "?"})
            raise InputError("S-UNREADABLE", SIDE_CRASHED, {"file": str(path), "detail": outcome.detail})
        if isinstance(outcome, KamxlError):
            raise outcome
        out[kind] = outcome
    return out


def _read_one(shared: tuple[Config, date], task: tuple[Path, str]) -> Submission | Skipped:
    cfg, day = shared
    path, name = task
    return read_submission(path, name, cfg, day)


def _read_all(files: list[Path], cfg: Config, day: date, jobs: int, base: Path | None,
              limits: Limits) -> list[Submission | Skipped]:
    from kamxl.io.guard import run_guarded
    from kamxl.validate import _display, breach_result

    tasks = [(f, _display(f, base)) for f in files]
    out: list[Submission | Skipped] = []
    for (path, name), outcome in zip(tasks, run_guarded(_read_one, tasks, (cfg, day), jobs=jobs, limits=limits)):
        if isinstance(outcome, Breach):       # the same words as validation's finding for it
            found = breach_result(name, outcome, limits).findings[0]
            outcome = Skipped(name, digest_of(path), found.message, dict(found.params))
        out.append(outcome)
    return out


def _eligible(subs: list[Submission], level: str, period: str | None) -> tuple[list[Submission], list[Skipped]]:
    """Lower levels only, one period, no roll-up beside one of its sources, one forecast per report."""
    skipped = []
    below = []
    for s in subs:
        if LEVELS.index(s.level) < LEVELS.index(level):
            below.append(s)
        else:
            skipped.append(Skipped.of(s, NOT_BELOW, {"level": FORECAST_LEVEL.get(s.level).text,
                                                     "target": FORECAST_LEVEL.get(level).text}))
    if period is None:
        periods = Counter(s.period for s in below)
        if len(periods) > 1:
            said = tuple(Message.of(PERIOD_FILES, period=p, files=_some(sorted(s.file for s in below if s.period == p)))
                         for p in sorted(periods))
            raise InputError("S-ROLLUP-INPUT", MANY_PERIODS, {"periods": Listing(said)})
        period = next(iter(periods), "")
    kept = []
    for s in below:
        if s.period == period:
            kept.append(s)
        else:
            skipped.append(Skipped.of(s, OTHER_PERIOD, {"period": s.period, "target": period}))
    _refuse_nested(kept)
    kept, old = supersede(kept)
    newest = {(fold(s.owner).replace(" ", ""), s.level): s for s in kept}
    for s in old:
        newer = newest[(fold(s.owner).replace(" ", ""), s.level)]
        skipped.append(Skipped.of(s, SUPERSEDED, {"owner": s.owner, "newer": newer.file}))
    return kept, skipped


def _refuse_nested(subs: list[Submission]) -> None:
    """Inputs of different levels where one is a roll-up of another (M-FC-3, M-TEAM-1: its
    lines, figure and quota would count twice) are refused, naming both. A roll-up's lineage
    lists its sources at every level below it, so a rep's forecast given beside the region
    roll-up that contains it is refused too (roll-ups made before lineage went deeper list
    only their direct inputs)."""
    by_digest = {s.sha256: s for s in subs if s.sha256}
    for outer in sorted(subs, key=lambda s: s.file):
        inner = next((by_digest[d] for _name, d in outer.lineage if d in by_digest and by_digest[d] is not outer), None)
        if inner is not None:
            raise InputError("S-ROLLUP-INPUT", NESTED, {"rollup": outer.file, "file": inner.file})


def _one_currency(subs: list[Submission], default: str, rates: Path | None,
                  table: dict[str, float] | None) -> tuple[list[Submission], str]:
    """Amounts in one currency: the inputs' own when they agree; otherwise converted with
    the rates given (to the company currency), or an error naming the files."""
    found = Counter(s.currency for s in subs)
    if len(found) == 1:
        return subs, next(iter(found))
    if rates is None or table is None:
        files = "; ".join(f"{s.file} ({s.currency})" for s in sorted(subs, key=lambda s: s.file))
        raise InputError("S-ROLLUP-CURRENCY", MIXED_CURRENCY, {"found": ", ".join(sorted(found)), "files": files})
    table = {**table, default.upper(): table.get(default.upper(), 1.0)}
    converted = []
    for s in subs:
        if s.currency not in table:
            inputs = _some(sorted(x.file for x in subs if x.currency == s.currency))
            raise InputError("S-ROLLUP-CURRENCY", NO_RATE, {"file": str(rates), "currency": s.currency,
                                                             "inputs": inputs})
        converted.append(_convert(s, table[s.currency], default.upper()))
    return converted, default.upper()


def _convert(sub: Submission, rate: float, currency: str) -> Submission:
    def money(v: float | None) -> float | None:
        return None if v is None else v * rate

    lines = tuple(replace(x, amount=x.amount * rate, owner_forecast=money(x.owner_forecast),
                          adjusted_forecast=money(x.adjusted_forecast)) for x in sub.lines)
    layer = tuple(replace(r, unadjusted=r.unadjusted * rate, owner_figure=r.owner_figure * rate,
                          adjusted_figure=money(r.adjusted_figure)) for r in sub.layer)
    return replace(sub, lines=lines, layer=layer, quota=money(sub.quota), currency=currency,
                   owner_quotas=tuple((name, quota * rate) for name, quota in sub.owner_quotas),
                   source_currency=sub.currency, rate=rate)


def _adjustments(path: Path, owner: str, level: str, cfg: Config) -> dict[str, tuple[float, str]]:
    """The manager's revisions: a table (owner, adjusted, note), or an earlier output of
    this same roll-up, whose revisions at this level are carried over."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_adjustments(path)
    try:
        data = read_workbook(path)
    except InputError:
        return read_adjustments(path)   # a plain table on its first sheet
    if data.template.id != "forecast":
        return read_adjustments(path)
    from kamxl.checks import Context, values

    ctx = Context(data, None, cfg, date.today(), str(path))
    values.check(ctx)
    person = fold(owner).replace(" ", "")
    from kamxl.rollup.output import manager_note

    return {fold(t["owner"]).replace(" ", ""): (t["adjusted_figure"], manager_note(str(t.get("note") or "")))
            for _r, t in ctx.rows("OwnerForecasts")
            if t.get("adjusted_figure") is not None and t.get("level") == level and t.get("owner")
            and fold(t.get("manager") or "").replace(" ", "") == person}


def _previous_lines(path: Path, cfg: Config, day: date) -> list[Line]:
    sub = read_submission(path, str(path), cfg, day)
    if isinstance(sub, Skipped):
        raise InputError("S-ROLLUP-INPUT", PREVIOUS, {"file": str(path), "reason": Message.of(sub.reason, **sub.params)})
    return select([sub], cfg)[0]


__all__ = ["LEVELS", "RollupResult", "rollup_files"]
