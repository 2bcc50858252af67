"""Value checks, driven by the schema: type, required, vocabularies (stages M-FUN-1,
statuses M-FUN-4, relationship levels M-REL-1, bid attributes M-BID-1), dates,
non-negative amounts, currency codes. Produces the typed values later checks use: a
cell that does not parse is reported once here and is None for everyone else."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from types import NoneType
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
    for name, table in ctx.data.tables.items():
        typed: dict[str, list[Any]] = {}
        for column in (c for c in table.table.columns if c.key in table.columns):
            typed[column.key], found = _column(ctx, column, table.record, table.column(column.key))
            findings += found
        ctx.columns[name] = typed
    for prefix, record in ctx.data.forms.items():
        form = next(f for f in ctx.data.template.forms() if f.prefix == prefix)
        typed: dict[str, Any] = {}
        for column in (c for c in form.fields if c.key in record.values):
            typed_column, found = _column(ctx, column, [record].__getitem__, [record.values.get(column.key)])
            typed[column.key] = typed_column[0]
            findings += found
        ctx.forms[prefix] = typed
    return findings


_NUMERIC = (Kind.MONEY, Kind.NUMBER, Kind.INTEGER, Kind.SCORE, Kind.PERCENT)


def _column(ctx: Context, column: Column, record_at: Callable[[int], Record],
            raws: list[object]) -> tuple[list[Any], list[Finding]]:
    """Parse one column of every record and report what fails.

    Columns repeat a few values (stages, statuses, Y/N): each distinct value is parsed
    once, the column is mapped in one pass, and only rows holding a failed value are
    visited again to name their cells — a 500-row file is a few thousand distinct values.
    Returns the column's typed values (None where blank or unreadable) and the findings.
    """
    key = column.key
    if column.kind is Kind.FORMULA:  # checked against a recomputation by the formula checks
        return raws, []
    fast = _plain(column, raws)
    if fast is not None:
        return fast, []
    value_of: dict[object, Any] = {}
    problem_of: dict[object, tuple[str, Text, Text, dict[str, object]]] = {}
    header = column.header          # a Text: named in the language of the report
    for raw in set(raws):
        if is_blank(raw):
            value_of[raw] = None
            if column.required:
                problem_of[raw] = ("S-VALUE-REQUIRED", REQUIRED, REQUIRED_FIX, {"column": header})
            continue
        try:
            value_of[raw] = value = _parse(column, raw, ctx)
        except InputError as exc:
            value_of[raw] = None
            problem_of[raw] = (_rule(column, exc), BAD, BAD_FIX, {"column": header, "reason": exc.reason})
            continue
        if column.kind in _NUMERIC:
            issue = _range(column, value, header)
            if issue:
                problem_of[raw] = issue
    typed = list(map(value_of.__getitem__, raws))
    if not problem_of:
        return typed, []
    return typed, [ctx.at(record_at(i), key, rule, Severity.ERROR, message, hint, **params)
                   for i, raw in enumerate(raws) if raw in problem_of
                   for rule, message, hint, params in [problem_of[raw]]]


_PLAIN = {Kind.DATE, Kind.TEXT, Kind.ID, *_NUMERIC}


def _plain(column: Column, raws: list[object]) -> list[Any] | None:
    """The typed column at C speed when every cell is already what the column wants (the
    usual case: text in text columns, numbers within bounds in number columns); None sends
    the column through the value-by-value parse that names what is wrong."""
    kind = column.kind
    if kind not in _PLAIN or column.key == "currency":
        return None             # vocabularies, stages, yes/no, currencies: few distinct values, parsed once each
    types = set(map(type, raws))
    if kind is Kind.DATE:
        if not types <= {date, NoneType}:   # calamine's dates; datetimes and text go the long way
            return None
        typed = raws
    elif kind in (Kind.TEXT, Kind.ID):
        if not types <= {str, NoneType}:
            return None
        # stripped at C speed; '' (calamine's empty cell) becomes None
        typed = [text or None for text in map(str.strip, raws)] if NoneType not in types \
            else [raw and raw.strip() or None for raw in raws]  # type: ignore[union-attr]
    else:
        numbers = [raw for raw in raws if raw is not None]
        if not types <= {float, NoneType} or not all(map(math.isfinite, numbers)):
            return None
        lo, hi = column.bounds or (-math.inf, math.inf)
        if numbers and not (max(lo, 0.0) if kind is Kind.MONEY else lo) <= min(numbers) <= max(numbers) <= hi:
            return None
        typed = raws
    return None if column.required and None in typed else typed


def _parse(column: Column, raw: object, ctx: Context) -> Any:
    kind = column.kind
    if kind in (Kind.TEXT, Kind.ID):
        text = str(raw).strip()
        if column.key == "currency" and (not ISO_CURRENCY.match(text) or text in NOT_ISO):
            raise InputError("S-VALUE-CURRENCY", CURRENCY, {"value": text})
        return text
    if kind in _NUMERIC:
        return raw if type(raw) is float else parse_number(raw, code="S-VALUE-NUMBER")
    if kind is Kind.DATE:
        return parse_date(raw, date1904=bool(ctx.structure and ctx.structure.date1904), code="S-VALUE-DATE")
    if kind is Kind.YES_NO:
        return parse_yes_no(raw, code=_first_rule(column, "S-VALUE-YESNO"))
    if kind is Kind.STAGE:
        return parse_stage(raw, config=ctx.config)
    assert column.vocabulary is not None
    return column.vocabulary.parse(raw).key  # type: ignore[union-attr]


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


def _range(column: Column, value: Any, header: Text) -> tuple[str, Text, Text, dict[str, object]] | None:
    if not isinstance(value, float):
        return None
    if value < 0 and column.kind is Kind.MONEY:
        return ("S-VALUE-NEGATIVE", NEGATIVE, NEGATIVE_FIX, {"column": header, "value": f"{value:,.2f}"})
    if column.bounds and not column.bounds[0] <= value <= column.bounds[1]:
        lo, hi = column.bounds
        return ("S-VALUE-RANGE", OUT_OF_RANGE, BAD_FIX,
                {"column": header, "lo": f"{lo:g}", "hi": f"{hi:g}", "value": f"{value:g}"})
    return None
