"""The funnel workbook (销售漏斗): opportunities, their value assessments, stage health.

Rules carried: M-FUN-1..6, M-SCORE-1..4, M-FC-2/3, M-ACC-2, M-BID-1, M-REL-5.
"""
from __future__ import annotations

from kamxl.i18n import Text as T
from kamxl.methodology.scoring import COMPLETE, DIMENSIONS, QUESTIONS
from kamxl.methodology.vocabulary import (
    BID_SCHEME, BUDGET_STATUS, EVALUATION_PRINCIPLE, FORECAST_CATEGORY, LOCAL_IMPACT, RELATIONSHIP_CONTROL,
    SALES_MODE, STATUS, TENDER_MODE,
)
from kamxl.schema.model import Chart, Column, Flag, Funnel, Grid, Kind, Sheet, Table, Template

C = Column
_DIMENSION = {d.id: T(f"{d.id} {d.text.zh}", f"{d.id} {d.text.en}") for d in DIMENSIONS}
_RESULT = T("评估结果", "Result")


def _span(dimension: str) -> str:
    """The answer columns of a dimension, as a placeholder span ('q01:q05')."""
    keys = [q.id.lower() for q in QUESTIONS if q.dimension == dimension]
    return f"{keys[0]}:{keys[-1]}"


NOT_ASSESSED = T("未评估", "not assessed")   # the value score of an opportunity without an assessment row

# Rules a rep sees break while typing (conditional formats; kamxl.checks.funnel checks the same):
# each reads the row as the checks do — a blank or unreadable status is open, a row without a
# readable stage is skipped; stage numbers and thresholds are the company's ({cfg:…}).
OPEN = "{@still_open:status}"
STAGE = "{@stage_number:stage}"
OPPORTUNITY_FLAGS = (
    Flag("M-FUN-4", f"=AND({STAGE}={{cfg:last_stage}},{OPEN})", ("status",),
         T("最后阶段须为赢单或丢单", "The last stage must be won or lost"), "error"),
    Flag("M-FUN-4", f"=AND({STAGE}>0,{STAGE}<{{cfg:last_stage}},NOT({OPEN}))", ("stage",),
         T("已赢单或丢单，但不在最后阶段", "Won or lost, but not at the last stage")),
    Flag("M-FC-3", '=AND(NOT({@blank:id}),SUMPRODUCT(--(TRIM({above.id})=TRIM({id})))>1)', ("id",),
         T("商机编号重复", "Opportunity ID listed twice"), "error"),
    Flag("S-STALE", f"=AND({STAGE}>0,{OPEN},ISNUMBER({{close_date}}),INT({{close_date}})<TODAY())", ("close_date",),
         T("进行中的商机预计成交日期已过", "Open, with a close date in the past")),
    Flag("M-FUN-5", f"=AND({OPEN},{STAGE}>={{cfg:evidence.budget_and_sponsor_from}},"
                    "OR({@blank:budget_status},{@term:budget_status,BUDGET_STATUS,unknown}))",
         ("budget_status",), T("本阶段须查明预算", "This stage needs the budget found out")),
    Flag("M-FUN-5", f"=AND({OPEN},{STAGE}>={{cfg:evidence.budget_and_sponsor_from}},{{@blank:sponsor}})",
         ("sponsor",), T("本阶段须记录发起人", "This stage needs a sponsor")),
    Flag("M-FUN-5", T(f'=AND({OPEN},{STAGE}>={{cfg:evidence.score_from}},OR({{@blank:id}},{{value_score}}="{NOT_ASSESSED.zh}"))',
                      f'=AND({OPEN},{STAGE}>={{cfg:evidence.score_from}},OR({{@blank:id}},{{value_score}}="{NOT_ASSESSED.en}"))'),
         ("value_score",), T("本阶段须有价值评估", "This stage needs a value assessment")),
    Flag("M-SCORE-4", f"=AND({OPEN},{STAGE}>={{cfg:scoring.late_stage}},ISNUMBER({{value_score}}),"
                      "{value_score}<={cfg:scoring.threshold})", ("value_score",),
         T("低价值商机已到后期阶段", "Low-value opportunity late in the funnel")),
    Flag("M-REL-5", f"=AND({OPEN},{STAGE}>={{cfg:evidence.coach_from}},{{@blank:coach}})", ("coach",),
         T("本阶段须有教练", "This stage needs a coach")),
    Flag("M-FC-2", f"=AND({STAGE}>0,{{@no:confirmed}},{{@category_is:category,commit,closed}})", ("confirmed",),
         T("未确认，却计入承诺或已成交", "Unconfirmed, yet in commit or closed")),
    # M-FUN-6: a probability other than the stage table's, with its reason
    Flag("M-FUN-6", "=AND(NOT({@blank:prob_override}),{@blank:override_reason})", ("override_reason",),
         T("调整赢率须写明原因", "An adjusted probability needs its reason")),
    Flag("M-FUN-6", "=AND({@blank:prob_override},NOT({@blank:override_reason}))", ("prob_override",),
         T("写了调整原因，却没有调整赢率", "A reason for adjusting, but no adjusted probability"), "info"),
    # M-FUN-4: 丢单不丢客户 — a lost deal records why, to whom, and what happens next with the customer
    *(Flag("M-FUN-4", f"=AND({STAGE}>0,{{@status_is:status,lost}},{{@blank:{key}}})", (key,), legend)
      for key, legend in (("lost_reason", T("丢单须写明原因", "A lost deal needs its reason")),
                          ("winner", T("丢单须记录赢单的竞争对手", "A lost deal needs the competitor who won")),
                          ("follow_up", T("丢单须安排客户的后续跟进", "A lost deal needs a follow-up with the customer")))),
)

