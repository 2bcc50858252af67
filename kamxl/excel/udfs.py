"""The ``KAM_*`` worksheet functions reps call in cells (xlwings UDF module
``kamxl.excel.udfs``; ``udfs/kam.py`` re-exports it for workbooks set to ``udfs.kam``).

They live in the kamxl package so that a rep's own ``udfs.py`` or ``udfs/`` folder beside
a workbook (xlwings puts that folder first on ``sys.path``) cannot shadow what the add-in's
wrappers call.

Each function is a thin wrapper: it converts what Excel passes (scalars, rows, columns,
blocks; blanks as None) and calls the pure methodology core in :mod:`kamxl.methodology`.
Bad input never raises: see the error convention in :mod:`kamxl.cells`. Company
configuration (``KAMXL_CONFIG`` or ``~/.kamxl/company.toml``) is honoured by every call.

xlwings turns parameter type hints into converters, so parameters carry none here;
range arguments are read with ``ndim=2`` to keep rows and columns apart, and with
``err_to_str`` so error cells arrive as '#N/A' text and propagate.
"""
from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kamxl.cells import (
    CellError, aligned, call, column, com_errors_as_text, elementwise, first_error, flatten, grid, is_single, language,
    parse_error, required, shape_like, worksheet_function,
)
from kamxl.errors import InputError
from kamxl.i18n import Text
from kamxl.methodology import (
    Deal, active_config, chain_top, check_top_ten, customer_key, evaluate_account, health_band, is_buying_point,
    level_ordinal, parse_stage, parse_status, stage_health, stage_probability, summarize, value_level,
)
from kamxl.methodology.config import Config
from kamxl.methodology.funnel import band_label, parse_amount
from kamxl.methodology.scoring import LEVEL_TEXT, QUESTIONS, parse_answer, parse_answers, score_parsed
from kamxl.methodology.values import fold, is_blank, parse_number

CATEGORY = "KAM"
LANG_DOC = "语言 zh / en（可选） · Language zh / en (optional)"

F = TypeVar("F", bound=Callable[..., Any])
ANSWER_SHAPE = Text(zh="需要 20 个答案：一行或一列 20 格，或每行 20 列的区域",
                    en="expected 20 answers: a row or column of 20 cells, or a block 20 columns wide")
BAD_THRESHOLD = Text(zh="阈值应为 0 到 19 的整数：{value!r}", en="the threshold must be a whole number from 0 to 19: {value!r}")
NO_BENCHMARK = Text(zh="没有基准值，无法计算健康度", en="no benchmark: health cannot be computed")
BENCHMARK_SHAPE = Text(zh="基准区域应为每阶段一行：数量、金额（可在前面加一列阶段）",
                       en="benchmarks must be one row per stage: count, amount (optionally after a stage column)")
TOP10_OK = Text(zh="一致", en="consistent")
TOP10_DIFF = Text(zh="不一致：仅在决策链中 {chain}；仅在评估表中 {table}；重复 {repeated}",
                  en="mismatch: only in the decision chain {chain}; only in the assessment table {table}; "
                     "listed twice {repeated}")


@dataclass(frozen=True)
class Arg:
    """An argument's help text (zh · en) and whether it takes a range (rows/columns kept)."""

    doc: str
    range: bool = False


@dataclass(frozen=True)
class Meta:
    """What the function wizard and the add-in's VBA wrappers need to know of a function."""

    name: str
    doc: str
    args: tuple[tuple[str, Arg], ...]
    optional: tuple[str, ...]


