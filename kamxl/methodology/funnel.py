"""The sales funnel (seed 001 §三): stages, probabilities, weighted amounts, stage health.

M-FUN-1  each stage has a win probability (configurable stage table).
M-FUN-2  weighted amount = amount x stage probability.
M-FUN-3  stage health = current / historical benchmark, on count and on amount:
         > 100% excellent; 70%..100% good (both boundaries included); < 70% warning.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kamxl.errors import InputError, OutOfRangeError
from kamxl.i18n import Text
from kamxl.methodology.config import Config, Stage, default_config
from kamxl.methodology.values import fold, is_blank, parse_number
from kamxl.methodology.vocabulary import HEALTH_BAND, STATUS

NOT_A_STAGE = Text(zh="{value!r} 不是有效的阶段：请填 {first} 到 {last}，如 “{example}”",
                   en="{value!r} is not a stage: use {first} to {last}, e.g. '{example}'")
STAGE_NAME_MISMATCH = Text(zh="{value!r} 的编号与名称矛盾：{name!r} 是阶段 {other}",
                           en="{value!r} contradicts itself: {name!r} is stage {other}")
OPEN_AT_08 = Text(zh="阶段 {last} 必须注明赢单或丢单", en="stage {last} must say won or lost")
NEGATIVE_AMOUNT = Text(zh="金额不能为负数：{value!r}", en="the amount must not be negative: {value!r}")
NEGATIVE_HEALTH = Text(zh="数量、金额和基准都不能为负数：{value!r}",
                       en="counts, amounts and benchmarks must not be negative: {value!r}")

_STAGE_TEXT = re.compile(r"^(?:stage|阶段|第)?\s*0*([1-9]\d*)\s*(?:阶段)?(?:\s*[-–—.:：、/)）]\s*|\s+|$)(?!\d)(.*)$")


def parse_stage(value: object, *, config: Config | None = None) -> Stage | None:
    """A stage from 5, 5.0, '5', '05', '05 Shortlist/Bid', '05 进入短名单' or a stage name.

    Blank gives None. A code followed by another stage's name is a contradiction and an
    error; a code followed by free text (an old or shortened name) is accepted.
    """
    cfg = config or default_config()
    if is_blank(value):
        return None
    text = fold(value)
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else _as_number(text)
    if number is not None:  # 5, 5.0, and '5', '05', '5.0' typed as text
        if float(number).is_integer() and 1 <= number <= len(cfg.stages):
            return cfg.stage(int(number))
        raise _not_a_stage(value, cfg)
    by_name = _stage_names(cfg)
    if text in by_name:
        return by_name[text]
    match = _STAGE_TEXT.match(text)
    if not match or not 1 <= int(match.group(1)) <= len(cfg.stages):
        raise _not_a_stage(value, cfg)
    stage = cfg.stage(int(match.group(1)))
    named = by_name.get(match.group(2).strip())
    if named is not None and named is not stage:
        raise InputError("M-FUN-1", STAGE_NAME_MISMATCH, {"value": value, "name": match.group(2), "other": named.code})
    return stage


def _not_a_stage(value: object, cfg: Config) -> InputError:
    """The stage table's range in the message, and a stage mid-funnel as the example."""
    stages = cfg.stages
    example = stages[len(stages) // 2].label  # 05 of the default eight
    return InputError("M-FUN-1", NOT_A_STAGE, {"value": value, "first": stages[0].code, "last": stages[-1].code,
                                               "example": Text(example("zh"), example("en"))})


_NAMES: dict[int, tuple[object, dict[str, Stage]]] = {}


def _stage_names(cfg: Config) -> dict[str, Stage]:
    """Folded zh and en stage name -> stage, built once per stage table (a batch parses
    thousands of stages against the same table)."""
    cached = _NAMES.get(id(cfg.stages))
    if cached is None or cached[0] is not cfg.stages:
        cached = _NAMES[id(cfg.stages)] = (cfg.stages, {fold(s.name(lang)): s for s in cfg.stages
                                                         for lang in ("zh", "en")})
    return cached[1]


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_status(value: object) -> str:
    """'open', 'won' or 'lost'; a blank status means open."""
    term = STATUS.parse(value)
    return term.key if term else "open"


def stage_probability(stage: Stage, status: str = "open", *, config: Config | None = None) -> float:
    """M-FUN-1: the stage's probability; a closed opportunity is certain (won) or void (lost).

    The last stage (08 by default) is the end of the funnel: it must say won or lost (M-FUN-4).
    """
    cfg = config or default_config()
    if status == "won":
        return cfg.outcome.won_probability
    if status == "lost":
        return cfg.outcome.lost_probability
    if stage.number == len(cfg.stages):
        raise InputError("M-FUN-4", OPEN_AT_08, {"last": stage.code})
    return stage.probability


def parse_amount(amount: object) -> float:
    """M-FUN-2: an opportunity's amount; a blank one weighs 0, a negative one is an error."""
    number = parse_number(amount, code="M-FUN-2") or 0.0
    if number < 0:
        raise OutOfRangeError("M-FUN-2", NEGATIVE_AMOUNT, {"value": amount})
    return number


def weighted_amount(amount: object, stage: Stage, status: str = "open", *, config: Config | None = None) -> float:
    """M-FUN-2: amount x stage probability (a blank amount weighs 0)."""
    return parse_amount(amount) * stage_probability(stage, status, config=config)


def health_ratio(current: float, benchmark: float) -> float | None:
    """M-FUN-3: current / benchmark, or None when there is no benchmark (0 or blank).

    Computed in decimal from the numbers as written, so 350000.35 / 500000.5 is exactly
    0.7 and lands on the boundary the method says it should.
    """
    if not benchmark:
        return None
    return float(Decimal(repr(float(current))) / Decimal(repr(float(benchmark))))


def stage_health(current: object, benchmark: object) -> float | None:
    """M-FUN-3 for values as typed (KAM_STAGE_HEALTH): current / benchmark, None without
    a benchmark (blank or 0). A blank current value is 0; a count or amount below zero is
    off the scale (:class:`OutOfRangeError`, ``#NUM!`` in a cell)."""
    numbers = []
    for value in (current, benchmark):
        number = parse_number(value, code="M-FUN-3") or 0.0
        if number < 0:
            raise OutOfRangeError("M-FUN-3", NEGATIVE_HEALTH, {"value": value})
        numbers.append(number)
    return health_ratio(*numbers)


def health_band(ratio: float, *, config: Config | None = None) -> str:
    """M-FUN-3: 'excellent' above 100%, 'good' from 70% to 100% inclusive, else 'warning'.

    The ratio is rounded to 9 decimals first so that float noise (0.69999999999) does
    not move a value that is 70% as written across the boundary.
    """
    cfg = config or default_config()
    rounded = round(ratio, 9)
    if rounded > cfg.health.excellent_above:
        return "excellent"
    if rounded >= cfg.health.good_from:
        return "good"
    return "warning"


@dataclass(frozen=True)
class StageHealth:
    """One row of the funnel's health summary (M-FUN-2, M-FUN-3)."""

    stage: Stage
    count: int
    amount: float
    weighted: float
    benchmark_count: float | None
    benchmark_amount: float | None

    @property
    def count_ratio(self) -> float | None:
        return health_ratio(self.count, self.benchmark_count or 0)

    @property
    def amount_ratio(self) -> float | None:
        return health_ratio(self.amount, self.benchmark_amount or 0)

    def bands(self, *, config: Config | None = None) -> tuple[str | None, str | None]:
        return tuple(None if r is None else health_band(r, config=config)  # type: ignore[return-value]
                     for r in (self.count_ratio, self.amount_ratio))


@dataclass(frozen=True)
class Deal:
    """The three facts the funnel needs of an opportunity."""

    stage: Stage
    status: str
    amount: float


def summarize(deals: Iterable[Deal], benchmarks: Mapping[int, tuple[float, float]] | None = None,
              *, config: Config | None = None) -> list[StageHealth]:
    """Per-stage count, amount, weighted amount and health against the benchmarks.

    What stands at a stage now: open opportunities at the open stages, won ones at the last;
    lost opportunities have left the funnel (their customers stay: M-FUN-4).
    ``benchmarks`` maps a stage number to its historical (count, amount).
    """
    cfg = config or default_config()
    counts = {s.number: [0, 0.0, 0.0] for s in cfg.stages}
    for deal in deals:
        if deal.status == "lost":
            continue
        row = counts[deal.stage.number]
        row[0] += 1
        row[1] += deal.amount
        row[2] += deal.amount * stage_probability(deal.stage, deal.status, config=cfg)
    bench = benchmarks or {}
    return [
        StageHealth(stage, int(counts[stage.number][0]), counts[stage.number][1], counts[stage.number][2],
                    *bench.get(stage.number, (None, None)))
        for stage in cfg.stages
    ]


def band_label(band: str, lang: str) -> str:
    return HEALTH_BAND.get(band).label(lang)  # type: ignore[arg-type]
