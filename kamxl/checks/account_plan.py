"""Account plan checks: M-REL-2 (all three relationship layers worked), M-REL-3 (decision chain
TOP-10 = relationship table TOP-10), M-REL-4 (a first responsible person per relationship),
M-REL-5 (a coach, inside or outside the customer), M-PLAN-1 (route, strategy, review on time),
M-PLAN-5 (the joint business plan's commitments and dates, missed targets adjusted), M-PLAN-6
(overdue open actions), M-SCORE-5 (checklist coverage)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.methodology import check_top_ten
from kamxl.methodology.relationships import TOP_N
from kamxl.methodology.vocabulary import RELATIONSHIP_LAYER

TOP10 = Text("决策链 TOP10 与关系评估表不一致：仅在决策链 {chain}；仅在评估表 {table}",
             "decision chain TOP-10 differs from the relationship table: only in the chain {chain}; only in the table {table}")
TOP10_FIX = Text("两张表的 TOP10 人员应完全一致", "both must list exactly the same ten people")
RANK_TWICE = Text("TOP10 排名 {rank} 被用了 {n} 次", "TOP-10 rank {rank} is used {n} times")
RANK_FIX = Text("每个排名只给一人", "give each rank to one person")
NO_COACH = Text("还没有教练：决策链中无人标为教练，教练表也是空的",
                "no coach: nobody in the decision chain is marked coach and the coaches table is empty")
NO_COACH_FIX = Text("发展一位教练：客户内部的在决策链中标注，外部的（退休高管、投资银行、咨询公司、政府、合作伙伴）记入教练表",
                    "develop a coach: mark one inside the customer in the chain, or list an outsider (retired "
                    "executive, investment bank, consultancy, government, partner) in the coaches table")
LAYER_MISSING = Text("决策链中没有{missing}层面的人", "the decision chain has nobody in these layers: {missing}")
LAYER_FIX = Text("组织、关键、普遍三个层面的客户关系都要经营（均衡的客户关系）",
                 "work all three layers, organisational, key decision-maker and extensive (balanced relationships)")
NO_FIRST = Text("{name} 的关系改进没有第一责任人", "the relationship with {name} has no first responsible person")
NO_FIRST_FIX = Text("为每段关系指定第一责任人，第二责任人可选", "name a first responsible person; a second is optional")
NO_ROUTE = Text("经营计划有目标，却没有“{field}”", "the plan has goals but no {field}")
NO_ROUTE_FIX = Text("写明实现目标的路径和客户层面策略", "write the route to the goals and the account strategy")
REVIEW_OVERDUE = Text("经营计划上次总结检查于 {reviewed}，应在 {due} 前再检查", "the plan was last reviewed on "
                      "{reviewed} and was due for review by {due}")
REVIEW_FIX = Text("总结检查并修正计划，填写新的检查日期", "review and revise the plan, and enter the new review date")
NO_COMMITMENT = Text("联合生意计划“{objective}”缺少{side}", "the joint plan '{objective}' has no {side}")
NO_COMMITMENT_FIX = Text("联合生意计划要明确双方的目标与责任", "a joint plan states both sides' objectives and duties")
NO_DATE = Text("联合生意计划“{objective}”没有时间节点", "the joint plan '{objective}' has no date")
NO_DATE_FIX = Text("写明实施步骤的时间节点", "give its steps a date")
MISSED = Text("“{measure}”只达成 {ratio:.0%}，未写策略调整", "'{measure}' is {ratio:.0%} attained and no adjustment is noted")
MISSED_FIX = Text("定期检查达标情况，未达标时及时调整策略并写明", "check attainment regularly; when a target is missed, "
                  "adjust the strategy and say how")
OVERDUE = Text("行动已逾期（截止 {due}），状态仍为{status}", "action overdue (due {due}) and still {status}")
OVERDUE_FIX = Text("完成、改期或在总结检查中说明", "finish it, reschedule it, or explain it in the review")
COVERAGE = Text("机会评估清单只回答了 {answered}/{total}（{ratio:.0%}），低于 {minimum:.0%}",
                "the opportunity checklist is {ratio:.0%} answered ({answered} of {total}), below {minimum:.0%}")
COVERAGE_FIX = Text("补充客户方、我方和竞争分析中未回答的问题", "answer the open questions on customer, our side and competition")


def check(ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    chain = ctx.rows("DecisionChain")
    plan = ctx.rows("RelationshipPlan")
    sep = "、" if ctx.data.lang == "zh" else ", "
    if chain or plan:
        ranked = sorted(((t["top10_rank"], t["name"]) for _, t in chain
                         if t.get("name") and isinstance(t.get("top10_rank"), float) and 1 <= t["top10_rank"] <= TOP_N))
        result = check_top_ten([n for _, n in ranked], [t.get("name") for _, t in plan])
        if result.only_in_chain or result.only_in_table:
            where = chain[0][0] if chain else plan[0][0]
            found.append(ctx.at(where, "top10_rank", "M-REL-3", Severity.ERROR, TOP10, TOP10_FIX,
                                chain=sep.join(result.only_in_chain) or "—", table=sep.join(result.only_in_table) or "—"))
        ranks = Counter(t["top10_rank"] for _, t in chain if isinstance(t.get("top10_rank"), float))
        for record, t in chain:
            rank = t.get("top10_rank")
            if rank in ranks and ranks[rank] > 1:
                found.append(ctx.at(record, "top10_rank", "M-REL-3", Severity.ERROR, RANK_TWICE, RANK_FIX,
                                    rank=f"{rank:g}", n=ranks.pop(rank)))
        if chain and not any(t.get("coach") for _, t in chain) and not any(t.get("name") for _, t in
                                                                              ctx.rows("Coaches")):
            found.append(ctx.at(chain[0][0], "coach", "M-REL-5", Severity.WARNING, NO_COACH, NO_COACH_FIX))
    found += _layers(ctx, chain)
    for record, t in plan:
        if t.get("name") and not t.get("owner"):
            found.append(ctx.at(record, "owner", "M-REL-4", Severity.ERROR, NO_FIRST, NO_FIRST_FIX, name=t["name"]))
    found += _review(ctx)
    found += _growth(ctx)
    for record, t in ctx.rows("Actions"):
        if t.get("status") != "done" and t.get("due") and t["due"] < ctx.today:
            found.append(ctx.at(record, "due", "M-PLAN-6", Severity.WARNING, OVERDUE, OVERDUE_FIX,
                                due=t["due"].isoformat(), status=record.values.get("status") or "—"))
    checklist = ctx.rows("Checklist")
    if checklist:
        answered = sum(bool(t.get("answer")) for _, t in checklist)
        ratio, minimum = answered / len(checklist), ctx.config.checklist.min_coverage
        if ratio < minimum:
            found.append(ctx.at(checklist[0][0], "answer", "M-SCORE-5", Severity.WARNING, COVERAGE, COVERAGE_FIX,
                                answered=answered, total=len(checklist), ratio=ratio, minimum=minimum))
    return found


def _layers(ctx: Context, chain: list) -> list[Finding]:
    """M-REL-2 (seed 003, 均衡的客户关系): the chain's people cover all three layers. Skipped for
    a workbook without the layer column (version 1: S-VERSION says so)."""
    named = [(r, t) for r, t in chain if t.get("name")]
    table = ctx.data.tables.get("DecisionChain")
    if not named or table is None or "layer" not in table.columns:
        return []
    worked = {t["layer"] for _, t in named if t.get("layer")}
    missing = [term for term in RELATIONSHIP_LAYER.terms if term.key not in worked]
    if not missing:
        return []
    return [ctx.at(named[0][0], "layer", "M-REL-2", Severity.WARNING, LAYER_MISSING,
                   LAYER_FIX, missing=Text("、".join(t.text.zh for t in missing),
                                           ", ".join(t.text.en for t in missing)))]


def _review(ctx: Context) -> list[Finding]:
    """M-PLAN-1: a plan with goals has a route and a strategy; its review is not overdue."""
    record, form = ctx.data.forms.get("PlanReview"), ctx.forms.get("PlanReview", {})
    if record is None:
        return []
    found = []
    if any(t.get("goal") for _, t in ctx.rows("Goals")):
        fields = next(f for f in ctx.data.template.forms() if f.prefix == "PlanReview")
        for key in ("route", "strategy"):
            if key in record.cells and not form.get(key):
                header = fields.field(key).header
                found.append(ctx.at(record, key, "M-PLAN-1", Severity.WARNING, NO_ROUTE, NO_ROUTE_FIX,
                                    field=Text(header.zh, header.en.lower())))
    reviewed = form.get("reviewed_on")
    if isinstance(reviewed, dt.date):
        due = reviewed + dt.timedelta(days=ctx.config.plan.review_every_days)
        if due < ctx.today:
            found.append(ctx.at(record, "next_review", "M-PLAN-1", Severity.WARNING, REVIEW_OVERDUE, REVIEW_FIX,
                                reviewed=reviewed.isoformat(), due=due.isoformat()))
    return found


def _growth(ctx: Context) -> list[Finding]:
    """M-PLAN-5 (seed 004): a joint business plan states both sides' commitments and a date for
    its steps; a measure that misses its target says how the strategy is adjusted."""
    found = []
    for record, t in ctx.rows("JointPlan"):
        objective = t.get("objective")
        if not objective:
            continue
        for key, zh, en in (("customer_commitment", "客户承诺", "customer's commitment"),
                            ("our_commitment", "我方承诺", "commitment of ours")):
            if key in record.cells and not t.get(key):
                found.append(ctx.at(record, key, "M-PLAN-5", Severity.WARNING, NO_COMMITMENT, NO_COMMITMENT_FIX,
                                    objective=objective, side=Text(zh, en)))
        if "due" in record.cells and t.get("due") is None:
            found.append(ctx.at(record, "due", "M-PLAN-5", Severity.WARNING, NO_DATE, NO_DATE_FIX, objective=objective))
    minimum = ctx.config.plan.attained_from
    for record, t in ctx.rows("Execution"):
        target, actual = t.get("target"), t.get("actual")
        if not isinstance(target, float) or not isinstance(actual, float) or target == 0 or t.get("adjustment"):
            continue
        if actual / target < minimum:
            found.append(ctx.at(record, "attainment", "M-PLAN-5", Severity.WARNING, MISSED, MISSED_FIX,
                                measure=t.get("measure") or "—", ratio=actual / target))
    return found
