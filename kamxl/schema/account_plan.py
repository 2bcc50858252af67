"""The account plan workbook (客户经营计划): one key account, from its profile to the action plan.

Rules carried: M-PLAN-1..6, M-REL-1..6, M-ACC-2, M-ACC-3, M-ACC-6, M-ACC-7,
M-SCORE-5. The checklist rows are seeded by the builder (``seed="checklist"``): one row per
question of seed 000's bank (kamxl/data/checklist.toml), side / area / id / question in the
template's language; the rep fills only the answer column.

Version 2 (issue 18): relationship layers and their summary (M-REL-2), a first and a second
responsible person per relationship (M-REL-4; the one-owner column of version 1 reads as the
first), coaches inside or outside the customer (M-REL-5), the plan's route, strategy and review
(M-PLAN-1) and the growth sheet (M-PLAN-5).
"""
from __future__ import annotations

from kamxl.i18n import Text as T
from kamxl.methodology.checklist import checklist
from kamxl.methodology.vocabulary import (
    ACCOUNT_DECISION, ACTION_STATUS, ATTITUDE, COACH_KIND, DECISION_ROLE, NEED_DIMENSION, PRIORITY,
    RELATIONSHIP_LAYER, RELATIONSHIP_LEVEL,
)
from kamxl.schema.model import Chart, Column, Flag, Form, Grid, Kind, Sheet, Table, Template

C = Column
WIDE = 70    # free-text fields of the profile: a paragraph each
FORM_WIDE = 44   # a form above a table: its answers wrap within the table's widest columns
VERSION = 2  # what each block added since version 1 says with ``since``

# --- profile (M-PLAN-2) ------------------------------------------------------------------------

