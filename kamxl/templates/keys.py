"""The spellings table: every way of writing a stage, a status, a yes/no answer, a
forecast category or level and a relationship level that a workbook's plain formulas
recognise, and the company settings those formulas use — written to the hidden
``_keys`` sheet, each list behind a defined name (``Kam_…``).

Plain Excel has no Unicode folding: what kamxl's Python parsers accept by folding
(:func:`kamxl.methodology.values.fold`: width, case, spaces) the sheet lists instead,
each spelling next to its meaning, and the formulas look cells up in it with
``MATCH`` (case-blind in every spreadsheet application) after ``TRIM`` and turning the
ideographic space into a plain one (see :mod:`kamxl.templates.portable`). Every
spelling is checked against the Python parser when the table is made, so the two can
never disagree on a listed spelling; a spelling the table does not list is an error in
the portable edition (the add-in's ``KAM_*`` functions accept more: see docs).

Stage and status spellings end in ``|``, so that a blank cell (``"" & "|"``) has a key
of its own: the probability of a blank stage is ``#N/A`` as ``KAM_STAGE_PROB`` says.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kamxl.errors import InputError
from kamxl.methodology.config import Config, Stage
from kamxl.methodology.funnel import parse_stage, stage_probability
from kamxl.methodology.values import _NO, _YES, fold
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, FORECAST_LEVEL, RELATIONSHIP_LEVEL, STATUS, Vocabulary

SHEET = "_keys"
SEP = "|"   # ends every stage and status key: a blank cell's key is SEP alone


@dataclass(frozen=True)
class Error:
    """An error value in the table (a formula giving it, e.g. ``=NA()``)."""

    code: str

    @property
    def formula(self) -> str:
        return "=NA()" if self.code == "#N/A" else f"={self.code}"


@dataclass
class KeyColumn:
    """One column of the sheet: a heading, its cells, and the defined names over runs of them."""

    title: str
    cells: list[object] = field(default_factory=list)
    names: dict[str, tuple[int, int]] = field(default_factory=dict)   # name -> (first, last) cell index

    def add(self, name: str | None, values: Iterable[object]) -> None:
        first = len(self.cells)
        self.cells += list(values)
        if name:
            self.names[name] = (first, len(self.cells) - 1)


def full_width(text: str) -> str:
    """ASCII letters, digits and signs as their full-width forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _variants(spellings: Iterable[str]) -> list[str]:
    """Each spelling folded, and its full-width twin; unique case-blind (MATCH is), in order."""
    out: dict[str, str] = {}
    for spelling in spellings:
        for variant in (fold(spelling), full_width(fold(spelling))):
            out.setdefault(variant.casefold(), variant)
    return list(out.values())


def stage_spellings(stage: Stage, config: Config) -> list[str]:
    """What a rep may type for ``stage``: its codes, label and name in both languages, and
    'stage 5' / '阶段5' / '第5阶段' forms, each checked against :func:`parse_stage`."""
    n, code = stage.number, stage.code
    candidates = [str(n), code, f"{n:03d}", f"{n}.0", stage.label("zh"), stage.label("en"), stage.name("zh"),
                  stage.name("en"), f"stage {n}", f"stage {code}", f"阶段{n}", f"阶段{code}", f"第{n}阶段",
                  f"{code}阶段"]
    return [s for s in _variants(candidates) if _parses(lambda v: parse_stage(v, config=config), s, stage)]


def _parses(parse, spelling: str, expected: object) -> bool:  # noqa: ANN001 - a parser of this module
    try:
        return parse(spelling) == expected
    except InputError:
        return False


def vocabulary_spellings(vocabulary: Vocabulary, key: str) -> list[str]:
    term = vocabulary.get(key)
    spellings = _variants([term.key, term.text.zh, term.text.en, *term.aliases])
    return [s for s in spellings if _parses(lambda v: vocabulary.parse(v).key, s, key)]


def yes_no_spellings(answer: bool) -> list[str]:
    """M-SCORE-3: every spelling of yes (or no), as TRIM shows a cell: TRUE is 'TRUE' in
    Excel and '1' in LibreOffice, both listed."""
    return _variants(sorted(_YES if answer else _NO))


def probability(stage: Stage, status: str, config: Config) -> object:
    try:
        return stage_probability(stage, status, config=config)
    except InputError:
        return Error("#VALUE!")   # M-FUN-4: the last stage must say won or lost


STATUS_KEYS = tuple(t.key for t in STATUS.terms)   # open, won, lost: columns of Kam_Prob
PROB_BLOCK = "Kam_Prob"   # its columns side by side (the builder names the block): see columns()


def columns(config: Config) -> list[KeyColumn]:
    """The sheet, column by column (see the module docstring for what each name holds)."""
    found = _MADE.get(id(config))
    if found is None or found[0] is not config:
        found = _MADE[id(config)] = (config, _columns(config))
    return found[1]