def kam(*, per_cell: bool = False, convention: bool = True, **args: Arg) -> Callable[[F], F]:
    """Register a ``KAM_*`` function: the error convention, xlwings' decorators (which
    only attach metadata, and nothing at all off Windows; applied where xlwings is loaded
    already, as in its UDF server) and our own record of it in ``fn.kam``, from which the
    add-in build generates its VBA wrappers."""

    def decorate(fn: F) -> F:
        params = inspect.signature(fn).parameters
        if list(params) != list(args):
            raise TypeError(f"{fn.__name__}: document every argument, in order: {list(params)}")
        lang_at = list(params).index("lang") if "lang" in params else None
        wrapped = (worksheet_function(fn, per_cell=per_cell, lang_at=lang_at) if convention
                   else com_errors_as_text(fn))
        xw = sys.modules.get("xlwings")
        # xlwings' decorators are for its UDF server, which imports xlwings before it imports
        # this module; anywhere else (every workbook kamxl writes stores these functions' values)
        # importing xlwings would cost ~0.5 s, pandas with it, for metadata nobody reads.
        for name, arg in args.items() if xw is not None else ():
            options = {"ndim": 2} if arg.range else {}
            wrapped = xw.arg(name, doc=arg.doc[:255], err_to_str=True, **options)(wrapped)
        if xw is not None:
            wrapped = xw.func(category=CATEGORY)(wrapped)
        optional = tuple(n for n, p in params.items() if p.default is not inspect.Parameter.empty)
        wrapped.kam = Meta(fn.__name__, (fn.__doc__ or "").strip(), tuple(args.items()), optional)
        return wrapped

    return decorate


def _answers_sets(answers: object) -> tuple[list[list[object]], bool]:
    """The answer sets in a range and whether results go down a column (one per row)."""
    rows = grid(answers)
    if len(flatten(rows)) == len(QUESTIONS) and (len(rows) == 1 or all(len(r) == 1 for r in rows)):
        return [flatten(rows)], True
    if all(len(r) == len(QUESTIONS) for r in rows):
        return rows, True
    if len(rows) == len(QUESTIONS):
        return [list(col) for col in zip(*rows)], False
    raise CellError("#VALUE!", ANSWER_SHAPE(language()))


def _spill(results: list[object], down: bool) -> object:
    if len(results) == 1:
        return results[0]
    return column(results) if down else [results]


def _score_one(cells: list[object], lang: str, cfg: Config) -> object:
    try:
        parsed = parse_answers(cells)
    except InputError:
        found = first_error(cells)  # an error cell among the answers propagates as itself
        if found is not None:
            return found
        raise
    result = score_parsed(parsed, config=cfg)
    return result.total if result.complete else result.describe(lang)


@kam(
    per_cell=True,
    answers=Arg("20 个是/否答案（一行、一列或每行 20 列） · 20 yes/no answers (a row, a column, or 20 columns per row)", range=True),
    lang=Arg(LANG_DOC),
)
def KAM_SCORE(answers, lang=None):
    """商机价值评分 0-20（M-SCORE-1..3）；有空白则显示“未完成” · Opportunity value score 0-20; 'incomplete' while any answer is blank"""
    language_, cfg = language(lang), active_config()
    sets, down = _answers_sets(answers)
    return _spill([call(_score_one, cells, language_, cfg, propagate=False) for cells in sets], down)


@kam(
    answers=Arg("20 个是/否答案 · 20 yes/no answers", range=True),
    lang=Arg(LANG_DOC),
)
def KAM_SCORE_DIMS(answers, lang=None):
    """四个维度的小计 D1-D4，横向溢出 1x4（M-SCORE-1） · The four dimension subtotals D1-D4, spilling 1x4"""
    language_ = language(lang)
    sets, _ = _answers_sets(answers)
    if len(sets) != 1:
        raise CellError("#VALUE!", ANSWER_SHAPE(language_))
    parsed = [parse_answer(cell) for cell in sets[0]]
    out = []
    for d in range(4):
        part = parsed[d * 5:(d + 1) * 5]
        answered = sum(a is not None for a in part)
        out.append(sum(bool(a) for a in part) if answered == 5
                   else LEVEL_TEXT["incomplete"](language_, answered=answered, total=5))
    return [out]


