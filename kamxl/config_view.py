"""What the command line says about configuration: which file is in effect (by the one
rule of :func:`kamxl.methodology.config.config_source`, the worksheet functions' rule too),
warnings about it, and every setting, in the chosen language (``kamxl config show`` and
``kamxl config check``).

:data:`SETTINGS` lists every key of ``kamxl/data/defaults.toml`` but the stage table
(printed as a table first); a test checks none is left out.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config, ConfigSource, config_source, effective_config
from kamxl.methodology.territory import describe as describe_rule
from kamxl.methodology.vocabulary import RELATIONSHIP_LEVEL

SOURCE = {
    "option": Text("配置文件（--config）：{path}", "configuration file (--config): {path}"),
    "env": Text("配置文件（环境变量 KAMXL_CONFIG）：{path}", "configuration file (KAMXL_CONFIG): {path}"),
    "home": Text("配置文件：{path}", "configuration file: {path}"),
    "defaults": Text("配置：内置默认值（{path}）", "configuration: built-in defaults ({path})"),
}
WARNING = Text("警告：{text}", "warning: {text}")
MISSING_ENV = Text("环境变量 KAMXL_CONFIG 指向的文件不存在：{path}；使用内置默认值",
                   "KAMXL_CONFIG names a file that does not exist: {path}; the built-in defaults apply")
EMPTY = Text("配置文件 {path} 没有设置任何项：全部使用内置默认值",
             "the configuration file {path} sets nothing: the built-in defaults apply")
MARK = Text("* 标记的项由配置文件设置，其余为内置默认值", "* marks what the configuration file sets; the rest are the built-in defaults")
STAGES = Text("销售漏斗阶段与赢率", "Funnel stages and win probabilities")
WHOLE_TABLE = Text("   （若配置文件的阶段表 [stages.01]、[stages.02]……中每个阶段都写全名称、职责和赢率，则整体替换内置的阶段表，"
                   "阶段数由公司自定；只写部分项则只改这些项）",
                   "   (a company [stages] table that gives every stage its name, duty and probability replaces "
                   "the built-in table as a whole, with as many stages as the company sets; one that gives only "
                   "some keys changes just those)")
NONE = Text("不限", "none")
SECONDS = Text("{n} 秒", "{n} s")
PERIODS = {"quarter": Text("季度", "quarter"), "month": Text("月", "month")}
WEIGHT_NAMES = {"contribution": Text("贡献度", "contribution"), "potential": Text("合作潜力", "potential"),
                "satisfaction": Text("满意度与忠诚度", "satisfaction")}
LIST_SEP = {"zh": "，", "en": ", "}


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def _num(value: float) -> str:
    return f"{value:g}"


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class Setting:
    """One line of ``config show``: the keys it shows, its label and how its value reads."""

    keys: tuple[str, ...]
    label: Text
    value: Callable[[Config, Lang], str]


DAYS = Text("{n} 天", "{n} days")
NO_RULES = Text("无（未设规则）", "none set")

SETTINGS: tuple[Setting, ...] = (
    Setting(("outcome.won_probability",), Text("最后阶段（{last}）赢单的赢率", "probability at the last stage ({last}), won"),
            lambda c, _l: _pct(c.outcome.won_probability)),
    Setting(("outcome.lost_probability",), Text("最后阶段（{last}）丢单的赢率", "probability at the last stage ({last}), lost"),
            lambda c, _l: _pct(c.outcome.lost_probability)),
    Setting(("probability.tolerance",), Text("手填赢率与阶段表允许的偏差（M-FUN-6）",
                                             "a typed probability may differ from the table by (M-FUN-6)"),
            lambda c, _l: _pct(c.probability_tolerance)),
    Setting(("scoring.threshold",), Text("价值评分高于此值为“商机价值较高”（M-SCORE-2）",
                                         "value score above this is high value (M-SCORE-2)"),
            lambda c, _l: f"> {c.scoring.threshold}"),
    Setting(("scoring.late_stage",), Text("从此阶段起标出低价值商机（M-SCORE-4）",
                                          "low-value opportunities flagged from stage (M-SCORE-4)"),
            lambda c, _l: f"{c.scoring.late_stage:02d}"),
    Setting(("health.excellent_above",), Text("健康度“优秀”（M-FUN-3）", "health excellent (M-FUN-3)"),
            lambda c, _l: f"> {_pct(c.health.excellent_above)}"),
    Setting(("health.good_from",), Text("健康度“良好”，低于此为“预警”（M-FUN-3）",
                                        "health good, below it warning (M-FUN-3)"),
            lambda c, _l: f"≥ {_pct(c.health.good_from)}"),
    Setting(("evidence.budget_and_sponsor_from",), Text("从此阶段起须查明预算并记录发起人（M-FUN-5）",
                                                        "budget found out and sponsor needed from stage (M-FUN-5)"),
            lambda c, _l: f"{c.evidence.budget_and_sponsor_from:02d}"),
    Setting(("evidence.decision_chain_from",), Text("从此阶段起需有决策链（M-FUN-5）",
                                                    "decision chain needed from stage (M-FUN-5)"),
            lambda c, _l: f"{c.evidence.decision_chain_from:02d}"),
    Setting(("evidence.score_from",), Text("从此阶段起需有价值评分（M-FUN-5）",
                                           "value score needed from stage (M-FUN-5)"),
            lambda c, _l: f"{c.evidence.score_from:02d}"),
    Setting(("evidence.coach_from",), Text("从此阶段起需有教练（M-REL-5）", "coach needed from stage (M-REL-5)"),
            lambda c, _l: f"{c.evidence.coach_from:02d}"),
    Setting(("evaluation.weights",), Text("大客户评估权重（M-ACC-6）", "key-account evaluation weights (M-ACC-6)"),
            lambda c, lang: LIST_SEP[lang].join(f"{WEIGHT_NAMES[k](lang)} {_pct(w)}"
                                                for k, w in c.evaluation.weights.items())),
    Setting(("evaluation.classes.A", "evaluation.classes.B", "evaluation.classes.C"),
            Text("大客户等级下限（满分 100，低于 C 为 D）", "key-account class cut-offs (of 100; below C is D)"),
            lambda c, lang: LIST_SEP[lang].join(f"{k} ≥ {_num(v)}" for k, v in c.evaluation.classes.items())),
    Setting(("selling_points.scale_max",), Text("卖点评分满分（M-PLAN-4）", "selling-point scale maximum (M-PLAN-4)"),
            lambda c, _l: _num(c.selling_points.scale_max)),
    Setting(("selling_points.uniqueness_min",), Text("成为买点所需的独特性（M-PLAN-4）",
                                                     "uniqueness a buying point needs (M-PLAN-4)"),
            lambda c, _l: f"≥ {_num(c.selling_points.uniqueness_min)}"),
    Setting(("selling_points.value_min",), Text("成为买点所需的客户价值（M-PLAN-4）",
                                                "value a buying point needs (M-PLAN-4)"),
            lambda c, _l: f"≥ {_num(c.selling_points.value_min)}"),
    Setting(("forecast.period",), Text("预测期间（M-FC-1）", "forecast period (M-FC-1)"),
            lambda c, lang: PERIODS[c.forecast.period](lang)),
    Setting(("forecast.currency",), Text("公司币种", "company currency"), lambda c, _l: c.forecast.currency),
    Setting(("forecast.counted_from",), Text("从此阶段起的商机计入预测（M-FC-1）",
                                             "lines count toward the forecast from stage (M-FC-1)"),
            lambda c, _l: f"{c.forecast.counted_from:02d}"),
    Setting(("checklist.min_coverage",), Text("检查清单最低覆盖率（M-SCORE-5）", "checklist minimum coverage (M-SCORE-5)"),
            lambda c, _l: _pct(c.checklist.min_coverage)),
    Setting(("attainment.on_track_from",), Text("达成率达到此值为“达成”（M-TEAM-1）", "attainment on track from (M-TEAM-1)"),
            lambda c, _l: f"≥ {_pct(c.attainment.on_track_from)}"),
    Setting(("attainment.at_risk_below",), Text("达成率低于此值为“风险”（M-TEAM-1）", "attainment at risk below (M-TEAM-1)"),
            lambda c, _l: f"< {_pct(c.attainment.at_risk_below)}"),
    Setting(("register.evaluation_valid_days",), Text("客户分类评估的有效天数，超过即逾期（M-ACC-5）",
                                                      "days a customer's class and evaluation stay valid (M-ACC-5)"),
            lambda c, lang: DAYS(lang, n=c.register.evaluation_valid_days)),
    Setting(("territory",), Text("区域与分配规则，最具体的规则优先，同样具体时取先列出的（M-TEAM-2）",
                                 "territory rules, the most specific first, then the first listed (M-TEAM-2)"),
            lambda c, lang: "；".join(describe_rule(r, "zh") for r in c.territory) if lang == "zh" and c.territory
            else "; ".join(describe_rule(r, "en") for r in c.territory) if c.territory else NO_RULES(lang)),
    Setting(("plan.review_every_days",), Text("经营计划总结检查周期，天（M-PLAN-1）", "account plan review every, days (M-PLAN-1)"),
            lambda c, _l: str(c.plan.review_every_days)),
    Setting(("plan.covered_from",), Text("关系覆盖所需的关系层级（M-REL-2）", "relationship level that counts as covered (M-REL-2)"),
            lambda c, lang: f"≥ {RELATIONSHIP_LEVEL.terms[c.plan.covered_from - 1].label(lang)}"),
    Setting(("plan.attained_from",), Text("增长计划指标达标所需的达成率（M-PLAN-5）", "attainment a growth measure needs (M-PLAN-5)"),
            lambda c, _l: f"≥ {_pct(c.plan.attained_from)}"),
    Setting(("limits.file_seconds",), Text("每个文件的时间上限（kamxl validate 与 kamxl rollup）",
                                           "time ceiling per file (validate, rollup)"),
            lambda c, lang: SECONDS(lang, n=_num(c.ceilings.file_seconds)) if c.ceilings.file_seconds else NONE(lang)),
    Setting(("limits.file_memory_mb",), Text("每个文件的内存上限（kamxl validate 与 kamxl rollup；Linux）",
                                             "memory ceiling per file (validate, rollup; Linux)"),
            lambda c, lang: f"{c.ceilings.file_memory_mb} MB" if c.ceilings.file_memory_mb else NONE(lang)),
)


def defaults_path() -> str:
    return str(resources.files("kamxl").joinpath("data/defaults.toml"))


def effective(path: Path | None, lang: Lang) -> tuple[Config, ConfigSource, list[str]]:
    """The configuration in effect (explicit ``path``, else KAMXL_CONFIG, else
    ``~/.kamxl/company.toml``, else the defaults), where it came from, and what to warn
    about in ``lang``: a KAMXL_CONFIG naming no file, a company file that sets nothing."""
    source = config_source(path)
    cfg = effective_config(path)
    warnings = []
    if source.missing is not None:
        warnings.append(WARNING(lang, text=MISSING_ENV(lang, path=source.missing)))
    if source.path is not None and not cfg.overridden:
        warnings.append(WARNING(lang, text=EMPTY(lang, path=source.path)))
    return cfg, source, warnings


def describe_source(source: ConfigSource, lang: Lang) -> str:
    return SOURCE[source.origin](lang, path=defaults_path() if source.path is None else source.path)


def describe(cfg: Config, lang: Lang) -> list[str]:
    """Every setting, one line each (the stage table first), '*' before what the company
    file sets."""
    set_here = set(cfg.overridden)

    def mark(*keys: str) -> str:
        return "*" if any(k == s or s.startswith(k + ".") for k in keys for s in set_here) else " "

    colon = "：" if lang == "zh" else ": "
    lines = [f"{STAGES(lang)}  [stages]", WHOLE_TABLE(lang)]
    width = max(_width(s.label(lang)) for s in cfg.stages) + 2
    for stage in cfg.stages:
        lines.append(f" {mark(f'stages.{stage.code}')} {_pad(stage.label(lang), width)} {_pct(stage.probability):>5}  "
                     f"{stage.duty(lang)}")
    for setting in SETTINGS:
        keys = " ".join(setting.keys) if len(setting.keys) == 1 else setting.keys[0].rsplit(".", 1)[0]
        lines.append(f"{mark(*setting.keys)} {setting.label(lang, last=cfg.stages[-1].code)}{colon}{setting.value(cfg, lang)}  [{keys}]")
    if set_here:
        lines.append(MARK(lang))
    return lines