_MADE: dict[int, tuple[Config, list[KeyColumn]]] = {}


def _columns(config: Config) -> list[KeyColumn]:
    stages, statuses = KeyColumn("stage"), KeyColumn("status")
    stage_no = KeyColumn("stage number")
    # Kam_Prob: one row per stage spelling, one column per status and a last one for an
    # unknown status; a blank stage's row is #N/A, and a last row (unknown stage) #VALUE!.
    rows: list[list[object]] = [[Error("#N/A")] * (len(STATUS_KEYS) + 1)]
    stages.add(None, [SEP])
    stage_no.add(None, [Error("#N/A")])
    for stage in config.stages:
        spellings = [s + SEP for s in stage_spellings(stage, config)]
        stages.add(f"Kam_Stage_{stage.number}", spellings)
        stage_no.add(None, [stage.number] * len(spellings))
        row = [probability(stage, status, config) for status in STATUS_KEYS] + [Error("#VALUE!")]
        rows += [row] * len(spellings)
    rows.append([Error("#VALUE!")] * (len(STATUS_KEYS) + 1))
    stages.names["Kam_StageKeys"] = (0, len(stages.cells) - 1)
    stages.names["Kam_StageSpellings"] = (1, len(stages.cells) - 1)   # without the blank stage's key
    stage_no.names["Kam_StageNo"] = (0, len(stage_no.cells) - 1)
    status_no = KeyColumn("status number")
    for i, key in enumerate(STATUS_KEYS, start=1):
        spellings = [s + SEP for s in vocabulary_spellings(STATUS, key)] + ([SEP] if key == "open" else [])
        statuses.add(f"Kam_Status_{key}", spellings)
        status_no.add(None, [i] * len(spellings))
    statuses.names["Kam_StatusKeys"] = (0, len(statuses.cells) - 1)
    status_no.names["Kam_StatusNo"] = (0, len(status_no.cells) - 1)
    prob_columns = [KeyColumn(f"{PROB_BLOCK}: {key}") for key in (*STATUS_KEYS, "?")]
    for c, column in enumerate(prob_columns):
        column.add(None, [row[c] for row in rows])
    words = KeyColumn("yes / no")
    words.add("Kam_Yes", yes_no_spellings(True))
    words.add("Kam_No", yes_no_spellings(False))
    categories = KeyColumn("forecast category")
    for term in FORECAST_CATEGORY.terms:
        categories.add(f"Kam_Cat_{term.key}", vocabulary_spellings(FORECAST_CATEGORY, term.key))
    categories.names["Kam_Categories"] = (0, len(categories.cells) - 1)
    levels = KeyColumn("forecast level")
    levels.add("Kam_Level_rep", vocabulary_spellings(FORECAST_LEVEL, "rep"))
    rel, rel_no = KeyColumn("relationship level"), KeyColumn("relationship level number")
    for i, term in enumerate(RELATIONSHIP_LEVEL.terms, start=1):
        spellings = vocabulary_spellings(RELATIONSHIP_LEVEL, term.key)
        rel.add(None, spellings)
        rel_no.add(None, [i] * len(spellings))
    rel.names["Kam_RelKeys"] = (0, len(rel.cells) - 1)
    rel_no.names["Kam_RelNo"] = (0, len(rel_no.cells) - 1)
    return [stages, stage_no, *prob_columns, statuses, status_no, words, categories, levels, rel, rel_no,
            settings(config)]


def settings(config: Config) -> KeyColumn:
    """The company settings the portable formulas use, one named cell each (the add-in's
    functions read them from the company file; a portable workbook keeps those it was
    written with)."""
    column = KeyColumn("settings")
    values = {
        "Kam_Stages": len(config.stages),
        "Kam_Threshold": config.scoring.threshold,
        "Kam_Excellent": config.health.excellent_above,
        "Kam_Good": config.health.good_from,
        "Kam_W_contribution": config.evaluation.weights["contribution"],
        "Kam_W_potential": config.evaluation.weights["potential"],
        "Kam_W_satisfaction": config.evaluation.weights["satisfaction"],
        "Kam_Class_A": config.evaluation.classes["A"],
        "Kam_Class_B": config.evaluation.classes["B"],
        "Kam_Class_C": config.evaluation.classes["C"],
        "Kam_Scale": config.selling_points.scale_max,
        "Kam_Uniqueness_min": config.selling_points.uniqueness_min,
        "Kam_Value_min": config.selling_points.value_min,
    }
    for name, value in values.items():
        column.add(name, [value])
    return column


def spellings(config: Config) -> dict[str, frozenset[str]]:
    """Each defined name's spellings, case-folded (what MATCH finds case-blind), for Python
    code that must agree with the sheet (:mod:`kamxl.templates.stored`)."""
    out = {}
    for column in columns(config):
        for name, (first, last) in column.names.items():
            out[name] = frozenset(c.casefold() for c in column.cells[first:last + 1] if isinstance(c, str))
    return out
