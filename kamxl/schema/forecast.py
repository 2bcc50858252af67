"""The forecast workbook (销售预测): a header block, forecast lines, quota and summaries.

Rules carried: M-FC-1..4, M-FUN-1..2, M-TEAM-1. A roll-up writes this same template one
level up, so its output can be validated and rolled up again.
"""
from __future__ import annotations

from kamxl.i18n import Text as T
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, FORECAST_LEVEL, STATUS
from kamxl.schema.model import Chart, Column, Flag, Form, Funnel, Grid, Kind, Sheet, Table, Template

C = Column

# Rules a rep sees break while typing (conditional formats; kamxl.checks.forecast checks the same,
# reading a blank or unreadable status as open).
ROLLUP_LEVELS = ",".join(t.key for t in FORECAST_LEVEL.terms if t.key != "rep")
OWNER_KEY = 'SUBSTITUTE({@trimmed:%s}," ","")'
LINE_FLAGS = (
    Flag("M-FC-2", "={@no:confirmed}", ("confirmed",),
         T("未确认的商机不能计入预测", "Unconfirmed: not to be forecast"), "error"),
    Flag("M-FC-2", "=AND({@term:Forecast.level,FORECAST_LEVEL,rep},NOT({@blank:Forecast.owner}),NOT({@blank:owner}),"
                   f"{OWNER_KEY % 'owner'}<>{OWNER_KEY % 'Forecast.owner'})", ("owner",),
         T("主要负责人不是预测人", "Not the forecaster's own opportunity"), "error"),
    Flag("M-FC-3", "=AND(NOT({@blank:opportunity_id}),"
                   "SUMPRODUCT(--(TRIM({above.opportunity_id})=TRIM({opportunity_id})))>1)", ("opportunity_id",),
         T("商机重复列出", "Opportunity listed twice"), "error"),
    Flag("M-FUN-4", "=AND({@stage_number:stage}={cfg:last_stage},{@still_open:status})", ("status",),
         T("最后阶段须为赢单或丢单", "The last stage must be won or lost"), "error"),
    Flag("M-FC-2", "=AND({@category_is:category,closed},NOT({@status_is:status,won}))", ("category",),
         T("已成交类别，但状态不是赢单", "Closed category, but not won")),
    # M-FC-1: the company's forecast.counted_from (1, the default: every stage counts, never shown)
    Flag("M-FC-1", "=AND({@stage_number:stage}>0,{@stage_number:stage}<{cfg:forecast.counted_from},"
                   "{@category_is:category,commit,best_case})", ("category",),
         T("此阶段不计入预测，却归入承诺或最佳情况", "Stage not counted toward the forecast, yet commit or best case")),
    # a roll-up (any level above rep) keeps lines of every period
    Flag("M-FC-1", f"=AND(NOT({{@term:Forecast.level,FORECAST_LEVEL,{ROLLUP_LEVELS}}}),NOT({{@blank:Forecast.period}}),"
                   'IFERROR(AND({close_period}<>"",{close_period}<>{@trimmed:Forecast.period}),FALSE))',
         ("close_date", "close_period"), T("不在本预测期间内成交", "Closes outside the forecast period")),
)

# M-TEAM-1: attainment bands of the company settings, on each attainment figure of the summary.
ATTAINED = ("attainment", "forecast_attainment", "adjusted_attainment")
ATTAINMENT_FLAGS = (
    Flag("M-TEAM-1", "=AND(ISNUMBER({cell}),{cell}>={cfg:attainment.on_track_from})", ATTAINED,
         T("达成：已达到指标", "On track: the quota is reached"), "good"),
    Flag("M-TEAM-1", "=AND(ISNUMBER({cell}),{cell}>={cfg:attainment.at_risk_below},"
                     "{cell}<{cfg:attainment.on_track_from})", ATTAINED,
         T("关注：尚未达到指标", "Watch: below the quota"), "warning"),
    Flag("M-TEAM-1", "=AND(ISNUMBER({cell}),{cell}<{cfg:attainment.at_risk_below})", ATTAINED,
         T("风险：远低于指标", "At risk: far below the quota"), "error"),
)

