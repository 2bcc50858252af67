"""Formula checks: a calculated cell overwritten by a typed value (M-FUN-6 when it is a
probability that contradicts the stage table), and a cached value that disagrees with
what the formula gives — recomputed from the inputs with the methodology core, never
trusted: a stale file, or a tampered one."""
from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from typing import Any


from kamxl.checks import Context
from kamxl.errors import InputError
from kamxl.findings import Finding, Severity
from kamxl.i18n import Message, Text
from kamxl.io.a1 import column_letter as get_column_letter
from kamxl.io.reader import GridData, Record
from kamxl.methodology import (
    chain_top, check_top_ten, evaluate_account, is_buying_point, level_ordinal, period_of,
    stage_probability,
)
from kamxl.methodology.accounts import customer_key
from kamxl.methodology.scoring import QUESTIONS, score_parsed

OVERWRITTEN = Text("计算列“{column}”的公式被替换为输入值 {value}", "the formula of '{column}' was replaced by a typed value {value}")
OVERWRITTEN_FIX = Text("恢复公式（从新模板复制该列）", "restore the formula (copy the column from a new template)")
DELETED = Text("计算列“{column}”的公式被删除", "the formula of '{column}' was deleted")
GRID_GONE = Text("汇总“{block}”中已没有公式（被删除或替换为数值）",
                 "the summary '{block}' holds no formulas any more (deleted, or replaced by values)")
PROBABILITY = Text("手工填写的赢率 {typed} 与阶段 {stage} 的赢率 {table} 不符", "typed probability {typed} contradicts stage {stage}'s {table}")
PROBABILITY_FIX = Text("恢复公式，按公司阶段表计算赢率；确需不同的赢率，填在“调整赢率”列并写明原因",
                       "restore the formula: probabilities come from the company stage table; a different one goes "
                       "in the adjusted probability column, with its reason")
STALE = Text("“{column}”显示 {shown}，按输入重新计算应为 {computed}（过期或被改动）",
             "'{column}' shows {shown} but its inputs give {computed} (stale or tampered)")
STALE_FIX = Text("在 Excel 中重新计算（Ctrl+Alt+F9）后再提交", "recalculate in Excel (Ctrl+Alt+F9) before submitting")
PART = Text("{title} · {column}", "{title} · {column}")     # a summary's column, named with its summary
STORED_FIX = Text("便携版中此值不会自动更新：用 kamxl portable 重新生成，或使用装有 kamxl 加载项的 KAM_* 版本",
                  "the portable edition does not update this value: run kamxl portable again, or use the KAM_* "
                  "edition with the kamxl add-in")

ANSWERS = [q.id.lower() for q in QUESTIONS]
Recompute = Callable[[Context, dict[str, Any]], Any]


def _probability(ctx: Context, t: dict[str, Any]) -> Any:
    return stage_probability(t["stage"], t.get("status") or "open", config=ctx.config) if t.get("stage") else None


def _weighted(ctx: Context, t: dict[str, Any]) -> Any:
    p = _probability(ctx, t)
    return None if p is None or not isinstance(t.get("amount"), float) else t["amount"] * p


def _weighted_of(ctx: Context, args: tuple[Any, ...]) -> Any:
    """``_weighted`` from (amount, stage, status), the probability once per (stage, status)."""
    amount, stage, status = args
    if not stage or not isinstance(amount, float):
        return None
    cache = ctx.memo.setdefault(("probability", "by stage"), {})
    try:
        p = cache[(stage, status)]
    except KeyError:
        p = cache[(stage, status)] = _safe(_probability, ctx, {"stage": stage, "status": status})
    return None if p is None else amount * p


def _override(override: Any, amount: Any) -> float | None:
    """M-FUN-6: the weighted amount from an adjusted probability from 0 to 1 (None: the stage's)."""
    if isinstance(override, float) and isinstance(amount, float) and 0 <= override <= 1 and amount >= 0:
        return amount * override
    return None


