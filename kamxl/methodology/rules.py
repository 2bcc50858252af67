"""The rule table: every rule id kamxl implements, what it says, where the method says it.

The methodology rules (``M-…``) are those of the team's METHODOLOGY.md, each worded after
the Chinese seed documents it comes from (the seeds win where the two differ); the
structure and value rules (``S-…``) are kamxl's own, about files, tables and typed values.
``docs/methodology.md`` is generated from this table and from the code that cites each
id (:mod:`kamxl.rules_doc`); a test keeps the two in step with the code: every id the code
cites is here, every id here is cited by the code.

``settings`` are the dotted keys of the company configuration (``kamxl/data/defaults.toml``)
that change a rule; ``parts`` names the rules a rule is made of (it is implemented by
theirs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kamxl.i18n import Text

T = Text

#: an id as the code writes it; ``M-FC-2..5`` and ``M-SCORE-3/4`` cite several
ID = re.compile(r"\b(?:M-[A-Z]+-\d+(?:\.\.\d+|(?:/\d+)+)?|S-[A-Z]+(?:-[A-Z]+)*)(?![\w-])")
_RANGE = re.compile(r"(M-[A-Z]+-)(\d+)(?:\.\.(\d+)|((?:/\d+)+))")


def cited(text: str) -> list[str]:
    """The rule ids a text cites, ranges spelled out, in order of first citation."""
    found: list[str] = []
    for match in ID.finditer(text):
        got = _RANGE.fullmatch(match.group())
        if got is None:
            ids = [match.group()]
        elif got.group(3):
            ids = [f"{got.group(1)}{n}" for n in range(int(got.group(2)), int(got.group(3)) + 1)]
        else:
            ids = [f"{got.group(1)}{n}" for n in (got.group(2), *got.group(4).strip("/").split("/"))]
        found += [i for i in ids if i not in found]
    return found


@dataclass(frozen=True)
class Rule:
    id: str
    title: Text
    statement: Text | None = None        # S-… rules: their findings say it
    seeds: tuple[str, ...] = ()          # 'NNN §k': seed document NNN, its section k
    settings: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return self.id.split("-")[1] if self.id.startswith("M-") else "S"


#: the areas in the order the method goes, each with its heading
AREAS: dict[str, Text] = {
    "ACC": T("客户管理", "Accounts"),
    "SCORE": T("商机价值评估", "Opportunity value"),
    "FUN": T("销售漏斗", "Sales funnel"),
    "FC": T("销售预测", "Sales forecast"),
    "BID": T("大客户项目", "Key-account projects (bids)"),
    "REL": T("客户关系", "Relationships"),
    "PLAN": T("客户经营计划", "Account plan"),
    "TEAM": T("销售团队", "Sales team"),
    "S": T("文件、结构与取值", "Files, structure and values"),
}

#: the seed documents (Chinese), by number
SEEDS: dict[str, Text] = {
    "000": T("大客户销售经营管理方法（大纲）", "Key-account sales and account management (an outline)"),
    "001": T("客户管理、商机价值、销售漏斗、销售预测、大客户项目与销售团队管理（六节）",
             "Account management, opportunity value, funnel, forecast, key-account projects, sales team (six sections)"),
    "002": T("大客户销售必备知识（繁体）", "What a key-account seller must know (traditional script)"),
    "003": T("营销及管理技能提升（课件：客户关系、决策链、卖点）",
             "Marketing and management skills (slides: relationships, decision chain, selling points)"),
    "004": T("大客户评估标准：助力企业业绩翻倍增长", "Key-account evaluation: doubling the business"),
}

METHOD: tuple[Rule, ...] = (
    # --- accounts: seed 001 §1, seed 004 ---------------------------------------------------------
    Rule("M-ACC-1", T("收集客户信息", "Collect customer information"), T(
        "通过市场活动、渠道管理、网上销售、维修服务和客户信息购买等途径收集客户信息；客户登记表记下每个客户的来源。",
        "Customer information is collected from marketing events, channel management, online sales, repair and "
        "service, and purchased customer information; the customer register records where each customer came from."),
        ("001 §1",)),
    Rule("M-ACC-2", T("客户惟一性", "Customer uniqueness"), T(
        "创建客户前先在客户库中查询并核定其惟一性，已存在的客户不再重复创建。同一公司无论怎样书写名称（全角或半角、"
        "空格、中英文公司形式、简体或繁体、地区写在前面、后面或括号中）都是同一客户；两条记录都有有效的 18 位统一社会"
        "信用代码时，以代码为准。",
        "Before a customer is created it is looked up in the customer register; a customer that exists is never "
        "created twice. One company is one customer however its name is written (full- or half-width characters, "
        "spaces, Chinese and English legal forms, simplified or traditional script, the region before, after or in "
        "brackets); when both records have a valid 18-character unified social credit code, the code decides."),
        ("001 §1",)),
    Rule("M-ACC-3", T("分配客户", "One account manager per customer"), T(
        "每个客户只分配给一名负责的客户经理。同一客户被两名客户经理认领（在一起校验的客户经营计划、销售漏斗或销售预测中）"
        "即为冲突。",
        "Every customer is assigned to exactly one responsible account manager. One customer claimed by two account "
        "managers (in account plans, funnels or forecasts validated together) is a conflict."),
        ("001 §1",)),
    Rule("M-ACC-4", T("补充客户信息", "New information is added, never overwritten"), T(
        "客户库中的客户有新的信息时，补充到客户记录中；原有内容作为变更历史保留，不被覆盖。",
        "When new information about a customer in the register appears, it is added to the customer's record; "
        "what was there before is kept as a history of changes, never overwritten."),
        ("001 §1",)),
    Rule("M-ACC-5", T("先分类评估，后跟进商机", "Classify and evaluate before working opportunities"), T(
        "客户先经过分类评估，才进入商机管理流程（在销售漏斗中跟进其商机）；评估按公司规定的周期定期重做。",
        "A customer is classified and evaluated before its opportunities are worked in the funnel; the evaluation "
        "is repeated within the period the company sets."),
        ("001 §1", "004 §3"), ("register.evaluation_valid_days",)),
    Rule("M-ACC-6", T("大客户评估", "Key-account evaluation"), T(
        "定期从客户贡献度（收入、利润、品牌价值）、合作潜力、满意度与忠诚度三方面评估大客户；加权得分（0 到 100）决定"
        "客户等级 A、B、C 或 D，评估结果决定保留、发展、降级或淘汰（优胜劣汰）。",
        "Key accounts are evaluated periodically on contribution (revenue, profit, brand value), cooperation "
        "potential, and satisfaction and loyalty. The weighted score, 0 to 100, gives the class A, B, C or D, and "
        "the result decides whether the account is kept, developed, downgraded or let go (survival of the fittest)."),
        ("004 §5",), ("evaluation.weights", "evaluation.classes", "register.evaluation_valid_days")),
    Rule("M-ACC-7", T("目标客户锁定", "Target-account criteria"), T(
        "按明确的标准锁定目标客户：公共、基础事业，酒店、餐饮连锁，国资委监管企业，行业 TOP-X 名。客户经营计划记下"
        "选定该客户的依据。",
        "Target accounts are chosen by stated criteria: public utilities and infrastructure, hotel and restaurant "
        "chains, enterprises supervised by the state assets commission (SASAC), the industry's top X. The account "
        "plan records the criterion its account was chosen by."),
        ("000",)),
    # --- opportunity value: seed 001 §2, seed 000 ------------------------------------------------
    Rule("M-SCORE-1", T("商机价值评分", "Opportunity value score"), T(
        "从四个维度（是否有商业机会、我们是否有竞争力、我们是否能赢、是否值得我们去赢取）各 5 个、共 20 个问题评估商机价值；"
        "肯定答案记 1 分，否定答案记 0 分。评分为总和 0 到 20 分，每个维度小计 0 到 5 分。",
        "An opportunity's value is assessed with 20 yes-or-no questions, five in each of four dimensions (is there "
        "an opportunity, are we competitive, can we win, is it worth winning); a yes scores 1 and a no 0. The score "
        "is their sum, 0 to 20, with a subtotal of 0 to 5 per dimension."),
        ("001 §2",)),
    Rule("M-SCORE-2", T("商机价值较高", "High-value opportunity"), T(
        "评分超过阈值（种子文档为 10 分）的商机价值较高；严格大于才算，等于阈值不算较高。",
        "A score above the threshold (10 in the seed) marks a high-value opportunity; the comparison is strictly "
        "greater than, so a score equal to the threshold is not high."),
        ("001 §2",), ("scoring.threshold",)),
    Rule("M-SCORE-3", T("答案的写法", "How answers are written"), T(
        "答案可写作 1/0、Y/N、TRUE/FALSE、是/否或 √/×，不分大小写和全角半角。空白表示尚未回答：此时评分未完成并注明，"
        "而不是悄悄记作 0 分。其他写法是错误，指明所在单元格。",
        "Answers are accepted as 1 or 0, Y or N, yes or no, TRUE or FALSE, the Chinese yes and no, a tick or a "
        "cross, in any case and width. A blank is not yet answered: the score is then incomplete and says so, never "
        "a silent 0. Anything else is an error at its cell."),
        ("001 §2",)),
    Rule("M-SCORE-4", T("后期的低价值商机", "Low value late in the funnel"), T(
        "处于后期阶段（默认从第 05 阶段起）的未结商机，评分不超过阈值的予以标示：在漏斗后期仍在追逐低价值商机。",
        "An open opportunity at a late stage (from stage 05 by default) whose score is not above the threshold is "
        "flagged: a low-value opportunity pursued late in the funnel."),
        ("001 §2", "001 §3"), ("scoring.threshold", "scoring.late_stage")),
    Rule("M-SCORE-5", T("项目机会评估清单", "Opportunity checklist"), T(
        "项目机会评估的详细问题（客户方、我方、竞争分析与评估，共 20 个领域、80 个问题，与 20 个评估问题一一对应）"
        "构成客户经营计划的检查清单。报告每个领域的覆盖率（已回答 / 问题数），覆盖率过低时提出警告。",
        "The deeper questions of project opportunity assessment (customer side, our side, competition analysis and "
        "evaluation: 20 areas, 80 questions, lining up one to one with the 20 value questions) are the account "
        "plan's checklist. Each area's coverage, answered out of asked, is reported, and low coverage is warned "
        "about."),
        ("000",), ("checklist.min_coverage",)),
    # --- funnel: seed 001 §3, seed 000 -----------------------------------------------------------
    Rule("M-FUN-1", T("漏斗阶段与成功概率", "Funnel stages and win probabilities"), T(
        "销售过程划分为漏斗阶段，每个阶段有明确的工作任务和成功概率。种子文档分八个阶段（01 寻找正确的联系人和特性需求"
        "……08 就所有条款达成协议或失去商机），企业可以根据自身业务特点确定漏斗的层级和成功概率的百分比；最后一个阶段"
        "是赢单或丢单的阶段。",
        "The sales process is divided into funnel stages, each with its duties and a win probability. The seed has "
        "eight stages (01 find the right contact and need … 08 agreement on all terms, or the opportunity is lost) "
        "and lets the company set the stages and their probabilities; the last stage is the won-or-lost one."),
        ("001 §3",), ("stages", "outcome.won_probability", "outcome.lost_probability")),
    Rule("M-FUN-2", T("加权金额", "Weighted amount"), T(
        "商机的加权金额 = 金额 × 所处阶段的成功概率。",
        "An opportunity's weighted amount is its amount times its stage's win probability."),
        ("001 §3",), ("stages",)),
    Rule("M-FUN-3", T("阶段健康度", "Stage health"), T(
        "每个阶段的健康度 = 当前处于该阶段的商机数量（或金额）÷ 根据历史经验数据得出的该阶段基准。大于 100% 为优秀；"
        "70% 到 100% 为良好，但需关注变化；小于 70% 为预警。种子文档未规定恰好 70% 和恰好 100% 的归属，默认两者都算良好。",
        "Each stage's health is the count (and the amount) of opportunities at the stage now, divided by the "
        "historical benchmark for the stage. Above 100 % is excellent; from 70 % to 100 % good, but watch the trend; "
        "below 70 % a warning. The seed leaves exactly 70 % and exactly 100 % open: by default both are good."),
        ("001 §3",), ("health.excellent_above", "health.good_from")),
    Rule("M-FUN-4", T("赢单或丢单", "Won or lost"), T(
        "处于最后阶段的商机须注明赢单或丢单，只有最后阶段才结束商机。丢单不丢客户：丢单结束的是商机而不是客户，"
        "丢单时记下原因、赢单的竞争对手和对客户的后续跟进。",
        "An opportunity at the last stage says whether it was won or lost, and only the last stage closes an "
        "opportunity. Lose the deal, keep the customer: losing closes the opportunity, not the account, and a lost "
        "deal records why, which competitor won and how the customer is followed up."),
        ("001 §3", "000"), ("stages", "outcome.won_probability", "outcome.lost_probability")),
    Rule("M-FUN-5", T("阶段推进的依据", "Evidence for the stage"), T(
        "商机在漏斗中推进须有完成各阶段任务的依据：从第 02 阶段起查明并记下项目预算和项目发起人；从第 03 阶段起该客户"
        "有决策链；从第 05 阶段起商机有价值评估评分。各项从哪个阶段起由公司配置。",
        "Moving down the funnel needs evidence of each stage's duty: from stage 02 the budget and the sponsor are "
        "found out and recorded; from stage 03 the account has a decision chain; from stage 05 the opportunity has "
        "a value-assessment score. The company sets the stage each starts from."),
        ("001 §3",), ("evidence.budget_and_sponsor_from", "evidence.decision_chain_from", "evidence.score_from")),
    Rule("M-FUN-6", T("成功概率与阶段表一致", "Probability as the stage table says"), T(
        "商机阶段旁写的成功概率须与阶段表一致（允许公司设定的误差），除非写明调整理由。",
        "The win probability written beside an opportunity's stage is the stage table's, within the company's "
        "tolerance, unless a reason for departing from it is given."),
        ("001 §3",), ("stages", "probability.tolerance")),
    # --- forecast: seed 001 §4, §6 ---------------------------------------------------------------
    Rule("M-FC-1", T("预测原则", "Forecast principles"), T(
        "先定义销售预测的原则：预测期间（月或季度）、币种、阶段表以及哪些阶段计入预测。预测表头按公司规定的写法填写"
        "期间；成交日期不在期间内的行不计入本期数字。",
        "The forecast's principles are defined first: the period (month or quarter), the currency, the stage table "
        "and which stages count toward a forecast. A forecast's header names its period as the company writes "
        "periods; lines closing outside the period are not in its figures for the period."),
        ("001 §4",), ("forecast.period", "forecast.currency", "stages", "forecast.counted_from")),
    Rule("M-FC-2", T("商机确认", "Confirmed opportunities of one's own"), T(
        "客户经理对商机进行确认，新建销售预测时只将自己作为主要负责人且已确认的商机纳入预测，以避免重复计算。",
        "The account manager confirms each opportunity and forecasts only the confirmed opportunities of which they "
        "are the primary owner, so that no sale is counted twice."),
        ("001 §4", "001 §6")),
    Rule("M-FC-3", T("一个主要负责人", "One primary owner"), T(
        "一个商机仅有一个主要负责人，且只有其上级才能更换。同一商机出现在两份预测中或有两个主要负责人即为重复计算："
        "予以报告，只计一次。",
        "An opportunity has exactly one primary owner, and only that owner's superior may change it. The same "
        "opportunity in two forecasts, or under two owners, is double counting: it is reported and counted once."),
        ("001 §6",)),
    Rule("M-FC-4", T("逐级上报、修订", "Level by level"), T(
        "每一级将下级上报的预测汇总为自己新建的预测记录，必要时修订（修订旁保留原数字，并记下修订人和理由），"
        "再向上一级上报，逐级上报、修订。",
        "Each level aggregates its reports' forecasts into a new forecast record of its own, may revise it "
        "(keeping the original figures beside the revision, with who revised it and why) and submits it upward, "
        "level after level."),
        ("001 §4",)),
    Rule("M-FC-5", T("与渠道预测对比", "Against the channel forecast"), T(
        "事业部将汇总的销售预测与从渠道等处获得的预测比较并报告差异，结果通报到生产计划流程。",
        "The business unit compares the rolled-up forecast with the forecast gathered from channels and reports "
        "the difference; the result feeds production planning."),
        ("001 §4",)),
    Rule("M-FC-6", T("预测的核心步骤", "The forecast's core steps"), T(
        "定义预测、客户经理商机确认、上级修订预测是销售预测的核心步骤，分别由规则 M-FC-1、M-FC-2 和 M-FC-4 实现。",
        "Defining the forecast, the account manager confirming opportunities and the superior revising the "
        "forecast are the forecast's core steps, implemented by the rules M-FC-1, M-FC-2 and M-FC-4."),
        ("001 §4",), (), ("M-FC-1", "M-FC-2", "M-FC-4")),
    # --- key-account projects: seed 001 §5 -------------------------------------------------------
    Rule("M-BID-1", T("大客户项目属性", "Key-account project attributes"), T(
        "大客户项目记下种子文档的十四项属性：销售方式（投标、批点或分销）；招标方式（公开开标且仅一次报价、公开开标可"
        "二次报价、议标、统签）；是否分包；是否一次报价；参与的代理商；投标方案（企业直接投标、一家代理投一种方案、"
        "企业与代理共同投多种方案、多家代理投多种方案）；供货日期和供货地点；评标原则（价格、服务、技术、商务）；项目对"
        "客户所在地的影响；参与竞争品牌；项目背景；客户关系度（非常到位、比较到位、一般、目前无法判断控制程度）；配置"
        "需求、数量、希望价格、报价；企业所支持渠道的资信情况。种子文档列出取值的属性用下拉列表，并接受种子文档的原文"
        "写法。",
        "A key-account project records the seed's fourteen attributes: sales mode (bid, spot purchase or "
        "distribution); tender mode (open with one quote only, open with a second quote allowed, negotiated, "
        "framework); split into lots; single quote; participating agents; bid scheme (direct, one agent with one "
        "scheme, company and agents with several schemes, several agents with several schemes); delivery date and "
        "place; evaluation principle (price, service, technical, commercial); impact on the customer's locality; "
        "competing brands; background; relationship control (very much in place, fairly in place, ordinary, cannot "
        "yet judge); configuration, quantity, target price and quote; the credit standing of the channel. Where the "
        "seed lists values they are a dropdown, and the seed's own wording is accepted."),
        ("001 §5",)),
    # --- relationships: seed 003, seed 000 -------------------------------------------------------
    Rule("M-REL-1", T("关系层次", "Relationship levels"), T(
        "客户关系由低到高分六个层次：接触、了解、接受、尊重、信任、伙伴。关系层次可能下滑，不要满足和停留在接受层次。",
        "A relationship stands at one of six levels, low to high: contact, know, accept, respect, trust, partner. "
        "Levels can fall, and accept is not a place to rest."),
        ("003",)),
    Rule("M-REL-2", T("三类客户关系", "Three relationship layers"), T(
        "客户关系分三类规划：组织客户关系是牵引市场长远发展的发动机；关键客户关系是项目成功的关键；普遍客户关系是建立"
        "良好的市场拓展氛围的基础。",
        "Relationships are planned in three layers: organisational relationships, the engine of the market's "
        "long-term growth; key decision-maker relationships, the key to winning the project; extensive "
        "relationships, the ground for a good climate to grow the market in."),
        ("003",), ("plan.covered_from",)),
    Rule("M-REL-3", T("决策链与 TOP-10", "Decision chain and TOP-10"), T(
        "决策链（鱼骨图）上的决策人物一定要标出职务和姓名；越靠近目标、越靠近轴线的越重要。决策链上 TOP-10 的关键人物"
        "须与客户关系评估表中 TOP-10 的关键人物一致。",
        "The decision chain (fishbone) names every person with title and name; the closer to the target, and to "
        "the axis, the more important. The TOP-10 of the decision chain is exactly the TOP-10 of the relationship "
        "assessment table."),
        ("003", "000")),
    Rule("M-REL-4", T("关系提升计划", "Relationship improvement plan"), T(
        "客户关系提升计划每行写明序号、姓名、职务、提升目标（如不反对、支持）、策略与措施、第一责任人和第二责任人、"
        "完成时间与进展。",
        "Each row of the relationship improvement plan gives the number, name, title, goal (for example not "
        "opposing, or supporting), strategy and measures, the first and the second responsible person, the due "
        "date and the progress."),
        ("003",)),
    Rule("M-REL-5", T("教练", "Coach"), T(
        "从第 03 阶段起每个商机都要有教练：希望我们获胜并愿意而且能够帮忙的人。教练可以是客户内线（客户关键岗位人员），"
        "也可以是客户以外的人：退休的高管、投资银行、咨询公司、政府、合作伙伴或友商。",
        "Every opportunity from stage 03 on has a coach: someone who wants us to win and is willing and able to "
        "help. A coach may be inside the customer (an insider in a key position) or outside it: a retired "
        "executive, an investment bank, a consultancy, the government, a partner or a friendly vendor."),
        ("000", "003"), ("evidence.coach_from",)),
    Rule("M-REL-6", T("客户决策模式", "Customer decision model"), T(
        "每个客户有自己的决策模式：按金额划分的审批权限（种子文档示例：1 亿以下由 SEVP 审批，2 亿以下由 CEO 审批，"
        "5 亿以下由 CEO 与 5 名 SEVP 审批，其余由董事会审批）。商机金额决定需要谁审批。",
        "Each account has its decision model: who approves a purchase, by amount (the seed's example: below 100 "
        "million a senior executive vice president, below 200 million the CEO, below 500 million the CEO and five "
        "senior executive vice presidents, otherwise the board). An opportunity's amount tells whose approval it "
        "needs."),
        ("003",)),
    # --- account plan: seed 000, seed 004, seed 003 ----------------------------------------------
    Rule("M-PLAN-1", T("经营计划的内容", "What an account plan holds"), T(
        "客户经营计划包括目标、目标达成路线、策略、行动计划（几个阶段、关键动作）、行动、总结检查与修正。",
        "An account plan holds the goals, the route to the goals, the strategies, the action plan in phases with "
        "its key actions, the actions, the review and the revision."),
        ("000",), ("plan.review_every_days",)),
    Rule("M-PLAN-2", T("客户全貌", "Customer profile"), T(
        "搜集客户全貌信息：企业基本信息、战略与发展规划、企业文化、行业情况、管理痛点、财务数据（收入和获利趋势、与同行"
        "对比、关键业绩指标）。",
        "The plan gathers the customer's whole picture: basic facts, strategy and development plans, corporate "
        "culture, the industry, management pain points, and the financials (revenue and profit trends, comparison "
        "with peers, key performance indicators)."),
        ("000",)),
    Rule("M-PLAN-3", T("三维需求", "Needs in three dimensions"), T(
        "从三个维度分析客户需求：应用及服务的需求、关系及合作的需求、个人需求；另记技术及系统的需求。",
        "The customer's needs are analysed in three dimensions: application and service; relationship and "
        "cooperation; personal. Technical and system needs are recorded beside them."),
        ("000",)),
    Rule("M-PLAN-4", T("卖点与买点", "Selling points and buying points"), T(
        "每个卖点按与竞争对手相比的独特性和给客户带来的价值各评 0 到 10 分；两项都进入绿色区域的卖点才成为客户的买点。",
        "Each selling point is scored 0 to 10 on its uniqueness against competitors and 0 to 10 on its value to the "
        "customer; only one in the green zone on both becomes a buying point."),
        ("003",), ("selling_points.scale_max", "selling_points.uniqueness_min", "selling_points.value_min")),
    Rule("M-PLAN-5", T("大客户生意提升", "Growing a key account"), T(
        "大客户生意提升五步骤：大客户分类、生意增长机会分析、联合生意计划制定、计划执行与达标、全国复制。",
        "A key account's business is grown in five steps: classify the account, analyse growth opportunities, draw "
        "up a joint business plan with the customer, execute it and track attainment against its targets, and roll "
        "it out nationally."),
        ("004 §4",), ("plan.attained_from",)),
    Rule("M-PLAN-6", T("行动有负责人和完成时间", "Every action has an owner and a due date"), T(
        "每个行动都有负责人和完成时间；过了完成时间仍未完成的行动予以标示。",
        "Every action has an owner and a due date; an open action past its due date is flagged."),
        ("000", "003")),
    # --- sales team: seed 001 §6 -----------------------------------------------------------------
    Rule("M-TEAM-1", T("销售指标", "Quotas"), T(
        "根据销售历史、市场环境和企业收入目标制定销售指标，分派到区域和销售团队，监控完成情况并修订。达成率 = 已成交"
        "（及预测）金额 ÷ 指标，按负责人和按层级计算。",
        "Quotas are set from the sales history, the market and the company's revenue target, allocated to "
        "territories and teams, monitored and revised. Attainment is closed (and forecast) business divided by the "
        "quota, per owner and per level."),
        ("001 §6",), ("attainment.on_track_from", "attainment.at_risk_below")),
    Rule("M-TEAM-2", T("区域与分派规则", "Territory and assignment rules"), T(
        "区域负责范围和分派规则（地区、行业）决定由哪位客户经理负责客户；客户登记表中的分配须与之一致。",
        "Territory and assignment rules (region, industry) decide which account manager is responsible for a "
        "customer; the assignments in the customer register follow them."),
        ("001 §6",), ("territory",)),
)

STRUCTURE: tuple[Rule, ...] = (
    Rule("S-ASSESS-ORPHAN", T("评估没有对应的商机", "Assessment without an opportunity")),
    Rule("S-BLANK", T("空白工作簿", "Blank workbook")),
    Rule("S-CACHED-STALE", T("公式的保存值过时", "Stored formula value out of date")),
    Rule("S-COLUMN-MISSING", T("缺少列", "Column missing")),
    Rule("S-COLUMN-MOVED", T("列的位置改变", "Column moved")),
    Rule("S-COLUMN-UNKNOWN", T("多出的列", "Unknown column")),
    Rule("S-CONFIG", T("公司配置有误", "Company configuration invalid")),
    Rule("S-FILE-MEMORY", T("文件占用内存过多", "File takes too much memory"), settings=("limits.file_memory_mb",)),
    Rule("S-FILE-TIMEOUT", T("文件处理超时", "File takes too long"), settings=("limits.file_seconds",)),
    Rule("S-FILE-TOO-LARGE", T("文件过大", "File too large")),
    Rule("S-FORM-MISSING", T("缺少表头区", "Header block missing")),
    Rule("S-FORMULA-DELETED", T("公式被删除", "Formula deleted")),
    Rule("S-FORMULA-OVERWRITTEN", T("公式被数值覆盖", "Formula overwritten by a value")),
    Rule("S-HEADER-LANG", T("表头混用两种语言", "Headers in two languages")),
    Rule("S-METADATA", T("缺少隐藏的模板信息", "Hidden template metadata missing")),
    Rule("S-OUTPUT", T("不写入该输出文件", "Output refused")),
    Rule("S-OUTPUT-LOCKED", T("输出文件被占用", "Output file locked")),
    Rule("S-REGISTER", T("客户登记表无法使用", "Customer register unusable")),
    Rule("S-REPORT", T("不支持的报告格式", "Unsupported report format")),
    Rule("S-ROLLUP-CURRENCY", T("汇总的币种不一", "Currencies differ in a roll-up")),
    Rule("S-ROLLUP-INPUT", T("汇总的输入有误", "Roll-up input invalid")),
    Rule("S-SETUP", T("加载项无法安装或构建", "Add-in cannot be built or installed")),
    Rule("S-SKIPPED", T("跳过的路径", "Path skipped")),
    Rule("S-STALE", T("成交日期已过", "Close date passed")),
    Rule("S-TABLE-MISSING", T("缺少表格", "Table missing")),
    Rule("S-TEMPLATE", T("不是标准工作簿", "Not a standard workbook")),
    Rule("S-UNREADABLE", T("无法读取的文件", "Unreadable file")),
    Rule("S-VALUE-CURRENCY", T("币种不是三位 ISO 代码", "Currency not a 3-letter ISO code")),
    Rule("S-VALUE-DATE", T("不是日期", "Not a date"), T(
        "日期列中的值不是可识别的日期：校验报告为错误，指明所在单元格和原因。",
        "A value in a date column is not a date kamxl can read: an error at its cell, with the reason.")),
    Rule("S-VALUE-NEGATIVE", T("负数", "Negative number")),
    Rule("S-VALUE-NUMBER", T("不是数字", "Not a number"), T(
        "应为数字的值无法读成数字（读取数字时出错的代码；校验中报告为所在列的规则）。",
        "A value that should be a number cannot be read as one (the number reader's error; validation reports it "
        "under its column's rule).")),
    Rule("S-VALUE-RANGE", T("超出范围", "Out of range")),
    Rule("S-VALUE-REQUIRED", T("必填项为空", "Required value missing")),
    Rule("S-VALUE-TYPE", T("取值类型不对", "Wrong kind of value"), T(
        "数字、金额、百分比或评分列中的值无法读成该类型：校验报告为错误，指明所在单元格和原因。",
        "A value in a number, money, percent or score column cannot be read as one: an error at its cell, with the "
        "reason.")),
    Rule("S-VALUE-YESNO", T("不是是或否", "Not yes or no"), T(
        "是否列中的值既不是是也不是否（没有更具体的方法论规则时）：校验报告为错误，指明所在单元格。",
        "A value in a yes-or-no column is neither yes nor no (where no methodology rule is more specific): an "
        "error at its cell.")),
    Rule("S-VERSION", T("模板版本不同", "Template version differs")),
)

RULES: dict[str, Rule] = {r.id: r for r in (*METHOD, *STRUCTURE)}