HEADER = Form("Forecast", (
    C("owner", T("预测人", "Owner"), Kind.TEXT, required=True, width=18, rules=("M-FC-2",),
      hint=T("提交本预测的人：客户经理或各级经理", "Who submits this forecast: the rep or the manager")),
    C("level", T("层级", "Level"), Kind.CHOICE, vocabulary=FORECAST_LEVEL, required=True, width=18, rules=("M-FC-4",)),
    C("manager", T("上级", "Manager"), Kind.TEXT, width=18, rules=("M-FC-4",)),
    C("period", T("预测期间", "Period"), Kind.ID, required=True, width=18, rules=("M-FC-1",),
      hint=T("如 2026-Q4（季度）或 2026-11（月）", "e.g. 2026-Q4 (quarter) or 2026-11 (month)")),
    C("currency", T("币种", "Currency"), Kind.ID, required=True, width=18, rules=("M-FC-1",)),
    C("submitted_at", T("提交日期", "Submitted at"), Kind.DATE, width=18),
    C("quota", T("指标", "Quota"), Kind.MONEY, width=18, bounds=(0, 1e13), rules=("M-TEAM-1",)),
))

LINES = Table("ForecastLines", T("预测明细", "Forecast lines"), rules=("M-FC-2", "M-FC-3"), columns=(
    C("opportunity_id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16, rules=("M-FC-3",)),
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=24),
    C("owner", T("主要负责人", "Primary owner"), Kind.TEXT, required=True, width=12, rules=("M-FC-2", "M-FC-3"),
      hint=T("只预测自己作为主要负责人的商机", "Forecast only opportunities you are the primary owner of")),
    C("confirmed", T("已确认", "Confirmed"), Kind.YES_NO, required=True, width=9, rules=("M-FC-2",),
      hint=T("只有已确认的商机计入预测", "Only confirmed opportunities count")),
    C("stage", T("阶段", "Stage"), Kind.STAGE, required=True, width=20, rules=("M-FUN-1", "M-FC-1"),
      hint=T("从下拉列表选择 {first}–{last}；阶段 {counted_from} 起的商机计入预测",
             "Pick {first}–{last} from the list; lines count toward the forecast from stage {counted_from}")),
    C("status", T("状态", "Status"), Kind.CHOICE, vocabulary=STATUS, required=True, width=9, rules=("M-FUN-4",),
      hint=T("阶段 {last} 必须为赢单或丢单", "Stage {last} must be won or lost")),
    C("category", T("预测类别", "Category"), Kind.CHOICE, vocabulary=FORECAST_CATEGORY, required=True, width=12,
      rules=("M-FC-2",)),
    C("amount", T("金额", "Amount"), Kind.MONEY, required=True, width=14, bounds=(0, 1e12)),
    C("close_date", T("预计成交日期", "Expected close"), Kind.DATE, required=True, width=13),
    C("close_period", T("成交期间", "Close period"), Kind.FORMULA, result=Kind.TEXT, width=11, rules=("M-FC-1",),
      align="center",   # beside the right-aligned close date: apart from it
      formula="={period:close_date}"),
    C("weighted", T("加权金额", "Weighted amount"), Kind.FORMULA, result=Kind.MONEY, width=14, rules=("M-FUN-2",),
      formula='=IF({stage}="","",KAM_WEIGHTED({amount},{stage},{status}))',
      portable='=IF({stage}="","",{@weighted:amount,stage,status})'),
    C("owner_forecast", T("负责人预测", "Owner forecast"), Kind.MONEY, width=14, bounds=(0, 1e12),
      hint=T("负责人自己的预测金额", "The owner's own forecast figure")),
    # M-FC-4: the manager's columns, folded away in a rep's copy (a roll-up shows them)
    C("adjusted_forecast", T("调整后预测", "Adjusted forecast"), Kind.MONEY, width=14, bounds=(0, 1e12), rules=("M-FC-4",),
      hint=T("上级修订后的金额；原数保留在左侧", "The manager's revised figure; the original stays beside it"),
      manager=True),
    C("adjustment_note", T("调整说明", "Adjustment note"), Kind.TEXT, width=24, rules=("M-FC-4",), manager=True),
    C("adjusted_by", T("调整人", "Adjusted by"), Kind.TEXT, width=10, rules=("M-FC-4",), manager=True),
    C("submitted_at", T("提交日期", "Submitted"), Kind.DATE, width=12, rules=("M-FC-3",), manager=True,
      hint=T("由汇总填写：该行所属预测的提交日期；空白即表头日期",
             "Filled by roll-ups: when the forecast this line came from was submitted; blank = the header's date")),
), flags=LINE_FLAGS)

