"""``kamxl demo``: the methodology at work on the bundled sample data.

Computes, from the sample funnel and accounts, what a sales manager looks at first:
stage health against the benchmarks (M-FUN-1..3), opportunities that need attention
(M-SCORE-3/4, M-FUN-5, M-REL-5, stale close dates), each owner's forecast of confirmed
opportunities (M-FC-2) and the customer register (M-ACC-2/3/6).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from kamxl.i18n import Lang, Text
from kamxl.methodology import (
    Config, Customer, Deal, Score, Stage, StageHealth, default_config, evaluate_account, group_customers,
    low_value_late, parse_confirmed, parse_stage, parse_status, period_of, score, summarize, weighted_amount,
)
from kamxl.methodology.values import is_blank, parse_date, parse_number
from kamxl.methodology.vocabulary import BUDGET_STATUS
from kamxl.samples import sample_rows

ANSWER_COLUMNS = tuple(f"q{n:02d}" for n in range(1, 21))

FLAGS = {
    "M-SCORE-4": Text("后期阶段的低价值商机", "low-value opportunity late in the funnel"),
    "M-SCORE-3": Text("价值评估未完成", "value assessment incomplete"),
    "M-FUN-5": Text("预算未查明或缺少发起人", "budget not found out, or no sponsor"),
    "M-REL-5": Text("没有教练", "no coach"),
    "STALE": Text("预计成交日期已过", "expected close date has passed"),
}


@dataclass(frozen=True)
class Line:
    """One sample opportunity, parsed through the methodology core."""

    id: str
    customer: str
    name: str
    owner: str
    stage: Stage
    status: str
    amount: float
    weighted: float
    close_date: date | None
    confirmed: bool
    category: str
    score: Score
    flags: tuple[str, ...]


@dataclass
class DemoReport:
    lines: list[Line]
    health: list[StageHealth]
    forecast: dict[str, dict[str, list[float]]]       # owner -> period -> [count, amount, weighted]
    customer_groups: list[list[Customer]]
    evaluations: list[tuple[str, str, float, str]]   # customer, manager, score, class
    today: date
    config: Config = field(default_factory=default_config)


def _flags(row: dict[str, str], stage: Stage, status: str, sc: Score, close: date | None, today: date,
           cfg: Config) -> tuple[str, ...]:
    flags = []
    if low_value_late(stage.number, sc, config=cfg):
        flags.append("M-SCORE-4")
    if stage.number >= cfg.evidence.score_from and not sc.complete:
        flags.append("M-SCORE-3")
    if status == "open":
        if stage.number >= cfg.evidence.budget_and_sponsor_from and (
                _budget_unknown(row["budget_status"]) or is_blank(row["sponsor"])):
            flags.append("M-FUN-5")
        if stage.number >= cfg.evidence.coach_from and is_blank(row["coach"]):
            flags.append("M-REL-5")
        if close and close < today:
            flags.append("STALE")
    return tuple(flags)


def _budget_unknown(raw: str) -> bool:
    """M-FUN-5: stage 02 must have found the budget out (any status but unknown)."""
    term = BUDGET_STATUS.parse(raw)
    return term is None or term.key == "unknown"


def _weighted(row: dict[str, str], amount: float, stage: Stage, status: str, config: Config) -> float:
    """M-FUN-6: the adjusted probability when one from 0 to 1 is given, as the workbook weighs it."""
    override = parse_number(row.get("prob_override") or None)
    if override is not None and 0 <= override <= 1 and amount >= 0:
        return amount * override
    return weighted_amount(amount, stage, status, config=config)


def parse_line(row: dict[str, str], *, today: date, config: Config) -> Line:
    stage = parse_stage(row["stage"], config=config)
    status = parse_status(row["status"])
    amount = parse_number(row["amount"]) or 0.0
    close = parse_date(row["close_date"])
    sc = score((row[c] for c in ANSWER_COLUMNS), config=config)
    return Line(row["id"], row["customer"], row["opportunity"], row["owner"], stage, status, amount,
                _weighted(row, amount, stage, status, config), close, parse_confirmed(row["confirmed"]),
                row["category"], sc, _flags(row, stage, status, sc, close, today, config))


def build_report(*, today: date | None = None, config: Config | None = None, lang: str = "zh") -> DemoReport:
    cfg = config or default_config()
    day = today or date.today()
    lines = [parse_line(row, today=day, config=cfg) for row in sample_rows("opportunities", lang, cfg)]
    benchmarks = {int(r["stage"]): (float(r["count"]), float(r["amount"])) for r in sample_rows("benchmarks", config=cfg)}
    health = summarize((Deal(ln.stage, ln.status, ln.amount) for ln in lines), benchmarks, config=cfg)
    forecast: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    for ln in lines:
        # M-FC-2: each line is its owner's own; M-FC-1: at a stage the company counts toward a forecast
        if ln.confirmed and ln.status != "lost" and ln.close_date and ln.stage.number >= cfg.forecast.counted_from:
            cell = forecast[ln.owner][period_of(ln.close_date, config=cfg)]
            cell[0] += 1
            cell[1] += ln.amount
            cell[2] += ln.weighted
    accounts = sample_rows("accounts", lang)
    groups = group_customers(Customer(r["customer"], r["credit_code"] or None, r["account_manager"]) for r in accounts)
    evaluations = []
    for r in accounts:
        ev = evaluate_account(r["contribution"], r["potential"], r["satisfaction"], config=cfg)
        evaluations.append((r["customer"], r["account_manager"], ev.score, ev.account_class))
    return DemoReport(lines, health, forecast, groups, evaluations, day, cfg)


# --- rendering --------------------------------------------------------------------------

L = {
    "title": Text("kamxl 演示：示例销售漏斗（{n} 个商机），截至 {today}", "kamxl demo: sample funnel of {n} opportunities, as of {today}"),
    "health": Text("漏斗健康度（M-FUN-1..3）", "Funnel health (M-FUN-1..3)"),
    "stage": Text("阶段", "Stage"), "prob": Text("概率", "Prob."), "count": Text("数量", "Count"),
    "amount": Text("金额", "Amount"), "weighted": Text("加权金额", "Weighted"),
    "bench": Text("基准 数量/金额", "Benchmark count/amount"),
    "ratio_c": Text("数量健康度", "Health (count)"), "ratio_a": Text("金额健康度", "Health (amount)"),
    "attention": Text("需要关注的商机", "Opportunities that need attention"),
    "id": Text("编号", "ID"), "customer": Text("客户", "Customer"), "owner": Text("负责人", "Owner"),
    "score": Text("价值评分", "Value score"), "why": Text("原因", "Why"),
    "eval_score": Text("评估得分", "Score"),
    "forecast": Text("预测：各负责人已确认的商机（M-FC-2）", "Forecast: each owner's confirmed opportunities (M-FC-2)"),
    "period": Text("期间", "Period"),
    "customers": Text("客户惟一性：同一家公司的不同写法（M-ACC-2/3）", "Customer uniqueness: one company, several spellings (M-ACC-2/3)"),
    "spellings": Text("写法", "Spellings"), "managers": Text("客户经理", "Account managers"),
    "conflict": Text("冲突：多名客户经理（M-ACC-3）", "conflict: several account managers (M-ACC-3)"),
    "ok": Text("同一客户经理", "one account manager"),
    "evaluation": Text("大客户评估（M-ACC-6）", "Key-account evaluation (M-ACC-6)"),
    "class": Text("等级", "Class"),
}
BAND_STYLE = {"excellent": "bold green", "good": "yellow", "warning": "bold red"}


def _ratio(ratio: float | None, lang: Lang, cfg: Config) -> str:
    from kamxl.methodology.funnel import band_label, health_band

    if ratio is None:
        return "—"
    band = health_band(ratio, config=cfg)
    return f"[{BAND_STYLE[band]}]{ratio:.0%} {band_label(band, lang)}[/]"


def render(report: DemoReport, lang: Lang, console: object) -> None:
    """Print the report as tables (``console`` is a rich Console)."""
    from rich.table import Table

    cfg, t = report.config, (lambda key, **kw: L[key](lang, **kw))
    print_ = console.print  # type: ignore[attr-defined]
    print_(f"[bold]{t('title', n=len(report.lines), today=report.today.isoformat())}[/]\n")

    table = Table(title=t("health"), title_justify="left")
    for key in ("stage", "prob", "count", "amount", "weighted", "bench", "ratio_c", "ratio_a"):
        table.add_column(t(key), justify="left" if key == "stage" else "right")
    for row in report.health:
        bench = "—" if row.benchmark_count is None else f"{row.benchmark_count:g} / {row.benchmark_amount:,.0f}"
        table.add_row(row.stage.label(lang), f"{row.stage.probability:.0%}", str(row.count), f"{row.amount:,.0f}",
                      f"{row.weighted:,.0f}", bench, _ratio(row.count_ratio, lang, cfg),
                      _ratio(row.amount_ratio, lang, cfg))
    print_(table)

    table = Table(title=t("attention"), title_justify="left")
    for key in ("id", "customer", "stage", "owner", "score", "why"):
        table.add_column(t(key))
    for ln in (ln for ln in report.lines if ln.flags):
        why = "; ".join(f"{FLAGS[f](lang)} ({f})" if f != "STALE" else FLAGS[f](lang) for f in ln.flags)
        table.add_row(ln.id, ln.customer, ln.stage.label(lang), ln.owner,
                      f"{ln.score.total} · {ln.score.describe(lang)}", why)
    print_(table)

    table = Table(title=t("forecast"), title_justify="left")
    for key in ("owner", "period", "count", "amount", "weighted"):
        table.add_column(t(key), justify="right" if key in ("count", "amount", "weighted") else "left")
    for owner in sorted(report.forecast):
        for period, (count, amount, weighted) in sorted(report.forecast[owner].items()):
            table.add_row(owner, period, f"{count:g}", f"{amount:,.0f}", f"{weighted:,.0f}")
    print_(table)

    table = Table(title=t("customers"), title_justify="left")
    table.add_column(t("spellings"))
    table.add_column(t("managers"))
    for group in (g for g in report.customer_groups if len(g) > 1):
        managers = sorted({str(c.ref) for c in group})
        verdict = t("conflict") if len(managers) > 1 else t("ok")
        table.add_row(" | ".join(c.name for c in group), f"{', '.join(managers)}: {verdict}")
    print_(table)

    table = Table(title=t("evaluation"), title_justify="left")
    for key in ("customer", "managers", "eval_score", "class"):
        table.add_column(t(key))
    from kamxl.methodology.vocabulary import ACCOUNT_CLASS

    for customer, manager, value, cls in report.evaluations:
        table.add_row(customer, manager, f"{value:.1f}", ACCOUNT_CLASS.get(cls).label(lang))
    print_(table)
