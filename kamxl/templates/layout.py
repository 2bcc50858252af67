"""Where every block of a template lands in the workbook, and how formula placeholders
become references. The builder writes by this plan; readers and tests find cells by it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config
from kamxl.schema.model import Form, Grid, Table, Template

TITLE_ROWS = 3   # title, hint, blank
GAP_ROWS = 2


@dataclass(frozen=True)
class Placed:
    """A block's position (0-based rows/cols, as XlsxWriter counts)."""

    sheet: str
    block: Form | Table | Grid
    first_row: int
    first_col: int
    rows: int            # data rows (tables, grids) or fields (forms)

    @property
    def header_row(self) -> int:
        return self.first_row

    @property
    def title_row(self) -> int:
        """The block's title line: above the header and a table's lead rows (group band, notes)."""
        return self.first_row - 1 - (self.block.lead_rows if isinstance(self.block, Table) else 0)

    @property
    def last_row(self) -> int:
        return self.first_row + self.rows if not isinstance(self.block, Form) else self.first_row + self.rows - 1


def seed_rows(table: Table, config: Config, lang: Lang) -> list[dict[str, object]]:
    """Rows the builder fills in itself (the stage list of a benchmarks table)."""
    if table.seed == "open_stages":
        return [{"stage": s.label(lang)} for s in config.stages[:-1]]
    if table.seed == "checklist":  # M-SCORE-5: one row per question of seed 000's bank
        from kamxl.methodology.checklist import checklist

        return [{"side": area.side(lang), "area": area.text(lang), "question_id": q.id, "question": q.text(lang)}
                for area in checklist() for q in area.questions]
    return []


def plan(template: Template, lang: Lang, config: Config, row_counts: dict[str, int]) -> dict[str, Placed]:
    """Block key (table name, form prefix, grid key) -> its place."""
    places: dict[str, Placed] = {}
    for sheet in template.sheets:
        row = TITLE_ROWS
        for block in sheet.blocks:
            if isinstance(block, Table):
                n = row_counts.get(block.name) or len(seed_rows(block, config, lang)) or block.blank_rows
                key = block.name
            elif isinstance(block, Form):
                n, key = len(block.fields), block.prefix
            else:
                n, key = grid_height(block, config), block.key
            row += 1 + (block.lead_rows if isinstance(block, Table) else 0)  # title line, band, notes
            places[key] = Placed(sheet.name(lang), block, row, 0, n)
            row += n + 1 + GAP_ROWS
    return places


def grid_height(grid: Grid, config: Config) -> int:
    """A grid's rows: one per stage of the company's table for a funnel grid (M-FUN-1)."""
    return len(config.stages) if grid.funnel else len(grid.rows)


def hint_params(config: Config) -> dict[str, str]:
    """What a hint may name of the company's stage table (M-FUN-1), as stage codes:
    ``{first}``, ``{last}`` (the won/lost stage) and the stages settings start from."""
    ev = config.evidence
    return {"first": config.stages[0].code, "last": config.stages[-1].code,
            "budget_from": f"{ev.budget_and_sponsor_from:02d}", "coach_from": f"{ev.coach_from:02d}",
            "score_from": f"{ev.score_from:02d}", "counted_from": f"{config.forecast.counted_from:02d}"}


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w]*(?:\.[\w]+)?(?::\w+)?)\}")
_MACRO = re.compile(r"\{@(\w+)(?::([^{}]*))?\}")
_PERIOD = re.compile(r"\{period:(\w+)\}")
_SETTING = re.compile(r"\{cfg:([\w.]+)\}")


def setting(path: str, config: Config) -> str:
    """A company setting as a formula literal: ``scoring.threshold`` -> '10'; ``last_stage`` is
    the number of the funnel's last stage (the won/lost one)."""
    if path == "last_stage":
        return str(len(config.stages))
    value: object = config
    for part in path.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    assert isinstance(value, (int, float)) and not isinstance(value, bool), path
    return f"{value:g}"