# M-FC-4: the adjustment layer. Each roll-up lists its direct reports' forecasts here; the
# manager may revise each report's figure with who and why. Rows of lower roll-ups are
# carried up unchanged, so every level's adjustments stay visible; none ever changes a line.
OWNER_FORECASTS = Table("OwnerForecasts", T("各级预测与调整", "Forecasts and adjustments by level"),
                        rules=("M-FC-4",), blank_rows=5, columns=(
    C("level", T("汇总层级", "Roll-up level"), Kind.CHOICE, vocabulary=FORECAST_LEVEL, required=True, width=12,
      rules=("M-FC-4",), hint=T("作出（或可作出）调整的汇总层级", "The roll-up level where this figure is adjusted")),
    C("manager", T("上级", "Manager"), Kind.TEXT, required=True, width=12, rules=("M-FC-4",),
      hint=T("该层级的汇总人：唯一可调整此数的人", "Who rolled this level up: the one who may adjust it")),
    C("owner", T("下属预测人", "Report"), Kind.TEXT, required=True, width=12),
    C("period", T("预测期间", "Period"), Kind.ID, required=True, width=10, rules=("M-FC-1",)),
    C("lines", T("计入商机数", "Lines counted"), Kind.INTEGER, width=10, bounds=(0, 1e9)),
    C("unadjusted", T("未调整（承诺含已成交）", "Unadjusted (commit incl. closed)"), Kind.MONEY, width=16,
      bounds=(0, 1e13), rules=("M-FC-2", "M-FC-3"),
      hint=T("本汇总计入的该下属商机金额，不含任何调整", "This report's opportunities as counted here, without any adjustment")),
    C("owner_figure", T("本人预测", "Report figure"), Kind.MONEY, width=14, bounds=(0, 1e13), rules=("M-FC-4",),
      hint=T("下属自己报的数（经理则为其调整后的数）", "The report's own figure (for a manager: their adjusted figure)")),
    C("adjusted_figure", T("上级调整后", "Manager-adjusted"), Kind.MONEY, width=14, bounds=(0, 1e13), rules=("M-FC-4",),
      hint=T("上级修订的数；空白即采用本人预测", "The manager's revision; blank keeps the report's figure")),
    C("adjusted_by", T("调整人", "Adjusted by"), Kind.TEXT, width=10, rules=("M-FC-4",)),
    C("note", T("调整说明", "Why"), Kind.TEXT, width=28, rules=("M-FC-4",)),
    C("final", T("采用数", "Figure used"), Kind.FORMULA, result=Kind.MONEY, width=14, rules=("M-FC-4",),
      formula='=IF({adjusted_figure}="",IF({owner_figure}="","",{owner_figure}),{adjusted_figure})'),
))


