"""Methodology configuration: defaults shipped as data, overridden by a company file.

The defaults live in ``kamxl/data/defaults.toml`` (the "(default)" choices of
shared/METHODOLOGY.md). A company file is TOML with the same layout and only the keys
it changes; it is deep-merged over the defaults and the result validated as a whole.
One exception (M-FUN-1: the company sets the funnel's levels): a ``[stages]`` table whose
every stage gives a name, duty and probability is a stage table of its own and replaces
the default one as a whole, so six stages are six (not six with the defaults' 07 and 08).
Unknown keys and invalid values raise :class:`ConfigError` naming the key, so a typo
never silently falls back to a default.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kamxl.errors import ConfigError, os_reason
from kamxl.i18n import LANGS, Lang, Message, Text

STAGE_FIELDS = ("name", "duty", "probability")
MIN_STAGES, MAX_STAGES = 2, 12   # at least one open stage and the won/lost one; a readable funnel
CLASS_NAMES = ("A", "B", "C")
WEIGHT_KEYS = ("contribution", "potential", "satisfaction")

UNKNOWN_KEY = Text(zh="未知的配置项（拼写错误？）", en="unknown key (a typo?)")
BAD_VALUE = Text(zh="取值 {value!r} 无效：{need_zh}", en="invalid value {value!r}: {need_en}")
BAD_FILE = Text(zh="无法读取配置文件：{reason}", en="cannot read the configuration file: {reason}")
NOT_UTF8 = Text(zh="不是 UTF-8 编码的文本", en="not UTF-8 text")
BAD_TOML = Text(zh="TOML 语法错误，在第 {line} 行第 {column} 列", en="TOML syntax error at line {line}, column {column}: {detail}")


@dataclass(frozen=True)
class Stage:
    """One funnel stage (M-FUN-1)."""

    code: str
    name: Text
    duty: Text
    probability: float

    @cached_property
    def number(self) -> int:   # remembered: the checks ask every row's stage for it
        return int(self.code)

    def __hash__(self) -> int:  # by code and probability (equal stages agree on both): the names
        return hash((self.code, self.probability))   # and duties are long texts, hashed per line otherwise

    def label(self, lang: Lang) -> str:
        """The dropdown spelling, e.g. '05 Shortlist/Bid' / '05 进入短名单'."""
        return f"{self.code} {self.name(lang)}"

    def __reduce__(self) -> tuple[object, ...]:
        # Unpickled as one shared object per distinct stage: a roll-up's workers send each
        # file's stages, and 1,000 copies of each would be compared field by field.
        return (_shared_stage, (self.code, self.name, self.duty, self.probability))


@lru_cache(maxsize=4096)
def _shared_stage(code: str, name: Text, duty: Text, probability: float) -> Stage:
    return Stage(code, name, duty, probability)


@dataclass(frozen=True)
class Scoring:
    threshold: int
    late_stage: int


@dataclass(frozen=True)
class Outcome:
    won_probability: float
    lost_probability: float


@dataclass(frozen=True)
class Health:
    excellent_above: float
    good_from: float


@dataclass(frozen=True)
class Evidence:
    budget_and_sponsor_from: int
    decision_chain_from: int
    score_from: int
    coach_from: int


@dataclass(frozen=True)
class Evaluation:
    weights: dict[str, float]
    classes: dict[str, float]


@dataclass(frozen=True)
class SellingPoints:
    scale_max: float
    uniqueness_min: float
    value_min: float


@dataclass(frozen=True)
class Attainment:
    """M-TEAM-1 bands: on track from ``on_track_from``, at risk below ``at_risk_below``."""

    on_track_from: float
    at_risk_below: float


@dataclass(frozen=True)
class Checklist:
    min_coverage: float


@dataclass(frozen=True)
class Plan:
    """The account plan (M-PLAN-1, M-PLAN-5, M-REL-2): how often it is reviewed, the relationship
    level from which a person counts as covered, and the attainment from which a target is met."""

    review_every_days: int = 90
    covered_from: int = 3
    attained_from: float = 1.0


@dataclass(frozen=True)
class Forecast:
    period: str
    currency: str
    #: M-FC-1: lines at this stage or later count toward a forecast (1: every stage)
    counted_from: int = 1


@dataclass(frozen=True)
class Register:
    """M-ACC-5, M-ACC-6: how long a customer's class and evaluation stay valid (days)."""

    evaluation_valid_days: int = 365


