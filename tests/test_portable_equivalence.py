"""The portable edition computes what the add-in's KAM_* functions compute (issue 14).

Hypothesis makes up what reps type — every spelling of stages, statuses, answers,
relationship levels, forecast categories and levels that the spellings table lists, in
any case, padded with spaces (the ideographic one too), typed as numbers or booleans;
blanks; amounts, dates, benchmarks, quotas; numbers off their scale and text nobody can
read. A real LibreOffice types it into the portable workbook, recalculates, and every
formula cell must show what kamxl's Python gives for the same cells — the value kamxl
stores in the workbooks it writes (:mod:`kamxl.templates.stored`), which for a KAM_*
cell is what the add-in's function returns — errors included.

One LibreOffice stays up for the whole module (``tests/lo_recalc.py``, driven over a
pipe): starting it per example would take hours. KAMXL_EQUIVALENCE_EXAMPLES sets the
number of examples per template (200 by default, as CI runs it).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamxl.methodology import default_config
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, FORECAST_LEVEL, RELATIONSHIP_LAYER, RELATIONSHIP_LEVEL, STATUS
from kamxl.schema import TEMPLATES, Form, Table
from kamxl.templates import write_template
from kamxl.templates.builder import KEYS_SHEET, _with_seed
from kamxl.templates.keys import stage_spellings, vocabulary_spellings, yes_no_spellings
from kamxl.templates.layout import plan
from kamxl.templates.stored import Book, stored_values

CFG = default_config()
EXAMPLES = int(os.environ.get("KAMXL_EQUIVALENCE_EXAMPLES", "200"))
UNO_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).with_name("lo_recalc.py")


def _uno_available() -> bool:
    try:
        return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# Skipped on a developer machine without LibreOffice's Python bridge; never in CI, which installs it.
pytestmark = pytest.mark.skipif(not _uno_available() and not os.environ.get("CI"),
                                reason="LibreOffice with python3-uno is not installed")


class Office:
    """The LibreOffice of tests/lo_recalc.py, one request at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([UNO_PYTHON, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")
        assert self._answer() == {"ready": True}

    def _answer(self) -> Any:
        line = self.proc.stdout.readline()   # type: ignore[union-attr]
        assert line, "LibreOffice's recalculation server stopped"
        answer = json.loads(line)
        assert not (isinstance(answer, dict) and "failed" in answer), answer
        return answer

    def ask(self, request: dict[str, Any]) -> Any:
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")   # type: ignore[union-attr]
        self.proc.stdin.flush()   # type: ignore[union-attr]
        return self._answer()

    def close(self) -> None:
        self.proc.stdin.write("\n")   # type: ignore[union-attr]
        self.proc.stdin.close()   # type: ignore[union-attr]
        self.proc.wait(60)


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    server = Office()
    yield server
    server.close()


@pytest.fixture(scope="module")
def portable(office: Office, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], int]:
    """A blank portable workbook of each template and language, open in LibreOffice."""
    folder = tmp_path_factory.mktemp("portable")
    return {(name, lang): office.ask({"open": str(write_template(name, folder / f"{name}.{lang}.xlsx", lang=lang,
                                                                  edition="portable"))})["doc"]
            for name in TEMPLATES for lang in ("zh", "en")}


# --- what reps type ------------------------------------------------------------------------------

def _spelled(spellings: list[str]) -> st.SearchStrategy[str]:
    """A listed spelling in any case, padded, its spaces doubled."""
    return st.sampled_from(spellings).flatmap(lambda s: st.sampled_from([
        s, s.upper(), s.lower(), s.title(), f" {s}", f"{s}  ", f"\u3000{s}\u3000", s.replace(" ", "  ")]))


def mostly(valid: st.SearchStrategy[Any], *others: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """What reps type: a valid entry four times in five, else one of the others."""
    return st.integers(0, 4).flatmap(lambda n: valid if n or not others else st.one_of(*others))


BLANK = st.sampled_from([None, " ", "\u3000"])
UNREADABLE = st.sampled_from(["maybe", "?", "x1*", "阶段九", "99", "~"])
STAGES = mostly(st.one_of(_spelled([s for stage in CFG.stages for s in stage_spellings(stage, CFG)]),
                          st.integers(1, len(CFG.stages))),
                st.sampled_from([0, 9, 5.5, "5.5", "09", "stage 9"]), BLANK, UNREADABLE)
STATUSES = mostly(st.one_of(st.none(), _spelled([s for t in STATUS.terms for s in vocabulary_spellings(STATUS, t.key)])),
                  st.sampled_from([" ", "pending"]))
YES_NO = st.one_of(_spelled(yes_no_spellings(True) + yes_no_spellings(False)), st.booleans(), st.sampled_from([0, 1]))
ANSWERS = mostly(YES_NO, BLANK, st.sampled_from(["maybe", 2, "是的"]))
AMOUNTS = mostly(st.one_of(st.integers(0, 10**9), st.floats(0, 1e9).map(lambda x: round(x, 2))),
                 st.sampled_from([None, -5.0, 0.0]))
CATEGORIES = mostly(_spelled([s for t in FORECAST_CATEGORY.terms for s in vocabulary_spellings(FORECAST_CATEGORY,
                                                                                                t.key)]),
                    st.sampled_from([None, "upsides"]))
LEVELS = mostly(_spelled([s for t in FORECAST_LEVEL.terms for s in vocabulary_spellings(FORECAST_LEVEL, t.key)]),
                st.none())
RELATIONSHIP = mostly(_spelled([s for t in RELATIONSHIP_LEVEL.terms
                                for s in vocabulary_spellings(RELATIONSHIP_LEVEL, t.key)]), BLANK, UNREADABLE)
# M-REL-2: the layer labels as the dropdowns offer them (the summary counts those), else a spelling
LAYERS = mostly(st.sampled_from(RELATIONSHIP_LAYER.labels("zh") + RELATIONSHIP_LAYER.labels("en")),
                _spelled([s for t in RELATIONSHIP_LAYER.terms for s in vocabulary_spellings(RELATIONSHIP_LAYER, t.key)]),
                BLANK)
IDS = mostly(st.sampled_from(["OPP-1", "OPP-2", "opp-1", "OPP-3", "OPP-4"]), st.none())
PEOPLE = st.sampled_from(["王磊", "王 磊", "李娜", "Wang Lei", "wang lei", None])
DATES = mostly(st.dates(dt.date(2026, 7, 1), dt.date(2027, 9, 30)), st.none())
SCORES = mostly(st.integers(0, 10), st.none(), st.integers(-2, 12), st.floats(-1, 11).map(lambda x: round(x, 1)))
MEASURES = mostly(st.one_of(st.integers(0, 100), st.floats(0, 100).map(lambda x: round(x, 3))),
                  st.none(), st.integers(-5, 105))


@st.composite
def rows(draw: st.DrawFn, columns: dict[str, st.SearchStrategy[Any]], most: int) -> list[dict[str, Any]]:
    """Up to ``most`` rows, some left empty between the filled ones."""
    out = []
    for _ in range(draw(st.integers(0, most))):
        out.append({} if draw(st.integers(0, 5)) == 0 else {k: draw(s) for k, s in columns.items()})
    return out


# M-FUN-6: an adjusted probability, mostly none; else one from 0 to 1, or one outside, or text
OVERRIDES = st.one_of(st.none(), st.none(), st.floats(0, 1).map(lambda x: round(x, 3)),
                      st.sampled_from([0, 1, 1.5, -0.2, "high", " "]))
VALID_STAGES = st.one_of(_spelled([s for stage in CFG.stages for s in stage_spellings(stage, CFG)]),
                         st.integers(1, len(CFG.stages) - 1))
VALID_STATUSES = st.sampled_from([None, "进行中", "Won", "丢单", "open"])
VALID_AMOUNTS = st.integers(0, 10**9)


@st.composite
def funnel(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    # half the funnels are clean throughout: one unreadable row turns the whole health table into an error
    clean = draw(st.booleans())
    opportunities = draw(rows({"id": IDS, "name": st.sampled_from(["变电站巡检", None]),
                               "customer": st.sampled_from(["江澜电力集团有限公司", None]),
                               "stage": VALID_STAGES if clean else STAGES,
                               "status": VALID_STATUSES if clean else STATUSES,
                               "amount": VALID_AMOUNTS if clean else AMOUNTS, "prob_override": OVERRIDES}, 12))
    bids = draw(rows({"id": IDS}, 5))   # M-BID-1: each bid's opportunity name and customer looked up
    assessment = [draw(assessment_row()) for _ in range(draw(st.integers(0, 8)))]
    benchmarks = draw(st.lists(st.fixed_dictionaries({"count": mostly(st.integers(0, 40), st.none()),
                                                      "amount": AMOUNTS}), min_size=3, max_size=7))
    return draw(st.sampled_from(["zh", "en"])), {"Opportunities": opportunities, "Assessment": assessment,
                                                 "Bids": bids, "Benchmarks": benchmarks}, {}


QUARTERS = {"2026-Q4": dt.date(2026, 10, 1), "2027-Q1": dt.date(2027, 1, 1)}


def _quarter(first: dt.date, later: int) -> dt.date:
    """The first day of the quarter ``later`` quarters after the one starting on ``first``."""
    months = first.year * 12 + first.month - 1 + 3 * later
    return dt.date(months // 12, months % 12 + 1, 1)
@st.composite
def assessment_row(draw: st.DrawFn) -> dict[str, Any]:
    """20 answers: all given, some left blank, or one that cannot be read."""
    answers = [draw(YES_NO) for _ in range(20)]
    how = draw(st.sampled_from(["complete", "complete", "blanks", "unreadable", "empty row"]))
    if how == "empty row":
        return {}
    if how != "complete":
        for q in draw(st.lists(st.integers(0, 19), min_size=1, max_size=20 if how == "blanks" else 1)):
            answers[q] = draw(BLANK if how == "blanks" else st.sampled_from(["maybe", 2, "是的", "~"]))
    return {"id": draw(IDS), **{f"q{n:02d}": a for n, a in enumerate(answers, start=1)}}


SPELLINGS_OF = {"王磊": ["王磊", "王 磊", " 王磊"], "Wang Lei": ["Wang Lei", "wang lei", "WANG LEI"]}


@st.composite
def forecast(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A rep's (or a manager's) forecast: mostly the forecaster's own lines, around the period."""
    owner = draw(st.sampled_from(["王磊", "Wang Lei", "王磊", "Wang Lei", None]))
    own = st.sampled_from(SPELLINGS_OF.get(owner, ["李娜"]))
    period = draw(st.sampled_from(["2026-Q4", "2026-q4", "2027-Q1", "2026-Q4", None]))
    first = QUARTERS.get((period or "").upper(), dt.date(2026, 7, 1))
    quarter = st.sampled_from([0, 0, 0, 1, 2, 3])              # this period mostly, else one of the next three
    closing = mostly(st.tuples(quarter, st.integers(0, 88)).map(lambda q: _quarter(first, q[0]) + dt.timedelta(q[1])),
                     DATES)
    yes = _spelled(yes_no_spellings(True))
    lines = draw(rows({"opportunity_id": IDS, "owner": mostly(own, PEOPLE), "confirmed": mostly(yes, ANSWERS),
                       "stage": STAGES, "status": STATUSES, "category": CATEGORIES, "amount": AMOUNTS,
                       "close_date": closing,
                       "owner_forecast": AMOUNTS, "adjusted_forecast": mostly(st.none(), AMOUNTS)}, 14))
    level = draw(mostly(st.sampled_from(["团队", "Team", "客户经理", "Rep", None]), LEVELS))
    layer = draw(rows({"level": mostly(st.just(level), LEVELS), "manager": mostly(st.just(owner), PEOPLE),
                       "owner": PEOPLE, "owner_figure": AMOUNTS, "adjusted_figure": mostly(st.none(), AMOUNTS)}, 5))
    header = {"owner": owner, "level": level,
              "period": period, "quota": draw(mostly(st.sampled_from([30_000_000, 1234.5]), st.sampled_from([None, 0])))}
    return draw(st.sampled_from(["zh", "en"])), {"ForecastLines": lines, "OwnerForecasts": layer}, {"Forecast": header}


@st.composite
def account_plan(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    chain = draw(rows({"name": PEOPLE, "top10_rank": st.one_of(st.none(), st.integers(1, 12)),
                       "level": RELATIONSHIP, "layer": LAYERS}, 12))
    execution = draw(rows({"target": AMOUNTS, "actual": AMOUNTS}, 6))      # M-PLAN-5 attainment
    high = mostly(st.integers(5, 10), SCORES)     # buying points (both >= 7) are not rare
    selling = draw(rows({"point": st.just("卖点"), "uniqueness": high, "value": high}, 8))
    limits = draw(rows({"amount": mostly(st.integers(1, 6).map(lambda n: n * 10**8), st.none()),
                        "approver": mostly(st.sampled_from(["董事会", "CEO"]), PEOPLE)}, 6))
    answers = draw(st.lists(st.one_of(st.none(), st.sampled_from(["已了解", " "])), max_size=80))
    forms = {"Evaluation": {k: draw(MEASURES) for k in ("contribution", "potential", "satisfaction")},
             "Approval": {"amount": draw(mostly(st.integers(1, 7 * 10**8), st.sampled_from([None, 0])))},
             "PlanReview": {"reviewed_on": draw(DATES)}}
    return (draw(st.sampled_from(["zh", "en"])),
            {"DecisionChain": chain, "SellingPoints": selling, "DecisionModel": limits, "Execution": execution,
             "Checklist": [{"answer": a} for a in answers]}, forms)


# --- the comparison ---------------------------------------------------------------------------------

def _typed(value: object) -> object:
    """A cell as LibreOffice takes it: dates as serial numbers, booleans as 1 and 0."""
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    if isinstance(value, bool):
        return float(value)
    return value


def _check(office: Office, doc: int, name: str, lang: str, tables: dict[str, Any], forms: dict[str, Any]) -> None:
    template = TEMPLATES[name]
    places = plan(template, lang, CFG, {})       # the blank workbook's layout
    data = {t.name: _fit(_with_seed(t, CFG, lang, tables.get(t.name, [])), places[t.name].rows)
            for t in template.tables()}
    writes = []
    for sheet in template.sheets:
        for block in sheet.blocks:
            place = places[getattr(block, "name", None) or getattr(block, "prefix", None) or block.key]
            if isinstance(block, Table):
                for c, column in enumerate(block.columns):
                    if not column.formula:
                        writes.append([place.sheet, place.first_col + c, place.header_row + 1,
                                       [_typed(r.get(column.key)) for r in data[block.name]]])
            elif isinstance(block, Form):
                for i, column in enumerate(block.fields):
                    if not column.formula:
                        writes.append([place.sheet, place.first_col + 1, place.first_row + i,
                                       [_typed(forms.get(block.prefix, {}).get(column.key))]])
    shown = office.ask({"doc": doc, "set": writes, "read": [s.name(lang) for s in template.sheets]})
    book = Book(template, lang=lang, config=CFG, places=places, tables=data, forms=forms)
    expected = stored_values(book)
    assert shown, "no formula cells read"
    wrong = {cell: (value, expected.get(cell.upper() if False else _upper_sheet(cell)))
             for cell, value in shown.items()
             if not cell.startswith(KEYS_SHEET) and not _same(value, expected.get(_upper_sheet(cell)))}
    assert wrong == {}, f"LibreOffice shows (left) where kamxl computes (right); typed: {tables} {forms}"


def _fit(rows: Any, n: int) -> list[dict[str, Any]]:
    rows = list(rows)[:n]
    return rows + [{} for _ in range(n - len(rows))]


def _upper_sheet(cell: str) -> str:
    sheet, _, address = cell.rpartition("!")
    return f"{sheet.upper()}!{address}"


def _same(shown: object, expected: object) -> bool:
    if isinstance(shown, dict):                       # an error
        return isinstance(expected, str) and expected == shown["error"]
    if expected is None or expected == "":
        return shown in ("", None)
    if isinstance(expected, bool):                    # LibreOffice has no booleans
        return shown == float(expected)
    if isinstance(expected, (int, float)):
        return isinstance(shown, float) and math.isclose(shown, float(expected), rel_tol=1e-9, abs_tol=1e-9)
    return shown == expected


PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(case=funnel())
def test_funnel(office: Office, portable: dict[tuple[str, str], int], case: tuple[str, dict, dict]) -> None:
    lang, tables, forms = case
    _check(office, portable[("funnel", lang)], "funnel", lang, tables, forms)


@PROPERTY
@given(case=forecast())
def test_forecast(office: Office, portable: dict[tuple[str, str], int], case: tuple[str, dict, dict]) -> None:
    lang, tables, forms = case
    _check(office, portable[("forecast", lang)], "forecast", lang, tables, forms)


@PROPERTY
@given(case=account_plan())
def test_account_plan(office: Office, portable: dict[tuple[str, str], int], case: tuple[str, dict, dict]) -> None:
    lang, tables, forms = case
    _check(office, portable[("account-plan", lang)], "account-plan", lang, tables, forms)


def _book(name: str, lang: str, tables: dict[str, Any], forms: dict[str, Any]) -> Book:
    template = TEMPLATES[name]
    places = plan(template, lang, CFG, {})
    data = {t.name: _fit(_with_seed(t, CFG, lang, tables.get(t.name, [])), places[t.name].rows)
            for t in template.tables()}
    return Book(template, lang=lang, config=CFG, places=places, tables=data, forms=forms)


def _numbers(values: Any) -> bool:
    return any(isinstance(v, (int, float)) and v and not isinstance(v, bool) for v in values)


REACH = {   # what a share of the examples must exercise, or the property proves little
    "funnel": {"a complete score": lambda b: _numbers(b.column("Assessment", "score")),
               "an incomplete score": lambda b: any(isinstance(v, str) and v.startswith(("incomplete", "未完成"))
                                                    for v in b.column("Assessment", "status")),
               "a complete dimension": lambda b: _numbers(b.column("Assessment", "d1")),
               "an unreadable stage": lambda b: any(v == "#VALUE!" for v in b.column("Opportunities", "weighted")),
               "a funnel with amounts": lambda b: _numbers(r[2] for r in b.grid("health")),
               "health against a benchmark": lambda b: _numbers(r[5] for r in b.grid("health")),
               "an adjusted probability weighed": lambda b: any(   # M-FUN-6
                   isinstance(o, float) and 0 < o < 1 and isinstance(w, float) and w > 0
                   for o, w in zip(b.column("Opportunities", "prob_override"), b.column("Opportunities", "weighted"))),
               "a bid's customer looked up": lambda b: any(v for v in b.column("Bids", "customer"))},   # M-BID-1
    "forecast": {"a headline": lambda b: _numbers(b.field("Attainment", k) for k in ("closed", "commit", "best_case",
                                                                                  "pipeline", "weighted")),
                 "lines outside the period": lambda b: _numbers([b.field("Attainment", "outside_lines")]),
                 "a later period": lambda b: _numbers(v for r in b.grid("by_period")[1:] for v in r[1:]),
                 "an adjusted figure": lambda b: b.field("Attainment", "adjusted") != b.field("Attainment", "commit")},
    "account-plan": {"an evaluation": lambda b: _numbers([b.field("Evaluation", "score")]),
                     "a buying point": lambda b: any(v in ("是", "Y") for v in b.column("SellingPoints",
                                                                                      "buying_point")),
                     "an approver": lambda b: bool(b.field("Approval", "approver")),
                     "a relationship level": lambda b: _numbers(b.column("DecisionChain", "level_no")),
                     "a layer's average level": lambda b: _numbers(r[2] for r in b.grid("layers")),
                     "an attainment": lambda b: _numbers(b.column("Execution", "attainment")),
                     "a next review": lambda b: _numbers([b.field("PlanReview", "next_review")])},
}


@pytest.mark.parametrize("name, strategy", [("funnel", funnel()), ("forecast", forecast()),
                                            ("account-plan", account_plan())], ids=["funnel", "forecast", "plan"])
def test_the_examples_reach_every_case(name: str, strategy: st.SearchStrategy[Any]) -> None:
    """The made-up workbooks are realistic enough to exercise each case the property is about."""
    seen = dict.fromkeys(REACH[name], 0)
    drawn = []

    @settings(max_examples=200, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def draw(case: tuple[str, dict, dict]) -> None:
        book = _book(name, *case)
        drawn.append(1)
        for what, reached in REACH[name].items():
            seen[what] += bool(reached(book))

    draw()
    assert {what: n for what, n in seen.items() if n < len(drawn) // 10} == {}, seen