def _opportunity_weighted(ctx: Context, t: dict[str, Any]) -> Any:
    if not t.get("stage"):
        return None
    found = _override(t.get("prob_override"), t.get("amount"))
    return _weighted(ctx, t) if found is None else found


def _opportunity_weighted_of(ctx: Context, args: tuple[Any, ...]) -> Any:
    amount, stage, status, override = args
    found = _override(override, amount) if stage else None
    return _weighted_of(ctx, (amount, stage, status)) if found is None else found


def _score(ctx: Context, t: dict[str, Any]) -> Any:
    return _score_of(ctx, tuple(t.get(q) for q in ANSWERS))


def _score_of(ctx: Context, answers: tuple[Any, ...]) -> Any:
    s = ctx.memo.get(answers)          # shared with the funnel's M-SCORE checks
    if s is None:
        s = ctx.memo[answers] = score_parsed(list(answers), config=ctx.config)
    return s.total if s.complete else None


def _evaluation(field: str) -> Recompute:
    def compute(ctx: Context, t: dict[str, Any]) -> Any:
        values = [t.get(k) for k in ("contribution", "potential", "satisfaction")]
        if any(v is None for v in values):
            return None
        result = evaluate_account(*values, config=ctx.config)
        return result.score if field == "score" else result.account_class
    return compute


def _top10(ctx: Context, _t: dict[str, Any]) -> Any:
    """M-REL-3: what KAM_TOP10_CHECK shows (kamxl/excel/udfs.py words it the same way)."""
    from kamxl.excel.udfs import TOP10_DIFF, TOP10_OK

    chain = [(t.get("name"), t.get("top10_rank")) for _r, t in ctx.rows("DecisionChain")]
    table = [t.get("name") for _r, t in ctx.rows("RelationshipPlan")]
    if not any(n for n, _ in chain) and not any(table):
        return None
    lang = ctx.data.lang or "zh"
    check = check_top_ten(chain_top(chain), table)
    if check.consistent:
        return TOP10_OK(lang)
    sep = "、" if lang == "zh" else ", "
    return TOP10_DIFF(lang, chain=sep.join(check.only_in_chain) or "—", table=sep.join(check.only_in_table) or "—",
                      repeated=sep.join(check.repeated) or "—")


#: (table or form, column) -> recomputation from the typed inputs (None: cannot tell)
RECOMPUTE: dict[tuple[str, str], Recompute] = {
    ("ChainCheck", "top10_check"): _top10,
    ("Opportunities", "probability"): _probability,
    ("Opportunities", "weighted"): _opportunity_weighted,
    ("Assessment", "score"): _score,
    ("ForecastLines", "weighted"): _weighted,
    ("ForecastLines", "close_period"): lambda ctx, t: period_of(t["close_date"], config=ctx.config)
    if t.get("close_date") else None,
    ("DecisionChain", "level_no"): lambda ctx, t: level_ordinal(t["level"]) if t.get("level") else None,
    ("SellingPoints", "buying_point"): lambda ctx, t: None if t.get("uniqueness") is None or t.get("value") is None
    else is_buying_point(t["uniqueness"], t["value"], config=ctx.config),
    ("Evaluation", "score"): _evaluation("score"),
    ("Evaluation", "account_class"): _evaluation("account_class"),
    ("Customers", "key"): lambda ctx, t: customer_key(t["customer"], t.get("credit_code")) if t.get("customer") else None,
}
#: recomputations that take a table row's inputs as they come (in INPUTS order), where
#: making a dict of them per row would cost more than the recomputation
POSITIONAL: dict[tuple[str, str], Callable[[Context, tuple[Any, ...]], Any]] = {
    ("Assessment", "score"): _score_of,
    ("Opportunities", "weighted"): _opportunity_weighted_of,
    ("ForecastLines", "weighted"): _weighted_of,
}
#: the typed inputs each table recomputation reads: equal inputs give equal results, so a
#: 500-row funnel recomputes once per distinct (stage, status), (amount, stage, status), …
INPUTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Opportunities", "probability"): ("stage", "status"),
    ("Opportunities", "weighted"): ("amount", "stage", "status", "prob_override"),
    ("Assessment", "score"): tuple(ANSWERS),
    ("ForecastLines", "weighted"): ("amount", "stage", "status"),
    ("ForecastLines", "close_period"): ("close_date",),
    ("DecisionChain", "level_no"): ("level",),
    ("SellingPoints", "buying_point"): ("uniqueness", "value"),
    ("Customers", "key"): ("customer", "credit_code"),
}