PROFILE = Form("Profile", (
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=WIDE, rules=("M-ACC-2",),
      hint=T("客户全称，与客户登记一致", "The customer's full name, as registered")),
    C("credit_code", T("统一社会信用代码", "Credit code"), Kind.ID, width=WIDE, rules=("M-ACC-2",),
      hint=T("18 位统一社会信用代码（可选）；有则按代码判重", "18-character unified social credit code (optional); "
             "when given, duplicates are found by it")),
    C("account_manager", T("客户经理", "Account manager"), Kind.TEXT, required=True, width=WIDE, rules=("M-ACC-3",),
      hint=T("每个客户只有一位负责的客户经理", "Every customer has exactly one responsible account manager")),
    C("industry", T("所属行业", "Industry"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",)),
    C("target_criterion", T("目标客户依据", "Target-account criterion"), Kind.TEXT, width=WIDE, rules=("M-ACC-7",),
      hint=T("为何锁定为目标客户：公共事业、连锁酒店餐饮、国资委监管企业、行业 TOP-X 等",
             "Why this is a target account: public utility, hotel/restaurant chain, SASAC-supervised SOE, "
             "industry TOP-X …")),
    C("basic_facts", T("基本情况", "Basic facts"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("规模、组织架构、主要业务与区域", "Size, organisation, main business and regions")),
    C("strategy", T("战略与规划", "Strategy and plans"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("客户的中长期战略、年度重点工作与投资计划", "The customer's mid/long-term strategy, annual priorities "
             "and investment plans")),
    C("culture", T("企业文化", "Culture"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("价值观、决策风格、如何看待供应商", "Values, decision style, how it regards suppliers")),
    C("pain_points", T("管理痛点", "Management pain points"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",)),
    C("revenue_trend", T("收入趋势", "Revenue trend"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("近三年营业收入及增长", "Revenue over the last three years and its growth")),
    C("profit_trend", T("利润趋势", "Profit trend"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("近三年利润及利润率", "Profit and margin over the last three years")),
    C("peers", T("同行对比", "Peers"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("与同类企业相比的规模、财务与数字化水平", "Size, finances and digital maturity against similar companies")),
    C("kpis", T("关键业绩指标", "KPIs"), Kind.TEXT, width=WIDE, rules=("M-PLAN-2",),
      hint=T("客户考核自己的指标，如供电可靠率、线损率", "The indicators the customer is measured on, e.g. supply "
             "reliability, line loss")),
))

# --- three-dimensional needs (M-PLAN-3) --------------------------------------------------------

NEEDS = Table("Needs", T("三维需求", "Needs in three dimensions"), rules=("M-PLAN-3",), columns=(
    C("dimension", T("需求维度", "Dimension"), Kind.CHOICE, vocabulary=NEED_DIMENSION, required=True, width=16,
      rules=("M-PLAN-3",),
      hint=T("应用及服务、关系及合作、个人需求，以及技术及系统", "Application & service, relationship & cooperation, "
             "personal, and technical & system")),
    C("need", T("需求描述", "Need"), Kind.TEXT, required=True, width=46,
      hint=T("用客户的话写：要解决什么问题、达到什么效果", "In the customer's words: what problem, what result")),
    C("priority", T("优先级", "Priority"), Kind.CHOICE, vocabulary=PRIORITY, width=9),
    C("response", T("我方对策", "Our response"), Kind.TEXT, width=46),
    C("owner", T("负责人", "Owner"), Kind.TEXT, width=10),
))

# --- decision chain (M-REL-1, M-REL-3, M-REL-5) ------------------------------------------------

# ``name`` and ``top10_rank`` come first and side by side: KAM_TOP10_CHECK reads them as one
# two-column range (name, rank).
DECISION_CHAIN = Table("DecisionChain", T("决策链（鱼骨图）", "Decision chain (fishbone)"),
                       rules=("M-REL-1", "M-REL-3", "M-REL-5"), columns=(
    C("name", T("姓名", "Name"), Kind.TEXT, required=True, width=10, rules=("M-REL-3",),
      hint=T("决策链上的每个人都要有姓名和职务", "Every person in the chain has a name and a title")),
    C("top10_rank", T("TOP10 排名", "TOP10 rank"), Kind.INTEGER, bounds=(1, 10), width=9, rules=("M-REL-3",),
      align="center",
      hint=T("最重要的 10 人排 1–10，须与关系评估表的 10 人完全一致；其余留空",
             "Rank the 10 most important people 1–10; they must be exactly the 10 of the relationship plan. "
             "Leave the rest blank")),
    C("title", T("职务", "Title"), Kind.TEXT, required=True, width=24, rules=("M-REL-3",)),
    C("department", T("部门", "Department"), Kind.TEXT, width=16),
    C("layer", T("关系层面", "Relationship layer"), Kind.CHOICE, vocabulary=RELATIONSHIP_LAYER, width=12,
      rules=("M-REL-2",),
      hint=T("组织客户关系（董事会、总经理）、关键客户关系（决策的高管）、普遍客户关系（经理与工程师）；三个层面都要经营",
             "Organisational (board, CEO), key decision-maker (the executives who decide) or extensive (managers "
             "and engineers); all three layers need work")),
    C("role", T("决策角色", "Role"), Kind.CHOICE, vocabulary=DECISION_ROLE, width=10, rules=("M-REL-3",)),
    C("distance", T("离决策距离", "Distance to decision"), Kind.INTEGER, bounds=(1, 5), width=10, rules=("M-REL-3",),
      align="center", hint=T("1 = 离决策最近（最重要），5 = 最远", "1 = closest to the decision (most important), 5 = furthest")),
    C("level", T("关系层级", "Relationship level"), Kind.CHOICE, vocabulary=RELATIONSHIP_LEVEL, width=11,
      rules=("M-REL-1",),
      hint=T("接触 → 了解 → 接受 → 尊重 → 信任 → 伙伴；关系会倒退，“接受”不是终点",
             "Contact → know → accept → respect → trust → partner; levels can fall, 'accept' is no resting place")),
    # a bar over the six levels: how far each relationship has come, at a glance
    C("level_no", T("层级序号", "Level number"), Kind.FORMULA, result=Kind.INTEGER, width=9, rules=("M-REL-1",),
      look="ladder", bounds=(1, len(RELATIONSHIP_LEVEL.terms)), align="center",
      formula='=IF({level}="","",KAM_REL_LEVEL({level}))', portable='=IF({level}="","",{@relationship_level:level})'),
    C("attitude", T("对我方态度", "Attitude to us"), Kind.CHOICE, vocabulary=ATTITUDE, width=10, rules=("M-REL-3",)),
    C("coach", T("教练（内线）", "Coach"), Kind.YES_NO, width=9, rules=("M-REL-5",),
      hint=T("是否为我方在客户内部的教练，阶段 {coach_from} 起每个商机应有教练；外部教练（退休高管、投资银行、咨询公司、政府、合作伙伴）记在关系评估页的教练表",
             "Is this person our coach inside the customer? From stage {coach_from} every opportunity should have a coach; "
             "outside coaches (retired executives, investment banks, consultancies, government, partners) go in the "
             "coaches table on the relationships sheet")),
), flags=(
    Flag("M-REL-3", "=AND(ISNUMBER({top10_rank}),COUNTIF({all.top10_rank},{top10_rank})>1)", ("top10_rank",),
         T("TOP10 排名重复", "TOP-10 rank given twice"), "error"),
    # M-REL-5: nobody in the chain is marked coach and the coaches table names nobody
    # (kamxl.checks.account_plan)
    Flag("M-REL-5", '=AND(NOT({@blank:name}),SUMPRODUCT(--{@yes:all.coach})+SUMPRODUCT(--({@trimmed:Coaches.name}<>""))=0)',
         ("coach",), T("还没有教练（内部或外部）", "No coach yet, inside or outside the customer")),
))

CHAIN_CHECK = Form("ChainCheck", (
    C("top10_check", T("TOP10 一致性检查", "TOP-10 check"), Kind.FORMULA, result=Kind.TEXT, width=12,
      rules=("M-REL-3",),
      formula='=IF(COUNTA({DecisionChain.name})+COUNTA({RelationshipPlan.name})=0,"",'
              'KAM_TOP10_CHECK({DecisionChain.name:top10_rank},{RelationshipPlan.name},"{lang}"))', stored=True),
), title=T("决策链 TOP10 与关系评估表一致性（M-REL-3）", "Decision chain TOP-10 vs relationship table (M-REL-3)"))

# M-REL-2: per layer, the decision chain's people, their average relationship level and the share
# covered (at or above the company's level, default 3 = accept).
_IN_LAYER = "COUNTIF({DecisionChain.layer},{row})"
LAYERS = Grid("layers", T("三个关系层面（M-REL-2）", "The three relationship layers (M-REL-2)"),
              T("关系层面", "Layer"), rules=("M-REL-2",),
              rows=tuple((t.key, t.text) for t in RELATIONSHIP_LAYER.terms), columns=(
    C("people", T("人数", "People"), Kind.FORMULA, result=Kind.INTEGER, width=10, rules=("M-REL-2",),
      formula=f"={_IN_LAYER}"),
    C("average_level", T("平均关系层级", "Average level"), Kind.FORMULA, result=Kind.NUMBER, width=11,
      rules=("M-REL-1", "M-REL-2"), number_format="0.0",
      formula='=IF(COUNTIFS({DecisionChain.layer},{row},{DecisionChain.level_no},">0")=0,"",'
              'SUMIFS({DecisionChain.level_no},{DecisionChain.layer},{row},{DecisionChain.level_no},">0")'
              '/COUNTIFS({DecisionChain.layer},{row},{DecisionChain.level_no},">0"))'),
    C("coverage", T("覆盖率", "Coverage"), Kind.FORMULA, result=Kind.PERCENT, width=10, rules=("M-REL-2",),
      formula=f'=IF({_IN_LAYER}=0,"",COUNTIFS({{DecisionChain.layer}},{{row}},{{DecisionChain.level_no}},'
              f'">={{cfg:plan.covered_from}}")/{_IN_LAYER})'),
), since=VERSION)

# --- relationship assessment and improvement plan (M-REL-3, M-REL-4) ---------------------------

RELATIONSHIP_PLAN = Table("RelationshipPlan", T("关系评估与改进计划（TOP10）", "Relationship assessment and plan (TOP-10)"),
                          rules=("M-REL-3", "M-REL-4"), blank_rows=10, columns=(
    C("rank", T("序号", "Rank"), Kind.INTEGER, bounds=(1, 10), width=6, rules=("M-REL-3",), align="center"),
    C("name", T("姓名", "Name"), Kind.TEXT, required=True, width=10, rules=("M-REL-3",),
      hint=T("与决策链 TOP10 的 10 人完全一致", "Exactly the 10 people ranked TOP-10 in the decision chain")),
    C("title", T("职务", "Title"), Kind.TEXT, width=22),
    C("level", T("当前关系层级", "Current level"), Kind.CHOICE, vocabulary=RELATIONSHIP_LEVEL, width=11,
      rules=("M-REL-1",)),
    C("goal", T("目标", "Goal"), Kind.TEXT, width=16, rules=("M-REL-4",),
      hint=T("如：不反对 / 支持 / 达到“信任”", "e.g. not oppose / support / reach 'trust'")),
    C("strategy", T("策略与措施", "Strategy and measures"), Kind.TEXT, width=40, rules=("M-REL-4",)),
    # version 1 had one owner: it reads as the first responsible person
    C("owner", T("第一责任人", "First responsible"), Kind.TEXT, width=10, rules=("M-REL-4",),
      former=(T("负责人", "Owner"),),
      hint=T("对这段关系负第一责任的人：每个有姓名的行都要填写（M-REL-4）",
             "The person first responsible for this relationship: every named row needs one (M-REL-4)")),
    C("second_owner", T("第二责任人", "Second responsible"), Kind.TEXT, width=10, rules=("M-REL-4",),
      hint=T("选填：协助并在第一责任人缺位时接手的人", "Optional: who helps, and steps in when the first is away")),
    C("due", T("完成时间", "Due date"), Kind.DATE, width=12, rules=("M-REL-4",)),
    C("progress", T("进展", "Progress"), Kind.TEXT, width=30, rules=("M-REL-4",)),
), flags=(
    Flag("M-REL-4", "=AND(NOT({@blank:name}),{@blank:owner})", ("owner",),
         T("缺少第一责任人", "No first responsible person"), "error"),
))

# M-REL-5: who coaches us, inside the customer or outside it (seed 003's list)
COACHES = Table("Coaches", T("教练（内部与外部）", "Coaches (inside and outside)"), rules=("M-REL-5",), blank_rows=6,
                since=VERSION, columns=(
    C("name", T("姓名", "Name"), Kind.TEXT, required=True, width=15, rules=("M-REL-5",)),
    C("kind", T("教练来源", "Coach kind"), Kind.CHOICE, vocabulary=COACH_KIND, required=True, width=22,
      rules=("M-REL-5",),
      hint=T("客户内部关键岗位人员，或外部的退休高管、投资银行、咨询公司、政府、合作伙伴或友商",
             "Key staff inside the customer, or from outside: a retired executive, an investment bank, a "
             "consultancy, government, a partner or friendly vendor")),
    C("organisation", T("所在单位", "Organisation"), Kind.TEXT, width=22),
    C("title", T("职务", "Title"), Kind.TEXT, width=14),
    C("level", T("关系层级", "Relationship level"), Kind.CHOICE, vocabulary=RELATIONSHIP_LEVEL, width=11,
      rules=("M-REL-1",)),
    C("help", T("能提供的帮助", "How they help"), Kind.TEXT, width=40,
      hint=T("如：提前告知评分办法、引荐决策人", "e.g. tells us the scoring rules early, introduces decision makers")),
))

# --- decision model (M-REL-6) -------------------------------------------------------------------

DECISION_MODEL = Table("DecisionModel", T("决策模式：按金额的审批权限", "Decision model: approval authority by amount"),
                       rules=("M-REL-6",), blank_rows=6, columns=(
    C("amount", T("金额低于", "Amount below"), Kind.MONEY, bounds=(0, 1e13), width=16, rules=("M-REL-6",),
      hint=T("从小到大逐行填写上限（不含）；最后一行留空，表示更大的金额",
             "One limit (exclusive) per row, smallest first; leave the last row blank for any larger amount")),
    C("approver", T("审批人", "Approver"), Kind.TEXT, required=True, width=30, rules=("M-REL-6",)),
    C("note", T("说明", "Note"), Kind.TEXT, width=40),
))

# An opportunity's amount tells whose approval it needs (M-REL-6): the row of the first limit above
# it (limits ascending, the open-ended row last); blank when the table has no row that far down.
APPROVAL = Form("Approval", (
    C("opportunity", T("商机", "Opportunity"), Kind.TEXT, width=16,
      hint=T("商机编号或名称（可选）", "Opportunity ID or name (optional)")),
    C("amount", T("商机金额", "Opportunity amount"), Kind.MONEY, bounds=(0, 1e13), width=16, rules=("M-REL-6",)),
    C("approver", T("需要谁审批", "Approval needed from"), Kind.FORMULA, result=Kind.TEXT, width=16,
      rules=("M-REL-6",),
      formula='=IF(N({Approval.amount})=0,"",IFERROR(INDEX({DecisionModel.approver},'
              'COUNTIF({DecisionModel.amount},"<="&{Approval.amount})+1)&"",""))'),
), title=T("按金额查审批人（M-REL-6）", "Who approves this amount (M-REL-6)"))

# --- selling points (M-PLAN-4) ------------------------------------------------------------------

SELLING_POINTS = Table("SellingPoints", T("卖点评估", "Selling points"), rules=("M-PLAN-4",), columns=(
    C("point", T("卖点", "Selling point"), Kind.TEXT, required=True, width=36),
    C("uniqueness", T("独特性（0～10）", "Uniqueness (0 to 10)"), Kind.SCORE, bounds=(0, 10), width=11,
      rules=("M-PLAN-4",), hint=T("与竞争对手相比有多独特：10 = 只有我们有", "How unique against competitors: 10 = only we have it")),
    C("value", T("对客户的价值（0～10）", "Value to customer (0 to 10)"), Kind.SCORE, bounds=(0, 10), width=11,
      rules=("M-PLAN-4",),
      hint=T("对客户有多大价值：10 = 客户最看重", "How much it is worth to the customer: 10 = what they value most")),
    C("buying_point", T("是否买点", "Buying point"), Kind.FORMULA, result=Kind.TEXT, width=9, rules=("M-PLAN-4",),
      formula=T('=IF(AND({uniqueness}="",{value}=""),"",IF(KAM_BUYING_POINT({uniqueness},{value}),"是","否"))',
                '=IF(AND({uniqueness}="",{value}=""),"",IF(KAM_BUYING_POINT({uniqueness},{value}),"Y","N"))'),
      portable=T('=IF(AND({uniqueness}="",{value}=""),"",IF({@buying_point:uniqueness,value},"是","否"))',
                 '=IF(AND({uniqueness}="",{value}=""),"",IF({@buying_point:uniqueness,value},"Y","N"))')),
    C("evidence", T("证据（案例、数据）", "Evidence (cases, data)"), Kind.TEXT, width=40),
), flags=(
    Flag("M-PLAN-4", "=AND(ISNUMBER({uniqueness}),ISNUMBER({value}),{uniqueness}>={cfg:selling_points.uniqueness_min},"
                     "{value}>={cfg:selling_points.value_min},{uniqueness}<={cfg:selling_points.scale_max},"
                     "{value}<={cfg:selling_points.scale_max})", ("uniqueness", "value", "buying_point"),
         T("绿区：买点", "Green zone: a buying point"), "good"),
))

# The green zone's border on the selling-points chart: from the top of the scale down to the
# corner where both minimums meet, then right to the end of the scale (the company's settings).
GREEN_ZONE = Grid("green_zone", T("绿区（买点）", "Green zone (buying points)"), T("边界点", "Border point"),
                  rules=("M-PLAN-4",), rows=(
    ("top", T("上端", "Top")), ("corner", T("拐角", "Corner")), ("right", T("右端", "Right end")),
), columns=(
    C("uniqueness", T("独特性", "Uniqueness"), Kind.FORMULA, result=Kind.NUMBER, width=11, rules=("M-PLAN-4",),
      look="whole", formula="={@zone:{row_key},uniqueness}"),
    C("value", T("价值", "Value"), Kind.FORMULA, result=Kind.NUMBER, width=11, rules=("M-PLAN-4",),
      look="whole", formula="={@zone:{row_key},value}"),
))

# --- key-account evaluation (M-ACC-6) -----------------------------------------------------------

EVALUATION = Form("Evaluation", (
    C("contribution", T("贡献度", "Contribution"), Kind.SCORE, bounds=(0, 100), width=16, rules=("M-ACC-6",),
      hint=T("0–100：收入、利润与品牌价值的贡献", "0–100: what the account contributes in revenue, profit and brand value")),
    C("potential", T("合作潜力", "Cooperation potential"), Kind.SCORE, bounds=(0, 100), width=16, rules=("M-ACC-6",),
      hint=T("0–100：未来可扩大的合作空间", "0–100: room to grow the business together")),
    C("satisfaction", T("满意度与忠诚度", "Satisfaction and loyalty"), Kind.SCORE, bounds=(0, 100), width=16,
      rules=("M-ACC-6",), hint=T("0–100：客户对我方的满意度与忠诚度", "0–100: how satisfied with and loyal to us the customer is")),
    C("score", T("加权得分", "Weighted score"), Kind.FORMULA, result=Kind.NUMBER, width=16, rules=("M-ACC-6",),
      formula='=IF(AND({Evaluation.contribution}="",{Evaluation.potential}="",{Evaluation.satisfaction}=""),"",'
              'KAM_EVAL_SCORE({Evaluation.contribution},{Evaluation.potential},{Evaluation.satisfaction}))',
      portable='=IF(AND({Evaluation.contribution}="",{Evaluation.potential}="",{Evaluation.satisfaction}=""),"",'
               '{@evaluation_score:Evaluation.contribution,Evaluation.potential,Evaluation.satisfaction})'),
    C("account_class", T("客户等级", "Account class"), Kind.FORMULA, result=Kind.TEXT, width=16, rules=("M-ACC-6",),
      formula='=IF(AND({Evaluation.contribution}="",{Evaluation.potential}="",{Evaluation.satisfaction}=""),"",'
              'KAM_ACCOUNT_CLASS({Evaluation.contribution},{Evaluation.potential},{Evaluation.satisfaction}))',
      portable='=IF(AND({Evaluation.contribution}="",{Evaluation.potential}="",{Evaluation.satisfaction}=""),"",'
               '{@account_class:Evaluation.score})'),
    C("evaluated_on", T("评估日期", "Evaluated on"), Kind.DATE, width=16, rules=("M-ACC-6",)),
    C("decision", T("评估结论", "Decision"), Kind.CHOICE, vocabulary=ACCOUNT_DECISION, width=16, rules=("M-ACC-6",),
      hint=T("优胜劣汰：A 保持、B 发展、C 降级、D 退出（可调整并说明）",
             "Survival of the fittest: A keep, B develop, C downgrade, D exit (you may deviate; say why)")),
), flags=tuple(
    Flag("M-ACC-6", f'={{account_class}}="{name}"', ("account_class",), legend, look)
    for name, legend, look in (("A", T("A 类：保持", "Class A: keep"), "good"),
                               ("B", T("B 类：发展", "Class B: develop"), "info"),
                               ("C", T("C 类：降级", "Class C: downgrade"), "warning"),
                               ("D", T("D 类：退出", "Class D: exit"), "error"))))

# --- goals and action plan (M-PLAN-1, M-PLAN-6) ------------------------------------------------

_GOALS_GIVEN = 'SUMPRODUCT(--({@trimmed:Goals.goal}<>""))>0'
PLAN_REVIEW = Form("PlanReview", (
    C("route", T("实现目标的路径", "Route to the goals"), Kind.TEXT, width=FORM_WIDE, rules=("M-PLAN-1",),
      hint=T("从现状到目标要走的几步，如：技术交流 → 试点 → 标杆 → 全省推广",
             "The steps from where we stand to the goals, e.g. technical sessions → pilot → showcase → "
             "province-wide roll-out")),
    C("strategy", T("客户层面策略", "Account strategy"), Kind.TEXT, width=FORM_WIDE, rules=("M-PLAN-1",),
      hint=T("在这个客户上怎么赢：聚焦哪些部门与产品、靠什么差异化", "How we win this account: which departments and "
             "products we focus on, what sets us apart")),
    C("reviewed_on", T("总结检查日期", "Reviewed on"), Kind.DATE, width=FORM_WIDE, rules=("M-PLAN-1",),
      hint=T("最近一次总结检查本计划的日期", "When this plan was last reviewed")),
    C("reviewer", T("检查人", "Reviewer"), Kind.TEXT, width=FORM_WIDE, rules=("M-PLAN-1",)),
    C("revision", T("修正内容", "What changed"), Kind.TEXT, width=FORM_WIDE, rules=("M-PLAN-1",),
      hint=T("这次总结检查修正了什么：目标、路径、策略或行动", "What this review revised: goals, route, strategy or "
             "actions")),
    C("next_review", T("下次检查", "Next review"), Kind.FORMULA, result=Kind.DATE, width=FORM_WIDE, rules=("M-PLAN-1",),
      formula='=IF(ISNUMBER({PlanReview.reviewed_on}),{PlanReview.reviewed_on}+{cfg:plan.review_every_days},"")'),
), title=T("路径、策略与总结检查（M-PLAN-1）", "Route, strategy and review (M-PLAN-1)"), since=VERSION, flags=(
    Flag("M-PLAN-1", f"=AND({{@blank:cell}},{_GOALS_GIVEN})", ("route", "strategy"),
         T("有目标，却没有路径或策略", "Goals without a route or a strategy")),
    Flag("M-PLAN-1", "=AND(ISNUMBER({next_review}),{next_review}<TODAY())", ("next_review",),
         T("总结检查已逾期", "Review overdue")),
))

GOALS = Table("Goals", T("经营目标", "Goals"), rules=("M-PLAN-1",), blank_rows=6, columns=(
    C("goal", T("目标", "Goal"), Kind.TEXT, required=True, width=40, rules=("M-PLAN-1",)),
    C("measure", T("衡量指标", "Measure"), Kind.TEXT, width=24,
      hint=T("如何衡量达成：签约额、中标、关系层级 …", "How attainment is measured: contract value, bid won, relationship level …")),
    C("target", T("目标值", "Target"), Kind.NUMBER, bounds=(0, 1e13), width=14, look="whole",
      hint=T("金额按元填写，其他按衡量指标的单位", "Amounts in currency units, anything else in the measure's unit")),
    C("due", T("完成时间", "Due date"), Kind.DATE, width=12),
    C("owner", T("负责人", "Owner"), Kind.TEXT, width=10),
))

ACTIONS = Table("Actions", T("行动计划", "Action plan"), rules=("M-PLAN-1", "M-PLAN-6"), columns=(
    C("phase", T("阶段", "Phase"), Kind.TEXT, width=14, rules=("M-PLAN-1",),
      hint=T("如：关系突破、方案引导、投标、交付与复制",
             "e.g. relationship breakthrough, solution shaping, bid, delivery and replication")),
    C("action", T("关键动作", "Key action"), Kind.TEXT, required=True, width=40, rules=("M-PLAN-1",)),
    C("owner", T("负责人", "Owner"), Kind.TEXT, required=True, width=10, rules=("M-PLAN-6",),
      hint=T("每个动作都要有负责人和完成时间", "Every action has an owner and a due date")),
    C("due", T("完成时间", "Due date"), Kind.DATE, required=True, width=12, rules=("M-PLAN-6",)),
    C("status", T("状态", "Status"), Kind.CHOICE, vocabulary=ACTION_STATUS, width=10, rules=("M-PLAN-6",),
      hint=T("过了完成时间仍未完成的动作会被标出", "Actions past their due date and not done are flagged")),
    C("review", T("总结检查与修正", "Review and revision"), Kind.TEXT, width=36, rules=("M-PLAN-1",)),
), flags=(
    Flag("M-PLAN-6", "=AND(ISNUMBER({due}),INT({due})<TODAY(),NOT({@term:status,ACTION_STATUS,done}))", ("due",),
         T("已逾期且未完成", "Overdue and not done")),
))

# --- growth: seed 004's five steps (M-PLAN-5) -----------------------------------------------------

# The five blocks share the sheet's columns: the first a wide text, the next two narrow (owner,
# numbers, dates), the last three wider text, so no block stretches another.

# 1 classification: the class the evaluation gives, and how this class of account is managed
GROWTH_CLASS = Form("GrowthClass", (
    C("account_class", T("客户等级", "Account class"), Kind.FORMULA, result=Kind.TEXT, width=14,
      rules=("M-PLAN-5", "M-ACC-6"), formula="={Evaluation.account_class}&\"\""),
    C("class_strategy", T("分类管理策略", "How this class is managed"), Kind.TEXT, width=14, rules=("M-PLAN-5",),
      hint=T("按客户等级定的管理策略：拜访频率、资源投入、服务级别", "The management strategy for its class: visits, "
             "resources, service level")),
), title=T("一、大客户分类（M-PLAN-5）", "1. Classification (M-PLAN-5)"), since=VERSION)

# 2 growth-opportunity analysis
GROWTH_OPPORTUNITIES = Table("GrowthOpportunities", T("二、生意增长机会分析", "2. Growth opportunities"),
                             rules=("M-PLAN-5",), blank_rows=6, since=VERSION, columns=(
    C("area", T("机会领域", "Opportunity area"), Kind.TEXT, required=True, width=30, rules=("M-PLAN-5",),
      hint=T("在哪里增长：新部门、新区域、新产品或更多用量", "Where to grow: a new department, region, product, "
             "or more of the same")),
    C("priority", T("优先级", "Priority"), Kind.CHOICE, vocabulary=PRIORITY, width=9, align="center"),
    C("size", T("机会规模（元）", "Size"), Kind.MONEY, bounds=(0, 1e13), width=14, rules=("M-PLAN-5",)),
    C("kind", T("机会类型", "Type"), Kind.TEXT, width=14,
      hint=T("如：老产品扩量、新产品导入、新区域复制", "e.g. more volume, a new product, a new region")),
    C("basis", T("依据（消费数据分析）", "Basis (purchase data)"), Kind.TEXT, width=30, rules=("M-PLAN-5",),
      hint=T("从客户的消费数据看到了什么", "What the customer's purchase data shows")),
    C("owner", T("负责人", "Owner"), Kind.TEXT, width=10),
))

# 3 joint business plan: both sides' objectives and commitments, steps and dates
JOINT_PLAN = Table("JointPlan", T("三、联合生意计划", "3. Joint business plan"), rules=("M-PLAN-5",), blank_rows=6,
                   since=VERSION, columns=(
    C("objective", T("共同目标", "Shared objective"), Kind.TEXT, required=True, width=30, rules=("M-PLAN-5",)),
    C("owner", T("负责人", "Owner"), Kind.TEXT, width=10, rules=("M-PLAN-5",)),
    C("due", T("时间节点", "Date"), Kind.DATE, width=12, rules=("M-PLAN-5",),
      hint=T("联合生意计划要明确实施步骤与时间节点", "A joint plan names its steps and their dates")),
    C("customer_commitment", T("客户承诺", "Customer commitment"), Kind.TEXT, width=30, rules=("M-PLAN-5",),
      hint=T("客户为共同目标投入什么：预算、试点、数据、人员", "What the customer puts in: budget, a pilot site, data, "
             "people")),
    C("our_commitment", T("我方承诺", "Our commitment"), Kind.TEXT, width=30, rules=("M-PLAN-5",)),
    C("measures", T("措施与实施步骤", "Measures and steps"), Kind.TEXT, width=36, rules=("M-PLAN-5",)),
), flags=(
    Flag("M-PLAN-5", "=AND(NOT({@blank:objective}),{@blank:cell})", ("customer_commitment", "our_commitment"),
         T("联合生意计划缺少一方的承诺", "A side's commitment missing from the joint plan")),
    Flag("M-PLAN-5", "=AND(NOT({@blank:objective}),NOT(ISNUMBER({due})))", ("due",),
         T("联合生意计划缺少时间节点", "No date in the joint plan")),
))

# 4 execution against targets: each measure's target and actual, checked regularly
EXECUTION = Table("Execution", T("四、计划执行与达标", "4. Execution against targets"), rules=("M-PLAN-5",),
                  blank_rows=6, since=VERSION, columns=(
    C("measure", T("衡量指标", "Measure"), Kind.TEXT, required=True, width=30, rules=("M-PLAN-5",)),
    C("target", T("目标值", "Target"), Kind.NUMBER, bounds=(0, 1e13), width=14, look="whole", rules=("M-PLAN-5",)),
    C("actual", T("实际值", "Actual"), Kind.NUMBER, bounds=(0, 1e13), width=14, look="whole", rules=("M-PLAN-5",)),
    C("attainment", T("达成率", "Attainment"), Kind.FORMULA, result=Kind.PERCENT, width=10, rules=("M-PLAN-5",),
      align="center",
      formula='=IF(AND(ISNUMBER({target}),ISNUMBER({actual})),IF({target}=0,"",{actual}/{target}),"")'),
    C("checked_on", T("检查日期", "Checked on"), Kind.DATE, width=12, rules=("M-PLAN-5",), align="center"),
    C("adjustment", T("策略调整", "Adjustment"), Kind.TEXT, width=36, rules=("M-PLAN-5",),
      hint=T("未达标时写明如何及时调整策略", "When a target is missed: how the strategy changes")),
), flags=(
    Flag("M-PLAN-5", '=AND(ISNUMBER({attainment}),{attainment}<{cfg:plan.attained_from},{@blank:adjustment})',
         ("attainment",), T("未达标且未调整策略", "Target missed, no adjustment noted")),
))

# 5 roll-out: which successes are replicated where
ROLLOUT = Table("Rollout", T("五、全国复制", "5. Roll-out"), rules=("M-PLAN-5",), blank_rows=6, since=VERSION,
                columns=(
    C("success", T("成功经验", "Success"), Kind.TEXT, required=True, width=30, rules=("M-PLAN-5",)),
    C("owner", T("负责人", "Owner"), Kind.TEXT, width=10),
    C("due", T("完成时间", "Due date"), Kind.DATE, width=12),
    C("where", T("复制到", "Replicate to"), Kind.TEXT, width=30, rules=("M-PLAN-5",),
      hint=T("哪些区域、分子公司或同类客户", "Which regions, subsidiaries or similar customers")),
    C("status", T("状态", "Status"), Kind.CHOICE, vocabulary=ACTION_STATUS, width=10, align="center"),
))

# --- opportunity checklist (M-SCORE-5) ----------------------------------------------------------

CHECKLIST = Table("Checklist", T("项目机会评估清单", "Opportunity checklist"), seed="checklist", rules=("M-SCORE-5",),
                  style="Table Style Light 9", columns=(
    C("side", T("方面", "Side"), Kind.TEXT, width=12),
    C("area", T("领域", "Area"), Kind.TEXT, width=24, rules=("M-SCORE-5",)),
    C("question_id", T("编号", "Question ID"), Kind.ID, width=8),
    C("question", T("问题", "Question"), Kind.TEXT, width=50),
    C("answer", T("回答", "Answer"), Kind.TEXT, width=50, rules=("M-SCORE-5",),
      hint=T("写下你掌握的情况；任何内容都算已回答，不知道就留空",
             "Write what you know; any text counts as answered, leave blank if unknown")),
))

# Overall coverage. "<>" criteria are avoided throughout: the formula engine used for the
# filled examples misreads COUNTIF(range,"<>") as a "<" comparison with ">".
CHECKLIST_TOTAL = Form("ChecklistTotal", (
    C("answered", T("已回答", "Answered"), Kind.FORMULA, result=Kind.INTEGER, width=12, rules=("M-SCORE-5",),
      formula='=SUMPRODUCT(({Checklist.question_id}<>"")*({Checklist.answer}<>""))'),
    C("total", T("问题总数", "Questions"), Kind.FORMULA, result=Kind.INTEGER, width=12, rules=("M-SCORE-5",),
      formula="=COUNTA({Checklist.question_id})"),
    C("coverage", T("总覆盖率", "Overall coverage"), Kind.FORMULA, result=Kind.PERCENT, width=12, rules=("M-SCORE-5",),
      formula='=IF(N({ChecklistTotal.total})=0,"",{ChecklistTotal.answered}/{ChecklistTotal.total})'),
), title=T("机会评估清单总体覆盖率（M-SCORE-5）", "Checklist coverage overall (M-SCORE-5)"), flags=(
    Flag("M-SCORE-5", "=AND(ISNUMBER({coverage}),{coverage}<{cfg:checklist.min_coverage})", ("coverage",),
         T("覆盖率低于公司要求", "Coverage below the company minimum")),
))

COVERAGE = Grid("coverage", T("各领域覆盖率", "Coverage by area"), T("领域", "Area"), rules=("M-SCORE-5",),
                rows=tuple((a.id, a.text) for a in checklist()), columns=(
    C("answered", T("已回答", "Answered"), Kind.FORMULA, result=Kind.INTEGER, width=10,
      formula='=COUNTIF({Checklist.area},{row})-COUNTIFS({Checklist.area},{row},{Checklist.answer},"")'),
    C("total", T("问题数", "Questions"), Kind.FORMULA, result=Kind.INTEGER, width=10,
      formula="=COUNTIF({Checklist.area},{row})"),
    C("coverage", T("覆盖率", "Coverage"), Kind.FORMULA, result=Kind.PERCENT, width=10,
      formula='=IF(COUNTIF({Checklist.area},{row})=0,"",(COUNTIF({Checklist.area},{row})'
              '-COUNTIFS({Checklist.area},{row},{Checklist.answer},""))/COUNTIF({Checklist.area},{row}))'),
))

ACCOUNT_PLAN = Template("account-plan", VERSION, T("客户经营计划", "Account plan"), sheets=(
    Sheet("profile", T("客户全貌", "Profile"), (PROFILE,), landscape=False, print_fit="summary",
          hint=T("客户的基本情况、战略、文化、痛点与财务（M-PLAN-2）",
                 "The customer's basic facts, strategy, culture, pain points and financials (M-PLAN-2)")),
    Sheet("needs", T("三维需求", "Needs"), (NEEDS,),
          hint=T("应用及服务、关系及合作、个人需求，以及技术及系统需求，每行一条",
                 "Application & service, relationship & cooperation, personal and technical needs, one per row")),
    Sheet("decision_chain", T("决策链", "Decision chain"), (DECISION_CHAIN, CHAIN_CHECK, LAYERS),
          hint=T("每人写明职务和姓名；离决策越近越重要；TOP10 须与关系评估表一致",
                 "Give every person a title and a name; the closer to the decision, the more important; "
                 "the TOP-10 must match the relationship plan")),
    Sheet("relationships", T("关系评估", "Relationships"), (RELATIONSHIP_PLAN, COACHES),
          hint=T("TOP10 关键人的关系现状、目标与改进措施，每人有第一和第二责任人；以及内部和外部的教练",
                 "Where the TOP-10 relationships stand, their goals and how to improve them, each with a first and "
                 "a second responsible person; and our coaches, inside and outside the customer")),
    Sheet("decision_model", T("决策模式", "Decision model"), (DECISION_MODEL, APPROVAL), print_fit="summary",
          hint=T("客户按金额划分的审批权限：商机金额决定由谁审批",
                 "The customer's approval authority by amount: an opportunity's amount tells whose approval it needs")),
    Sheet("selling_points", T("卖点", "Selling points"), (SELLING_POINTS, GREEN_ZONE), print_fit="summary",
          charts=(Chart("selling_chart", T("卖点矩阵：独特性 × 价值", "Selling points: uniqueness × value"), "scatter",
                        "SellingPoints", "uniqueness", ("value",), labels="point", axis_max=10,
                        zone="green_zone", rules=("M-PLAN-4",)),),
          hint=T("独特性与价值都进入绿区（默认均 ≥ 7 分）的卖点才是买点",
                 "Only selling points in the green zone on both uniqueness and value (default: both ≥ 7) "
                 "are buying points")),
    Sheet("evaluation", T("客户评估", "Evaluation"), (EVALUATION,), landscape=False, print_fit="summary",
          hint=T("定期评估，权重与分级按公司配置（默认：贡献度 40%、合作潜力 35%、满意度 25%；A ≥ 80、B ≥ 60、C ≥ 40）",
                 "Periodic evaluation; weights and classes follow the company settings (default: contribution 40%, "
                 "potential 35%, satisfaction 25%; A ≥ 80, B ≥ 60, C ≥ 40)")),
    Sheet("plan", T("经营计划", "Plan"), (PLAN_REVIEW, GOALS, ACTIONS),
          hint=T("目标 → 路线 → 策略 → 行动计划 → 总结检查 → 修正；每个动作都有负责人和完成时间",
                 "Goals → route → strategy → actions → review → revision; every action has an owner and a due date")),
    Sheet("growth", T("增长计划", "Growth"), (GROWTH_CLASS, GROWTH_OPPORTUNITIES, JOINT_PLAN, EXECUTION, ROLLOUT),
          hint=T("大客户生意提升五步：分类 → 增长机会分析 → 联合生意计划 → 执行与达标 → 全国复制",
                 "Growing a key account in five steps: classify → growth opportunities → joint business plan → "
                 "execution against targets → roll-out")),
    Sheet("checklist", T("机会评估清单", "Checklist"), (CHECKLIST_TOTAL, CHECKLIST, COVERAGE),
          hint=T("逐题写下已掌握的情况；覆盖率 = 已回答 / 问题数",
                 "Note what you know for each question; coverage = answered / questions")),
), rules=("M-PLAN-1", "M-PLAN-2", "M-PLAN-3", "M-PLAN-4", "M-PLAN-5", "M-PLAN-6", "M-REL-1", "M-REL-2",
          "M-REL-3", "M-REL-4", "M-REL-5", "M-REL-6", "M-ACC-2", "M-ACC-3", "M-ACC-6", "M-ACC-7", "M-SCORE-5"))
