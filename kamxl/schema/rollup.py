"""The sheets a roll-up adds to the forecast workbook it writes (M-FC-2..5, M-TEAM-1).

A roll-up is a forecast workbook one level up (header, lines, adjustment layer: the
forecast template), so it can be validated and rolled up again. Its Overview (the
manager's page, kamxl.rollup.overview) comes first and is the sheet it opens on; the
other report sheets come after the template's. All hold values computed by the roll-up,
never formulas.
"""
from __future__ import annotations

from dataclasses import replace

from kamxl.i18n import Text as T
from kamxl.schema.forecast import FORECAST
from kamxl.schema.model import SIGNED_MONEY, Chart, Column, Kind, Sheet, Table, Template


def C(key: str, header: T, kind: Kind = Kind.TEXT, width: float = 12, **kw: object) -> Column:  # noqa: N802
    return Column(key, header, kind, width=width, **kw)  # type: ignore[arg-type]


def _report(name: str, title: T, *columns: Column, rules: tuple[str, ...] = ()) -> Table:
    return Table(name, title, columns, style="Table Style Light 9", blank_rows=1, rules=rules)


MONEY = Kind.MONEY

def _owner_figures(first: Column) -> tuple[Column, ...]:
    """The by-owner columns (M-FC-1: in the roll-up's period), after ``first`` (who or what)."""
    return (
        first,
        C("lines", T("本期商机数", "Lines in the period"), Kind.INTEGER, 8),
        C("closed", T("已成交", "Closed"), MONEY, 14),
        C("commit", T("承诺（含已成交）", "Commit (incl. closed)"), MONEY, 16),
        C("best_case", T("最佳情况（含承诺）", "Best case (incl. commit)"), MONEY, 16),
        C("pipeline", T("管道", "Pipeline"), MONEY, 14),
        C("weighted", T("加权金额", "Weighted"), MONEY, 14),
        C("outside", T("期间外金额", "Outside the period"), MONEY, 14),
        C("quota", T("指标", "Quota"), MONEY, 14),
        C("attainment", T("达成率", "Attainment"), Kind.PERCENT, 10),
        C("forecast_attainment", T("预测达成率", "Forecast attainment"), Kind.PERCENT, 11),
        C("adjusted", T("调整后预测", "Adjusted forecast"), MONEY, 14),
        C("adjusted_attainment", T("调整后达成率", "Adjusted attainment"), Kind.PERCENT, 11),
    )


BY_OWNER = _report("RollupOwners", T("按负责人：本期（承诺含已成交，最佳情况含承诺）",
                                     "By owner, in the period (commit incl. closed, best case incl. commit)"),
    *_owner_figures(C("owner", T("主要负责人", "Primary owner"), width=14)),
    rules=("M-FC-1", "M-FC-2", "M-TEAM-1"))

OWNER_TOTALS = _report("RollupOwnerTotals", T("合计：未分配指标与本汇总的数", "Totals: quota not allocated, and this roll-up's figures"),
    *_owner_figures(C("item", T("项目", "Item"), width=14)),
    rules=("M-FC-1", "M-FC-4", "M-TEAM-1"))

BY_STAGE = _report("RollupStages", T("按阶段（漏斗）", "By stage (funnel)"),
    C("stage", T("阶段", "Stage"), width=20),
    C("count", T("数量", "Count"), Kind.INTEGER, 8),
    C("amount", T("金额", "Amount"), MONEY, 14),
    C("weighted", T("加权金额", "Weighted"), MONEY, 14),
    rules=("M-FUN-1", "M-FUN-2"))

TOTALS = _report("RollupTotals", T("负责人 × 期间 × 阶段 × 类别", "Owner × period × stage × category"),
    C("owner", T("主要负责人", "Primary owner"), width=14),
    C("period", T("成交期间", "Close period"), width=11),
    C("stage", T("阶段", "Stage"), width=20),
    C("category", T("预测类别", "Category"), width=12),
    C("count", T("数量", "Count"), Kind.INTEGER, 8),
    C("amount", T("金额", "Amount"), MONEY, 14),
    C("weighted", T("加权金额", "Weighted"), MONEY, 14),
    rules=("M-FC-1", "M-FUN-2"))

CONFLICTS = _report("RollupConflicts", T("冲突与未计入的行", "Conflicts and lines not counted"),
    C("reason", T("原因", "Reason"), width=34),
    C("opportunity_id", T("商机编号", "Opportunity ID"), Kind.ID, 16),
    C("owner", T("主要负责人", "Primary owner"), width=12),
    C("amount", T("金额", "Amount"), MONEY, 14),
    C("category", T("预测类别", "Category"), width=12),
    C("file", T("文件", "File"), width=30),
    C("cell", T("单元格", "Cell"), width=8),
    C("counted_instead", T("改为计入", "Counted instead"), width=36),
    C("detail", T("说明", "Detail"), width=40),
    rules=("M-FC-2", "M-FC-3"))

