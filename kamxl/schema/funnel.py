"""The funnel workbook (销售漏斗): opportunities, their value assessments, stage health.

Rules carried: M-FUN-1..6, M-SCORE-1..4, M-FC-2/3, M-ACC-2, M-BID-1, M-REL-5.
"""
from __future__ import annotations

from kamxl.i18n import Text as T
from kamxl.methodology.scoring import QUESTIONS
from kamxl.methodology.vocabulary import (
    BID_SCHEME, FORECAST_CATEGORY, LOCAL_IMPACT, RELATIONSHIP_CONTROL, SALES_MODE, STATUS, TENDER_MODE,
)
from kamxl.schema.model import Chart, Column, Funnel, Grid, Kind, Sheet, Table, Template

C = Column

OPPORTUNITIES = Table("Opportunities", T("商机清单", "Opportunities"), rules=("M-FUN-1", "M-FC-2"), columns=(
    C("id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16, rules=("M-FC-3",),
      hint=T("每个商机一个惟一编号，如 OPP-2026-0001", "One unique ID per opportunity, e.g. OPP-2026-0001")),
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=26, rules=("M-ACC-2",),
      hint=T("客户全称，与客户登记一致", "The customer's full name, as registered")),
    C("credit_code", T("统一社会信用代码", "Credit code"), Kind.ID, width=20, rules=("M-ACC-2",),
      hint=T("18 位统一社会信用代码（可选）", "18-character unified social credit code (optional)")),
    C("name", T("商机名称", "Opportunity"), Kind.TEXT, required=True, width=30),
    C("owner", T("主要负责人", "Primary owner"), Kind.TEXT, required=True, width=12, rules=("M-FC-3",),
      hint=T("一个商机只有一个主要负责人", "An opportunity has exactly one primary owner")),
    C("team", T("销售团队", "Sales team"), Kind.TEXT, width=12),
    C("stage", T("阶段", "Stage"), Kind.STAGE, required=True, width=20, rules=("M-FUN-1",),
      hint=T("从下拉列表选择 01–08", "Pick 01–08 from the list")),
    C("status", T("状态", "Status"), Kind.CHOICE, vocabulary=STATUS, required=True, width=10, rules=("M-FUN-4",),
      hint=T("阶段 08 必须为赢单或丢单", "Stage 08 must be won or lost")),
    C("amount", T("金额", "Amount"), Kind.MONEY, required=True, width=14, bounds=(0, 1e12)),
    C("currency", T("币种", "Currency"), Kind.ID, required=True, width=8,
      hint=T("三位货币代码，如 CNY", "Three-letter currency code, e.g. CNY")),
    C("close_date", T("预计成交日期", "Expected close"), Kind.DATE, required=True, width=13,
      hint=T("进行中的商机日期不应早于今天", "An open opportunity should not close in the past")),
    C("probability", T("阶段赢率", "Probability"), Kind.FORMULA, result=Kind.PERCENT, width=11, rules=("M-FUN-1", "M-FUN-6"),
      formula='=IF({stage}="","",KAM_STAGE_PROB({stage},{status}))',
      portable='=IF({stage}="","",{@probability:stage,status})'),
    C("weighted", T("加权金额", "Weighted amount"), Kind.FORMULA, result=Kind.MONEY, width=15, rules=("M-FUN-2",),
      formula='=IF({stage}="","",KAM_WEIGHTED({amount},{stage},{status}))',
      portable='=IF({stage}="","",{@weighted:amount,stage,status})'),
    C("value_score", T("价值评分", "Value score"), Kind.FORMULA, result=Kind.TEXT, width=12, rules=("M-SCORE-1",),
      formula=T('=IF({id}="","",IF(COUNTIF({Assessment.id},{id})=0,"未评估",'
                'INDEX({Assessment.score},MATCH({id},{Assessment.id},0))))',
                '=IF({id}="","",IF(COUNTIF({Assessment.id},{id})=0,"not assessed",'
                'INDEX({Assessment.score},MATCH({id},{Assessment.id},0))))')),
    C("category", T("预测类别", "Forecast category"), Kind.CHOICE, vocabulary=FORECAST_CATEGORY, required=True,
      width=13, rules=("M-FC-2",)),
    C("confirmed", T("已确认", "Confirmed"), Kind.YES_NO, required=True, width=9, rules=("M-FC-2",),
      hint=T("客户经理确认此商机后才计入预测", "Only opportunities the account manager confirmed are forecast")),
    C("sales_mode", T("销售方式", "Sales mode"), Kind.CHOICE, vocabulary=SALES_MODE, width=12, rules=("M-BID-1",)),
    C("tender_mode", T("招标方式", "Tender mode"), Kind.CHOICE, vocabulary=TENDER_MODE, width=16, rules=("M-BID-1",)),
    C("bid_scheme", T("投标方案", "Bid scheme"), Kind.CHOICE, vocabulary=BID_SCHEME, width=16, rules=("M-BID-1",)),
    C("local_impact", T("对当地影响", "Local impact"), Kind.CHOICE, vocabulary=LOCAL_IMPACT, width=12, rules=("M-BID-1",)),
    C("relationship_control", T("客户关系度", "Relationship control"), Kind.CHOICE, vocabulary=RELATIONSHIP_CONTROL,
      width=16, rules=("M-BID-1",)),
    C("competitors", T("竞争品牌", "Competitors"), Kind.TEXT, width=20, rules=("M-BID-1",)),
    C("budget", T("预算已落实", "Budget confirmed"), Kind.YES_NO, width=10, rules=("M-FUN-5",),
      hint=T("阶段 02 起需落实预算", "From stage 02 the budget must be confirmed")),
    C("sponsor", T("项目发起人", "Sponsor"), Kind.TEXT, width=16, rules=("M-FUN-5",),
      hint=T("阶段 02 起需记录发起人", "From stage 02 record the sponsor")),
    C("coach", T("教练（内线）", "Coach"), Kind.TEXT, width=12, rules=("M-REL-5",),
      hint=T("阶段 03 起每个商机应有教练", "From stage 03 every opportunity should have a coach")),
    C("last_updated", T("最后更新", "Last updated"), Kind.DATE, width=12),
))