OPPORTUNITIES = Table("Opportunities", T("商机清单", "Opportunities"), rules=("M-FUN-1", "M-FC-2"), columns=(
    C("id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16, rules=("M-FC-3",),
      hint=T("每个商机一个惟一编号，如 OPP-2026-0001", "One unique ID per opportunity, e.g. OPP-2026-0001")),
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=26, rules=("M-ACC-2",),
      hint=T("客户全称，与客户登记一致", "The customer's full name, as registered")),
    C("name", T("商机名称", "Opportunity"), Kind.TEXT, required=True, width=30),
    C("owner", T("主要负责人", "Primary owner"), Kind.TEXT, required=True, width=12, rules=("M-FC-3",),
      hint=T("一个商机只有一个主要负责人", "An opportunity has exactly one primary owner")),
    C("stage", T("阶段", "Stage"), Kind.STAGE, required=True, width=20, rules=("M-FUN-1",),
      hint=T("从下拉列表选择 {first}–{last}", "Pick {first}–{last} from the list")),
    C("status", T("状态", "Status"), Kind.CHOICE, vocabulary=STATUS, required=True, width=10, rules=("M-FUN-4",),
      hint=T("阶段 {last} 必须为赢单或丢单", "Stage {last} must be won or lost")),
    C("amount", T("金额", "Amount"), Kind.MONEY, required=True, width=14, bounds=(0, 1e12)),
    C("close_date", T("预计成交日期", "Expected close"), Kind.DATE, required=True, width=13,
      hint=T("进行中的商机日期不应早于今天", "An open opportunity should not close in the past")),
    C("currency", T("币种", "Currency"), Kind.ID, required=True, width=8,
      hint=T("三位货币代码，如 CNY", "Three-letter currency code, e.g. CNY")),
    C("probability", T("阶段赢率", "Probability"), Kind.FORMULA, result=Kind.PERCENT, width=11, rules=("M-FUN-1", "M-FUN-6"),
      formula='=IF({stage}="","",KAM_STAGE_PROB({stage},{status}))',
      portable='=IF({stage}="","",{@probability:stage,status})'),
    # M-FUN-6: a probability that departs from the stage table, only with a reason; the weighted
    # amount uses it when it is a number from 0 to 1 (and the amount a number not below 0)
    C("prob_override", T("调整赢率", "Adjusted probability"), Kind.PERCENT, width=11, bounds=(0, 1),
      rules=("M-FUN-6",), hint=T("与阶段赢率不同时填写，并写明原因；留空则按阶段赢率",
                                 "Only when it departs from the stage's; give the reason. Blank: the stage's")),
    C("override_reason", T("调整原因", "Reason for adjusting"), Kind.TEXT, width=28, rules=("M-FUN-6",),
      hint=T("为什么本商机的赢率不同于阶段表", "Why this opportunity's probability differs from the stage table")),
    C("weighted", T("加权金额", "Weighted amount"), Kind.FORMULA, result=Kind.MONEY, width=15,
      rules=("M-FUN-2", "M-FUN-6"), hint=T("金额 × 阶段赢率；有调整赢率时按调整赢率",
                                           "Amount × the stage's probability, or the adjusted one when given"),
      formula='=IF({stage}="","",IF({@override_applies:prob_override,amount},{amount}*{prob_override},'
              'KAM_WEIGHTED({amount},{stage},{status})))',
      portable='=IF({stage}="","",IF({@override_applies:prob_override,amount},{amount}*{prob_override},'
               '{@weighted:amount,stage,status}))'),
    C("category", T("预测类别", "Forecast category"), Kind.CHOICE, vocabulary=FORECAST_CATEGORY, required=True,
      width=13, rules=("M-FC-2",)),
    C("confirmed", T("已确认", "Confirmed"), Kind.YES_NO, required=True, width=9, rules=("M-FC-2",),
      hint=T("客户经理确认此商机后才计入预测", "Only opportunities the account manager confirmed are forecast")),
    C("value_score", T("价值评分", "Value score"), Kind.FORMULA, result=Kind.TEXT, width=12, rules=("M-SCORE-1",),
      formula=T(f'=IF({{id}}="","",IF(COUNTIF({{Assessment.id}},{{id}})=0,"{NOT_ASSESSED.zh}",'
                'IF(INDEX({Assessment.score},MATCH({id},{Assessment.id},0))="","未完成",'
                'INDEX({Assessment.score},MATCH({id},{Assessment.id},0)))))',
                f'=IF({{id}}="","",IF(COUNTIF({{Assessment.id}},{{id}})=0,"{NOT_ASSESSED.en}",'
                'IF(INDEX({Assessment.score},MATCH({id},{Assessment.id},0))="","incomplete",'
                'INDEX({Assessment.score},MATCH({id},{Assessment.id},0)))))')),
    C("team", T("销售团队", "Sales team"), Kind.TEXT, width=12),
    # M-FUN-5: stage 02 finds the budget out (查明), it need not be approved yet
    C("budget_amount", T("项目预算", "Budget"), Kind.MONEY, width=14, bounds=(0, 1e12), rules=("M-FUN-5",),
      hint=T("客户为本项目安排的预算（已知时填写）", "The customer's budget for the project, when known")),
    C("budget_status", T("预算状态", "Budget status"), Kind.CHOICE, vocabulary=BUDGET_STATUS, width=11,
      rules=("M-FUN-5",), former=(T("预算已落实", "Budget confirmed"),),
      hint=T("阶段 {budget_from} 起须查明预算：不能为未知", "From stage {budget_from} the budget must be found out: not unknown")),
    C("sponsor", T("项目发起人", "Sponsor"), Kind.TEXT, width=16, rules=("M-FUN-5",),
      hint=T("阶段 {budget_from} 起需记录发起人", "From stage {budget_from} record the sponsor")),
    C("coach", T("教练", "Coach"), Kind.TEXT, width=12, rules=("M-REL-5",), former=(T("教练（内线）", "Coach"),),
      hint=T("阶段 {coach_from} 起每个商机应有教练", "From stage {coach_from} every opportunity should have a coach")),
    # M-FUN-4: 丢单不丢客户 — losing closes the opportunity, not the account
    C("lost_reason", T("丢单原因", "Why lost"), Kind.TEXT, width=28, rules=("M-FUN-4",),
      hint=T("丢单时填写：输在哪里", "When lost: what it was lost on")),
    C("winner", T("赢单竞争对手", "Won by"), Kind.TEXT, width=14, rules=("M-FUN-4",),
      hint=T("丢单时填写：哪家赢了", "When lost: the competitor who won")),
    C("follow_up", T("客户后续跟进", "Follow-up with the customer"), Kind.TEXT, width=36, rules=("M-FUN-4",),
      hint=T("丢单不丢客户：下一步与客户做什么", "Lose the deal, keep the customer: the next step with them")),
    C("credit_code", T("统一社会信用代码", "Credit code"), Kind.ID, width=20, rules=("M-ACC-2",),
      hint=T("18 位统一社会信用代码（可选）", "18-character unified social credit code (optional)")),
    C("last_updated", T("最后更新", "Last updated"), Kind.DATE, width=12),
), flags=OPPORTUNITY_FLAGS)

