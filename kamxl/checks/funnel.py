"""Funnel methodology checks: M-SCORE-3/4, M-FUN-4/5/6, M-REL-5, stale close dates,
duplicate opportunity ids (M-FC-3), assessments and bids without an opportunity (M-BID-1)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.io.reader import Record
from kamxl.methodology import QUESTIONS
from kamxl.methodology.scoring import score_parsed
from kamxl.methodology.values import is_blank

INCOMPLETE = Text("阶段 {stage} 的商机价值评估未完成（已答 {answered}/20）",
                  "value assessment incomplete at stage {stage} ({answered} of 20 answered)")
INCOMPLETE_FIX = Text("答完 20 个问题；不确定的问题请与团队确认", "answer all 20 questions; settle the unsure ones with the team")
NO_ASSESSMENT = Text("阶段 {stage} 的商机没有价值评估", "no value assessment for an opportunity at stage {stage}")
NO_ASSESSMENT_FIX = Text("在价值评估表中为该商机增加一行", "add a row for it on the assessment sheet")
LOW_LATE = Text("阶段 {stage} 仍在跟进低价值商机（评分 {score} ≤ {threshold}）",
                "a low-value opportunity pursued late in the funnel (stage {stage}, score {score} ≤ {threshold})")
LOW_LATE_FIX = Text("复核是否值得继续投入资源", "review whether it is worth the resources")
OPEN_AT_08 = Text("阶段 {last} 必须为赢单或丢单", "stage {last} must say won or lost")
OPEN_AT_08_FIX = Text("把状态改为赢单或丢单；丢单不丢客户", "set the status to won or lost; a lost deal keeps its customer")
CLOSED_EARLY = Text("状态为{status}，但阶段是 {stage}（应为 {last}）", "status {status} but stage {stage} (should be {last})")
CLOSED_EARLY_FIX = Text("成交或丢单的商机阶段为 {last}", "won and lost opportunities are at stage {last}")
NO_BUDGET = Text("阶段 {stage} 须已查明预算并记录发起人", "stage {stage} needs the budget found out and a sponsor")
NO_BUDGET_FIX = Text("填写预算状态（不能为未知）与发起人，或退回更早的阶段",
                     "fill in the budget status (not unknown) and the sponsor, or move it back to an earlier stage")
LOST = Text("丢单未记录{what}", "a lost deal without {what}")
LOST_FIX = Text("丢单不丢客户：记下原因、赢单的竞争对手和与客户的下一步",
                "lose the deal, keep the customer: record why, who won and the next step with the customer")
LOST_WHAT = {"lost_reason": Text("原因", "its reason"), "winner": Text("赢单的竞争对手", "the competitor who won"),
             "follow_up": Text("与客户的后续跟进", "a follow-up with the customer")}
NO_REASON = Text("调整赢率 {p} 没有写明原因", "adjusted probability {p} without a reason")
NO_REASON_FIX = Text("写明为什么不同于阶段赢率，或清空调整赢率",
                     "say why it departs from the stage's probability, or clear it")
REASON_ONLY = Text("写了调整原因，但没有调整赢率", "a reason for adjusting, but no adjusted probability")
REASON_ONLY_FIX = Text("填写调整赢率，或删除原因", "fill in the adjusted probability, or remove the reason")
BID_ORPHAN = Text("投标信息中的商机编号 {id} 不在商机表中", "bid details for {id}, which is not in the opportunities table")
BID_ORPHAN_FIX = Text("核对编号，或删除该行", "check the ID, or remove the row")
BID_TWICE = Text("商机 {id} 的投标信息已在 {first} 填写", "bid details for {id} already given at {first}")
ONE_QUOTE = Text("招标方式为“{tender}”，但“是否一次报价”填了否", "tender mode '{tender}', yet single quote says no")
ONE_QUOTE_FIX = Text("核对招标方式或是否一次报价", "check the tender mode or the single-quote answer")
BID_TWICE_FIX = Text("每个商机一行投标信息：合并两行", "one row of bid details per opportunity: merge the two")
NO_COACH = Text("阶段 {stage} 的商机没有教练", "no coach at stage {stage}")
NO_COACH_FIX = Text("发展一位教练：客户内部的关键岗位人员，或外部的退休高管、投资银行、咨询公司、政府、合作伙伴（M-REL-5）",
                    "develop a coach, inside the customer or outside it: a retired executive, an investment bank, "
                    "a consultancy, government, a partner (M-REL-5)")
STALE = Text("进行中的商机预计成交日期已过（{date}）", "open opportunity with a past close date ({date})")
STALE_FIX = Text("更新预计成交日期或关闭商机", "update the expected close date or close the opportunity")
DUPLICATE = Text("商机编号 {id} 已在 {first} 出现（本文件中共 {n} 次）",
                 "opportunity ID {id} already appears at {first} ({n} times in this file)")
DUPLICATE_FIX = Text("每个商机只列一次：删除这一行，或改用其自己的编号",
                     "list each opportunity once: delete this row, or give it its own ID")
UNCONFIRMED = Text("商机未确认，却归入预测类别“{category}”", "unconfirmed, yet in the forecast category '{category}'")
UNCONFIRMED_FIX = Text("先确认商机，或改为管道/不计入", "confirm it first, or make it pipeline / omitted")
FORECAST_CATEGORIES = ("commit", "closed")  # best case is upside, not yet promised
ORPHAN = Text("价值评估中的商机编号 {id} 不在商机表中", "assessed opportunity {id} is not in the opportunities table")
ORPHAN_FIX = Text("核对编号，或删除该评估行", "check the ID, or remove the assessment row")

ANSWERS = [q.id.lower() for q in QUESTIONS]
ROW = ("stage", "status", "confirmed", "category", "budget_status", "sponsor", "coach", "close_date")  # beside the id
LOST_FIELDS = tuple(LOST_WHAT)


def check(ctx: Context) -> list[Finding]:
    """Column by column: a 500-row funnel is checked without building a dict, or even a
    record, per row (records are made only for the rows that have a finding)."""
    data = ctx.data.tables.get("Opportunities")
    at = data.record if data else None
    typed_ids = ctx.column("Opportunities", "id")
    ids = [str(v).casefold() if v else "" for v in typed_ids]
    counts = Counter(k for k in ids if k)
    assessments = _assessments(ctx)
    found = _duplicates(ctx, at, typed_ids, counts) if len(counts) < sum(counts.values()) else []
    last, ev, last_code = len(ctx.config.stages), ctx.config.evidence, ctx.config.stages[-1].code
    columns = [ctx.column("Opportunities", k) for k in ROW]
    for i, (key, stage, status, confirmed, category, budget, sponsor, coach, close) in enumerate(zip(ids, *columns)):
        if stage is None:
            continue
        n, status = stage.number, status or "open"
        if n == last and status == "open":
            found.append(ctx.at(at(i), "status", "M-FUN-4", Severity.ERROR, OPEN_AT_08, OPEN_AT_08_FIX,
                                last=last_code))
        elif n < last and status in ("won", "lost"):
            record = at(i)
            found.append(ctx.at(record, "stage", "M-FUN-4", Severity.WARNING, CLOSED_EARLY, CLOSED_EARLY_FIX,
                                status=record.values.get("status"), stage=stage.code, last=last_code))
        if confirmed is False and category in FORECAST_CATEGORIES:
            record = at(i)
            found.append(ctx.at(record, "confirmed", "M-FC-2", Severity.WARNING, UNCONFIRMED, UNCONFIRMED_FIX,
                                category=record.values.get("category")))
        if status == "lost":
            found += _lost(ctx, at(i))
        if status != "open":
            continue
        known = budget is not None and budget != "unknown"
        if n >= ev.budget_and_sponsor_from and (not known or not sponsor):
            found.append(ctx.at(at(i), "budget_status" if not known else "sponsor", "M-FUN-5", Severity.WARNING,
                                NO_BUDGET, NO_BUDGET_FIX, stage=stage.code))
        if n >= ev.coach_from and not coach:
            found.append(ctx.at(at(i), "coach", "M-REL-5", Severity.WARNING, NO_COACH, NO_COACH_FIX, stage=stage.code))
        found += _assessment(ctx, at, i, stage, assessments.get(key))
        if close and close < ctx.today:
            found.append(ctx.at(at(i), "close_date", "S-STALE", Severity.WARNING, STALE, STALE_FIX,
                                date=close.isoformat()))
    for key, (record, id_, _answers) in assessments.items():
        if key not in counts:
            found.append(ctx.at(record(), "id", "S-ASSESS-ORPHAN", Severity.WARNING, ORPHAN, ORPHAN_FIX, id=id_))
    return found + _overrides(ctx, at) + _bids(ctx, counts)


def _lost(ctx: Context, record: Record) -> list[Finding]:
    """M-FUN-4 (丢单不丢客户): a lost deal says why, who won, and what happens next with the customer."""
    present = ctx.data.tables["Opportunities"].columns   # an older funnel may lack them (S-COLUMN-MISSING)
    return [ctx.at(record, key, "M-FUN-4", Severity.WARNING, LOST, LOST_FIX, what=LOST_WHAT[key])
            for key in LOST_FIELDS if key in present and is_blank(record.values.get(key))]


def _overrides(ctx: Context, at: Callable[[int], Record]) -> list[Finding]:
    """M-FUN-6: an adjusted probability needs its reason; a reason alone adjusts nothing."""
    data = ctx.data.tables.get("Opportunities")
    if data is None or "prob_override" not in data.columns:
        return []
    found = []
    # as typed: an unreadable probability (reported by the value checks) still asks for its reason
    for i, (typed, raw, reason) in enumerate(zip(ctx.column("Opportunities", "prob_override"),
                                                 data.column("prob_override"),
                                                 ctx.column("Opportunities", "override_reason"))):
        if not is_blank(raw) and not reason:
            found.append(ctx.at(at(i), "override_reason", "M-FUN-6", Severity.WARNING, NO_REASON, NO_REASON_FIX,
                                p=f"{typed:.0%}" if isinstance(typed, float) else raw))
        elif reason and is_blank(raw):
            found.append(ctx.at(at(i), "prob_override", "M-FUN-6", Severity.INFO, REASON_ONLY, REASON_ONLY_FIX))
    return found


def _bids(ctx: Context, opportunities: Counter[str]) -> list[Finding]:
    """M-BID-1: each row of bid details belongs to one opportunity of this funnel, once; a tender
    with one quote only (公开开标且仅一次报价) is not answered "no" to single quote."""
    data = ctx.data.tables.get("Bids")
    if data is None:
        return []
    found, first = [], {}
    for i, (tender, single) in enumerate(zip(ctx.column("Bids", "tender_mode"), ctx.column("Bids", "single_quote"))):
        if tender == "open_single" and single is False:   # the seed's 仅一次报价: one quote only
            record = data.record(i)
            found.append(ctx.at(record, "single_quote", "M-BID-1", Severity.WARNING, ONE_QUOTE, ONE_QUOTE_FIX,
                                tender=record.values.get("tender_mode")))
    for i, id_ in enumerate(ctx.column("Bids", "id")):
        if not id_:
            continue
        key = str(id_).casefold()
        if key not in opportunities:
            found.append(ctx.at(data.record(i), "id", "M-BID-1", Severity.WARNING, BID_ORPHAN, BID_ORPHAN_FIX, id=id_))
        elif key in first:
            found.append(ctx.at(data.record(i), "id", "M-BID-1", Severity.WARNING, BID_TWICE, BID_TWICE_FIX, id=id_,
                                first=first[key]))
        else:
            first[key] = data.record(i).cells["id"]
    return found


def _duplicates(ctx: Context, at: Callable[[int], Record], ids: list, counts: Counter[str]) -> list[Finding]:
    """M-FC-3 in one file: each copy after the first, at its own cell, naming the first."""
    found, first = [], {}
    for i, id_ in enumerate(ids):
        key = str(id_).casefold() if id_ else ""
        if not key or counts[key] < 2:
            continue
        if key not in first:
            first[key] = at(i).cells["id"]
        else:
            found.append(ctx.at(at(i), "id", "M-FC-3", Severity.ERROR, DUPLICATE, DUPLICATE_FIX, id=id_,
                                first=first[key], n=counts[key]))
    return found


def _assessments(ctx: Context) -> dict[str, tuple[Callable[[], Record], str, tuple | None]]:
    """Opportunity id -> (its first assessment row's record, made when asked for; the id as
    typed; its 20 answers, None when an answer was unreadable, which the value checks reported)."""
    data = ctx.data.tables.get("Assessment")
    if data is None:
        return {}
    out: dict[str, tuple[Callable[[], Record], str, tuple | None]] = {}
    offsets = data.offsets
    typed = [ctx.column("Assessment", q) for q in ANSWERS]
    # Columns where a typed None stands for something typed (not a blank cell): counted at C speed,
    # so the usual file, whose Nones are all blanks, never looks at a row's answers one by one.
    suspect = [(offsets[q], n) for n, q in enumerate(ANSWERS) if q in offsets
               and typed[n].count(None) != data.column(q).count("") + data.column(q).count(None)]
    for i, (row, id_, answers) in enumerate(zip(data.rows, ctx.column("Assessment", "id"), zip(*typed))):
        if not id_:
            continue
        key = id_.casefold() if type(id_) is str else str(id_).casefold()
        if key not in out:
            unreadable = bool(suspect) and None in answers and any(
                answers[n] is None and row[offset] not in (None, "") for offset, n in suspect)
            out[key] = (partial(data.record, i), id_, None if unreadable else answers)
    return out


def _assessment(ctx: Context, at: Callable[[int], Record], i: int, stage, assessment: tuple | None) -> list[Finding]:
    """M-FUN-5 (an assessment exists), M-SCORE-3 (complete), M-SCORE-4 (low value late)."""
    cfg, n = ctx.config, stage.number
    if assessment is None:
        if n >= cfg.evidence.score_from:
            return [ctx.at(at(i), "value_score", "M-FUN-5", Severity.WARNING, NO_ASSESSMENT, NO_ASSESSMENT_FIX,
                           stage=stage.code)]
        return []
    a_record, _id, answers = assessment
    if answers is None or n < min(cfg.evidence.score_from, cfg.scoring.late_stage):
        return []   # unreadable (reported by the value checks), or too early for either rule
    score = ctx.memo.get(answers)
    if score is None:
        score = ctx.memo[answers] = score_parsed(list(answers), config=cfg)
    if not score.complete and n >= cfg.evidence.score_from:
        return [ctx.at(a_record(), "status", "M-SCORE-3", Severity.WARNING, INCOMPLETE, INCOMPLETE_FIX,
                       stage=stage.code, answered=score.answered)]
    if score.complete and n >= cfg.scoring.late_stage and score.total <= cfg.scoring.threshold:
        return [ctx.at(at(i), "value_score", "M-SCORE-4", Severity.WARNING, LOW_LATE, LOW_LATE_FIX,
                       stage=stage.code, score=score.total, threshold=cfg.scoring.threshold)]
    return []
