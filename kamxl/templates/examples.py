"""Filled examples: the bundled sample data (kamxl/data/samples) laid into a template.

Cells get what a rep would type in that language (stage labels, 是/否 or Y/N — one spelling,
the dropdown's, the value-assessment answers included). The sample data keeps its mixed
spellings (Y, 1, 是, √, full width…): the readers and the validator are tested on those.
"""
from __future__ import annotations

from typing import Any

from kamxl.i18n import Lang
from kamxl.methodology import Config, parse_stage
from kamxl.methodology.values import is_blank, parse_date, parse_number, parse_yes_no
from kamxl.samples import sample_rows
from kamxl.schema.model import Column, Kind, Table, Template

YES_NO_LABEL = {"zh": ("是", "否"), "en": ("Y", "N")}


def typed(column: Column, raw: str, lang: Lang, config: Config) -> object:
    """The sample text as the cell a rep would fill in a ``lang`` template."""
    if is_blank(raw):
        return None
    if column.kind is Kind.STAGE:
        return parse_stage(raw, config=config).label(lang)
    if column.kind is Kind.CHOICE and column.vocabulary:
        return column.vocabulary.parse(raw).label(lang)
    if column.kind is Kind.YES_NO:
        yes, no = YES_NO_LABEL[lang]
        return yes if parse_yes_no(raw) else no
    if column.kind is Kind.DATE:
        return parse_date(raw)
    if column.kind in (Kind.MONEY, Kind.NUMBER, Kind.INTEGER, Kind.SCORE, Kind.PERCENT):
        return parse_number(raw)
    return raw