# M-SCORE-3: an assessment with blank answers (every other answer readable), the first row of an
# opportunity that is open at the stage from which a score is needed (kamxl.checks.funnel).
ANSWERS = "{q01:q%02d}" % len(QUESTIONS)
INCOMPLETE = Flag(
    "M-SCORE-3",
    "=AND(NOT({@blank:id}),SUMPRODUCT(--(TRIM({above.id})=TRIM({id})))=1,"
    f'SUMPRODUCT(--({{@trimmed:{ANSWERS[1:-1]}}}=""))>0,'
    f"SUMPRODUCT(--({{@trimmed:{ANSWERS[1:-1]}}}=\"\"))+SUMPRODUCT(--{{@yes:{ANSWERS[1:-1]}}})"
    f"+SUMPRODUCT(--{{@no:{ANSWERS[1:-1]}}})={len(QUESTIONS)},"
    "SUMPRODUCT((TRIM({Opportunities.id})=TRIM({id}))*{@open_rows:Opportunities.status}"
    "*{@stage_at_least:Opportunities.stage,{cfg:evidence.score_from}})>0)",
    ("status",), T("本阶段的评估尚未答完", "Assessment not finished for its stage"))
# M-SCORE-3: an answer that is neither yes nor no (kamxl.checks.values)
UNREADABLE = Flag("M-SCORE-3", "=AND(NOT({@blank:cell}),NOT({@yes:cell}),NOT({@no:cell}))",
                  tuple(q.id.lower() for q in QUESTIONS), T("答案须为是或否", "Answer yes or no"), "error")