@kam(
    per_cell=True,
    score_=Arg("KAM_SCORE 的结果 · A KAM_SCORE result"),
    threshold=Arg("阈值（可选，默认取公司配置 10） · Threshold (optional; company setting, default 10)"),
    lang=Arg(LANG_DOC),
)
def KAM_VALUE_LEVEL(score_, threshold=None, lang=None):
    """商机价值：评分 > 阈值为“较高”（M-SCORE-2） · Value level: score > threshold is high"""
    language_ = language(lang)
    limit = active_config().scoring.threshold
    if not is_blank(threshold):
        number = parse_number(threshold)
        if number is None or not float(number).is_integer() or not 0 <= number <= 19:
            raise CellError("#NUM!", BAD_THRESHOLD(language_, value=threshold))
        limit = int(number)

    def level(value: object) -> object:
        if isinstance(value, str) and fold(value).startswith(("incomplete", "未完成")):
            return value  # KAM_SCORE's incomplete text stays what it is (M-SCORE-3)
        total = parse_number(required(value, "score"), code="M-SCORE-2")
        return LEVEL_TEXT[value_level(total, threshold=limit)](language_)   # off 0-20: #NUM!

    return elementwise(level, score_)


def _stage_of(value: object):
    return parse_stage(required(value, "stage"), config=active_config())


@kam(
    per_cell=True,
    stage=Arg("阶段，如 05 或“05 进入短名单” · Stage, e.g. 05 or '05 Shortlist/Bid'", range=True),
    status=Arg("状态 open/won/lost（最后阶段必填） · Status open/won/lost (required at the last stage)", range=True),
)
def KAM_STAGE_PROB(stage, status=None):
    """阶段赢率（M-FUN-1，取公司阶段表） · The stage's win probability (company stage table)"""
    cfg = active_config()
    return elementwise(lambda s, st: stage_probability(_stage_of(s), parse_status(st), config=cfg), stage, status)


@kam(
    per_cell=True,
    amount=Arg("金额（单元格或整列） · Amount (a cell or a whole column)", range=True),
    stage=Arg("阶段（单元格或整列） · Stage (a cell or a whole column)", range=True),
    status=Arg("状态（可选） · Status (optional)", range=True),
)
def KAM_WEIGHTED(amount, stage, status=None):
    """加权金额 = 金额 x 阶段赢率（M-FUN-2），整列时向下溢出 · Weighted amount = amount x stage probability; spills for columns"""
    cfg = active_config()

    def probability(s: object, st: object) -> float:
        return stage_probability(_stage_of(s), parse_status(st), config=cfg)

    def weighted(a: object, s: object, st: object) -> float:
        # the amount first (a negative one is #NUM! whatever the stage), then stage and status
        number = parse_amount(a)
        return number * stage_probability(_stage_of(s), parse_status(st), config=cfg)

    (amounts, stages, statuses), source = aligned(amount, stage, status)
    # Stage and status columns repeat a handful of values: resolve each pair once, then
    # one pass multiplies; anything unusual (text amounts, blanks, errors) goes the long way.
    probs = {pair: call(probability, *pair) for pair in set(zip(stages, statuses))}
    results = [
        a * p if type(p := probs[s, st]) is float and type(a) in (float, int) and a >= 0
        else call(weighted, a, s, st)
        for a, s, st in zip(amounts, stages, statuses)
    ]
    return shape_like(results, source)


@kam(
    per_cell=True,
    current=Arg("当前数量或金额 · Current count or amount", range=True),
    benchmark=Arg("历史基准 · Historical benchmark", range=True),
)
def KAM_STAGE_HEALTH(current, benchmark):
    """阶段健康度 = 当前 / 历史基准（M-FUN-3） · Stage health = current / historical benchmark"""

    def ratio(c: object, b: object) -> float:
        value = stage_health(c, b)           # a negative count or amount: #NUM!
        if value is None:
            raise CellError("#DIV/0!", NO_BENCHMARK(language()))
        return value

    return elementwise(ratio, current, benchmark)


@kam(
    per_cell=True,
    ratio=Arg("健康度（如 0.7 或 70%） · Health ratio (e.g. 0.7 or 70%)", range=True),
    lang=Arg(LANG_DOC),
)
def KAM_HEALTH_BAND(ratio, lang=None):
    """健康度等级：>100% 优秀，70%-100% 良好，<70% 预警（M-FUN-3） · Band: >100% excellent, 70-100% good, <70% warning"""
    language_, cfg = language(lang), active_config()
    return elementwise(lambda r: band_label(health_band(parse_number(required(r, "ratio")), config=cfg), language_),
                       ratio)