def table_rows(table: Table, records: list[dict[str, str]], lang: Lang, config: Config,
               rename: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Records (sample CSV rows) as rows of ``table``; ``rename`` maps column key -> CSV field."""
    fields = rename or {}
    rows = []
    for record in records:
        row = {}
        for column in table.columns:
            field = fields.get(column.key, column.key)
            if column.kind is not Kind.FORMULA and field in record:
                row[column.key] = typed(column, record[field], lang, config)
        rows.append(row)
    return rows


def funnel_example(template: Template, lang: Lang, config: Config) -> dict[str, list[dict[str, Any]]]:
    opportunities = sample_rows("opportunities", lang, config)
    return {
        "Opportunities": table_rows(template.table("Opportunities"), opportunities, lang, config,
                                    {"name": "opportunity"}),
        # Stage-01 opportunities nobody has assessed yet have no assessment row at all.
        "Assessment": table_rows(template.table("Assessment"),
                                 [r for r in opportunities if any(not is_blank(r[f"q{n:02d}"]) for n in range(1, 21))],
                                 lang, config),
        "Bids": table_rows(template.table("Bids"), sample_rows("bids", lang), lang, config),
        "Benchmarks": table_rows(template.table("Benchmarks"), sample_rows("benchmarks", config=config), lang, config),
    }


# the sample rep and his manager, named in each language's sample
FORECAST_OWNER = {"zh": "王磊", "en": "James Walker"}
FORECAST_MANAGER = {"zh": "孙建华", "en": "Richard Sun"}


def forecast_example(template: Template, lang: Lang, config: Config) -> dict[str, Any]:
    """One rep's quarterly forecast: the confirmed opportunities 王磊 (James Walker) is primary owner of."""
    from kamxl.methodology.vocabulary import FORECAST_LEVEL

    mine = [r for r in sample_rows("opportunities", lang, config)
            if r["owner"] == FORECAST_OWNER[lang] and parse_yes_no(r["confirmed"]) and r["status"] != "lost"]
    lines = table_rows(template.table("ForecastLines"), mine, lang, config, {"opportunity_id": "id"})
    for line, record in zip(lines, mine):
        line["owner_forecast"] = parse_number(record["amount"])
    return {
        "Forecast": {"owner": FORECAST_OWNER[lang], "level": FORECAST_LEVEL.get("rep").label(lang),
                     "manager": FORECAST_MANAGER[lang],
                     "period": "2026-Q4", "currency": config.forecast.currency,
                     "submitted_at": parse_date("2026-11-20"), "quota": 30_000_000.0},
        "ForecastLines": lines,
    }


# --- the account plan of 江澜电力集团 (M-PLAN-1..4, M-REL-1..6, M-ACC-6, M-SCORE-5) ----------------

PLAN_CUSTOMER = "江澜电力集团有限公司"
PLAN_CREDIT_CODE = "91320102748213655L"


def _d(text: str) -> object:
    return parse_date(text)


# (name, TOP-10 rank, title, department, role, distance, level, attitude, coach)
_CHAIN = (
    ("陈志远", 1, "总经理", "公司领导", "decision_maker", 1, "respect", "support", False),
    ("周国栋", 2, "董事长", "公司领导", "decision_maker", 1, "know", "neutral", False),
    ("沈卫东", 3, "副总经理（分管运维检修）", "公司领导", "approver", 1, "trust", "support", False),
    ("林海涛", 4, "总工程师（CTO）", "公司领导", "evaluator", 2, "accept", "neutral", False),
    ("钱立群", 5, "运维检修部总监", "运维检修部", "evaluator", 2, "trust", "support", False),
    ("赵敏", 6, "物资采购部总监", "物资采购部", "approver", 2, "know", "neutral", False),
    ("吴昊", 7, "数字化部主任", "数字化部（信息中心）", "evaluator", 2, "accept", "neutral", False),
    ("孙丽华", 8, "财务部总监", "财务部", "approver", 3, "contact", "neutral", False),
    ("顾晓明", 9, "变电运维室主任", "运维检修部", "user", 3, "partner", "support", True),
    ("黄建平", 10, "安全监察部主任", "安全监察部", "influencer", 3, "contact", "oppose", False),
    ("郑晓燕", None, "招标中心主管", "物资采购部", "influencer", 3, "know", "neutral", False),
    ("许文涛", None, "营销部主任", "营销部", "influencer", 4, "know", "neutral", False),
    ("刘振华", None, "配电运检室主任", "运维检修部", "user", 4, "respect", "support", False),
    ("马骏", None, "变电运维一班班长", "运维检修部", "user", 5, "trust", "support", False),
)

# TOP-10 relationship plan: (name, goal, strategy and measures, owner, due, progress)
_RELATIONSHIPS = (
    ("陈志远", "支持", "高层互访：我方总裁 11 月拜访，邀请参观苏州智能运检示范站", "高远", "2026-11-30",
     "已确定 11 月 26 日拜访"),
    ("周国栋", "不反对", "借集团数字化转型汇报会，由省公司标杆案例间接影响", "高远", "2027-01-31", "待安排"),
    ("沈卫东", "伙伴", "协助申报省公司科技进步奖，联合组织行业观摩会", "王磊", "2026-12-31", "申报材料初稿已提交"),
    ("林海涛", "支持", "技术交流：AI 缺陷识别算法专场，邀请其担任联合实验室技术顾问", "何静", "2026-11-15",
     "技术交流已完成，反馈正面"),
    ("钱立群", "伙伴", "试点站效果月报直送；共同制定 2027 年运检数字化规划", "王磊", "2026-12-15", "已按月报送"),
    ("赵敏", "支持", "提前沟通框架采购方式与评分办法，澄清价格构成", "孙建华", "2026-11-20", "已沟通一次"),
    ("吴昊", "支持", "提供 PMS3.0 / D5000 接口方案与等保三级测评报告，解决安全顾虑", "何静", "2026-11-30",
     "接口方案评审通过"),
    ("孙丽华", "不反对", "提供分期付款与全生命周期成本测算，证明投资回报", "孙建华", "2027-01-15", "未开始"),
    ("顾晓明", "伙伴", "保持每周沟通，邀请参与产品需求评审", "王磊", "2027-03-31", "每周例会"),
    ("黄建平", "不反对", "安全专题汇报：机器人巡检减少人员进站次数与作业风险", "杜明", "2026-12-20",
     "已约 12 月安全例会"),
)

# (dimension, need, priority, our response, owner)
_NEEDS = (
    ("application", "220kV 变电站巡检由人工转为机器人 + 视频联动，巡检效率提升 50% 以上", "high",
     "智能巡检机器人及联动平台，试点站三个月见效", "何静"),
    ("application", "配电房无人值守，故障定位到设备，抢修时间缩短 30%", "high",
     "配电房智能运维平台二期，接入 3200 座配电房", "杜明"),
    ("application", "7×24 本地化运维服务，两小时到场", "medium", "省会设服务中心，试点期驻场 2 人", "杜明"),
    ("relationship", "希望供应商成为长期战略伙伴，共同打造行业示范", "medium",
     "提议共建“智能运检联合创新实验室”", "高远"),
    ("relationship", "框架协议下分批采购，三年价格稳定", "medium", "提供三年框架价格与年度调价机制", "孙建华"),
    ("personal", "沈副总：年内打造系统内标杆示范项目", "high", "协助申报科技进步奖，组织行业观摩会", "王磊"),
    ("personal", "顾主任：减轻班组夜间巡检压力，安全指标达标", "medium", "机器人夜巡，告警推送到手机", "王磊"),
    ("technical", "与 PMS3.0、调度 D5000 系统对接，数据不重复录入", "high",
     "标准接口适配，已在两家省级电网公司上线", "何静"),
    ("technical", "满足电力监控系统安全防护规定（等保三级、安全分区）", "high",
     "提供等保三级测评报告，部署于安全 III 区", "何静"),
    ("technical", "信创国产化：国产芯片与操作系统", "low", "麒麟操作系统与国产芯片适配认证", "何静"),
)

# (amount below, approver, note): seed 003's example, amounts in CNY
_DECISION_MODEL = (
    (100_000_000, "分管副总经理（沈卫东）", "1 亿元以下"),
    (200_000_000, "总经理（陈志远）", "1 亿至 2 亿元"),
    (500_000_000, "总经理 + 5 位副总经理（总经理办公会）", "2 亿至 5 亿元"),
    (None, "董事会", "5 亿元及以上须董事会审议"),
)

# (selling point, uniqueness, value, evidence)
_SELLING_POINTS = (
    ("机器人 + 视频 + 在线监测三位一体联动巡检", 8, 9, "苏州 220kV 示范站：巡检效率提升 62%"),
    ("AI 缺陷识别准确率 98%（红外 + 可见光）", 9, 8, "第三方检测报告，2026 年 6 月"),
    ("已在两家省级电网公司规模化上线", 7, 8, "两家省公司共 46 座变电站在运"),
    ("与 PMS3.0 / D5000 标准接口适配", 7, 7, "接口适配证明，省公司验收报告"),
    ("本地化 7×24 服务，两小时到场", 5, 8, "省会服务中心，12 名工程师"),
    ("信创国产化适配认证", 6, 7, "麒麟操作系统兼容性认证"),
    ("开放平台，可接入第三方设备", 6, 5, "已接入 11 家厂商设备"),
    ("报价低于主要竞品约 10%", 3, 6, "上一轮询价对比"),
)

# (goal, measure, target, due, owner)
_GOALS = (
    ("2027 年度在江澜电力签约额达到 2000 万元", "签约金额（元）", 20_000_000, "2027-03-31", "王磊"),
    ("220kV 变电站智能巡检项目中标", "中标金额（元）", 6_850_000, "2027-01-20", "王磊"),
    ("TOP10 关键人中支持我方的达到 8 人", "支持者人数", 8, "2027-03-31", "孙建华"),
)

# (phase, key action, owner, due, status, review note)
_ACTIONS = (
    ("关系突破", "我方总裁拜访陈总，邀请参观苏州示范站", "高远", "2026-11-26", "in_progress", "行程已确认"),
    ("关系突破", "安全监察部专题汇报，化解黄主任顾虑", "杜明", "2026-12-20", "open", ""),
    ("方案引导", "AI 缺陷识别技术交流会", "何静", "2026-10-28", "done", "林总工反馈正面，要求补充夜间识别数据"),
    ("方案引导", "提交 PMS3.0 / D5000 接口方案与等保测评报告", "何静", "2026-11-15", "done", "数字化部评审通过"),
    ("方案引导", "配合编制 220kV 智能巡检技术规范书", "何静", "2026-11-30", "in_progress", "已提交初稿"),
    ("投标", "投标文件编制与内部评审", "王磊", "2026-12-20", "open", ""),
    ("投标", "商务澄清与二次报价策略", "孙建华", "2027-01-10", "open", ""),
    ("交付与复制", "配电房运维平台二期合同谈判", "王磊", "2026-12-18", "in_progress", "付款条件待财务部确认"),
    ("交付与复制", "申报省公司科技进步奖（与沈副总联合）", "王磊", "2027-02-28", "open", ""),
    ("总结检查", "季度经营计划回顾与修正", "孙建华", "2027-03-31", "open", ""),
)

# M-REL-2: each chain person's layer, in _CHAIN's order (the English example's too): the
# chairman and president organisational; the executives and department heads who decide key;
# section heads, team leads and the tender office extensive.
_CHAIN_LAYERS = ("organisational", "organisational", "key", "key", "key", "key", "key", "key", "extensive", "key",
                 "extensive", "extensive", "extensive", "extensive")

# M-REL-4: the second responsible person of each TOP-10 relationship, in _RELATIONSHIPS' order
_SECOND_OWNERS = ("王磊", "孙建华", "孙建华", "王磊", "杜明", "王磊", None, "王磊", "杜明", "王磊")

# M-REL-5: (name, kind, organisation, title, how they help, relationship level)
_COACHES = (
    ("顾晓明", "insider", "江澜电力运维检修部", "变电运维室主任", "提前告知评分办法与竞品动向，参与技术评审", "partner"),
    ("方志诚", "retired_executive", "江澜电力（已退休）", "原副总经理，现任顾问", "引荐董事长周国栋，解读集团决策习惯",
     "trust"),
    ("李卓", "consultancy", "衡泰咨询", "电力行业合伙人", "参与编制集团数字化规划，了解 2027 年预算分配", "respect"),
)

# M-PLAN-1: route, strategy and the last review
_PLAN_REVIEW = {
    "route": "技术交流与试点站见效（2026 年四季度）→ 220kV 智能巡检中标（2027 年 1 月）→ 配电房平台二期签约 → "
             "全省推广并进入邻省电网",
    "strategy": "以运维检修部为突破口，聚焦智能巡检与配电房运维两条产品线；以苏州示范站和两家省公司上线案例证明效果，"
                "以本地化服务与信创适配区别于竞品，不打价格战",
    "reviewed_on": "2026-10-15",
    "reviewer": "孙建华",
    "revision": "2027 年目标由 1500 万元上调至 2000 万元；新增安全监察部关系突破；投标时间提前到 2027 年 1 月",
}

# M-PLAN-5: how this class of account is managed
_CLASS_STRATEGY = "A 类保持：高层每季度互访，客户经理每周拜访，配专属售前与服务经理，资源优先保障"

# (area, type, size in CNY, priority, basis, owner)
_GROWTH_OPPORTUNITIES = (
    ("配电房智能运维平台二期", "老产品扩量", 4_280_000, "high",
     "一期 800 座配电房上线后抢修时间缩短 35%，客户计划 2027 年接入 3200 座", "王磊"),
    ("全省 220kV 变电站智能巡检推广", "新区域复制", 12_000_000, "high",
     "412 座 220kV 站中仅 46 座完成智能化，2027 年覆盖率目标 60%", "王磊"),
    ("储能电站在线监测", "新产品导入", 3_500_000, "medium", "2026 年新增储能电站 9 座，运检部询问过监测方案", "何静"),
    ("运维服务外包", "新服务", 1_800_000, "low", "夜间巡检人员缺口约 120 人，服务采购预算逐年上升", "杜明"),
)

# (shared objective, customer's commitment, ours, measures and steps, owner, date)
_JOINT_PLAN = (
    ("2027 年 220kV 站智能巡检覆盖率达到 60%", "开放 30 座试点站的停电窗口，数据接入 PMS3.0",
     "三个月内完成首批 30 座站部署，驻场 2 人", "分三批部署，每批验收后推进下一批", "王磊", "2027-06-30"),
    ("配电房故障抢修时间缩短 30%", "提供近两年抢修工单数据，指定运检部对接人", "平台二期上线，按月出具抢修效率报告",
     "二期合同签订 → 接入 3200 座配电房 → 月度复盘", "杜明", "2027-09-30"),
    ("共建智能运检联合创新实验室", "提供实验场地与运维专家", "投入算法团队 5 人与测试设备", "联合申报省公司科技项目",
     "高远", "2027-03-31"),
)

# (measure, target, actual, checked on, adjustment)
_EXECUTION = (
    ("2026 年签约额（元）", 5_000_000, 4_200_000, "2026-11-15", "配电房二期合同提前到 12 月签订，补足差额"),
    ("试点站巡检工时节省（%）", 50, 62, "2026-11-15", ""),
    ("TOP10 中支持我方的人数", 8, 4, "2026-11-15", "安全监察部与财务部专项突破：安全专题汇报、全生命周期成本测算"),
    ("试点站缺陷发现数（个）", 120, 131, "2026-11-15", ""),
)

# (success, replicate to, owner, due, status)
_ROLLOUT = (
    ("苏州示范站机器人与视频联动巡检方案", "江澜电力 13 家地市供电公司", "王磊", "2027-12-31", "open"),
    ("配电房运维平台二期经验", "邻省两家电网公司", "孙建华", "2028-06-30", "open"),
    ("联合实验室合作模式", "华东区域其他省级电网", "高远", "2028-12-31", "open"),
)

# M-SCORE-5: what the rep knows, per checklist question (48 of 80 answered).
_CHECKLIST_ANSWERS = {
    "C1.1": "220kV 站智能巡检与配电房无人值守运维",
    "C1.2": "运维人员不足，巡检质量难保证；目标是减员增效、提升供电可靠率",
    "C1.3": "沈卫东副总经理",
    "C1.4": "运维检修部、数字化部、物资采购部、安全监察部",
    "C2.1": "省内输配电与售电服务",
    "C2.2": "省内 13 个地市",
    "C2.4": "国网数字化转型考核、新型电力系统建设、人员老龄化",
    "C3.1": "收入年增约 6%，利润率稳定在 3% 左右",
    "C3.3": "供电可靠率、线损率、安全生产天数",
    "C4.1": "2027 年运检数字化预算约 1.2 亿元，2026 年 12 月下达",
    "C4.2": "地市公司申报，省公司运检部汇总，总经理办公会审批",
    "C4.3": "运检数字化列为 2027 年前三项重点",
    "C5.1": "省公司考核要求 2027 年 220kV 站智能巡检覆盖率 60%",
    "C5.2": "2027 年 1 月开标",
    "U1.1": "685 万元（智能巡检）+ 428 万元（配电房二期）",
    "U1.2": "是，高于 300 万元的大项目标准",
    "U1.3": "2026 年 12 月至 2027 年 1 月",
    "U2.1": "2027 年约 2000 万元，三年累计约 6000 万元",
    "U2.3": "全省 220kV 站推广，并带动配网与储能监测",
    "U3.1": "毛利率约 32%",
    "U3.4": "框架价折扣约 8%，毛利仍高于底线",
    "U4.1": "夜间识别准确率需现场验证",
    "U4.2": "接口按期打通、试点站三个月见效",
    "U4.3": "现场施工窗口受停电计划限制",
    "U5.1": "省级电网标杆案例，可在华东推广",
    "U5.2": "符合公司电力行业深耕战略",
    "U5.3": "以此案例进入邻省电网公司",
    "K1.1": "技术 50%、商务 40%、服务 10%",
    "K1.2": "公开招标，二次报价，总经理办公会定标",
    "K1.3": "技术分：AI 识别准确率与接口适配",
    "K1.4": "林海涛总工与运维检修部",
    "K2.1": "覆盖巡检、告警、工单闭环全流程",
    "K2.2": "技术领先，价格偏高",
    "K2.3": "夜间识别数据与本地化服务人数",
    "K3.1": "销售 1 人 + 售前 2 人，约 3 个月",
    "K3.5": "与博衡智控相当，行业经验更深",
    "K4.1": "整体处于“尊重”层次，运检部已到“信任”",
    "K4.2": "凌川电气与采购部关系较好",
    "K4.3": "沈卫东副总、钱立群总监",
    "K5.1": "三位一体联动巡检，减少人员进站",
    "K5.2": "以巡检工时与缺陷发现率衡量",
    "K6.1": "顾晓明、钱立群",
    "K6.2": "提前告知评分办法与竞品动向",
    "K6.3": "愿意，且能参与技术评审",
    "K7.1": "安全第一、稳健保守、重视体系内口碑",
    "K8.2": "沈副总看重示范项目的影响力",
    "K9.1": "陈志远总经理",
    "K10.1": "陈总、沈副总、林总工",
}


def _plan_data(lang: Lang) -> dict[str, Any]:
    """The account plan example's content in ``lang``: Chinese here, English in plan_example_en."""
    if lang == "en":
        from kamxl.templates import plan_example_en as en

        return {"customer": en.PLAN_CUSTOMER, "profile": en.PROFILE, "chain": en.CHAIN,
                "relationships": en.RELATIONSHIPS, "needs": en.NEEDS, "decision_model": en.DECISION_MODEL,
                "selling_points": en.SELLING_POINTS, "goals": en.GOALS, "actions": en.ACTIONS,
                "answers": en.CHECKLIST_ANSWERS, "second_owners": en.SECOND_OWNERS, "coaches": en.COACHES,
                "review": en.PLAN_REVIEW, "class_strategy": en.CLASS_STRATEGY,
                "growth": en.GROWTH_OPPORTUNITIES, "joint_plan": en.JOINT_PLAN, "execution": en.EXECUTION,
                "rollout": en.ROLLOUT}
    return {"customer": PLAN_CUSTOMER, "profile": _PROFILE, "chain": _CHAIN, "relationships": _RELATIONSHIPS,
            "needs": _NEEDS, "decision_model": _DECISION_MODEL, "selling_points": _SELLING_POINTS,
            "goals": _GOALS, "actions": _ACTIONS, "answers": _CHECKLIST_ANSWERS, "second_owners": _SECOND_OWNERS,
            "coaches": _COACHES, "review": _PLAN_REVIEW, "class_strategy": _CLASS_STRATEGY,
            "growth": _GROWTH_OPPORTUNITIES, "joint_plan": _JOINT_PLAN, "execution": _EXECUTION,
            "rollout": _ROLLOUT}


_PROFILE = {
    "industry": "电力（输配电）",
    "target_criterion": "公共事业；国资委监管企业；省内电网行业 TOP1",
    "basic_facts": "省级电网企业，员工约 3.2 万人，下辖 13 家地市供电公司；管理 220kV 变电站 412 座、"
                   "10kV 配电房约 3.2 万座",
    "strategy": "“十五五”建设新型电力系统与数字化电网；2027 年 220kV 站智能巡检覆盖率 60%，"
                "配电房无人值守率 50%",
    "culture": "安全第一、稳健保守；决策重视试点数据与系统内标杆案例，供应商须长期可靠",
    "pain_points": "运维人员老龄化、夜间巡检难；配电房数量多、故障定位慢；各系统数据孤岛",
    "revenue_trend": "2023–2025 年营业收入 1180 亿 → 1260 亿 → 1335 亿元，年增约 6%",
    "profit_trend": "利润总额约 38–41 亿元，利润率稳定在 3% 左右",
    "peers": "与邻省两家电网公司规模相当，数字化投入占比略低，智能巡检覆盖率落后约 15 个百分点",
    "kpis": "供电可靠率 99.97%、综合线损率 < 4.2%、安全生产天数、数字化转型考核排名",
}


def account_plan_example(template: Template, lang: Lang, config: Config) -> dict[str, Any]:
    """The account plan a rep keeps for 江澜电力集团 (sample customer of the funnel example),
    written in the template's language (English: :mod:`kamxl.templates.plan_example_en`);
    every enumeration is what the template's language lists in its dropdowns."""
    from kamxl.methodology.checklist import checklist
    from kamxl.methodology.vocabulary import (
        ACCOUNT_DECISION, ACTION_STATUS, ATTITUDE, COACH_KIND, DECISION_ROLE, NEED_DIMENSION, PRIORITY,
        RELATIONSHIP_LAYER, RELATIONSHIP_LEVEL,
    )

    yes, no = YES_NO_LABEL[lang]
    d = _plan_data(lang)
    account = next(r for r in sample_rows("accounts", lang) if r["customer"] == d["customer"])
    chain = {row[0]: row for row in d["chain"]}

    def level(key: str) -> str:
        return RELATIONSHIP_LEVEL.get(key).label(lang)

    return {
        "Profile": {
            "customer": d["customer"],
            "credit_code": PLAN_CREDIT_CODE,
            "account_manager": account["account_manager"],
            **d["profile"],
        },
        "Needs": [
            {"dimension": NEED_DIMENSION.get(dim).label(lang), "need": need, "priority": PRIORITY.get(p).label(lang),
             "response": response, "owner": owner}
            for dim, need, p, response, owner in d["needs"]
        ],
        "DecisionChain": [
            {"name": name, "top10_rank": rank, "title": title, "department": department,
             "layer": RELATIONSHIP_LAYER.get(layer).label(lang),
             "role": DECISION_ROLE.get(role).label(lang), "distance": distance, "level": level(lvl),
             "attitude": ATTITUDE.get(attitude).label(lang), "coach": yes if coach else no}
            for (name, rank, title, department, role, distance, lvl, attitude, coach), layer
            in zip(d["chain"], _CHAIN_LAYERS, strict=True)
        ],
        "RelationshipPlan": [
            {"rank": chain[name][1], "name": name, "title": chain[name][2], "level": level(chain[name][6]),
             "goal": goal, "strategy": strategy, "owner": owner, "second_owner": second,
             "due": _d(due), "progress": progress}
            for (name, goal, strategy, owner, due, progress), second
            in zip(d["relationships"], d["second_owners"], strict=True)
        ],
        "Coaches": [
            {"name": name, "kind": COACH_KIND.get(kind).label(lang), "organisation": organisation, "title": title,
             "help": help_, "level": level(lvl)}
            for name, kind, organisation, title, help_, lvl in d["coaches"]
        ],
        "DecisionModel": [
            {"amount": None if amount is None else float(amount), "approver": approver, "note": note}
            for amount, approver, note in d["decision_model"]
        ],
        "Approval": {"opportunity": "OPP-2026-0001", "amount": 6_850_000.0},
        "SellingPoints": [
            {"point": point, "uniqueness": u, "value": v, "evidence": evidence}
            for point, u, v, evidence in d["selling_points"]
        ],
        "Evaluation": {
            "contribution": parse_number(account["contribution"]),
            "potential": parse_number(account["potential"]),
            "satisfaction": parse_number(account["satisfaction"]),
            "evaluated_on": _d("2026-10-15"),
            "decision": ACCOUNT_DECISION.get("keep").label(lang),
        },
        "PlanReview": {**d["review"], "reviewed_on": _d(d["review"]["reviewed_on"])},
        "GrowthClass": {"class_strategy": d["class_strategy"]},
        "GrowthOpportunities": [
            {"area": area, "kind": kind, "size": float(size), "priority": PRIORITY.get(p).label(lang),
             "basis": basis, "owner": owner}
            for area, kind, size, p, basis, owner in d["growth"]
        ],
        "JointPlan": [
            {"objective": objective, "customer_commitment": theirs, "our_commitment": ours, "measures": measures,
             "owner": owner, "due": _d(due)}
            for objective, theirs, ours, measures, owner, due in d["joint_plan"]
        ],
        "Execution": [
            {"measure": measure, "target": float(target), "actual": float(actual), "checked_on": _d(checked),
             "adjustment": adjustment or None}
            for measure, target, actual, checked, adjustment in d["execution"]
        ],
        "Rollout": [
            {"success": success, "where": where, "owner": owner, "due": _d(due),
             "status": ACTION_STATUS.get(status).label(lang)}
            for success, where, owner, due, status in d["rollout"]
        ],
        "Goals": [
            {"goal": goal, "measure": measure, "target": float(target), "due": _d(due), "owner": owner}
            for goal, measure, target, due, owner in d["goals"]
        ],
        "Actions": [
            {"phase": phase, "action": action, "owner": owner, "due": _d(due),
             "status": ACTION_STATUS.get(status).label(lang), "review": review or None}
            for phase, action, owner, due, status, review in d["actions"]
        ],
        "Checklist": [{"answer": d["answers"].get(q.id)} for area in checklist() for q in area.questions],
    }


def register_example(template: Template, lang: Lang, config: Config) -> dict[str, list[dict[str, Any]]]:
    """The customer register of the sample company: the funnel's customers with their account
    managers, classes and evaluations, a few newly registered ones not classified yet, and
    the history of changes that brought the register where it is (M-ACC-1..6)."""
    return {"Customers": table_rows(template.table("Customers"), sample_rows("register", lang), lang, config),
            "History": table_rows(template.table("History"), sample_rows("register_history", lang), lang, config)}
