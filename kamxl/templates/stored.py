"""What every formula cell of a workbook shows, computed in Python from the cells kamxl
writes, so that the file stores it: previews, phones, mail and every reader that does
not recalculate see the numbers Excel would show.

A ``KAM_*`` cell gets what the add-in's function returns for the same cells (the
functions of ``kamxl/excel/udfs.py`` are called as xlwings calls them); a plain formula
(``SUMPRODUCT``, ``INDEX``/``MATCH``, ``COUNTIF``…) gets what Excel computes, spelt out
here with Excel's rules (text compared case-blind, blank cells as "" or 0, the first
error of a column winning). The portable edition's formulas compute the same values in
LibreOffice (``tests/test_portable_equivalence.py``), and the formula engine the
``KAM_*`` edition's (``tests/test_stored_values.py``), so the three cannot drift apart.

One function per computed column, form field and grid, keyed like the schema
(:data:`TABLE`, :data:`FORM`, :data:`GRID`); a test checks every formula of every
template has one.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

from kamxl.cells import parse_error
from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config, pinned_config
from kamxl.errors import InputError
from kamxl.methodology.forecast import period_of
from kamxl.methodology.scoring import QUESTIONS, parse_answer, score_parsed
from kamxl.methodology.vocabulary import FORECAST_CATEGORY
from kamxl.schema.model import Grid, Table, Template
from kamxl.templates.keys import SEP, spellings
from kamxl.templates.layout import Placed

EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Typed:
    """A value typed over a formula cell: it is what the cell shows (kamxl.convert keeps it)."""

    value: object


class Err(str):
    """An Excel error value ('#VALUE!', '#N/A'…) as a formula's result (XlsxWriter stores
    a formula result spelt like an error code as an error)."""


def first_error(values: Iterable[object]) -> Err | None:
    return next((v for v in values if isinstance(v, Err)), None)


def udf(fn: Callable[..., Any], *args: object) -> object:
    """A KAM_* function's result for these cells: numbers as floats (as xlwings passes
    them), the error convention's text as the error value the add-in shows."""
    result = fn(*(_as_passed(a) for a in args))
    if isinstance(result, list):
        return [[_result(v) for v in row] for row in result]
    return _result(result)


_AS_IS = frozenset((str, float, type(None), bool, Err))   # what xlwings passes unchanged