def check(ctx: Context) -> list[Finding]:
    if ctx.structure is None:
        return []
    found: list[Finding] = []
    for name, data in ctx.data.tables.items():
        rows_with_formula = ctx.structure.formula_cells.get(data.sheet, {})
        rows = data.row_numbers
        for column in (c for c in data.table.columns if c.formula and c.key in data.columns):
            letter = get_column_letter(data.columns[column.key] + 1)
            # the portable edition holds kamxl's value where plain Excel has no formula for it
            stored = column.stored and ctx.data.edition == "portable"
            found += _table_column(ctx, name, column.key, column.header, rows,
                                   frozenset(rows) if stored else rows_with_formula.get(letter, frozenset()), stored)
    for form in ctx.data.template.forms():
        record = ctx.data.forms.get(form.prefix)
        if record is None:
            continue
        typed = ctx.forms.get(form.prefix, {})
        for column in (c for c in form.fields if c.formula and c.key in record.cells):
            key, cell = column.key, record.cells[column.key]
            recompute = RECOMPUTE.get((form.prefix, key))
            expected = (lambda r=recompute: _safe(r, ctx, typed)) if recompute else None
            # the portable edition holds kamxl's value where plain Excel has no formula for it
            stored = column.stored and ctx.data.edition == "portable"
            found += _cell(ctx, form.prefix, record, key, column.header,
                           stored or ctx.structure.is_formula(record.sheet, cell), expected, typed, stored=stored)
    for grid in ctx.data.grids.values():
        found += _grid(ctx, grid)
    return found


def _grid(ctx: Context, grid: GridData) -> list[Finding]:
    """A summary's formulas (totals, KAM_FUNNEL): each cell that lost its formula; a summary
    that lost every one is one finding, not dozens."""
    assert ctx.structure is not None
    cells = grid.cells()
    typed = [(col, cell) for _key, col, cell in cells if not ctx.structure.is_formula(grid.sheet, cell)]
    title = grid.grid.title
    if not typed:
        return []
    if len(typed) == len(cells) and len(cells) > 1:
        return [ctx.here("S-FORMULA-DELETED", Severity.ERROR, GRID_GONE, OVERWRITTEN_FIX, sheet=grid.sheet,
                         cell=cells[0][2], block=title)]
    found = []
    for col, cell in typed:
        shown = grid.values.get(cell)
        header = Message.of(PART, title=title, column=col.header if col else grid.grid.row_header)
        if shown is None or shown == "":
            found.append(ctx.here("S-FORMULA-DELETED", Severity.WARNING, DELETED, OVERWRITTEN_FIX, sheet=grid.sheet,
                                  cell=cell, column=header))
        else:
            found.append(ctx.here("S-FORMULA-OVERWRITTEN", Severity.ERROR, OVERWRITTEN, OVERWRITTEN_FIX,
                                  sheet=grid.sheet, cell=cell, column=header, value=shown))
    return found