@dataclass(frozen=True)
class TerritoryRule:
    """M-TEAM-2: customers of ``region`` and ``industry`` (None: any) belong to ``account_manager``."""

    account_manager: str
    region: str | None = None
    industry: str | None = None


@dataclass(frozen=True)
class Ceilings:
    """What one submitted file may cost a batch (validation, roll-up): wall-clock
    seconds and memory in MB per file; 0 turns a ceiling off."""

    file_seconds: float = 60.0
    file_memory_mb: int = 2048


@dataclass(frozen=True)
class Config:
    """The validated, effective configuration. Sections mirror the TOML file."""

    scoring: Scoring
    stages: tuple[Stage, ...]
    outcome: Outcome
    probability_tolerance: float
    health: Health
    evidence: Evidence
    evaluation: Evaluation
    selling_points: SellingPoints
    forecast: Forecast
    checklist: Checklist = Checklist(0.5)
    attainment: Attainment = Attainment(1.0, 0.7)
    ceilings: Ceilings = Ceilings()
    register: Register = Register()
    territory: tuple[TerritoryRule, ...] = ()
    plan: Plan = Plan()
    sources: tuple[str, ...] = ()
    #: the dotted keys the company file sets (``scoring.threshold``, ``stages.05.probability``…);
    #: empty for the defaults, and for a company file that sets nothing
    overridden: tuple[str, ...] = ()

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return tomllib.loads(resources.files("kamxl").joinpath("data/defaults.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def default_config() -> Config:
    """The shipped defaults (cached: they never change while running)."""
    return _build(_defaults(), sources=("defaults",))


def load_config(path: str | Path | None = None) -> Config:
    """Defaults, overridden by the company file at ``path`` if given."""
    if path is None:
        return default_config()
    try:
        override = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("S-CONFIG", BAD_FILE, {"reason": _why_unreadable(exc)}).at(file=str(path)) from None
    try:
        merged = _merge(_defaults(), override, "")
        return _build(merged, sources=("defaults", str(path)), overridden=tuple(_leaves(override, "")))
    except ConfigError as exc:
        raise exc.at(file=str(path)) from None


def _leaves(data: dict[str, Any], prefix: str) -> list[str]:
    """The dotted keys a (merged-valid) company file sets: tables are walked, values listed."""
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and key != "weights" and not (set(value) and set(value) <= set(LANGS)):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def _why_unreadable(exc: Exception) -> Text | Message | str:
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, UnicodeDecodeError):
        return NOT_UTF8
    place = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    detail = str(exc)[:place.start()].strip() if place else str(exc)
    return Message.of(BAD_TOML, line=place.group(1) if place else "?", column=place.group(2) if place else "?",
                      detail=detail)


def _merge(base: dict[str, Any], override: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Deep merge; every key of ``override`` must exist in ``base`` (the defaults)."""
    merged = dict(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            raise ConfigError("S-CONFIG", UNKNOWN_KEY).at(key=path)
        if isinstance(base[key], dict) and key != "weights":
            if not isinstance(value, dict):
                _fail(path, value, "应为一个表（[section]）", "must be a table ([section])")
            merged[key] = value if path == "stages" and _whole_table(value) else _merge(base[key], value, f"{path}.")
        else:
            merged[key] = value
    return merged


def _whole_table(stages: dict[str, Any]) -> bool:
    """M-FUN-1: a company stage table of its own (every stage it lists gives a name, duty and
    probability) replaces the defaults' whole; one that leaves any out changes those keys only."""
    return bool(stages) and all(isinstance(s, dict) and set(STAGE_FIELDS) <= set(s) for s in stages.values())


def _fail(key: str, value: object, need_zh: str, need_en: str) -> None:
    params = {"value": value, "need_zh": need_zh, "need_en": need_en}
    raise ConfigError("S-CONFIG", BAD_VALUE, params).at(key=key)


def _number(data: dict[str, Any], key: str, lo: float, hi: float, prefix: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        _fail(f"{prefix}{key}", value, f"应为 {lo} 到 {hi} 之间的数", f"must be a number from {lo} to {hi}")
    return float(value)


def _integer(data: dict[str, Any], key: str, lo: int, hi: int, prefix: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        _fail(f"{prefix}{key}", value, f"应为 {lo} 到 {hi} 之间的整数", f"must be a whole number from {lo} to {hi}")
    return int(value)


def _text(data: dict[str, Any], key: str, prefix: str) -> Text:
    value = data.get(key)
    if not isinstance(value, dict) or set(value) != set(LANGS) or not all(
        isinstance(v, str) and v.strip() for v in value.values()
    ):
        _fail(f"{prefix}{key}", value, "应为 { zh = \"…\", en = \"…\" }", 'must be { zh = "…", en = "…" }')
    return Text(zh=value["zh"].strip(), en=value["en"].strip())


def _stages(data: dict[str, Any]) -> tuple[Stage, ...]:
    """M-FUN-1: codes 01, 02, … consecutive, MIN_STAGES to MAX_STAGES of them, probabilities
    never falling; the last is the won/lost stage."""
    codes = tuple(f"{n:02d}" for n in range(1, len(data) + 1))
    if tuple(sorted(data)) != codes or not MIN_STAGES <= len(codes) <= MAX_STAGES:
        _fail("stages", sorted(data),
              f"应为从 01 起连续编号的 {MIN_STAGES} 到 {MAX_STAGES} 个阶段（01、02……），最后一个为赢单或丢单；"
              "只改部分阶段时只写要改的项，自定阶段表时每个阶段须写全名称、职责和赢率",
              f"must be {MIN_STAGES} to {MAX_STAGES} stages numbered 01, 02, … without a gap, the last the "
              "won/lost one; to change some stages give only the keys you change, for a table of your own "
              "give every stage its name, duty and probability")
    stages = tuple(
        Stage(code, _text(data[code], "name", f"stages.{code}."), _text(data[code], "duty", f"stages.{code}."),
              _number(data[code], "probability", 0, 1, f"stages.{code}."))
        for code in codes
    )
    for before, after in zip(stages, stages[1:]):
        if after.probability < before.probability:
            _fail(f"stages.{after.code}.probability", after.probability,
                  f"不能低于阶段 {before.code} 的 {before.probability}",
                  f"must not be lower than stage {before.code}'s {before.probability}")
    return stages


def _stage_number(data: dict[str, Any], key: str, stages: tuple[Stage, ...], prefix: str) -> int:
    """A setting that names a stage: 1 to the number of the company's stages."""
    value, n = data.get(key), len(stages)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
        _fail(f"{prefix}{key}", value, f"应为阶段编号 1 到 {n}（阶段表共 {n} 个阶段）",
              f"must be a stage number from 1 to {n} (the stage table has {n} stages)")
    return int(value)


def _build(data: dict[str, Any], *, sources: tuple[str, ...], overridden: tuple[str, ...] = ()) -> Config:
    sc, hl, ev = data["scoring"], data["health"], data["evidence"]
    stages = _stages(data["stages"])
    health = Health(_number(hl, "excellent_above", 0, 100, "health."), _number(hl, "good_from", 0, 100, "health."))
    if health.good_from > health.excellent_above:
        _fail("health.good_from", health.good_from, "不能高于 health.excellent_above",
              "must not exceed health.excellent_above")
    return Config(
        scoring=Scoring(_integer(sc, "threshold", 0, 19, "scoring."),
                        _stage_number(sc, "late_stage", stages, "scoring.")),
        stages=stages,
        outcome=Outcome(*(_number(data["outcome"], k, 0, 1, "outcome.") for k in ("won_probability", "lost_probability"))),
        probability_tolerance=_number(data["probability"], "tolerance", 0, 0.5, "probability."),
        health=health,
        evidence=Evidence(*(_stage_number(ev, k, stages, "evidence.") for k in
                            ("budget_and_sponsor_from", "decision_chain_from", "score_from", "coach_from"))),
        evaluation=_evaluation(data["evaluation"]),
        selling_points=_selling_points(data["selling_points"]),
        forecast=_forecast(data["forecast"], stages),
        checklist=Checklist(_number(data["checklist"], "min_coverage", 0, 1, "checklist.")),
        attainment=_attainment(data["attainment"]),
        ceilings=_ceilings(data["limits"]),
        register=Register(_integer(data["register"], "evaluation_valid_days", 1, 36_500, "register.")),
        territory=_territory(data["territory"]),
        plan=_plan(data["plan"]),
        sources=sources,
        overridden=overridden,
    )


def _evaluation(data: dict[str, Any]) -> Evaluation:
    weights, classes = data["weights"], data["classes"]
    if not isinstance(weights, dict) or set(weights) != set(WEIGHT_KEYS):
        _fail("evaluation.weights", weights, "应为 contribution、potential、satisfaction 三项",
              "must give contribution, potential and satisfaction")
    parsed = {k: _number(weights, k, 0, 1, "evaluation.weights.") for k in WEIGHT_KEYS}
    if abs(sum(parsed.values()) - 1) > 1e-9:
        _fail("evaluation.weights", weights, "三项权重之和应为 1", "the three weights must add up to 1")
    cutoffs = {k: _number(classes, k, 0, 100, "evaluation.classes.") for k in CLASS_NAMES}
    if not cutoffs["A"] > cutoffs["B"] > cutoffs["C"]:
        _fail("evaluation.classes", classes, "应满足 A > B > C", "must satisfy A > B > C")
    return Evaluation(parsed, cutoffs)


def _selling_points(data: dict[str, Any]) -> SellingPoints:
    scale = _number(data, "scale_max", 1, 1000, "selling_points.")
    return SellingPoints(scale, _number(data, "uniqueness_min", 0, scale, "selling_points."),
                         _number(data, "value_min", 0, scale, "selling_points."))


def _forecast(data: dict[str, Any], stages: tuple[Stage, ...]) -> Forecast:
    period, currency = data.get("period"), data.get("currency")
    if period not in ("quarter", "month"):
        _fail("forecast.period", period, "应为 quarter 或 month", "must be quarter or month")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        _fail("forecast.currency", currency, "应为三位大写货币代码，如 CNY", "must be a 3-letter ISO code such as CNY")
    return Forecast(period, currency, _stage_number(data, "counted_from", stages, "forecast."))


def _attainment(data: dict[str, Any]) -> Attainment:
    bands = Attainment(_number(data, "on_track_from", 0, 100, "attainment."),
                       _number(data, "at_risk_below", 0, 100, "attainment."))
    if bands.at_risk_below > bands.on_track_from:
        _fail("attainment.at_risk_below", bands.at_risk_below, "不能高于 attainment.on_track_from",
              "must not exceed attainment.on_track_from")
    return bands


def _plan(data: dict[str, Any]) -> Plan:
    return Plan(_integer(data, "review_every_days", 1, 3660, "plan."), _integer(data, "covered_from", 1, 6, "plan."),
                _number(data, "attained_from", 0, 2, "plan."))


def _ceilings(data: dict[str, Any]) -> Ceilings:
    seconds = _number(data, "file_seconds", 0, 86_400, "limits.")
    memory = _integer(data, "file_memory_mb", 0, 1_048_576, "limits.")
    if 0 < memory < 64:
        _fail("limits.file_memory_mb", memory, "应为 0（不限）或至少 64", "must be 0 (no ceiling) or at least 64")
    return Ceilings(seconds, memory)


def _territory(rules: object) -> tuple[TerritoryRule, ...]:
    """M-TEAM-2: ``[[territory]]`` tables, each an account manager and an optional region and industry."""
    if not isinstance(rules, list):
        _fail("territory", rules, "应为 [[territory]] 表的列表", "must be a list of [[territory]] tables")
    out = []
    for i, rule in enumerate(rules, 1):
        where = f"territory[{i}]"
        if not isinstance(rule, dict) or set(rule) - {"region", "industry", "account_manager"}:
            _fail(where, rule, "只可含 region、industry、account_manager", "may hold only region, industry, account_manager")
        texts = {k: rule.get(k) for k in ("region", "industry", "account_manager")}
        for key, value in texts.items():
            if (value is not None or key == "account_manager") and not (isinstance(value, str) and value.strip()):
                _fail(f"{where}.{key}", value, "应为非空文字", "must be non-empty text")
        out.append(TerritoryRule(texts["account_manager"].strip(),  # type: ignore[union-attr]
                                 *(texts[k].strip() if texts[k] else None for k in ("region", "industry"))))  # type: ignore[union-attr]
    return tuple(out)


def company_config_path() -> Path:
    """Where the company configuration lives when no file is named on the command line:
    the KAMXL_CONFIG environment variable, else ``~/.kamxl/company.toml`` (the ribbon's
    *Settings* button creates it there)."""
    return Path(os.environ.get("KAMXL_CONFIG") or Path.home() / ".kamxl" / "company.toml")


@dataclass(frozen=True)
class ConfigSource:
    """Which configuration is in effect and why: ``path`` is the company file read, or
    None for the built-in defaults; ``origin`` is how it was found ('option': a file named
    with ``--config``; 'env': KAMXL_CONFIG; 'home': ``~/.kamxl/company.toml``; 'defaults').
    ``missing`` is a KAMXL_CONFIG that names no file (the defaults apply, and are said to)."""

    path: Path | None
    origin: str
    missing: Path | None = None


def config_source(path: str | Path | None = None) -> ConfigSource:
    """THE rule, for the command line, the worksheet functions and the ribbon alike:
    the file named explicitly (``--config``; it must exist), else the file KAMXL_CONFIG
    names, else ``~/.kamxl/company.toml``, else the built-in defaults
    (``kamxl/data/defaults.toml``). A file that is not there is skipped (KAMXL_CONFIG is
    set by group policy before *Settings* creates the file)."""
    if path is not None:
        return ConfigSource(Path(path), "option")
    env = os.environ.get("KAMXL_CONFIG")
    if env:
        named = Path(env)
        return ConfigSource(named, "env") if named.is_file() else ConfigSource(None, "defaults", missing=named)
    home = Path.home() / ".kamxl" / "company.toml"
    return ConfigSource(home, "home") if home.is_file() else ConfigSource(None, "defaults")


_active: dict[tuple[str, int], Config] = {}


def effective_config(path: str | Path | None = None) -> Config:
    """The configuration in effect by :func:`config_source`'s rule: the defaults, or the
    company file merged over them (re-read when the file changes, keyed on its
    modification time, so a rep who edits it sees the new table at the next recalculation)."""
    source = config_source(path)
    if source.path is None:
        return default_config()
    try:
        stamp = source.path.stat().st_mtime_ns
    except OSError:
        return load_config(source.path)     # names the file and why it cannot be read
    key = (str(source.path), stamp)
    if key not in _active:
        _active.clear()
        _active[key] = load_config(source.path)
    return _active[key]


_pinned: ContextVar[Config | None] = ContextVar("kamxl_pinned_config", default=None)


@contextmanager
def pinned_config(config: Config) -> Iterator[None]:
    """The worksheet functions compute with ``config`` meanwhile: a workbook written for a
    company (``kamxl new --config``) stores what its functions give under that company's file."""
    token = _pinned.set(config)
    try:
        yield
    finally:
        _pinned.reset(token)


def active_config() -> Config:
    """What the worksheet functions and the ribbon use: :func:`effective_config` with no
    file named, the same rule the command line follows (or the one :func:`pinned_config` pins)."""
    return _pinned.get() or effective_config()
