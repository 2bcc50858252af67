"""Account plan checks: M-REL-3 (decision chain TOP-10 = relationship table TOP-10),
M-REL-5 (a coach), M-PLAN-6 (overdue open actions), M-SCORE-5 (checklist coverage)."""
from __future__ import annotations

from collections import Counter

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.methodology import check_top_ten
from kamxl.methodology.relationships import TOP_N

TOP10 = Text("决策链 TOP10 与关系评估表不一致：仅在决策链 {chain}；仅在评估表 {table}",
             "decision chain TOP-10 differs from the relationship table: only in the chain {chain}; only in the table {table}")
TOP10_FIX = Text("两张表的 TOP10 人员应完全一致", "both must list exactly the same ten people")
RANK_TWICE = Text("TOP10 排名 {rank} 被用了 {n} 次", "TOP-10 rank {rank} is used {n} times")
RANK_FIX = Text("每个排名只给一人", "give each rank to one person")
NO_COACH = Text("决策链中没有教练（内线）", "nobody in the decision chain is a coach")
NO_COACH_FIX = Text("发展一位教练并在决策链中标注", "develop a coach and mark them in the chain")
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
        if chain and not any(t.get("coach") for _, t in chain):
            found.append(ctx.at(chain[0][0], "coach", "M-REL-5", Severity.WARNING, NO_COACH, NO_COACH_FIX))
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