# M-FC-1, M-FC-2: the headline counts what a roll-up of this forecast counts — confirmed lines
# (in a rep's forecast, of the rep's own opportunities) that can be read, closing in the
# header's period; {@lines:…} of kamxl.templates.portable spells that out in plain formulas.
ATTAINMENT = Form("Attainment", (
    C("closed", T("已成交金额", "Closed"), Kind.FORMULA, result=Kind.MONEY, width=18, rules=("M-FC-1", "M-TEAM-1"),
      formula="=SUMPRODUCT({@lines:closed},{ForecastLines.amount})"),
    C("commit", T("承诺（含已成交）", "Commit (incl. closed)"), Kind.FORMULA, result=Kind.MONEY, width=18,
      rules=("M-FC-1", "M-FC-2"), formula="={Attainment.closed}+SUMPRODUCT({@lines:commit},{ForecastLines.amount})"),
    C("best_case", T("最佳情况（含承诺）", "Best case (incl. commit)"), Kind.FORMULA, result=Kind.MONEY, width=18,
      rules=("M-FC-1", "M-FC-2"),
      formula="={Attainment.commit}+SUMPRODUCT({@lines:best_case},{ForecastLines.amount})"),
    C("pipeline", T("管道", "Pipeline"), Kind.FORMULA, result=Kind.MONEY, width=18, rules=("M-FC-1", "M-FC-2"),
      formula="=SUMPRODUCT({@lines:pipeline},{ForecastLines.amount})"),
    C("weighted", T("加权金额", "Weighted amount"), Kind.FORMULA, result=Kind.MONEY, width=18,
      rules=("M-FC-1", "M-FUN-2"), formula="=SUMPRODUCT({@lines:any},{ForecastLines.weighted})"),
    C("attainment", T("达成率（已成交/指标）", "Attainment (closed / quota)"), Kind.FORMULA, result=Kind.PERCENT,
      width=18, rules=("M-TEAM-1",), formula='=IF(N({Forecast.quota})=0,"",{Attainment.closed}/{Forecast.quota})'),
    C("forecast_attainment", T("预测达成率（承诺/指标）", "Forecast attainment (commit / quota)"), Kind.FORMULA,
      result=Kind.PERCENT, width=18, rules=("M-TEAM-1",),
      formula='=IF(N({Forecast.quota})=0,"",{Attainment.commit}/{Forecast.quota})'),
    # M-FC-4: this level's figure after its adjustments (the commit when nothing is adjusted here).
    C("adjusted", T("调整后预测（承诺）", "Adjusted forecast (commit)"), Kind.FORMULA, result=Kind.MONEY, width=18,
      rules=("M-FC-4",), manager=True,
      formula='=IF(COUNTIFS({OwnerForecasts.manager},{Forecast.owner},{OwnerForecasts.level},{Forecast.level})=0,'
              '{Attainment.commit},SUMIFS({OwnerForecasts.final},{OwnerForecasts.manager},{Forecast.owner},'
              '{OwnerForecasts.level},{Forecast.level}))'),
    C("adjusted_attainment", T("调整后达成率（调整后预测/指标）", "Adjusted attainment (adjusted / quota)"),
      Kind.FORMULA, result=Kind.PERCENT, width=18, rules=("M-FC-4", "M-TEAM-1"), manager=True,
      formula='=IF(N({Forecast.quota})=0,"",{Attainment.adjusted}/{Forecast.quota})'),
    C("outside_lines", T("期间外的商机数", "Lines outside the period"), Kind.FORMULA, result=Kind.INTEGER, width=18,
      rules=("M-FC-1",), formula="=SUMPRODUCT({@lines_outside})"),
    C("outside_amount", T("期间外的金额", "Amount outside the period"), Kind.FORMULA, result=Kind.MONEY, width=18,
      rules=("M-FC-1",), formula="=SUMPRODUCT({@lines_outside},{ForecastLines.amount})"),
), title=T("本期预测：表头期间内成交、已确认的商机", "This period: confirmed lines closing in the header's period"),
   flags=ATTAINMENT_FLAGS)

