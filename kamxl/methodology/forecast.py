"""Forecast primitives (seed 001 §四, §六).

M-FC-2  an account manager forecasts only confirmed opportunities of which they are the
        primary owner (主要负责人).
M-FC-3  one opportunity has exactly one primary owner; the same opportunity in two
        forecasts is double counting: reported, never summed twice.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kamxl.errors import InputError
from kamxl.i18n import Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.values import fold, is_blank, parse_date, parse_yes_no

NO_CLOSE_DATE = Text(zh="缺少预计成交日期", en="the expected close date is missing")
BAD_PERIOD = Text("“{value}”不是公司规定的{kind}期间：请写成 {example} 的形式",
                  "'{value}' is not a {kind} as the company writes periods: write it like {example}")
#: M-FC-1: how the company writes a period (config forecast.period): its kind, its form, an example
PERIOD_KINDS = {"quarter": (Text("季度", "quarter"), re.compile(r"(\d{4})-Q([1-4])", re.IGNORECASE), "2026-Q4"),
                "month": (Text("月份", "month"), re.compile(r"(\d{4})-(0[1-9]|1[0-2])"), "2026-11")}


@dataclass(frozen=True)
class Opportunity:
    """The facts a forecast needs of one opportunity line."""

    id: str
    owner: str
    confirmed: bool
    amount: float
    stage: int
    status: str = "open"
    category: str = "pipeline"
    close_date: date | None = None
    customer: str = ""
    source: str = ""   # the file (or forecast) this line came from


def parse_confirmed(value: object) -> bool:
    """M-FC-2: the confirmed flag; a blank means not confirmed."""
    return bool(parse_yes_no(value, code="M-FC-2"))


def same_owner(a: object, b: object) -> bool:
    """Owner names compared width-, space- and case-blind ('王磊' == ' 王磊 ')."""
    return not is_blank(a) and fold(a).replace(" ", "") == fold(b).replace(" ", "")


def is_forecastable(opportunity: Opportunity, owner: str) -> bool:
    """M-FC-2: confirmed, and the forecaster is its primary owner."""
    return opportunity.confirmed and same_owner(opportunity.owner, owner)


def period_of(close: object, *, config: Config | None = None, date1904: bool = False) -> str:
    """M-FC-1: the forecast period of a close date: '2026-Q4' or '2026-11'."""
    day = parse_date(close, date1904=date1904, code="M-FC-1")
    if day is None:
        raise InputError("M-FC-1", NO_CLOSE_DATE)
    if (config or default_config()).forecast.period == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_period(value: object, *, config: Config | None = None) -> str:
    """M-FC-1: a forecast period as the company writes it ('2026-Q4', or '2026-11' when
    forecast.period is month), canonical ('2026-q4 ' -> '2026-Q4'). Anything else ('Q4 2026',
    '2026/11', a date) is an InputError: a period the lines' close periods are compared with
    must be spelled exactly as they are computed."""
    period = (config or default_config()).forecast.period
    kind, pattern, example = PERIOD_KINDS[period]
    text = "" if value is None else str(value).strip()
    found = pattern.fullmatch(text)
    if not found:
        raise InputError("M-FC-1", BAD_PERIOD, {"value": text, "kind": kind, "example": example})
    return f"{found.group(1)}-Q{found.group(2)}" if period == "quarter" else text


@dataclass(frozen=True)
class Duplicate:
    """M-FC-3: one opportunity id seen more than once."""

    id: str
    lines: tuple[Opportunity, ...]

    @property
    def owners(self) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for line in self.lines:
            seen.setdefault(fold(line.owner).replace(" ", ""), line.owner)
        return tuple(seen.values())

    @property
    def conflicting_owners(self) -> bool:
        return len(self.owners) > 1


def find_duplicates(lines: Iterable[Opportunity]) -> list[Duplicate]:
    """M-FC-3: opportunity ids that occur more than once (ids compared case-blind)."""
    by_id: dict[str, list[Opportunity]] = defaultdict(list)
    for line in lines:
        by_id[fold(line.id)].append(line)
    return [Duplicate(group[0].id, tuple(group)) for group in by_id.values() if len(group) > 1]
