"""Forecast checks: M-FC-1 (the header's period as the company writes periods; a line
closing outside it is not in the headline), M-FC-2 (only confirmed lines of their primary owner), M-FC-3 (a line twice),
M-FUN-4 (the last stage won or lost), closed lines that were not won, and which stages count
toward the forecast (M-FC-1, ``forecast.counted_from``)."""
from __future__ import annotations

from collections import Counter

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.errors import InputError
from kamxl.methodology import parse_period, period_of, same_owner

UNCONFIRMED = Text("预测中包含未确认的商机", "the forecast includes an unconfirmed opportunity")
UNCONFIRMED_FIX = Text("确认该商机，或将其移出预测", "confirm the opportunity, or take it out of the forecast")
NOT_OWNER = Text("主要负责人是 {owner}，不是预测人 {forecaster}",
                 "the primary owner is {owner}, not the forecaster {forecaster}")
NOT_OWNER_FIX = Text("只预测自己作为主要负责人的商机；他人的由其本人提交",
                     "forecast only your own opportunities; others submit theirs")
TWICE = Text("商机 {id} 已列在本预测的 {first}（共 {n} 次）", "opportunity {id} is already listed at {first} in this forecast ({n} times)")
TWICE_FIX = Text("每个商机只列一次，避免重复计算：删除这一行", "list each opportunity once, never count it twice: delete this row")
OPEN_AT_08 = Text("阶段 {last} 必须为赢单或丢单", "stage {last} must say won or lost")
OPEN_AT_08_FIX = Text("把状态改为赢单或丢单", "set the status to won or lost")
NOT_COUNTED = Text("阶段 {stage} 早于计入预测的阶段 {first}（公司设置 forecast.counted_from），不应归入“{category}”，不计入汇总数",
                   "stage {stage} does not count toward the forecast (company setting forecast.counted_from: "
                   "stage {first} on), yet it is in '{category}': not in the headline")
NOT_COUNTED_FIX = Text("改为管道或不计入；推进到阶段 {first} 后再承诺",
                       "make it pipeline or omitted; commit it once it reaches stage {first}")
UPSIDE = ("commit", "best_case")   # what a forecast promises or hopes for (closed is the last stage's)
CLOSED_NOT_WON = Text("类别为已成交，但状态不是赢单", "category closed, but the status is not won")
CLOSED_NOT_WON_FIX = Text("赢单后再计入已成交", "count it as closed once it is won")
BAD_PERIOD_FIX = Text("按公司的期间格式填写：{example}；汇总不接受其他写法",
                      "write the period as the company does: {example}; a roll-up takes no other spelling")
OUTSIDE = Text("预计在 {period} 成交，不在本预测期间 {target} 内：不计入汇总数",
               "closes in {period}, outside this forecast's period {target}: not in the headline")
OUTSIDE_FIX = Text("本期成交则修改预计成交日期；否则放入该期间的预测",
                   "correct the close date if it closes this period; otherwise forecast it in its own period")


def check(ctx: Context) -> list[Finding]:
    header = ctx.forms.get("Forecast", {})
    forecaster, level = header.get("owner"), header.get("level")
    found, target = _header_period(ctx, header.get("period"))
    lines = ctx.rows("ForecastLines")
    ids = Counter(str(t["opportunity_id"]).casefold() for _, t in lines if t.get("opportunity_id"))
    first: dict[str, str] = {}
    for record, t in lines:
        key = str(t.get("opportunity_id") or "").casefold()
        if key and ids[key] > 1:                   # each copy after the first, at its cell, naming the first
            if key not in first:
                first[key] = record.cells.get("opportunity_id", "")
            else:
                found.append(ctx.at(record, "opportunity_id", "M-FC-3", Severity.ERROR, TWICE, TWICE_FIX,
                                    id=t["opportunity_id"], first=first[key], n=ids[key]))
        if t.get("confirmed") is False:
            found.append(ctx.at(record, "confirmed", "M-FC-2", Severity.ERROR, UNCONFIRMED, UNCONFIRMED_FIX))
        if level == "rep" and forecaster and t.get("owner") and not same_owner(t["owner"], forecaster):
            found.append(ctx.at(record, "owner", "M-FC-2", Severity.ERROR, NOT_OWNER, NOT_OWNER_FIX,
                                owner=t["owner"], forecaster=forecaster))
        stage, status = t.get("stage"), t.get("status") or "open"
        if stage is not None and stage.number == len(ctx.config.stages) and status == "open":
            found.append(ctx.at(record, "status", "M-FUN-4", Severity.ERROR, OPEN_AT_08, OPEN_AT_08_FIX,
                                last=stage.code))
        if stage is not None and stage.number < ctx.config.forecast.counted_from and t.get("category") in UPSIDE:
            found.append(ctx.at(record, "category", "M-FC-1", Severity.WARNING, NOT_COUNTED, NOT_COUNTED_FIX,
                                stage=stage.code, first=f"{ctx.config.forecast.counted_from:02d}",
                                category=record.values.get("category")))
        if t.get("category") == "closed" and status != "won":
            found.append(ctx.at(record, "category", "M-FC-2", Severity.WARNING, CLOSED_NOT_WON, CLOSED_NOT_WON_FIX))
        period = _period(ctx, t.get("close_date")) if level in (None, "rep") else None   # roll-ups keep them
        if period and target and period.casefold() != target.casefold():
            found.append(ctx.at(record, "close_date", "M-FC-1", Severity.WARNING, OUTSIDE, OUTSIDE_FIX,
                                period=period, target=target))
    return found


def _header_period(ctx: Context, period: object) -> tuple[list[Finding], str]:
    """M-FC-1: the header's period, canonical ('' when blank: the value checks say so), or an
    error at its cell when it is not written as the company writes periods ('Q4 2026')."""
    if not period:
        return [], ""
    try:
        return [], parse_period(period, config=ctx.config)
    except InputError as exc:
        record = ctx.data.forms.get("Forecast")
        if record is None:
            return [], ""
        params = dict(exc.params)
        return [ctx.at(record, "period", "M-FC-1", Severity.ERROR, exc.text, BAD_PERIOD_FIX, **params)], ""


def _period(ctx: Context, close: object) -> str | None:
    """M-FC-1: the line's period, once per distinct date (None: no readable date)."""
    if close is None:
        return None
    memo = ctx.memo.setdefault(("period", "forecast"), {})
    if close not in memo:
        try:
            memo[close] = period_of(close, config=ctx.config)
        except InputError:
            memo[close] = None
    return memo[close]