def period_expression(ref: str, config: Config) -> str:
    """M-FC-1: the forecast period of a date cell as Excel text, '2026-Q4' or '2026-11'."""
    if config.forecast.period == "month":
        return f'IF({ref}="","",YEAR({ref})&"-"&TEXT(MONTH({ref}),"00"))'
    return f'IF({ref}="","",YEAR({ref})&"-Q"&ROUNDUP(MONTH({ref})/3,0))'


def next_period_expression(ref: str, config: Config) -> str:
    """The period after the one in ``ref`` ('2026-Q4' -> '2027-Q1'), as Excel text."""
    if config.forecast.period == "month":
        return (f'IF({ref}="","",IF(RIGHT({ref},2)="12",(LEFT({ref},4)+1)&"-01",'
                f'LEFT({ref},5)&TEXT(RIGHT({ref},2)+1,"00")))')
    return f'IF({ref}="","",IF(RIGHT({ref},1)="4",(LEFT({ref},4)+1)&"-Q1",LEFT({ref},6)&(RIGHT({ref},1)+1)))'


def _header(table: Table, key: str, lang: Lang) -> str:
    return table.column(key).header(lang)


def resolve(formula: str | Text, *, lang: Lang, table: Table | None, places: dict[str, Placed],
            config: Config, extra: dict[str, str] | None = None) -> str:
    """Turn ``{key}`` placeholders into structured references, defined names or text.

    ``{key}`` this row of the same table · ``{a:b}`` this row, columns a to b ·
    ``{Table.key}`` a whole column · ``{Table.a:b}`` whole columns a to b ·
    ``{Prefix.key}`` a form field's defined name · ``{period:key}`` the forecast period of a
    date (config: quarter or month) · ``{next_period:ref}`` the period after ``ref`` ·
    ``{@macro:arg,…}`` a plain-formula piece of :mod:`kamxl.templates.portable` ·
    ``{cfg:section.key}`` a company setting as a literal (:func:`setting`) ·
    ``{lang}`` and ``extra`` keys verbatim (``{row_key}``, a grid row's key, even inside a macro).
    """
    from kamxl.templates.portable import MACROS

    text = getattr(formula, lang) if isinstance(formula, Text) else formula  # raw: no str.format
    values = {"lang": lang, **(extra or {})}
    if "row_key" in values:
        text = text.replace("{row_key}", values["row_key"])
    text = re.sub(r"\{next_period:(\w+)\}", lambda m: next_period_expression(values[m.group(1)], config), text)
    text = _PERIOD.sub(lambda m: period_expression("{" + m.group(1) + "}", config), text)
    text = _SETTING.sub(lambda m: setting(m.group(1), config), text)

    def ref(token: str) -> str:
        if token in values:
            return values[token]
        owner_name, _, cols = token.rpartition(".")
        first, _, last = cols.partition(":")
        if not owner_name and last and first in values and last in values:   # a row's cells given as extra
            return f"{values[first]}:{values[last]}"
        if not owner_name:
            assert table is not None, f"{token}: a this-row reference outside a table"
            span = f"[{_header(table, first, lang)}]" + (f":[{_header(table, last, lang)}]" if last else "")
            return f"{table.name}[[#This Row],{span}]"
        owner = places[owner_name].block
        if isinstance(owner, Form):
            return f"{owner.prefix}_{first}"
        assert isinstance(owner, Table), token
        if last:
            return f"{owner.name}[[{_header(owner, first, lang)}]:[{_header(owner, last, lang)}]]"
        return f"{owner.name}[{_header(owner, first, lang)}]"

    def macro(match: re.Match[str]) -> str:
        args = [a.strip() for a in (match.group(2) or "").split(",") if a.strip()]
        return MACROS[match.group(1)](*args, lang=lang, config=config, ref=ref)

    text = _MACRO.sub(macro, text)
    return _PLACEHOLDER.sub(lambda m: ref(m.group(1)), text)