ASSESSMENT = Table("Assessment", T("商机价值评估（20 问）", "Value assessment (20 questions)"),
                   rules=("M-SCORE-1", "M-SCORE-2", "M-SCORE-3"), columns=(
    C("id", T("商机编号", "Opportunity ID"), Kind.ID, required=True, width=16),
    C("name", T("商机名称", "Opportunity"), Kind.FORMULA, result=Kind.TEXT, width=28,
      formula='=IFNA(INDEX({Opportunities.name},MATCH({id},{Opportunities.id},0))&"","")'),
    *(C(q.id.lower(), T(q.id, q.id), Kind.YES_NO, width=5, rules=("M-SCORE-3",),
        hint=T(f"{q.dimension} {q.text.zh}", f"{q.dimension} {q.text.en}")) for q in QUESTIONS),
    C("score", T("评分", "Score"), Kind.FORMULA, result=Kind.INTEGER, width=10, rules=("M-SCORE-1", "M-SCORE-3"),
      formula='=IF({id}="","",KAM_SCORE({q01:q20},"{lang}"))', portable='=IF({id}="","",{@score:q01:q20})'),
    C("level", T("价值等级", "Value level"), Kind.FORMULA, result=Kind.TEXT, width=14, rules=("M-SCORE-2",),
      formula='=IF({id}="","",KAM_VALUE_LEVEL({score},"","{lang}"))', portable='=IF({id}="","",{@value_level:score})'),
))

BENCHMARKS = Table("Benchmarks", T("历史基准（各阶段）", "Historical benchmarks (per stage)"), seed="open_stages",
                   rules=("M-FUN-3",), style="Table Style Light 9", columns=(
    C("stage", T("阶段", "Stage"), Kind.STAGE, required=True, width=20),
    C("count", T("基准数量", "Benchmark count"), Kind.INTEGER, width=12, bounds=(0, 1e9)),
    C("amount", T("基准金额", "Benchmark amount"), Kind.MONEY, width=16, bounds=(0, 1e12)),
))

HEALTH = Grid("health", T("漏斗健康度", "Funnel health"), T("阶段", "Stage"), rules=("M-FUN-1", "M-FUN-2", "M-FUN-3"),
              array_rows=8,
              funnel=Funnel("Opportunities.stage", "Opportunities.amount", "Opportunities.status",
                            ("Benchmarks.stage", "Benchmarks.count", "Benchmarks.amount")),
              columns=(
    C("count", T("数量", "Count"), Kind.FORMULA, result=Kind.INTEGER, width=9),
    C("amount", T("金额", "Amount"), Kind.FORMULA, result=Kind.MONEY, width=15),
    C("weighted", T("加权金额", "Weighted"), Kind.FORMULA, result=Kind.MONEY, width=15),
    C("count_ratio", T("数量健康度", "Health (count)"), Kind.FORMULA, result=Kind.PERCENT, width=13, look="ratio"),
    C("amount_ratio", T("金额健康度", "Health (amount)"), Kind.FORMULA, result=Kind.PERCENT, width=13, look="ratio"),
    C("count_band", T("数量等级", "Band (count)"), Kind.FORMULA, result=Kind.TEXT, width=18, look="band"),
    C("amount_band", T("金额等级", "Band (amount)"), Kind.FORMULA, result=Kind.TEXT, width=18, look="band"),
))

FUNNEL = Template("funnel", 1, T("销售漏斗", "Sales funnel"), sheets=(
    Sheet("opportunities", T("商机", "Opportunities"), (OPPORTUNITIES,), pages_wide=3,
          hint=T("每行一个商机；灰色列为自动计算", "One opportunity per row; grey columns are calculated")),
    Sheet("assessment", T("价值评估", "Assessment"), (ASSESSMENT,), pages_wide=2,
          hint=T("每个商机一行，20 个问题答 是/否；未答留空", "One row per opportunity; answer the 20 questions yes/no, leave blank if unknown")),
    Sheet("health", T("漏斗健康度", "Funnel health"), (BENCHMARKS, HEALTH),
          print_fit="summary", charts=(Chart("funnel_chart", T("漏斗：各阶段金额", "Funnel: amount by stage"), "bar", "health", "",
                        ("amount", "weighted"), rules=("M-FUN-2",), rows=7),),
          hint=T(">100% 优秀；70%–100% 良好需关注；<70% 预警", ">100% excellent; 70–100% good, watch the trend; <70% warning")),
), rules=("M-FUN-1", "M-FUN-2", "M-FUN-3", "M-SCORE-1", "M-SCORE-2", "M-SCORE-3", "M-FC-2", "M-BID-1"))