def _table_column(ctx: Context, name: str, key: str, header: Text, rows: list[int],
                  formula_rows: frozenset[int], stored: bool = False) -> list[Finding]:
    """One calculated column of a table: the usual cell is a formula whose cached value (if
    any) matches the recomputation; only the others are visited further."""
    data, found = ctx.data.tables[name], []
    recompute, inputs = RECOMPUTE.get((name, key)), INPUTS.get((name, key), ())
    positional = POSITIONAL.get((name, key))
    arguments = zip(*(ctx.column(name, k) for k in inputs)) if inputs else repeat(())
    cache: dict[Any, Any] = ctx.memo.setdefault((name, key), {})
    for i, (row, shown, args) in enumerate(zip(rows, data.column(key), arguments)):
        if row in formula_rows:
            if recompute is None or shown is None or shown == "":
                continue  # a formula, nothing cached to compare
            try:
                value = cache[args]
            except (KeyError, TypeError):
                value = (_safe_positional(positional, ctx, args) if positional
                         else _memo(cache, args, ctx, recompute, inputs))
            if value is None or shown == value or _same(shown, value):
                continue
        expected = (lambda a=args: _memo(cache, a, ctx, recompute, inputs)) if recompute else None
        found += _cell(ctx, name, data.record(i), key, header, row in formula_rows, expected, dict(zip(inputs, args)),
                       stored=stored)
    return found


def _memo(cache: dict[Any, Any], args: tuple[Any, ...], ctx: Context, recompute: Recompute,
          inputs: tuple[str, ...]) -> Any:
    """The recomputation for these inputs, once per distinct inputs of the column."""
    try:
        return cache[args]
    except KeyError:
        value = cache[args] = _safe(recompute, ctx, dict(zip(inputs, args)))
        return value
    except TypeError:        # an unhashable input: compute it, do not remember
        return _safe(recompute, ctx, dict(zip(inputs, args)))


def _cell(ctx: Context, block: str, record: Record, key: str, header: Text, is_formula: bool,
          expected: Callable[[], Any] | None, typed: dict[str, Any], stored: bool = False) -> list[Finding]:
    shown = record.values.get(key)
    if not is_formula:
        if shown in (None, ""):
            return [ctx.at(record, key, "S-FORMULA-DELETED", Severity.WARNING, DELETED, OVERWRITTEN_FIX, column=header)]
        if (block, key) == ("Opportunities", "probability") and isinstance(shown, float) and expected:
            value = expected()
            if isinstance(value, float) and abs(shown - value) > ctx.config.probability_tolerance:
                return [ctx.at(record, key, "M-FUN-6", Severity.ERROR, PROBABILITY, PROBABILITY_FIX,
                               typed=f"{shown:.0%}", stage=typed["stage"].code, table=f"{value:.0%}")]
        return [ctx.at(record, key, "S-FORMULA-OVERWRITTEN", Severity.ERROR, OVERWRITTEN, OVERWRITTEN_FIX,
                       column=header, value=shown)]
    if expected is None or shown in (None, ""):   # no cached value (e.g. written by openpyxl): nothing to compare
        return []
    value = expected()
    if value is None or _same(shown, value):
        return []
    return [ctx.at(record, key, "S-CACHED-STALE", Severity.WARNING, STALE, STORED_FIX if stored else STALE_FIX,
                   column=header, shown=_show(shown), computed=_show(value))]


def _safe_positional(fn: Callable[[Context, tuple[Any, ...]], Any], ctx: Context, args: tuple[Any, ...]) -> Any:
    try:
        return fn(ctx, args)
    except (InputError, KeyError, TypeError):
        return None  # an input the value checks already reported


def _safe(fn: Recompute, ctx: Context, typed: dict[str, Any]) -> Any:
    try:
        return fn(ctx, typed)
    except (InputError, KeyError, TypeError):
        return None  # an input the value checks already reported


def _same(shown: object, expected: object) -> bool:
    if isinstance(expected, bool):
        return isinstance(shown, bool) and shown == expected or str(shown).strip().casefold() in (
            ("y", "是", "true", "yes") if expected else ("n", "否", "false", "no"))
    if isinstance(expected, (int, float)) and isinstance(shown, (int, float)):
        return abs(float(shown) - float(expected)) <= 1e-6 * max(1.0, abs(float(expected)))
    return str(shown).strip() == str(expected).strip()


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)