FLOW_BY_OWNER = _report("RollupFlowOwners", T("与上次相比：按负责人", "Since the previous roll-up: by owner"),
    C("owner", T("主要负责人", "Primary owner"), width=14),
    *(C(key, label, Kind.INTEGER, 9) for key, label in (
        ("new", T("新增", "New")), ("removed", T("移出", "Removed")),
        ("owner_out", T("移交他人", "Handed over")), ("owner_in", T("接手", "Taken over")), ("won", T("赢单", "Won")),
        ("lost", T("丢单", "Lost")), ("pushed", T("推迟", "Pushed")), ("pulled", T("提前", "Pulled")),
        ("stage_up", T("阶段推进", "Stage up")), ("stage_down", T("阶段后退", "Stage down")),
        ("category", T("类别变化", "Category moves")), ("amount", T("金额变化", "Amount changes")))),
    C("delta", T("金额净变化", "Net amount change"), Kind.NUMBER, 16, bounds=(-1e15, 1e15), number_format=SIGNED_MONEY))

FLOW = _report("RollupFlow", T("与上次相比：逐个商机", "Since the previous roll-up: each opportunity"),
    C("owner", T("主要负责人", "Primary owner"), width=14),
    C("opportunity_id", T("商机编号", "Opportunity ID"), Kind.ID, 16),
    C("customer", T("客户名称", "Customer"), width=24),
    C("change", T("变化", "Change"), width=22),
    C("before", T("之前", "Before"), width=30),
    C("after", T("现在", "Now"), width=30),
    C("delta", T("金额变化", "Amount change"), Kind.NUMBER, 14, bounds=(-1e15, 1e15), number_format=SIGNED_MONEY))

CHANNEL = _report("RollupChannel", T("与渠道预测对比（M-FC-5）", "Against the channel forecast (M-FC-5)"),
    C("period", T("期间", "Period"), width=11),
    C("channel", T("渠道预测", "Channel forecast"), MONEY, 16),
    C("commit", T("汇总承诺（含已成交）", "Roll-up commit (incl. closed)"), MONEY, 18),
    C("best_case", T("汇总最佳情况", "Roll-up best case"), MONEY, 16),
    C("difference", T("差异（汇总 − 渠道）", "Difference (roll-up − channel)"), Kind.NUMBER, 18, bounds=(-1e15, 1e15),
      number_format=SIGNED_MONEY),
    C("ratio", T("差异率", "Difference %"), Kind.PERCENT, 10),
    rules=("M-FC-5",))

LINEAGE = _report("RollupLineage", T("输入文件", "Input files"),
    C("file", T("文件", "File"), width=34),
    C("status", T("处理", "Used"), width=22),
    C("owner", T("预测人", "Owner"), width=12),
    C("level", T("层级", "Level"), width=10),
    C("period", T("期间", "Period"), width=10),
    C("currency", T("币种（输入的）", "Currency (as input)"), width=10),
    C("rate", T("折算汇率", "Rate used"), width=18),
    C("submitted_at", T("提交日期", "Submitted"), Kind.DATE, 12),
    C("rows", T("读取行数", "Rows read"), Kind.INTEGER, 9),
    C("counted", T("计入行数", "Lines counted"), Kind.INTEGER, 9),
    C("sha256", T("内容哈希 SHA-256", "Content hash SHA-256"), width=66),
    C("reason", T("说明", "Note"), width=40))

OVERVIEW_HINT = T("每位直接下属一行，其团队成员在其下方（点左侧 − 折叠），末行为合计；差距＝指标−调整后预测；覆盖倍数＝未成交÷（指标−已成交）",
                  "A row per direct report, their people below it (− on the left folds them), the total last. "
                  "Gap = quota − adjusted; coverage = open ÷ (quota − closed)")
OVERVIEW_HEADING = T("{owner} · {level} · {period} · {currency}", "{owner} · {level} · {period} · {currency}")
SIGNED = (-1e15, 1e15)   # a gap or a change may be below zero