def _memo(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    """``parse`` remembered per value: a column repeats a handful of spellings."""
    seen: dict[object, Any] = {}

    def parsed(value: object) -> Any:
        try:
            if value not in seen:
                seen[value] = parse(value)
            return seen[value]
        except TypeError:          # unhashable
            return parse(value)
    return parsed


def _benchmarks(benchmarks: object) -> dict[int, tuple[float, float]]:
    rows = [r for r in grid(benchmarks) if not all(is_blank(c) for c in r)]
    if not rows:
        return {}
    if all(len(r) == 2 for r in rows):
        return {n: (parse_number(r[0]) or 0.0, parse_number(r[1]) or 0.0) for n, r in enumerate(rows, start=1)}
    if all(len(r) == 3 for r in rows):
        cfg = active_config()
        return {parse_stage(r[0], config=cfg).number: (parse_number(r[1]) or 0.0, parse_number(r[2]) or 0.0)
                for r in rows}
    raise CellError("#VALUE!", BENCHMARK_SHAPE(language()))


@kam(
    stages=Arg("阶段列 · Stage column", range=True),
    amounts=Arg("金额列 · Amount column", range=True),
    statuses=Arg("状态列（可选） · Status column (optional)", range=True),
    benchmarks=Arg("基准：每阶段一行 数量、金额（可选） · Benchmarks: a row per stage, count and amount (optional)", range=True),
    lang=Arg(LANG_DOC),
)
def KAM_FUNNEL(stages, amounts, statuses=None, benchmarks=None, lang=None):
    """漏斗汇总，溢出 8 行：阶段、数量、金额、加权、数量健康度、金额健康度、两个等级（M-FUN-1..3） · Funnel summary spilling 8 rows: stage, count, amount, weighted, count and amount health, both bands"""
    language_, cfg = language(lang), active_config()
    stage_cells, amount_cells = flatten(stages), flatten(amounts)
    status_cells = flatten(statuses) if statuses is not None and not is_single(statuses) else [None] * len(stage_cells)
    if not len(stage_cells) == len(amount_cells) == len(status_cells):
        raise CellError("#VALUE!", Text("阶段、金额、状态三列应一样长", "stages, amounts and statuses must be equally long")(language_))
    rows = [(stage, amount, status) for stage, amount, status in zip(stage_cells, amount_cells, status_cells)
            if not (is_blank(stage) and is_blank(amount))]          # empty table rows
    for stage, _amount, _status in rows:   # a missing stage anywhere (#N/A) before an unreadable one (#VALUE!)
        required(stage, "stage")
    stages_, statuses_ = _memo(lambda s: parse_stage(s, config=cfg)), _memo(parse_status)   # each spelling once
    deals = [Deal(stages_(stage), statuses_(status), parse_number(amount) or 0.0) for stage, amount, status in rows]
    rows = []
    for row in summarize(deals, _benchmarks(benchmarks) if benchmarks is not None else None, config=cfg):
        bands = row.bands(config=cfg)
        rows.append([row.stage.label(language_), row.count, row.amount, row.weighted,
                     "" if row.count_ratio is None else row.count_ratio,
                     "" if row.amount_ratio is None else row.amount_ratio,
                     *("" if b is None else band_label(b, language_) for b in bands)])
    return rows


@kam(
    per_cell=True,
    level=Arg("关系层级：接触/了解/接受/尊重/信任/伙伴 · Level: contact/know/accept/respect/trust/partner", range=True),
)
def KAM_REL_LEVEL(level):
    """关系层级序号 1-6（M-REL-1） · Relationship level as 1 (contact) to 6 (partner)"""
    return elementwise(lambda v: level_ordinal(required(v, "level")), level)


@kam(
    chain_names=Arg("决策链姓名（一列；或 姓名、TOP10 排名 两列） · Decision-chain names (one column, or name and TOP-10 rank)", range=True),
    table_names=Arg("关系评估表 TOP10 姓名 · Names in the relationship assessment TOP-10", range=True),
    lang=Arg(LANG_DOC),
)
def KAM_TOP10_CHECK(chain_names, table_names, lang=None):
    """决策链 TOP10 与关系评估表 TOP10 是否一致（M-REL-3） · Whether the decision chain's TOP-10 equals the assessment table's"""
    language_ = language(lang)
    rows = grid(chain_names)
    names = chain_top((r[0], r[1]) for r in rows) if _name_and_rank(rows) else flatten(rows)
    check = check_top_ten(names, flatten(table_names))
    if check.consistent:
        return TOP10_OK(language_)
    sep = "、" if language_ == "zh" else ", "
    return TOP10_DIFF(language_, chain=sep.join(check.only_in_chain) or "—", table=sep.join(check.only_in_table) or "—",
                      repeated=sep.join(check.repeated) or "—")


def _name_and_rank(rows: list[list[object]]) -> bool:
    """M-REL-3: whether a decision-chain range is two columns, name and TOP-10 rank (the
    rank picks and orders the TOP-10), rather than a list of names (the TOP-10 as listed).
    Two columns of several rows are; a single row is a list of names, unless it is one
    person's name and rank (a number, or blank, after the name)."""
    if not rows or not all(len(r) == 2 for r in rows):
        return False
    if len(rows) > 1:
        return True
    rank = rows[0][1]
    if is_blank(rank):
        return True
    try:
        return parse_number(rank) is not None
    except InputError:
        return False


EVALUATION_ARGS = {
    "contribution": Arg("贡献度 0-100 · Contribution 0-100"),
    "potential": Arg("合作潜力 0-100 · Cooperation potential 0-100"),
    "satisfaction": Arg("满意度与忠诚度 0-100 · Satisfaction and loyalty 0-100"),
}


@kam(**EVALUATION_ARGS)
def KAM_EVAL_SCORE(contribution, potential, satisfaction):
    """大客户评估加权得分 0-100（M-ACC-6） · Key-account evaluation: weighted score 0-100"""
    return evaluate_account(contribution, potential, satisfaction, config=active_config()).score


@kam(**EVALUATION_ARGS)
def KAM_ACCOUNT_CLASS(contribution, potential, satisfaction):
    """大客户等级 A/B/C/D（M-ACC-6） · Key-account class A/B/C/D"""
    return evaluate_account(contribution, potential, satisfaction, config=active_config()).account_class


@kam(
    name=Arg("公司名称 · Company name"),
    credit_code=Arg("统一社会信用代码（可选） · Unified social credit code (optional)"),
)
def KAM_NAME_KEY(name, credit_code=None):
    """客户惟一性键：有效信用代码优先，否则为规范化名称（M-ACC-2） · Customer uniqueness key: the credit code if valid, else the normalised name"""
    return customer_key(required(name, "name") if is_blank(credit_code) else name, credit_code)


@kam(
    per_cell=True,
    uniqueness=Arg("独特性 0-10 · Uniqueness 0-10", range=True),
    value=Arg("对客户的价值 0-10 · Value to the customer 0-10", range=True),
)
def KAM_BUYING_POINT(uniqueness, value):
    """卖点是否成为买点：两项均达绿区（M-PLAN-4） · Whether a selling point is a buying point (both in the green zone)"""
    cfg = active_config()
    return elementwise(lambda u, v: is_buying_point(u, v, config=cfg), uniqueness, value)


@kam(
    convention=False,
    value=Arg("一个 KAM_* 结果单元格 · A cell holding a KAM_* result"),
)
def KAM_WHY(value):
    """KAM_* 错误的原因；无错误时为空 · The reason behind a KAM_* error; empty when there is none"""
    found = parse_error(value)
    return found[1] if found else ""


FUNCTIONS: dict[str, Callable[..., Any]] = {name: fn for name, fn in dict(globals()).items() if hasattr(fn, "kam")}