BY_CATEGORY = Grid("by_category", T("本期按预测类别", "This period by forecast category"), T("预测类别", "Category"),
                   rules=("M-FC-1", "M-FC-2"), rows=tuple((t.key, t.text) for t in FORECAST_CATEGORY.terms), columns=(
    C("count", T("数量", "Count"), Kind.FORMULA, result=Kind.INTEGER, width=9,
      formula="=SUMPRODUCT({@lines:{row_key}})"),
    *(C(key, header, Kind.FORMULA, result=Kind.MONEY, width=15,
        formula=f"=SUMPRODUCT({{@lines:{{row_key}}}},{{ForecastLines.{key}}})")
      for key, header in (("amount", T("金额", "Amount")), ("weighted", T("加权金额", "Weighted")),
                          ("owner_forecast", T("负责人预测", "Owner forecast")))),
))
# (M-FC-4: the manager's adjustments are per report, on Adjustments and in the headline's
# adjusted forecast; a per-category sum of line revisions would show 0 wherever none was typed.)

# The header's period and the three after it; a line closing in any other period is counted
# in the headline's "outside the period" figures.
BY_PERIOD = Grid("by_period", T("按期间 × 类别（金额，已确认）", "By period × category (amount, confirmed lines)"),
                 T("期间", "Period"), rules=("M-FC-1",),
                 rows=(("p1", T("={Forecast.period}&\"\"", "={Forecast.period}&\"\"")),
                       *((f"p{i}", T("={next_period:prev}", "={next_period:prev}")) for i in (2, 3, 4))),
                 columns=tuple(
    C(t.key, t.text, Kind.FORMULA, result=Kind.MONEY, width=14,
      formula=f'=IF({{row}}="","",SUMPRODUCT({{@lines_in:{t.key},row}},{{ForecastLines.amount}}))')
    for t in FORECAST_CATEGORY.terms))

# KAM_FUNNEL's first four columns: a forecast has no benchmarks, so no health or band (M-FUN-3).
BY_STAGE = Grid("by_stage", T("按阶段", "By stage"), T("阶段", "Stage"), rules=("M-FUN-1", "M-FUN-2"),
                funnel=Funnel("ForecastLines.stage", "ForecastLines.amount", "ForecastLines.status"),
                columns=(
    C("count", T("数量", "Count"), Kind.FORMULA, result=Kind.INTEGER, width=9),
    C("amount", T("金额", "Amount"), Kind.FORMULA, result=Kind.MONEY, width=15),
    C("weighted", T("加权金额", "Weighted"), Kind.FORMULA, result=Kind.MONEY, width=15),
))

FORECAST = Template("forecast", 3, T("销售预测", "Sales forecast"), sheets=(
    Sheet("forecast", T("预测", "Forecast"), (HEADER, LINES), pages_wide=2,
          hint=T("只列出你作为主要负责人、且已确认的商机（M-FC-2）",
                 "List only confirmed opportunities you are the primary owner of (M-FC-2)")),
    Sheet("summary", T("汇总", "Summary"), (ATTAINMENT, BY_CATEGORY, BY_PERIOD, BY_STAGE), print_fit="summary",
          charts=(Chart("category_chart", T("按预测类别的金额", "Amount by forecast category"), "column", "by_category", "",
                        ("amount",)),),
          hint=T("承诺含已成交，最佳情况含承诺；累计数不可相加",
                 "Commit includes closed, best case includes commit: never add cumulative figures together")),
    Sheet("team", T("各级调整", "Adjustments"), (OWNER_FORECASTS,),
          hint=T("由汇总填写：每位下属的预测；上级只在“上级调整后”“调整人”“调整说明”中修订（M-FC-4）",
                 "Filled by roll-ups: each report's forecast; the manager revises only Manager-adjusted, "
                 "Adjusted by and Why (M-FC-4)"), manager=True),
), rules=("M-FC-1", "M-FC-2", "M-FC-3", "M-FC-4", "M-TEAM-1"), level_field="Forecast.level")
