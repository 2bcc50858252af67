"""Value checks, driven by the schema: type, required, vocabularies (stages M-FUN-1,
statuses M-FUN-4, relationship levels M-REL-1, bid attributes M-BID-1), dates,
non-negative amounts, currency codes. Produces the typed values later checks use: a
cell that does not parse is reported once here and is None for everyone else."""
from __future__ import annotations

import re
from typing import Any

from kamxl.checks import Context
from kamxl.errors import InputError
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.io.reader import Record
from kamxl.methodology import parse_stage
from kamxl.methodology.values import is_blank, parse_date, parse_number, parse_yes_no
from kamxl.schema import Column, Kind

REQUIRED = Text("必填项“{column}”为空", "required value '{column}' is blank")
REQUIRED_FIX = Text("请填写“{column}”", "fill in '{column}'")
BAD = Text("“{column}”的值无效：{reason}", "invalid '{column}': {reason}")
BAD_FIX = Text("按该列的下拉列表或格式填写", "use the column's list or format")
OUT_OF_RANGE = Text("“{column}”应在 {lo} 到 {hi} 之间，实际为 {value}", "'{column}' must be from {lo} to {hi}, got {value}")
NEGATIVE = Text("“{column}”不能为负数：{value}", "'{column}' must not be negative: {value}")
NEGATIVE_FIX = Text("金额填正数；退款或冲销另行记录", "enter a positive amount; record refunds separately")
CURRENCY = Text("币种“{value}”不是三位 ISO 代码", "currency '{value}' is not a 3-letter ISO code")
CURRENCY_FIX = Text("如 CNY、USD、EUR（人民币请写 CNY）", "e.g. CNY, USD, EUR (renminbi is CNY)")
ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
NOT_ISO = {"RMB"}  # common, but not an ISO 4217 code (CNY is)


def check(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    _CACHE.clear()  # per file: garbage text must not pile up across a batch
    for name, table in ctx.data.tables.items():
        typed_rows = []
        for record in table.records:
            typed, found = _record(ctx, record, [c for c in table.table.columns if c.key in table.columns])
            typed_rows.append(typed)
            findings += found
        ctx.typed[name] = typed_rows
    for prefix, record in ctx.data.forms.items():
        form = next(f for f in ctx.data.template.forms() if f.prefix == prefix)
        typed, found = _record(ctx, record, [c for c in form.fields if c.key in record.values])
        ctx.forms[prefix] = typed
        findings += found
    return findings


def _record(ctx: Context, record: Record, columns: list[Column]) -> tuple[dict[str, Any], list[Finding]]:
    typed: dict[str, Any] = {}
    found: list[Finding] = []
    for column in columns:
        raw = record.values.get(column.key)
        if column.kind is Kind.FORMULA:
            typed[column.key] = raw  # checked against a recomputation by the formula checks
            continue
        if is_blank(raw):
            typed[column.key] = None
            if column.required:
                found.append(ctx.at(record, column.key, "S-VALUE-REQUIRED", Severity.ERROR, REQUIRED, REQUIRED_FIX,
                                    column=column.header(ctx.data.lang or "zh")))
            continue
        try:
            typed[column.key] = value = _parse(column, raw, ctx)
        except InputError as exc:
            typed[column.key] = None
            found.append(ctx.at(record, column.key, _rule(column, exc), Severity.ERROR, BAD, BAD_FIX,
                                column=column.header(ctx.data.lang or "zh"), reason=exc.message()))
            continue
        found += _range(ctx, record, column, value)
    return typed, found


_CACHE: dict[tuple[int, object], Any] = {}


def _parse(column: Column, raw: object, ctx: Context) -> Any:
    kind = column.kind
    if kind in (Kind.TEXT, Kind.ID):
        text = str(raw).strip()
        if column.key == "currency" and (not ISO_CURRENCY.match(text) or text in NOT_ISO):
            raise InputError("S-VALUE-CURRENCY", CURRENCY, {"value": text})
        return text
    if kind in (Kind.MONEY, Kind.NUMBER, Kind.INTEGER, Kind.SCORE, Kind.PERCENT):
        return raw if type(raw) is float else parse_number(raw, code="S-VALUE-NUMBER")
    if kind is Kind.DATE:
        return parse_date(raw, date1904=bool(ctx.structure and ctx.structure.date1904), code="S-VALUE-DATE")
    key = (id(column), raw)  # vocabularies, stages and yes/no repeat a few values: parse each once
    if key not in _CACHE:
        try:
            if kind is Kind.YES_NO:
                _CACHE[key] = parse_yes_no(raw, code=_first_rule(column, "S-VALUE-YESNO"))
            elif kind is Kind.STAGE:
                _CACHE[key] = parse_stage(raw, config=ctx.config)
            else:
                assert column.vocabulary is not None
                _CACHE[key] = column.vocabulary.parse(raw).key  # type: ignore[union-attr]
        except InputError as exc:
            _CACHE[key] = exc
    result = _CACHE[key]
    if isinstance(result, InputError):
        raise result
    return result


def _first_rule(column: Column, default: str) -> str:
    return next((r for r in column.rules if r.startswith("M-")), default)


def _rule(column: Column, exc: InputError) -> str:
    if column.kind in (Kind.TEXT, Kind.ID) and exc.code == "S-VALUE-CURRENCY":
        return "S-VALUE-CURRENCY"
    if column.kind is Kind.CHOICE and column.vocabulary:
        return column.vocabulary.rule
    if column.kind is Kind.STAGE:
        return "M-FUN-1"
    if column.kind is Kind.YES_NO:
        return _first_rule(column, "S-VALUE-YESNO")
    return {Kind.DATE: "S-VALUE-DATE"}.get(column.kind, "S-VALUE-TYPE")


def _range(ctx: Context, record: Record, column: Column, value: Any) -> list[Finding]:
    if not isinstance(value, float) or column.kind not in (Kind.MONEY, Kind.NUMBER, Kind.INTEGER, Kind.SCORE,
                                                           Kind.PERCENT):
        return []
    name = column.header(ctx.data.lang or "zh")
    if value < 0 and column.kind is Kind.MONEY:
        return [ctx.at(record, column.key, "S-VALUE-NEGATIVE", Severity.ERROR, NEGATIVE, NEGATIVE_FIX,
                       column=name, value=f"{value:,.2f}")]
    if column.bounds and not column.bounds[0] <= value <= column.bounds[1]:
        lo, hi = column.bounds
        return [ctx.at(record, column.key, "S-VALUE-RANGE", Severity.ERROR, OUT_OF_RANGE, BAD_FIX,
                       column=name, lo=f"{lo:g}", hi=f"{hi:g}", value=f"{value:g}")]
    return []
