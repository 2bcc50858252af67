"""The methodology's closed vocabularies (enumerations), each term in zh and en.

Templates build dropdowns from these, readers parse cells with them and validation
names them in messages: one source of truth per term. A cell may hold the stable key,
the zh label or the en label (or an alias), in any case or width.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kamxl.errors import InputError
from kamxl.i18n import Lang, Text
from kamxl.methodology.values import _NO, _YES, fold, is_blank

NOT_IN_LIST = Text(
    zh="{value!r} 不是有效的{name_zh}：可选 {choices_zh}",
    en="{value!r} is not a valid {name_en}: choose one of {choices_en}",
)


@dataclass(frozen=True)
class Term:
    key: str
    text: Text
    aliases: tuple[str, ...] = ()

    def label(self, lang: Lang) -> str:
        return self.text(lang)


@dataclass(frozen=True)
class Vocabulary:
    name: Text
    rule: str
    terms: tuple[Term, ...]
    _index: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Term] = {}
        for term in self.terms:
            for spelling in (term.key, term.text.zh, term.text.en, *term.aliases):
                index[fold(spelling)] = term
        object.__setattr__(self, "_index", index)

    def labels(self, lang: Lang) -> list[str]:
        return [t.label(lang) for t in self.terms]

    def get(self, key: str) -> Term:
        return next(t for t in self.terms if t.key == key)

    def parse(self, value: object) -> Term | None:
        """The term a cell means, None for a blank cell; InputError for anything else."""
        if is_blank(value):
            return None
        term = self._index.get(fold(value))
        if term is None:
            raise InputError(self.rule, NOT_IN_LIST, {
                "value": value, "name_zh": self.name.zh, "name_en": self.name.en,
                "choices_zh": "、".join(self.labels("zh")), "choices_en": ", ".join(self.labels("en"))})
        return term


def _vocab(name: Text, rule: str, *terms: tuple[str, str, str] | tuple[str, str, str, tuple[str, ...]]) -> Vocabulary:
    return Vocabulary(name, rule, tuple(Term(t[0], Text(t[1], t[2]), *t[3:]) for t in terms))


# M-FUN-4: an opportunity is open until the last stage (08 by default) says won or lost.
STATUS = _vocab(Text("状态", "status"), "M-FUN-4",
                ("open", "进行中", "Open", ("跟进中", "active")),
                ("won", "赢单", "Won", ("成交", "已赢单", "closed won")),
                ("lost", "丢单", "Lost", ("失单", "已丢单", "closed lost")))

# M-FC-2: forecast categories, from least to most certain (CRM convention).
FORECAST_CATEGORY = _vocab(Text("预测类别", "forecast category"), "M-FC-2",
                           ("omitted", "不计入", "Omitted"),
                           ("pipeline", "管道", "Pipeline"),
                           ("best_case", "最佳情况", "Best case", ("best case", "upside")),
                           ("commit", "承诺", "Commit", ("committed",)),
                           ("closed", "已成交", "Closed", ("closed won",)))

# M-FC-4: the levels a forecast is made at, each rolling up into the next.
FORECAST_LEVEL = _vocab(Text("预测层级", "forecast level"), "M-FC-4",
                        ("rep", "客户经理", "Rep", ("销售代表", "account manager")),
                        ("team", "团队", "Team"),
                        ("region", "大区", "Region"),
                        ("bu", "事业部", "Business unit", ("bu", "division")))

# M-FUN-3: health bands of a stage.
HEALTH_BAND = _vocab(Text("健康度", "health band"), "M-FUN-3",
                     ("excellent", "优秀", "Excellent"),
                     ("good", "良好，需关注", "Good, watch the trend", ("良好", "good")),
                     ("warning", "预警", "Warning"))

# M-REL-1: relationship levels, low to high (order matters: ordinal = position + 1).
RELATIONSHIP_LEVEL = _vocab(Text("关系层级", "relationship level"), "M-REL-1",
                            ("contact", "接触", "Contact"),
                            ("know", "了解", "Know"),
                            ("accept", "接受", "Accept"),
                            ("respect", "尊重", "Respect"),
                            ("trust", "信任", "Trust"),
                            ("partner", "伙伴", "Partner"))

# M-ACC-6: account classes and what each means for the account (优胜劣汰).
ACCOUNT_CLASS = _vocab(Text("客户等级", "account class"), "M-ACC-6",
                       ("A", "A 类：保持", "A: keep"),
                       ("B", "B 类：发展", "B: develop"),
                       ("C", "C 类：降级", "C: downgrade"),
                       ("D", "D 类：退出", "D: exit"))

# M-BID-1: key-account project (bid) attributes where seed 001 §五 lists the values.
SALES_MODE = _vocab(Text("销售方式", "sales mode"), "M-BID-1",
                    ("bid", "投标", "Bid"), ("spot", "批点", "Spot purchase"), ("distribution", "分销", "Distribution"))
# The seed's own wording is each term's zh label (what the dropdown offers and the reader
# normalises to); earlier kamxl labels and the short forms people write stay accepted.
TENDER_MODE = _vocab(Text("招标方式", "tender mode"), "M-BID-1",
                     ("open_single", "公开开标且仅一次报价", "Open, one quote only",
                      ("公开开标一次报价", "open, one quote", "open tender, one quote")),
                     ("open_double", "公开开标可二次报价", "Open, second quote allowed",
                      ("公开开标二次报价", "open, two quotes", "open tender, two quotes")),
                     ("negotiated", "议标", "Negotiated", ("negotiated tender",)),
                     ("framework", "统签", "Framework", ("framework agreement",)))
BID_SCHEME = _vocab(Text("投标方案", "bid scheme"), "M-BID-1",
                    ("direct", "企业直接投标", "Direct bid", ("直接投标", "company bids directly")),
                    ("agent_one", "一家代理投一种方案", "One agent, one scheme", ("一家代理一种方案",)),
                    ("joint", "企业与代理共同投多种方案", "Company and agents, several schemes",
                     ("企业与代理多种方案",)),
                    ("agents_many", "多家代理投多种方案", "Several agents, several schemes", ("多家代理多种方案",)))
LOCAL_IMPACT = _vocab(Text("对当地影响", "local impact"), "M-BID-1",
                      ("extreme", "影响特别大", "Extreme", ("特别大",)), ("very_large", "影响特大", "Very large", ("特大",)),
                      ("medium", "影响中等", "Medium", ("中等",)), ("ordinary", "影响一般", "Ordinary", ("一般",)))
RELATIONSHIP_CONTROL = _vocab(Text("客户关系度", "relationship control"), "M-BID-1",
                              ("absolute", "非常到位", "Absolute control (>80%)",
                               ("非常到位（>80%）", "绝对控制", ">80%", "大于80%", "absolute", "absolute (>80%)")),
                              ("considerable", "比较到位", "Considerable control (>60%)",
                               ("比较到位（>60%）", "相当控制", ">60%", "大于60%", "considerable", "considerable (>60%)")),
                              ("weak", "一般", "Weak (<30%)", ("一般（<30%）", "把握不大", "<30%", "小于30%", "weak")),
                              ("unknown", "目前无法判断控制程度", "Cannot judge yet",
                               ("无法判断", "未知", "unknown", "cannot judge")))
# M-BID-1: what the tender is evaluated on above all (seed: 价格、服务、技术和商务).
EVALUATION_PRINCIPLE = _vocab(Text("评标原则", "evaluation principle"), "M-BID-1",
                              ("price", "价格", "Price", ("价格优先", "lowest price")),
                              ("service", "服务", "Service", ("服务优先",)),
                              ("technical", "技术", "Technical", ("技术优先", "technology")),
                              ("commercial", "商务", "Commercial", ("商务优先", "business terms")))

# M-FUN-5: stage 02 finds out the budget (查明项目预算); how far that has got. Older funnels
# (template version 2) said yes/no "budget confirmed": every yes (是, Y, TRUE, 1, √…) reads as
# approved, every no as unknown.
BUDGET_STATUS = _vocab(Text("预算状态", "budget status"), "M-FUN-5",
                       ("unknown", "未知", "Unknown", ("不清楚", *sorted(_NO))),
                       ("clarifying", "查明中", "Being clarified", ("了解中", "clarifying")),
                       ("identified", "已查明", "Identified", ("已了解", "known")),
                       ("approved", "已批准", "Approved", ("已落实", "secured", "confirmed", *sorted(_YES))))

# M-PLAN-3: the three dimensions of a customer's needs, plus technical/system needs.
NEED_DIMENSION = _vocab(Text("需求维度", "need dimension"), "M-PLAN-3",
                        ("application", "应用及服务", "Application & service", ("应用", "服务")),
                        ("relationship", "关系及合作", "Relationship & cooperation", ("关系", "合作", "cooperation")),
                        ("personal", "个人需求", "Personal", ("个人", "personal need")),
                        ("technical", "技术及系统", "Technical & system", ("技术", "系统", "system")))

# M-PLAN-3: how much a need matters to the customer.
PRIORITY = _vocab(Text("优先级", "priority"), "M-PLAN-3",
                  ("high", "高", "High", ("H",)),
                  ("medium", "中", "Medium", ("M", "mid")),
                  ("low", "低", "Low", ("L",)))

# M-REL-3: the part a person plays in the customer's decision chain.
DECISION_ROLE = _vocab(Text("决策角色", "decision role"), "M-REL-3",
                       ("decision_maker", "决策者", "Decision maker", ("决策人", "decision-maker")),
                       ("approver", "审批者", "Approver", ("审批人",)),
                       ("evaluator", "评估者", "Evaluator", ("评估人", "技术评估")),
                       ("user", "使用者", "User", ("使用人", "用户")),
                       ("influencer", "影响者", "Influencer", ("影响人",)))

# M-REL-3, M-REL-4: where a person stands on us (the relationship plan's goal, e.g. not oppose / support).
ATTITUDE = _vocab(Text("态度", "attitude"), "M-REL-3",
                  ("support", "支持", "Support", ("supporter", "支持者")),
                  ("neutral", "中立", "Neutral"),
                  ("oppose", "反对", "Oppose", ("opposed", "反对者")))

# M-ACC-6: what the periodic evaluation decides for the account (优胜劣汰).
ACCOUNT_DECISION = _vocab(Text("评估结论", "account decision"), "M-ACC-6",
                          ("keep", "保持", "Keep"),
                          ("develop", "发展", "Develop"),
                          ("downgrade", "降级", "Downgrade"),
                          ("exit", "退出", "Exit"))

# M-PLAN-6: the state of an action in the account plan; open actions past their due date are overdue.
ACTION_STATUS = _vocab(Text("行动状态", "action status"), "M-PLAN-6",
                       ("open", "未开始", "Open", ("not started", "待开始")),
                       ("in_progress", "进行中", "In progress", ("ongoing", "doing")),
                       ("done", "已完成", "Done", ("完成", "completed", "closed")))

# M-ACC-1: where a customer's information came from (seed 001 §一: marketing events, channels,
# online sales, service, purchased customer information), and the other ways a register hears of one.
CUSTOMER_SOURCE = _vocab(Text("信息来源", "source"), "M-ACC-1",
                         ("marketing", "市场活动", "Marketing event", ("marketing event", "event")),
                         ("channel", "渠道", "Channel", ("渠道管理", "partner")),
                         ("online", "网上销售", "Online", ("网络", "online sales", "web")),
                         ("service", "维修服务", "Service", ("服务", "after-sales")),
                         ("purchased", "客户信息购买", "Purchased list", ("购买", "purchased")),
                         ("referral", "客户推荐", "Referral", ("推荐",)),
                         ("visit", "客户拜访", "Sales visit", ("拜访", "visit")),
                         ("other", "其他", "Other"))

# M-REL-2 (seed 003 均衡的客户关系): the three layers of relationships a key account needs, each
# worked: organisational (board, CEO: drives the market long term), key decision-maker (the
# CXOs deciding a project), extensive (managers and engineers: the climate for every sale).
RELATIONSHIP_LAYER = _vocab(Text("关系层面", "relationship layer"), "M-REL-2",
                            ("organisational", "组织客户关系", "Organisational",
                             ("组织", "organizational", "organisation relationship", "organization relationship")),
                            ("key", "关键客户关系", "Key decision-maker",
                             ("关键", "key-decision-maker", "key decision maker", "key-decision-maker relationship")),
                            ("extensive", "普遍客户关系", "Extensive", ("普遍", "extensive relationship")))

# M-REL-5 (seed 003 “谁”可以成为教练): who can coach us — someone inside the customer, or one of
# the outsiders the seed names.
COACH_KIND = _vocab(Text("教练来源", "coach kind"), "M-REL-5",
                    ("insider", "内部：客户关键岗位人员", "Inside: key customer staff",
                     ("客户关键岗位人员", "内部", "内线", "insider", "inside")),
                    ("retired_executive", "外部：退休的高管", "Outside: retired executive",
                     ("退休的CXO", "退休高管", "退休的 CXO", "retired CXO", "retired executive")),
                    ("investment_bank", "外部：投资银行", "Outside: investment bank", ("投资银行", "investment bank")),
                    ("consultancy", "外部：咨询公司", "Outside: consultancy", ("咨询公司", "consultancy", "consultant")),
                    ("government", "外部：政府", "Outside: government", ("政府", "government")),
                    ("partner", "外部：合作伙伴或友商", "Outside: partner or friendly vendor",
                     ("合作伙伴", "友商", "合作伙伴&友商", "partner", "friendly vendor")))