def _overview(changes: bool) -> Table:
    """The manager's one-page view (kamxl.rollup.overview): written as values, one page wide."""
    columns = (
        C("owner", T("负责人", "Owner"), width=17),
        C("quota", T("指标", "Quota"), MONEY, 14, rules=("M-TEAM-1",)),
        C("closed", T("已成交", "Closed"), MONEY, 14),
        C("commit", T("承诺（含已成交）", "Commit (incl. closed)"), MONEY, 14),
        C("best_case", T("最佳情况（含承诺）", "Best case (incl. commit)"), MONEY, 14),
        C("pipeline", T("管道", "Pipeline"), MONEY, 14),
        C("adjusted", T("调整后预测", "Adjusted forecast"), MONEY, 14, rules=("M-FC-4",),
          hint=T("上级采用的数：有调整取调整后，否则取下属本人的数", "The figure used: the revision if any, else the report's own")),
        C("gap", T("差距", "Gap to quota"), MONEY, 14, bounds=SIGNED, rules=("M-TEAM-1", "M-FC-4"),
          hint=T("指标 − 调整后预测；小于 0 为超出指标", "Quota − adjusted forecast; below 0: above quota")),
        C("coverage", T("覆盖倍数", "Coverage ×"), Kind.NUMBER, 9,
          hint=T("本期未成交商机（最佳情况＋管道−已成交）÷（指标−已成交）；已完成指标时为空",
                 "Open in the period (best case + pipeline − closed) ÷ (quota − closed); blank once quota is closed")),
        C("attainment", T("承诺达成率", "Commit attainment"), Kind.PERCENT, 10, rules=("M-TEAM-1",),
          hint=T("承诺（含已成交）÷ 指标", "Commit (incl. closed) ÷ quota")),
        C("adjusted_attainment", T("调整后达成率", "Adjusted attainment"), Kind.PERCENT, 10, rules=("M-TEAM-1", "M-FC-4"),
          hint=T("调整后预测 ÷ 指标", "Adjusted forecast ÷ quota")),
    )
    if changes:
        columns += (
            C("commit_change", T("承诺变化", "Commit change"), MONEY, 13, bounds=SIGNED,
              hint=T("与上次汇总相比", "Since the previous roll-up (--previous)")),
            C("best_case_change", T("最佳情况变化", "Best case change"), MONEY, 13, bounds=SIGNED,
              hint=T("与上次汇总相比", "Since the previous roll-up (--previous)")),
        )
    return Table("RollupOverview", T("直接下属及其团队：本期", "Direct reports and their people, in the period"), columns,
                 style="Table Style Light 9", blank_rows=1, rules=("M-TEAM-1", "M-FC-1", "M-FC-4"))


def overview_sheet(changes: bool) -> Sheet:
    return Sheet("rollup_overview", T("概览", "Overview"), (_overview(changes),), hint=OVERVIEW_HINT, active=True,
                 heading=OVERVIEW_HEADING, print_fit="summary")


REPORT_SHEETS = (
    Sheet("rollup_owners", T("汇总分析", "Roll-up"), (BY_OWNER, OWNER_TOTALS, BY_STAGE), print_fit="summary", charts=(
        Chart("owner_chart", T("按负责人的预测与指标", "Forecast and quota by owner"), "column", "RollupOwners", "owner",
              ("quota", "commit", "best_case")),
        Chart("stage_chart", T("按阶段的漏斗", "Funnel by stage"), "bar", "RollupStages", "stage", ("amount",)),
    ), charts_below=True,
        hint=T("只计本期成交的、已确认且由主要负责人预测的商机，每个只计一次；其他期间的见“期间外金额”（M-FC-1、M-FC-2、M-FC-3）",
               "Only confirmed opportunities closing in the period, forecast by their primary owner, count, each once; "
               "other periods are under Outside the period (M-FC-1, M-FC-2, M-FC-3)")),
    Sheet("rollup_totals", T("汇总明细", "Totals"), (TOTALS,)),
    Sheet("rollup_conflicts", T("冲突", "Conflicts"), (CONFLICTS,)),
    Sheet("rollup_flow", T("商机变化", "Deal flow"), (FLOW_BY_OWNER, FLOW)),
    Sheet("rollup_channel", T("渠道对比", "Channel"), (CHANNEL,)),
    Sheet("rollup_lineage", T("来源", "Lineage"), (LINEAGE,), pages_wide=2),
)


def rollup_template(*, previous: bool, channel: bool) -> Template:
    """What a roll-up writes: the overview first (the sheet it opens on), the forecast
    template, then the report sheets; Deal flow only with ``--previous``, Channel only with
    ``--channel``. The template id stays the forecast's, so readers and the validator take
    it for the forecast it is (they find sheets by name, never by position)."""
    left_out = {"rollup_flow"} if not previous else set()
    left_out |= {"rollup_channel"} if not channel else set()
    reports = tuple(s for s in REPORT_SHEETS if s.key not in left_out)
    return replace(FORECAST, sheets=(overview_sheet(previous), *FORECAST.sheets, *reports))


#: every sheet a roll-up may write (with --previous and --channel)
ROLLUP: Template = rollup_template(previous=True, channel=True)