def _as_passed(value: object) -> object:
    if isinstance(value, list):   # a range: as it is when every cell passes unchanged (a roll-up's 200,000 rows)
        if _AS_IS.issuperset(map(type, chain.from_iterable(value))):
            return value
        return [[v if v.__class__ in _AS_IS else _as_passed(v) for v in row] for row in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _result(value: object) -> object:
    found = parse_error(value)
    return Err(found[0]) if found else value


# --- Excel's rules, as far as our formulas use them ------------------------------------------------

def empty(value: object) -> bool:
    """``cell=""``: an empty cell or empty text."""
    return value is None or value == ""


def text(value: object) -> str:
    """A value as text functions (TRIM, &) see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return text(float(_serial(value)))
    return str(value)


def _serial(day: dt.date) -> int:
    return ((day.date() if isinstance(day, dt.datetime) else day) - EPOCH).days


def key(value: object) -> str:
    """TRIM(SUBSTITUTE(cell, ideographic space, space)), case-folded: what the spellings
    table is matched with (:func:`kamxl.templates.portable.key`)."""
    return re.sub(" +", " ", text(value).replace("\u3000", " ")).strip(" ").casefold()


def number(value: object) -> bool:
    """ISNUMBER."""
    return isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)


def equal(a: object, b: object) -> bool | Err:
    """``a=b``: text case-blind, an empty cell equal to "" and to 0, text never a number."""
    if isinstance(a, Err) or isinstance(b, Err):
        return a if isinstance(a, Err) else b  # type: ignore[return-value]
    a, b = _blank_as(a, b), _blank_as(b, a)
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if number(a) and number(b):
        return _num(a) == _num(b)
    return isinstance(a, bool) and a is b


def _blank_as(value: object, other: object) -> object:
    if value is not None:
        return value
    return "" if isinstance(other, str) or other is None else (False if isinstance(other, bool) else 0.0)


def _num(value: object) -> float:
    return float(_serial(value)) if isinstance(value, dt.date) else float(value)  # type: ignore[arg-type]


# --- the workbook's cells --------------------------------------------------------------------------

Compute = Callable[["Book", str], Sequence[object]]


class Book:
    """The cells of a workbook as kamxl writes them — tables (seeded and blank rows
    included) and forms — and, computed on first use, every formula's value."""

    def __init__(self, template: Template, *, lang: Lang, config: Config, places: Mapping[str, Placed],
                 tables: Mapping[str, Sequence[Mapping[str, Any]]], forms: Mapping[str, Mapping[str, Any]]) -> None:
        self.template, self.lang, self.config, self.places = template, lang, config, places
        self._rows, self._forms = tables, forms
        self._columns: dict[tuple[str, str], Sequence[object]] = {}
        self._fields: dict[tuple[str, str], object] = {}
        self._grids: dict[str, list[list[object]]] = {}
        self.memo: dict[object, Any] = {}      # what several cells share (the lines a roll-up counts)

    @cached_property
    def keys(self) -> dict[str, frozenset[str]]:
        return spellings(self.config)

    def rows(self, table: str) -> int:
        return self.places[table].rows

    def column(self, table: str, key: str) -> Sequence[object]:
        """Every row's value of a column: what was written, or what its formula gives."""
        found = self._columns.get((table, key))
        if found is None:
            column = self.template.table(table).column(key)
            rows, n = self._rows.get(table) or [], self.rows(table)
            given = rows.column(key) if hasattr(rows, "column") else [r.get(key) for r in rows]
            if column.formula:
                with pinned_config(self.config):
                    found = TABLE[(table, key)](self, table)
                if any(isinstance(v, Typed) for v in given):   # typed over the formula: the typed value
                    found = [v.value if isinstance(v, Typed) else f for v, f in zip([*given, *[None] * n], found)]
            else:
                found = list(given[:n]) + [None] * (n - len(given))
            self._columns[(table, key)] = found
        return found

    def field(self, prefix: str, key: str) -> object:
        if (prefix, key) not in self._fields:
            form = next(f for f in self.template.forms() if f.prefix == prefix)
            given = self._forms.get(prefix, {}).get(key)
            with pinned_config(self.config):
                self._fields[(prefix, key)] = (given.value if isinstance(given, Typed)
                                               else FORM[(prefix, key)](self) if form.field(key).formula else given)
        return self._fields[(prefix, key)]

    def grid(self, key: str) -> list[list[object]]:
        """A grid's body: per row, its label then one value per column."""
        if key not in self._grids:
            grid = next(g for g in self.template.grids() if g.key == key)
            with pinned_config(self.config):
                self._grids[key] = (_with_helpers(self, grid, _funnel(self, grid)) if grid.funnel
                                    else GRID[key](self, grid))
        return self._grids[key]

    def per_row(self, table: str, keys: Sequence[str], fn: Callable[..., object]) -> list[object]:
        """``fn`` of each row's values of ``keys``, once per distinct values."""
        seen: dict[tuple[object, ...], object] = {}
        out = []
        for values in zip(*(self.column(table, k) for k in keys)):
            try:
                result = seen[values] if values in seen else seen.setdefault(values, fn(*values))
            except TypeError:      # something unhashable
                result = fn(*values)
            out.append(result)
        return out

    def text(self, message: Text, **params: object) -> str:
        return message(self.lang, **params)


def stored_values(book: Book) -> dict[str, object]:
    """'SHEET!A1' (sheet upper-cased) -> the value of every formula cell of the workbook."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    out: dict[str, object] = {}
    for sheet in book.template.sheets:
        name = sheet.name(book.lang).upper()
        for block in sheet.blocks:
            place = book.places[_key(block)]
            if isinstance(block, Table):
                for c, column in enumerate(block.columns):
                    if column.formula:
                        for r, value in enumerate(book.column(block.name, column.key)):
                            out[f"{name}!{xl_rowcol_to_cell(place.header_row + 1 + r, place.first_col + c)}"] = value
            elif isinstance(block, Grid):
                for r, row in enumerate(book.grid(block.key)):
                    for c, value in enumerate(row):
                        out[f"{name}!{xl_rowcol_to_cell(place.header_row + 1 + r, place.first_col + c)}"] = value
            else:
                for i, column in enumerate(block.fields):
                    if column.formula:
                        out[f"{name}!{xl_rowcol_to_cell(place.first_row + i, place.first_col + 1)}"] = \
                            book.field(block.prefix, column.key)
    return out


def _key(block: object) -> str:
    return getattr(block, "name", None) or getattr(block, "prefix", None) or block.key  # type: ignore[attr-defined]


def _with_helpers(book: Book, grid: Grid, body: list[list[object]]) -> list[list[object]]:
    """A funnel block's rows with its helper columns (``Grid.helpers``) on the open stages."""
    if not grid.helpers:
        return body
    keys = [c.key for c in grid.helpers]
    assert keys == list(HELPERS), f"stored.py computes the helpers {list(HELPERS)}, not {keys}"
    return _funnel_helpers(book, grid, body)


def _stage_sum(book: Book, stage_no: int, table: str, stage: str, values: str) -> object:
    """SUMPRODUCT(--ISNUMBER(MATCH(key(stage)&SEP,Kam_Stage_n,0)),values): a matching row's
    number counts, its text 0; an error in ``values`` is the result."""
    from kamxl.templates.keys import SEP

    spelled = book.keys[f"Kam_Stage_{stage_no}"]
    column = book.column(table, values)
    error = first_error(column)
    if error:
        return error
    total = 0.0
    for s, v in zip(book.column(table, stage), column):
        if isinstance(s, Err):
            return s
        if (key(s) + SEP).casefold() in spelled and number(v):
            total += _num(v)
    return total


def _funnel_helpers(book: Book, grid: Grid, body: list[list[object]]) -> list[list[object]]:
    """M-FUN-3: the benchmark amount of each open stage, and the funnel chart's offsets:
    (MAX(amounts, benchmarks) - own) / 2 (MAX skips text, and shows the first error)."""
    assert grid.funnel and grid.funnel.benchmarks
    table, _, stage = grid.funnel.benchmarks[0].partition(".")
    amount_at = 1 + [c.key for c in grid.columns].index("amount")
    open_rows = body[:len(book.config.stages) - 1]
    benches = [_stage_sum(book, n, table, stage, grid.funnel.benchmarks[2].partition(".")[2])
               for n in range(1, len(open_rows) + 1)]
    amounts = [row[amount_at] for row in open_rows]
    error = first_error([*amounts, *benches])
    numbers = [_num(v) for v in [*amounts, *benches] if number(v)]
    widest = error or (max(numbers) if numbers else 0.0)

    def offset(own: object) -> object:
        if isinstance(widest, Err):
            return widest
        if isinstance(own, Err):
            return own
        return (widest - _num(own)) / 2 if number(own) or own is None else Err("#VALUE!")

    out = [[*row, bench, offset(amount), offset(bench)] for row, bench, amount in zip(open_rows, benches, amounts)]
    return out + [list(row) for row in body[len(open_rows):]]


HELPERS = ("bench", "amount_offset", "bench_offset")


# --- the funnel (M-FUN-1..3) and the KAM_* columns -----------------------------------------------

def _kam(name: str) -> Callable[..., Any]:
    from kamxl.excel.udfs import FUNCTIONS

    return FUNCTIONS[name]


def _funnel(book: Book, grid: Grid) -> list[list[object]]:
    """KAM_FUNNEL over the table's columns (the whole block one error when it fails)."""
    spec = grid.funnel
    assert spec is not None

    def cells(ref: str) -> list[list[object]]:
        table, _, key = ref.partition(".")
        return [[v] for v in book.column(table, key)]

    bench: object = ""
    if spec.benchmarks:
        table = spec.benchmarks[0].partition(".")[0]
        bench = [list(r) for r in zip(*(book.column(table, ref.partition(".")[2]) for ref in spec.benchmarks))]
    result = udf(_kam("KAM_FUNNEL"), cells(spec.stages), cells(spec.amounts), cells(spec.statuses), bench,
                 book.lang)
    width = len(grid.columns) + 1
    if isinstance(result, Err):
        return [[result] * width for _ in range(book.rows(grid.key))]
    rows = [list(r)[:width] for r in result]  # type: ignore[union-attr]  # the grid's first columns
    return rows + [[""] * width for _ in range(book.rows(grid.key) - len(rows))]


def _probability(book: Book, table: str) -> list[object]:
    fn = _kam("KAM_STAGE_PROB")
    return book.per_row(table, ("stage", "status"), lambda s, st: "" if empty(s) else udf(fn, s, st))


def _weighted(book: Book, table: str) -> list[object]:
    """IF(stage="","",KAM_WEIGHTED(amount,stage,status)): the function works cell by cell,
    so each (stage, status) pair's probability is asked for once (KAM_WEIGHTED of an amount
    of 1) and multiplied as the function multiplies; anything unusual — an error, a text or
    negative amount — is the function's own answer for that row."""
    fn = _kam("KAM_WEIGHTED")
    probability: dict[tuple[object, object], object] = {}
    out: list[object] = []
    for amount, stage, status in zip(*(book.column(table, k) for k in ("amount", "stage", "status"))):
        if empty(stage):
            out.append("")
            continue
        pair = (stage, status)
        p = probability[pair] if pair in probability else probability.setdefault(pair, udf(fn, 1.0, stage, status))
        if type(p) is float and type(amount) in (float, int) and amount >= 0:
            out.append(float(amount) * p)
        else:
            out.append(udf(fn, amount, stage, status))
    return out


def _weighted_or_override(book: Book, table: str) -> list[object]:
    """M-FUN-6: IF(stage="","",IF(override applies,amount*override,KAM_WEIGHTED(…))) — the
    adjusted probability when it is a number from 0 to 1 and the amount a number not below 0
    (:func:`kamxl.templates.portable.override_applies`)."""
    out = _weighted(book, table)
    if not any(c.key == "prob_override" for c in book.template.table(table).columns):
        return out    # an older funnel's (tests write one)
    overrides, amounts = book.column(table, "prob_override"), book.column(table, "amount")
    for i, (stage, override, amount) in enumerate(zip(book.column(table, "stage"), overrides, amounts)):
        if empty(stage) or not (number(override) and number(amount)):
            continue
        p, a = _num(override), _num(amount)
        if 0 <= p <= 1 and a >= 0:
            out[i] = a * p
    return out


def _period(book: Book, table: str) -> list[object]:
    """M-FC-1: {period:close_date} — a date's quarter (or month); "" for a blank cell."""
    def period(day: object) -> object:
        if empty(day):
            return ""
        if not number(day):
            return Err("#VALUE!")
        return period_of(day, config=book.config)
    return book.per_row(table, ("close_date",), period)


NOT_ASSESSED = Text("未评估", "not assessed")
INCOMPLETE = Text("未完成", "incomplete")


def _value_score(book: Book, table: str) -> list[object]:
    """IF(id="","",IF(COUNTIF(Assessment[id],id)=0,"not assessed",IF(INDEX(score,…)="","incomplete",
    INDEX(score,MATCH(id,…)))))"""
    ids, scores = book.column("Assessment", "id"), book.column("Assessment", "score")
    first: dict[str, int] = {}
    for i, value in enumerate(ids):
        if isinstance(value, str):
            first.setdefault(value.casefold(), i)

    def score(id_: object) -> object:
        if empty(id_):
            return ""
        i = first.get(id_.casefold()) if isinstance(id_, str) else None
        if i is None:
            return book.text(NOT_ASSESSED)
        found = _index(scores[i])
        return book.text(INCOMPLETE) if found == "" else found
    return book.per_row(table, ("id",), score)


def _index(value: object) -> object:
    """What INDEX gives of a cell: a blank one is 0."""
    return 0.0 if value is None else value


def _opportunity(field: str) -> Compute:
    """IFNA(INDEX(Opportunities[field],MATCH(id,Opportunities[id],0))&"",""): an assessment's or
    a bid's opportunity name (or customer)."""
    def compute(book: Book, table: str) -> list[object]:
        ids, values = book.column("Opportunities", "id"), book.column("Opportunities", field)
        first: dict[str, int] = {}
        for i, value in enumerate(ids):
            if isinstance(value, str):
                first.setdefault(value.casefold(), i)

        def looked_up(id_: object) -> object:
            i = first.get(id_.casefold()) if isinstance(id_, str) else None
            return "" if i is None else text(values[i])
        return book.per_row(table, ("id",), looked_up)
    return compute


_assessment_name = _opportunity("name")


QUESTION_KEYS = tuple(f"q{n:02d}" for n in range(1, 21))


def _answers(cells: Sequence[object]) -> tuple[bool | None, ...] | Err:
    """The answers as the plain formulas read them (M-SCORE-3): an error cell among them
    first, then #VALUE! for one neither yes nor no."""
    found = first_error(cells)
    if found is not None:
        return found
    try:
        return tuple(parse_answer(v) for v in cells)
    except InputError:
        return Err("#VALUE!")


def _status(book: Book, table: str) -> list[object]:
    """IF(id="","",{@score_status:q01:q20}): complete, or how many are answered."""
    def status(id_: object, *cells: object) -> object:
        if empty(id_):
            return ""
        answers = _answers(cells)
        return answers if isinstance(answers, Err) else score_parsed(answers, config=book.config).status(book.lang)
    return book.per_row(table, ("id", *QUESTION_KEYS), status)


def _dimension(number: int) -> Compute:
    """IF(id="","",{@dimension:…}): a dimension's yes answers once its five are answered (M-SCORE-1)."""
    keys = tuple(f"q{q.number:02d}" for q in QUESTIONS if q.dimension == f"D{number}")

    def compute(book: Book, table: str) -> list[object]:
        def subtotal(id_: object, *cells: object) -> object:
            if empty(id_):
                return ""
            answers = _answers(cells)
            if isinstance(answers, Err):
                return answers
            return "" if None in answers else float(answers.count(True))
        return book.per_row(table, ("id", *keys), subtotal)
    return compute


def _score(book: Book, table: str) -> list[object]:
    """IF(id="","",IF(IFERROR(status="complete",TRUE),KAM_SCORE(q01:q20),"")): the number, blank
    while incomplete (the status column says how far)."""
    fn = _kam("KAM_SCORE")

    def score(id_: object, *answers: object) -> object:
        if empty(id_):
            return ""
        found = udf(fn, [list(answers)], book.lang)
        return "" if isinstance(found, str) and not isinstance(found, Err) else found
    return book.per_row(table, ("id", *QUESTION_KEYS), score)


def _level(book: Book, table: str) -> list[object]:
    """IF(id="","",IF(score="","",KAM_VALUE_LEVEL(score,"",lang)))"""
    fn = _kam("KAM_VALUE_LEVEL")
    return book.per_row(table, ("id", "score"),
                        lambda id_, s: "" if empty(id_) or equal(s, "") is True else udf(fn, s, "", book.lang))


def _final(book: Book, table: str) -> list[object]:
    """IF(adjusted="",IF(owner_figure="","",owner_figure),adjusted)"""
    return book.per_row(table, ("adjusted_figure", "owner_figure"),
                        lambda adjusted, own: ("" if empty(own) else own) if empty(adjusted) else adjusted)


def _relationship_level(book: Book, table: str) -> list[object]:
    fn = _kam("KAM_REL_LEVEL")
    return book.per_row(table, ("level",), lambda level: "" if empty(level) else udf(fn, level))


def _buying_point(book: Book, table: str) -> list[object]:
    fn = _kam("KAM_BUYING_POINT")
    yes, no = ("是", "否") if book.lang == "zh" else ("Y", "N")

    def point(u: object, v: object) -> object:
        if empty(u) and empty(v):
            return ""
        found = udf(fn, u, v)
        return found if isinstance(found, Err) else (yes if found else no)
    return book.per_row(table, ("uniqueness", "value"), point)


def _customer_key(book: Book, table: str) -> list[object]:
    """IF(customer="","",KAM_NAME_KEY(customer,credit_code)) (M-ACC-2)"""
    fn = _kam("KAM_NAME_KEY")
    return book.per_row(table, ("customer", "credit_code"),
                        lambda name, code: "" if equal(name, "") is True else udf(fn, name, code))


TABLE: dict[tuple[str, str], Compute] = {
    ("Opportunities", "probability"): _probability,
    ("Opportunities", "weighted"): _weighted_or_override,
    ("Opportunities", "value_score"): _value_score,
    ("Bids", "name"): _opportunity("name"),
    ("Bids", "customer"): _opportunity("customer"),
    ("Assessment", "name"): _assessment_name,
    ("Assessment", "score"): _score,
    ("Assessment", "status"): _status,
    **{("Assessment", f"d{n}"): _dimension(n) for n in range(1, 5)},
    ("Assessment", "level"): _level,
    ("ForecastLines", "close_period"): _period,
    ("ForecastLines", "weighted"): _weighted,
    ("OwnerForecasts", "final"): _final,
    ("DecisionChain", "level_no"): _relationship_level,
    ("SellingPoints", "buying_point"): _buying_point,
    ("Customers", "key"): _customer_key,
}


# --- the forecast's headline (M-FC-1, M-FC-2, M-FC-4, M-TEAM-1) -----------------------------------

def _line_facts(book: Book) -> list[tuple[bool, str | None]]:
    """Per line: whether a roll-up counts it (what :func:`kamxl.templates.portable.counted`
    checks, its category aside; M-FC-1: at a stage from ``forecast.counted_from`` on) and its category's key (None: not a category). Made once
    per workbook, each distinct cell value looked at once: a roll-up has 200,000 lines."""
    found = book.memo.get("line facts")
    if found is not None:
        return found
    keys = book.keys
    categories = {spelling: term.key for term in FORECAST_CATEGORY.terms for spelling in keys[f"Kam_Cat_{term.key}"]}
    level = key(book.field("Forecast", "level"))
    is_rep = level == "" or level in keys["Kam_Level_rep"]
    forecaster = key(book.field("Forecast", "owner")).replace(" ", "")
    first, last = book.config.forecast.counted_from, len(book.config.stages)
    counted_stages = frozenset().union(*(keys[f"Kam_Stage_{n}"] for n in range(first, last + 1)))
    col = lambda k: _folded(book.column("ForecastLines", k))  # noqa: E731
    yes = keys["Kam_Yes"]
    found = [(confirmed in yes and not (is_rep and owner.replace(" ", "") != forecaster)
              and has_id and number(amount) and number(weighted)
              and (first <= 1 or stage + SEP in counted_stages), categories.get(category))
             for confirmed, owner, category, has_id, amount, weighted, stage in zip(
                 col("confirmed"), col("owner"), col("category"), _not_blank(book.column("ForecastLines", "opportunity_id")),
                 book.column("ForecastLines", "amount"), book.column("ForecastLines", "weighted"), col("stage"))]
    book.memo["line facts"] = found
    return found


def _folded(values: Sequence[object]) -> list[str]:
    """:func:`key` of each value, made once per distinct value (and type: 1.0 and True
    are different cells) — a roll-up's column repeats a few hundred values 200,000 times."""
    try:
        if len(set(map(type, values)) & _EQUAL_TYPES) <= 1:   # no two types whose values compare equal
            made = {v: key(v) for v in set(values)}
            return list(map(made.__getitem__, values))
        typed = {(v.__class__, v): key(v) for v in values}
        return [typed[(v.__class__, v)] for v in values]
    except TypeError:        # something unhashable: one by one
        return [key(v) for v in values]


_EQUAL_TYPES = frozenset((bool, int, float))


def _not_blank(values: Sequence[object]) -> list[bool]:
    """``key(value) != ""`` for each value, without folding (ids are all different)."""
    return [v.strip(" \u3000") != "" if v.__class__ is str else key(v) != "" for v in values]


class _Lines:
    """SUMPRODUCT(counted lines of a category closing in a period, a column), for every
    category, period and column a forecast's summary asks about, from one pass over the
    lines per column: the lines summed by (category, close period). As in a spreadsheet,
    the first error of the column, or of the close periods compared, is the result."""

    def __init__(self, book: Book) -> None:
        self.book, self.facts = book, _line_facts(book)
        self.periods = book.column("ForecastLines", "close_period")
        self.period_error = next(((i, p) for i, p in enumerate(self.periods) if isinstance(p, Err)), None)
        self._groups: dict[str | None, tuple[tuple[int, Err] | None, dict[tuple[str, object], float]]] = {}
        self._rows: list[tuple[int, tuple[str, object]]] | None = None

    def _grouped(self, column: str | None) -> tuple[tuple[int, Err] | None, dict[tuple[str, object], float]]:
        if column not in self._groups:
            values = self.book.column("ForecastLines", column) if column else [1.0] * len(self.facts)
            error = None
            if Err in set(map(type, values)):
                error = next(((i, v) for i, v in enumerate(values) if isinstance(v, Err)), None)
            sums: dict[tuple[str, object], float] = {}
            for i, group in self._counted():
                value = values[i]
                if value.__class__ is float:     # the common case first, as _num would make it
                    sums[group] = sums.get(group, 0.0) + value
                elif number(value):
                    sums[group] = sums.get(group, 0.0) + _num(value)
            self._groups[column] = (error, sums)
        return self._groups[column]

    def _counted(self) -> list[tuple[int, tuple[str, object]]]:
        """(row, (category, close period)) of every counted line with a category."""
        if self._rows is None:
            self._rows = [(i, (category, period)) for i, ((ok, category), period) in enumerate(zip(self.facts, self.periods))
                          if ok and category is not None]
        return self._rows

    def total(self, category: str, period: object, column: str | None, *, outside: bool = False) -> object:
        """``category``: a key or 'any'; ``column`` None counts the lines."""
        if isinstance(period, Err):
            return period
        error, sums = self._grouped(column)
        errors = [e for e in (self.period_error, error) if e is not None]
        if errors:
            return min(errors, key=lambda e: e[0])[1]      # the first row's (the period's on a tie)
        return sum(v for (c, p), v in sums.items()
                   if (category == "any" or c == category) and bool(equal(p, period)) != outside)


def _lines(book: Book) -> _Lines:
    if "lines" not in book.memo:
        book.memo["lines"] = _Lines(book)
    return book.memo["lines"]


def _header_period(book: Book) -> object:
    return book.field("Forecast", "period")


def _sum(book: Book, category: str, column: str | None = "amount") -> object:
    """M-FC-1: the counted lines of ``category`` closing in the header's period."""
    return _lines(book).total(category, _header_period(book), column)


def _plus(a: object, b: object) -> object:
    return first_error((a, b)) or _num0(a) + _num0(b)


def _num0(value: object) -> float:
    return 0.0 if value is None or value == "" else float(value)  # type: ignore[arg-type]


def _ratio(book: Book, figure: object) -> object:
    """IF(N(quota)=0,"",figure/quota)"""
    quota = book.field("Forecast", "quota")
    if not number(quota) or not _num(quota):
        return ""
    return figure if isinstance(figure, Err) else _num0(figure) / _num(quota)


def _adjusted(book: Book) -> object:
    """This level's rows of the adjustment layer, else the commit (M-FC-4)."""
    owner, level = book.field("Forecast", "owner"), book.field("Forecast", "level")
    managers, levels = book.column("OwnerForecasts", "manager"), book.column("OwnerForecasts", "level")
    mine = [i for i, (m, lv) in enumerate(zip(managers, levels))
            if _criterion(m, owner) and _criterion(lv, level)]
    if not mine:
        return book.field("Attainment", "commit")
    finals = book.column("OwnerForecasts", "final")
    return first_error(finals[i] for i in mine) or sum(_num(finals[i]) for i in mine if number(finals[i]))


def _criterion(cell: object, wanted: object) -> bool:
    """COUNTIFS/SUMIFS matching a cell to a criterion cell's value: text case-blind; an
    empty criterion cell is the number 0 (so it matches no empty cell)."""
    if empty(wanted):
        return number(cell) and _num(cell) == 0
    return equal(cell, wanted) is True


FORM: dict[tuple[str, str], Callable[[Book], object]] = {
    ("Attainment", "closed"): lambda b: _sum(b, "closed"),
    ("Attainment", "commit"): lambda b: _plus(b.field("Attainment", "closed"), _sum(b, "commit")),
    ("Attainment", "best_case"): lambda b: _plus(b.field("Attainment", "commit"), _sum(b, "best_case")),
    ("Attainment", "pipeline"): lambda b: _sum(b, "pipeline"),
    ("Attainment", "weighted"): lambda b: _sum(b, "any", "weighted"),
    ("Attainment", "attainment"): lambda b: _ratio(b, b.field("Attainment", "closed")),
    ("Attainment", "forecast_attainment"): lambda b: _ratio(b, b.field("Attainment", "commit")),
    ("Attainment", "adjusted"): _adjusted,
    ("Attainment", "adjusted_attainment"): lambda b: _ratio(b, b.field("Attainment", "adjusted")),
    ("Attainment", "outside_lines"): lambda b: _lines(b).total("any", _header_period(b), None, outside=True),
    ("Attainment", "outside_amount"): lambda b: _lines(b).total("any", _header_period(b), "amount", outside=True),
}


def _by_category(book: Book, grid: Grid) -> list[list[object]]:
    period = _header_period(book)
    rows = []
    for category, label in grid.rows:
        rows.append([label(book.lang), *(_lines(book).total(category, period, c.key if i else None)
                                          for i, c in enumerate(grid.columns))])
    return rows


def _by_period(book: Book, grid: Grid) -> list[list[object]]:
    header = book.field("Forecast", "period")
    labels = ["" if empty(header) else text(header)]
    for _ in grid.rows[1:]:
        labels.append(_next_period(labels[-1], book.config))
    rows = []
    for label in labels:
        cells: list[object] = [label]
        for term in FORECAST_CATEGORY.terms:
            cells.append("" if label == "" else _lines(book).total(term.key, label, "amount"))
        rows.append(cells)
    return rows


def _next_period(period: str, config: Config) -> object:
    """{next_period:prev} (kamxl.templates.layout.next_period_expression), as Excel computes
    it on the text: the quarter or month after '2026-Q4' / '2026-12'."""
    if period == "":
        return ""
    if isinstance(period, Err):
        return period
    try:
        if config.forecast.period == "month":
            if period[-2:] == "12":
                return f"{int(period[:4]) + 1}-01"
            return f"{period[:5]}{int(period[-2:]) + 1:02d}"
        if period[-1:] == "4":
            return f"{int(period[:4]) + 1}-Q1"
        return f"{period[:6]}{int(period[-1:]) + 1}"
    except ValueError:
        return Err("#VALUE!")


# --- the account plan (M-ACC-2, M-ACC-6, M-REL-3, M-REL-6, M-SCORE-5) -----------------------------

def _top10(book: Book) -> object:
    names, ranks = book.column("DecisionChain", "name"), book.column("DecisionChain", "top10_rank")
    plan = book.column("RelationshipPlan", "name")
    if not any(not empty(n) for n in names) and not any(not empty(n) for n in plan):
        return ""
    return udf(_kam("KAM_TOP10_CHECK"), [[n, r] for n, r in zip(names, ranks)], [[n] for n in plan], book.lang)


def _approver(book: Book) -> object:
    """IF(N(amount)=0,"",IFERROR(INDEX(approver,COUNTIF(limits,"<="&amount)+1)&"",""))"""
    amount = book.field("Approval", "amount")
    if not number(amount) or not _num(amount):
        return ""
    limits = book.column("DecisionModel", "amount")
    below = sum(1 for limit in limits if number(limit) and _num(limit) <= _num(amount))
    approvers = book.column("DecisionModel", "approver")
    return text(approvers[below]) if below < len(approvers) else ""


def _evaluation(name: str) -> Callable[[Book], object]:
    def compute(book: Book) -> object:
        measures = [book.field("Evaluation", k) for k in ("contribution", "potential", "satisfaction")]
        return "" if all(empty(m) for m in measures) else udf(_kam(name), *measures)
    return compute


def _answered(book: Book) -> object:
    """SUMPRODUCT((question_id<>"")*(answer<>""))"""
    return float(sum(1 for q, a in zip(book.column("Checklist", "question_id"), book.column("Checklist", "answer"))
                     if not empty(q) and not empty(a)))


def _total(book: Book) -> object:
    """COUNTA(question_id)"""
    return float(sum(1 for q in book.column("Checklist", "question_id") if q is not None))


def _coverage(book: Book) -> object:
    total, answered = book.field("ChecklistTotal", "total"), book.field("ChecklistTotal", "answered")
    return "" if not _num0(total) else _num0(answered) / _num0(total)


def _coverage_by_area(book: Book, grid: Grid) -> list[list[object]]:
    areas, answers = book.column("Checklist", "area"), book.column("Checklist", "answer")
    rows = []
    for _key_, label in grid.rows:
        name = label(book.lang)
        mine = [a for area, a in zip(areas, answers) if _criterion(area, name)]
        answered = float(sum(1 for a in mine if not empty(a)))
        rows.append([name, answered, float(len(mine)), answered / len(mine) if mine else ""])
    return rows


FORM.update({
    ("ChainCheck", "top10_check"): _top10,
    ("Approval", "approver"): _approver,
    ("Evaluation", "score"): _evaluation("KAM_EVAL_SCORE"),
    ("Evaluation", "account_class"): _evaluation("KAM_ACCOUNT_CLASS"),
    ("ChecklistTotal", "answered"): _answered,
    ("ChecklistTotal", "total"): _total,
    ("ChecklistTotal", "coverage"): _coverage,
})

def _green_zone(book: Book, grid: Grid) -> list[list[object]]:
    """M-PLAN-4: the green zone's border points (kamxl.templates.portable.zone)."""
    from kamxl.templates.portable import ZONE_CORNERS

    sp = book.config.selling_points
    values = {"scale": sp.scale_max, ("min", "uniqueness"): sp.uniqueness_min, ("min", "value"): sp.value_min}
    rows = []
    for key_, label in grid.rows:
        x, y = ZONE_CORNERS[key_]
        rows.append([label(book.lang), *(float(values["scale"] if which == "scale" else values[(which, axis)])
                                          for which, axis in ((x, "uniqueness"), (y, "value")))])
    return rows


def _layers(book: Book, grid: Grid) -> list[list[object]]:
    """M-REL-2: per layer, COUNTIF(layer,row); the mean of the matched people's level numbers
    (SUMIFS / COUNTIFS over level > 0, so an unreadable level, an error, counts in neither; ""
    when none has a level); the share with a level at or above ``plan.covered_from`` ("" when
    the layer has nobody)."""
    layers, levels = book.column("DecisionChain", "layer"), book.column("DecisionChain", "level_no")
    covered = book.config.plan.covered_from
    rows = []
    for _key_, label in grid.rows:
        name = label(book.lang)
        matched = [lv for layer, lv in zip(layers, levels) if _criterion(layer, name)]
        people = float(len(matched))
        numbers = [_num(lv) for lv in matched if number(lv)]
        positive = [n for n in numbers if n > 0]
        average: object = sum(positive) / len(positive) if positive else ""
        share: object = "" if not matched else sum(1 for n in numbers if n >= covered) / people
        rows.append([name, people, average, share])
    return rows


def _attainment(book: Book, table: str) -> list[object]:
    """M-PLAN-5: IF(AND(ISNUMBER(target),ISNUMBER(actual)),IF(target=0,"",actual/target),"")"""
    def ratio(target: object, actual: object) -> object:
        if not (number(target) and number(actual)):
            return ""
        return "" if _num(target) == 0 else _num(actual) / _num(target)
    return book.per_row(table, ("target", "actual"), ratio)


TABLE[("Execution", "attainment")] = _attainment


def _next_review(book: Book) -> object:
    """M-PLAN-1: IF(ISNUMBER(reviewed_on),reviewed_on+plan.review_every_days,"") — a date serial."""
    reviewed = book.field("PlanReview", "reviewed_on")
    return _num(reviewed) + book.config.plan.review_every_days if number(reviewed) else ""


def _linked_class(book: Book) -> object:
    """M-PLAN-5: Evaluation_account_class&"" (an error stays one)."""
    value = book.field("Evaluation", "account_class")
    return value if isinstance(value, Err) else text(value)


FORM.update({("PlanReview", "next_review"): _next_review, ("GrowthClass", "account_class"): _linked_class})


GRID: dict[str, Callable[[Book, Grid], list[list[object]]]] = {
    "layers": _layers,
    "green_zone": _green_zone,
    "by_category": _by_category,
    "by_period": _by_period,
    "coverage": _coverage_by_area,
}
