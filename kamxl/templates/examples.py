"""Filled examples: the bundled sample data (kamxl/data/samples) laid into a template.

Cells get what a rep would type in that language (stage labels, 是/否 or Y/N), except the
value-assessment answers, which keep the sample's mixed spellings (Y, 1, 是, √, full
width…) because real workbooks look like that and every reader must cope.
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
    if column.kind is Kind.YES_NO and column.key.startswith("q") and column.key[1:].isdigit():
        return raw  # answers keep their spelling: see the module docstring
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
    opportunities = sample_rows("opportunities")
    return {
        "Opportunities": table_rows(template.table("Opportunities"), opportunities, lang, config,
                                    {"name": "opportunity"}),
        # Stage-01 opportunities nobody has assessed yet have no assessment row at all.
        "Assessment": table_rows(template.table("Assessment"),
                                 [r for r in opportunities if any(not is_blank(r[f"q{n:02d}"]) for n in range(1, 21))],
                                 lang, config),
        "Benchmarks": table_rows(template.table("Benchmarks"), sample_rows("benchmarks"), lang, config),
    }


FORECAST_OWNER = "王磊"


def forecast_example(template: Template, lang: Lang, config: Config) -> dict[str, Any]:
    """One rep's quarterly forecast: the confirmed opportunities 王磊 is primary owner of."""
    from kamxl.methodology.vocabulary import FORECAST_LEVEL

    mine = [r for r in sample_rows("opportunities")
            if r["owner"] == FORECAST_OWNER and parse_yes_no(r["confirmed"]) and r["status"] != "lost"]
    lines = table_rows(template.table("ForecastLines"), mine, lang, config, {"opportunity_id": "id"})
    for line, record in zip(lines, mine):
        line["owner_forecast"] = parse_number(record["amount"])
    return {
        "Forecast": {"owner": FORECAST_OWNER, "level": FORECAST_LEVEL.get("rep").label(lang), "manager": "孙建华",
                     "period": "2026-Q4", "currency": config.forecast.currency,
                     "submitted_at": parse_date("2026-11-20"), "quota": 30_000_000.0},
        "ForecastLines": lines,
    }
