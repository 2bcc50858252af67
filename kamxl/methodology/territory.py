"""Territory and assignment rules (M-TEAM-2): which account manager owns a customer.

A company lists ``[[territory]]`` rules (region, industry, account manager; region and
industry optional, a missing one matching anything). The most specific rule that matches a
customer wins: region and industry, then region or industry alone, then a rule with
neither; between equally specific rules the first listed wins. Names are compared width-,
case- and space-blind, as owners are (:func:`kamxl.methodology.forecast.same_owner`).
"""
from __future__ import annotations

from kamxl.methodology.config import Config, TerritoryRule
from kamxl.methodology.values import fold, is_blank


def _same(rule_value: str | None, value: object) -> bool:
    if rule_value is None:
        return True
    return not is_blank(value) and fold(rule_value).replace(" ", "") == fold(value).replace(" ", "")


def rule_for(region: object, industry: object, config: Config) -> TerritoryRule | None:
    """M-TEAM-2: the rule that assigns a customer of ``region`` and ``industry``, None when none does."""
    matching = [(-((r.region is not None) + (r.industry is not None)), i, r) for i, r in enumerate(config.territory)
                if _same(r.region, region) and _same(r.industry, industry)]
    return min(matching, key=lambda m: m[:2])[2] if matching else None


def describe(rule: TerritoryRule, lang: str) -> str:
    """The rule as ``config show`` and findings name it: 'region 华东, industry 制造 → 张伟'."""
    any_ = "任意" if lang == "zh" else "any"
    if lang == "zh":
        return f"区域 {rule.region or any_}、行业 {rule.industry or any_} → {rule.account_manager}"
    return f"region {rule.region or any_}, industry {rule.industry or any_} → {rule.account_manager}"
