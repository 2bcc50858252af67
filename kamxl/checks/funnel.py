"""Funnel methodology checks: M-SCORE-3/4, M-FUN-4/5, M-REL-5, stale close dates,
duplicate opportunity ids (M-FC-3), assessments without an opportunity."""
from __future__ import annotations

from collections import Counter

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.methodology import QUESTIONS
from kamxl.methodology.scoring import score_parsed

INCOMPLETE = Text("阶段 {stage} 的商机价值评估未完成（已答 {answered}/20）",
                  "value assessment incomplete at stage {stage} ({answered} of 20 answered)")
INCOMPLETE_FIX = Text("答完 20 个问题；不确定的问题请与团队确认", "answer all 20 questions; settle the unsure ones with the team")
NO_ASSESSMENT = Text("阶段 {stage} 的商机没有价值评估", "no value assessment for an opportunity at stage {stage}")
NO_ASSESSMENT_FIX = Text("在价值评估表中为该商机增加一行", "add a row for it on the assessment sheet")
LOW_LATE = Text("阶段 {stage} 仍在跟进低价值商机（评分 {score} ≤ {threshold}）",
                "a low-value opportunity pursued late in the funnel (stage {stage}, score {score} ≤ {threshold})")
LOW_LATE_FIX = Text("复核是否值得继续投入资源", "review whether it is worth the resources")
OPEN_AT_08 = Text("阶段 08 必须为赢单或丢单", "stage 08 must say won or lost")
OPEN_AT_08_FIX = Text("把状态改为赢单或丢单；丢单不丢客户", "set the status to won or lost; a lost deal keeps its customer")
CLOSED_EARLY = Text("状态为{status}，但阶段是 {stage}（应为 08）", "status {status} but stage {stage} (should be 08)")
CLOSED_EARLY_FIX = Text("成交或丢单的商机阶段为 08", "won and lost opportunities are at stage 08")
NO_BUDGET = Text("阶段 {stage} 需要已落实的预算和发起人", "stage {stage} needs a confirmed budget and a sponsor")
NO_BUDGET_FIX = Text("记录预算与发起人，或退回阶段 01", "record budget and sponsor, or move it back to stage 01")
NO_COACH = Text("阶段 {stage} 的商机没有教练（内线）", "no coach (internal supporter) at stage {stage}")
NO_COACH_FIX = Text("在客户内部发展一位教练", "develop a coach inside the customer")
STALE = Text("进行中的商机预计成交日期已过（{date}）", "open opportunity with a past close date ({date})")
STALE_FIX = Text("更新预计成交日期或关闭商机", "update the expected close date or close the opportunity")
DUPLICATE = Text("商机编号 {id} 在本文件中出现 {n} 次", "opportunity ID {id} appears {n} times in this file")
DUPLICATE_FIX = Text("每个商机只列一次", "list each opportunity once")
UNCONFIRMED = Text("商机未确认，却归入预测类别“{category}”", "unconfirmed, yet in the forecast category '{category}'")
UNCONFIRMED_FIX = Text("先确认商机，或改为管道/不计入", "confirm it first, or make it pipeline / omitted")
FORECAST_CATEGORIES = ("commit", "closed")  # best case is upside, not yet promised
ORPHAN = Text("价值评估中的商机编号 {id} 不在商机表中", "assessed opportunity {id} is not in the opportunities table")
ORPHAN_FIX = Text("核对编号，或删除该评估行", "check the ID, or remove the assessment row")

ANSWERS = [q.id.lower() for q in QUESTIONS]


def check(ctx: Context) -> list[Finding]:
    cfg, found = ctx.config, []
    opportunities = ctx.rows("Opportunities")
    assessments: dict[str, tuple] = {}
    for record, typed in ctx.rows("Assessment"):
        if typed.get("id"):
            assessments.setdefault(str(typed["id"]).casefold(), (record, typed))
    ids = Counter(str(t["id"]).casefold() for _, t in opportunities if t.get("id"))
    reported: set[str] = set()
    for record, t in opportunities:
        stage, status = t.get("stage"), t.get("status") or "open"
        key = str(t.get("id") or "").casefold()
        if key and ids[key] > 1 and key not in reported:
            reported.add(key)
            found.append(ctx.at(record, "id", "M-FC-3", Severity.ERROR, DUPLICATE, DUPLICATE_FIX, id=t["id"],
                                n=ids[key]))
        if stage is None:
            continue
        n, last = stage.number, len(cfg.stages)
        if n == last and status == "open":
            found.append(ctx.at(record, "status", "M-FUN-4", Severity.ERROR, OPEN_AT_08, OPEN_AT_08_FIX))
        elif n < last and status in ("won", "lost"):
            found.append(ctx.at(record, "stage", "M-FUN-4", Severity.WARNING, CLOSED_EARLY, CLOSED_EARLY_FIX,
                                status=record.values.get("status"), stage=stage.code))
        if t.get("confirmed") is False and t.get("category") in FORECAST_CATEGORIES:
            found.append(ctx.at(record, "confirmed", "M-FC-2", Severity.WARNING, UNCONFIRMED, UNCONFIRMED_FIX,
                                category=record.values.get("category")))
        if status != "open":
            continue
        found += _evidence(ctx, record, t, stage.number, stage.code, assessments.get(key))
        if t.get("close_date") and t["close_date"] < ctx.today:
            found.append(ctx.at(record, "close_date", "S-STALE", Severity.WARNING, STALE, STALE_FIX,
                                date=t["close_date"].isoformat()))
    known = set(ids)
    for key, (record, typed) in assessments.items():
        if key not in known:
            found.append(ctx.at(record, "id", "S-ASSESS-ORPHAN", Severity.WARNING, ORPHAN, ORPHAN_FIX, id=typed["id"]))
    return found


def _evidence(ctx: Context, record, t: dict, n: int, code: str, assessment: tuple | None) -> list[Finding]:
    cfg, ev, found = ctx.config, ctx.config.evidence, []
    if n >= ev.budget_and_sponsor_from and (not t.get("budget") or not t.get("sponsor")):
        found.append(ctx.at(record, "budget" if not t.get("budget") else "sponsor", "M-FUN-5", Severity.WARNING,
                            NO_BUDGET, NO_BUDGET_FIX, stage=code))
    if n >= ev.coach_from and not t.get("coach"):
        found.append(ctx.at(record, "coach", "M-REL-5", Severity.WARNING, NO_COACH, NO_COACH_FIX, stage=code))
    if assessment is None:
        if n >= ev.score_from:
            found.append(ctx.at(record, "value_score", "M-FUN-5", Severity.WARNING, NO_ASSESSMENT, NO_ASSESSMENT_FIX,
                                stage=code))
        return found
    a_record, a = assessment
    answers = [a.get(q) for q in ANSWERS]
    if None in answers and any(v is None and a_record.values.get(q) not in (None, "") for q, v in zip(ANSWERS, answers)):
        return found  # an unreadable answer was reported by the value checks
    score = score_parsed(answers, config=cfg)
    if not score.complete and n >= ev.score_from:
        found.append(ctx.at(a_record, "score", "M-SCORE-3", Severity.WARNING, INCOMPLETE, INCOMPLETE_FIX,
                            stage=code, answered=score.answered))
    elif score.complete and n >= cfg.scoring.late_stage and score.total <= cfg.scoring.threshold:
        found.append(ctx.at(record, "value_score", "M-SCORE-4", Severity.WARNING, LOW_LATE, LOW_LATE_FIX,
                            stage=code, score=score.total, threshold=cfg.scoring.threshold))
    return found