ASSESSMENT = Table("Assessment", T("商机价值评估（20 问）", "Value assessment (20 questions)"),
                   rules=("M-SCORE-1", "M-SCORE-2", "M-SCORE-3"), columns=(
    C("id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16),
    C("name", T("商机名称", "Opportunity"), Kind.FORMULA, result=Kind.TEXT, width=20,
      formula='=IFNA(INDEX({Opportunities.name},MATCH({id},{Opportunities.id},0))&"","")'),
    # each question's text printed above its column, under a band naming its dimension (seed 001 §二).
    # Widths: printed two pages wide with the ID and name repeated, the page break falls between D3
    # and D4 (15 questions on the first page, the last 5, the subtotals and the result on the second).
    *(C(q.id.lower(), T(q.id, q.id), Kind.YES_NO, width=8, rules=("M-SCORE-3",), group=_DIMENSION[q.dimension],
        note=q.text, hint=T(f"{q.dimension} {q.text.zh}", f"{q.dimension} {q.text.en}")) for q in QUESTIONS),
    # M-SCORE-1: yes answers per dimension (0-5), blank until its five are answered; a plain formula
    # in both editions
    *(C(d.id.lower(), T(d.id, d.id), Kind.FORMULA, result=Kind.INTEGER, width=8, rules=("M-SCORE-1",),
        group=T("各维度“是”的个数", "Yes per dimension"),
        formula=f'=IF({{id}}="","",{{@dimension:{_span(d.id)}}})') for d in DIMENSIONS),
    C("score", T("评分", "Score"), Kind.FORMULA, result=Kind.INTEGER, width=8, rules=("M-SCORE-1", "M-SCORE-3"),
      group=_RESULT, note=T("“是”的总数", "Yes answers"),
      formula=T(f'=IF({{id}}="","",IF(IFERROR({{status}}="{COMPLETE.zh}",TRUE),KAM_SCORE({{q01:q20}},"zh"),""))',
                f'=IF({{id}}="","",IF(IFERROR({{status}}="{COMPLETE.en}",TRUE),KAM_SCORE({{q01:q20}},"en"),""))'),
      portable='=IF({id}="","",{@score:q01:q20})'),
    C("status", T("评分状态", "Score status"), Kind.FORMULA, result=Kind.TEXT, width=29, rules=("M-SCORE-3",),
      group=_RESULT, note=T("已完成，或已答几题", "Complete, or how many are answered"),
      formula='=IF({id}="","",{@score_status:q01:q20})'),
    C("level", T("价值等级", "Value level"), Kind.FORMULA, result=Kind.TEXT, width=14, rules=("M-SCORE-2",),
      group=_RESULT, note=T("评分高于阈值为较高", "High above the threshold"),
      formula='=IF({id}="","",IF({score}="","",KAM_VALUE_LEVEL({score},"","{lang}")))',
      portable='=IF({id}="","",IF({score}="","",{@value_level:score}))'),
), flags=(INCOMPLETE, UNREADABLE))

# M-BID-1: the key-account project (bid) attributes of seed 001 §五, one row per opportunity that is
# bid or tendered, keyed by its ID (name and customer looked up from the opportunities table).
_LOOKUP = '=IFNA(INDEX({Opportunities.%s},MATCH({id},{Opportunities.id},0))&"","")'
BIDS = Table("Bids", T("大客户项目（投标）信息", "Key-account project (bid) details"), rules=("M-BID-1",), since=3, columns=(
    C("id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16, rules=("M-BID-1",),
      hint=T("商机清单中的编号", "The ID on the opportunities sheet")),
    C("name", T("商机名称", "Opportunity"), Kind.FORMULA, result=Kind.TEXT, width=28, formula=_LOOKUP % "name"),
    C("customer", T("客户名称", "Customer"), Kind.FORMULA, result=Kind.TEXT, width=24, formula=_LOOKUP % "customer"),
    C("sales_mode", T("销售方式", "Sales mode"), Kind.CHOICE, vocabulary=SALES_MODE, width=10, rules=("M-BID-1",),
      hint=T("投标、批点或分销", "Bid, spot purchase or distribution")),
    C("tender_mode", T("招标方式", "Tender mode"), Kind.CHOICE, vocabulary=TENDER_MODE, width=20, rules=("M-BID-1",),
      hint=T("公开开标且仅一次报价、公开开标可二次报价、议标或统签",
             "Open with one quote only, open with a second quote allowed, negotiated or framework")),
    C("lots", T("是否分包", "Split into lots"), Kind.YES_NO, width=9, rules=("M-BID-1",),
      hint=T("项目是否分成几个包招标", "Is the tender split into lots?")),
    C("single_quote", T("是否一次报价", "Single quote"), Kind.YES_NO, width=9, rules=("M-BID-1",),
      hint=T("是否只有一次报价机会", "Is there only one chance to quote?")),
    C("agents", T("参与的代理商", "Participating agents"), Kind.TEXT, width=18, rules=("M-BID-1",),
      hint=T("参与本项目的代理商，多家用顿号分隔", "The agents taking part, separated by commas")),
    C("bid_scheme", T("投标方案", "Bid scheme"), Kind.CHOICE, vocabulary=BID_SCHEME, width=24, rules=("M-BID-1",),
      hint=T("企业直接投标、一家代理投一种方案、企业与代理共同投多种方案或多家代理投多种方案",
             "Direct, one agent one scheme, company and agents several schemes, or several agents several schemes")),
    C("delivery_date", T("供货日期", "Delivery date"), Kind.DATE, width=12, rules=("M-BID-1",),
      hint=T("要求的供货日期", "The delivery date asked for")),
    C("delivery_place", T("供货地点", "Delivery place"), Kind.TEXT, width=22, rules=("M-BID-1",),
      hint=T("供货地点", "Where to deliver")),
    C("evaluation", T("评标原则", "Evaluation principle"), Kind.CHOICE, vocabulary=EVALUATION_PRINCIPLE, width=10,
      rules=("M-BID-1",), hint=T("评标主要看价格、服务、技术还是商务", "What the tender is judged on first")),
    C("local_impact", T("对客户所在地影响", "Local impact"), Kind.CHOICE, vocabulary=LOCAL_IMPACT, width=11,
      rules=("M-BID-1",), former=(T("对当地影响", "Local impact"),),
      hint=T("影响特别大：丢单会失去重要客户和较大市场份额",
             "Extreme: losing it loses an important customer and a large market share")),
    C("competitors", T("参与竞争品牌", "Competing brands"), Kind.TEXT, width=30, rules=("M-BID-1",),
      former=(T("竞争品牌", "Competitors"),),
      hint=T("参与竞争的品牌，多家用顿号分隔", "Competing brands, separated by commas")),
    C("background", T("项目背景", "Background"), Kind.TEXT, width=40, rules=("M-BID-1",),
      hint=T("项目由来：为什么客户现在要做", "Why the customer is doing it now")),
    C("relationship_control", T("客户关系度", "Relationship control"), Kind.CHOICE, vocabulary=RELATIONSHIP_CONTROL,
      width=26, rules=("M-BID-1",), hint=T("非常到位 >80%；比较到位 >60%；一般 <30%；目前无法判断控制程度",
                                           "Absolute >80%; considerable >60%; weak <30%; cannot judge yet")),
    C("configuration", T("配置需求", "Configuration"), Kind.TEXT, width=26, rules=("M-BID-1",),
      hint=T("客户要求的配置", "The configuration the customer asks for")),
    C("quantity", T("数量", "Quantity"), Kind.NUMBER, width=9, bounds=(0, 1e9), rules=("M-BID-1",), look="whole",
      hint=T("需求数量", "How many")),
    C("target_price", T("希望价格", "Target price"), Kind.MONEY, width=13, bounds=(0, 1e12), rules=("M-BID-1",),
      hint=T("客户希望的价格", "The price the customer hopes for")),
    C("quote", T("报价", "Quote"), Kind.MONEY, width=13, bounds=(0, 1e12), rules=("M-BID-1",),
      hint=T("我方的报价", "Our quote")),
    C("channel_credit", T("渠道的资信情况", "Channel credit standing"), Kind.TEXT, width=26, rules=("M-BID-1",),
      hint=T("企业所支持渠道的资信情况", "The credit standing of the channel partners the company backs")),
))

BENCHMARKS = Table("Benchmarks", T("历史基准（各阶段）", "Historical benchmarks (per stage)"), seed="open_stages",
                   rules=("M-FUN-3",), style="Table Style Light 9", columns=(
    C("stage", T("阶段", "Stage"), Kind.STAGE, required=True, width=20),
    C("count", T("基准数量", "Benchmark count"), Kind.INTEGER, width=12, bounds=(0, 1e9)),
    C("amount", T("基准金额", "Benchmark amount"), Kind.MONEY, width=16, bounds=(0, 1e12)),
))

HEALTH = Grid("health", T("漏斗健康度", "Funnel health"), T("阶段", "Stage"), rules=("M-FUN-1", "M-FUN-2", "M-FUN-3"),
              funnel=Funnel("Opportunities.stage", "Opportunities.amount", "Opportunities.status",
                            ("Benchmarks.stage", "Benchmarks.count", "Benchmarks.amount")),
              columns=(
    C("count", T("数量", "Count"), Kind.FORMULA, result=Kind.INTEGER, width=9),
    C("amount", T("金额", "Amount"), Kind.FORMULA, result=Kind.MONEY, width=15),
    C("weighted", T("加权金额", "Weighted"), Kind.FORMULA, result=Kind.MONEY, width=15),
    # centred: the traffic light sits at the cell's left edge, apart from the number
    C("count_ratio", T("数量健康度", "Health (count)"), Kind.FORMULA, result=Kind.PERCENT, width=13, look="ratio",
      align="center"),
    C("amount_ratio", T("金额健康度", "Health (amount)"), Kind.FORMULA, result=Kind.PERCENT, width=13, look="ratio",
      align="center"),
    C("count_band", T("数量等级", "Band (count)"), Kind.FORMULA, result=Kind.TEXT, width=18, look="band"),
    C("amount_band", T("金额等级", "Band (amount)"), Kind.FORMULA, result=Kind.TEXT, width=18, look="band"),
), helpers=(
    # M-FUN-3: the stage's benchmark amount. The portable edition matches any spelling of the stage as
    # KAM_FUNNEL does; the KAM_* edition the stage code the dropdown's labels begin with ("01 …").
    C("bench", T("基准金额", "Benchmark amount"), Kind.FORMULA, result=Kind.MONEY, width=15, rules=("M-FUN-3",),
      formula='=SUMIF({Benchmarks.stage},TEXT({row_key},"00")&"*",{Benchmarks.amount})',
      portable="={@stage_sum:{row_key},Benchmarks.stage,Benchmarks.amount}"),
    # The funnel chart centres each bar in a lane as wide as the largest amount or benchmark:
    # half the rest of the lane on either side.
    C("amount_offset", T("图表留白（金额）", "Chart offset (amount)"), Kind.FORMULA, result=Kind.MONEY, width=15,
      formula="=(MAX({amount_col},{bench_col})-{amount})/2"),
    C("bench_offset", T("图表留白（基准）", "Chart offset (benchmark)"), Kind.FORMULA, result=Kind.MONEY, width=15,
      formula="=(MAX({amount_col},{bench_col})-{bench})/2"),
))

# version 2: the Assessment's dimension subtotals and score status (issue 17)
# version 3: the bid sheet (M-BID-1), adjusted probability and reason (M-FUN-6), lost deals' reason,
# winner and follow-up (M-FUN-4), budget amount and status instead of "budget confirmed" (M-FUN-5)
FUNNEL = Template("funnel", 3, T("销售漏斗", "Sales funnel"), sheets=(
    Sheet("opportunities", T("商机", "Opportunities"), (OPPORTUNITIES,), pages_wide=3,
          hint=T("每行一个商机；灰色列为自动计算", "One opportunity per row; grey columns are calculated")),
    Sheet("assessment", T("价值评估", "Assessment"), (ASSESSMENT,), pages_wide=2,
          hint=T("每个商机一行，20 个问题答 是/否；未答留空", "One row per opportunity; answer the 20 questions yes/no, leave blank if unknown")),
    Sheet("bids", T("投标信息", "Bids"), (BIDS,), pages_wide=4,
          hint=T("投标或招标的商机每个一行，按商机编号对应", "One row per opportunity that is bid or tendered, by its ID")),
    Sheet("health", T("漏斗健康度", "Funnel health"), (BENCHMARKS, HEALTH),
          print_fit="summary", charts=(Chart("funnel_chart", T("漏斗：各阶段金额与基准", "Funnel: amount by stage against the benchmark"),
                        "funnel", "health", "", ("amount", "bench"), offsets=("amount_offset", "bench_offset"),
                        rules=("M-FUN-2", "M-FUN-3"), rows=-1, below=True),),
          hint=T(">100% 优秀；70%–100% 良好需关注；<70% 预警", ">100% excellent; 70–100% good, watch the trend; <70% warning")),
), rules=("M-FUN-1", "M-FUN-2", "M-FUN-3", "M-SCORE-1", "M-SCORE-2", "M-SCORE-3", "M-FC-2", "M-BID-1",
          "M-FUN-4", "M-FUN-5", "M-FUN-6"))
