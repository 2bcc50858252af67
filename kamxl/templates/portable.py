"""The portable edition's formulas: what each ``KAM_*`` call computes, in plain Excel
functions that Excel 2016 and later, Excel for Mac and the web, WPS and LibreOffice all
have (no dynamic arrays, LAMBDA, LET or XLOOKUP; ``SUMPRODUCT`` for every sum over a
column, so no formula needs array entry).

A schema writes ``{@name:arg,…}`` where the portable formula differs from the ``KAM_*``
one (``kamxl/schema/*.py``); :func:`kamxl.templates.layout.resolve` turns each argument
into a reference and calls the macro of that name here. Text is looked up in the
spellings table of :mod:`kamxl.templates.keys` (names ``Kam_…``), after :func:`key`
folds what a spreadsheet can fold. Each macro returns exactly what the ``KAM_*``
function returns for the same cells (the equivalence is tested in LibreOffice against
the Python functions, ``tests/test_portable_equivalence.py``), errors included: ``#N/A``
for a blank required input, ``#VALUE!`` for one that cannot be read, ``#NUM!`` for a
number off its scale.
"""
from __future__ import annotations

from collections.abc import Callable

from kamxl.i18n import Lang
from kamxl.methodology.config import Config
from kamxl.methodology.scoring import COMPLETE, DIMENSIONS, LEVEL_TEXT, QUESTIONS
from kamxl.methodology.vocabulary import HEALTH_BAND
from kamxl.templates.keys import PROB_BLOCK, SEP

IDEOGRAPHIC_SPACE = "\u3000"


def key(ref: str) -> str:
    """A cell (or a column, inside SUMPRODUCT) as text the spellings table lists: trimmed,
    the ideographic space a plain one, and MATCH's wildcards escaped (``?`` would match any
    one character). Case needs nothing: MATCH is case-blind."""
    escaped = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({ref},"~","~~"),"*","~*"),"?","~?")'
    return f'TRIM(SUBSTITUTE({escaped},"{IDEOGRAPHIC_SPACE}"," "))'


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def probability(stage: str, status: str, *, lang: Lang, config: Config) -> str:
    """KAM_STAGE_PROB (M-FUN-1, M-FUN-4): the row of the stage's spelling, the column of
    the status's; an unknown stage is the table's last row, an unknown status its last
    column (#VALUE!), a blank stage its first row (#N/A)."""
    row = f'IFERROR(MATCH({key(stage)}&"{SEP}",Kam_StageKeys,0),ROWS({PROB_BLOCK}))'
    column = f'IFERROR(INDEX(Kam_StatusNo,MATCH({key(status)}&"{SEP}",Kam_StatusKeys,0)),COLUMNS({PROB_BLOCK}))'
    return f"INDEX({PROB_BLOCK},{row},{column})"


def weighted(amount: str, stage: str, status: str, *, lang: Lang, config: Config) -> str:
    """KAM_WEIGHTED (M-FUN-2): amount x probability; a negative amount is #NUM! before
    anything else (spreadsheets disagree on which of two errors a product shows)."""
    return f"IF({amount}<0,#NUM!,{probability(stage, status, lang=lang, config=config)}*{amount})"


def override_applies(override: str, amount: str, *, lang: Lang, config: Config) -> str:
    """M-FUN-6: the adjusted probability replaces the stage's when it is a number from 0 to 1
    and the amount a number not below 0 (nested, so nothing else is compared: no errors)."""
    return (f"IF(ISNUMBER({override}),IF(ISNUMBER({amount}),"
            f"AND({override}>=0,{override}<=1,{amount}>=0),FALSE),FALSE)")


def _answer_counts(answers: str) -> tuple[str, str, str]:
    """Over a span of answer cells: how many are filled, how many say yes, how many say no
    (M-SCORE-3: the spellings table's yes and no; trimmed blanks are not answers)."""
    cells = key(answers)   # (x)*1, not --x: the formula engine the tests use cannot negate an array
    return (f'SUMPRODUCT(({cells}<>"")*1)', f"SUMPRODUCT(ISNUMBER(MATCH({cells},Kam_Yes,0))*1)",
            f"SUMPRODUCT(ISNUMBER(MATCH({cells},Kam_No,0))*1)")


def _counted_yes(answers: str, questions: int) -> str:
    """#VALUE! when an answer is neither yes nor no; blank (not a silent 0) while any is
    blank; else the yes answers."""
    filled, yes, no = _answer_counts(answers)
    return f'IF({filled}>{yes}+{no},#VALUE!,IF({filled}<{questions},"",{yes}))'


def score(answers: str, *, lang: Lang, config: Config) -> str:
    """The Assessment's score (M-SCORE-1..3): KAM_SCORE's number of yes answers, blank (not
    a silent 0) while any answer is blank; #VALUE! when an answer is neither yes nor no."""
    return _counted_yes(answers, len(QUESTIONS))


def dimension(answers: str, *, lang: Lang, config: Config) -> str:
    """A dimension's subtotal (M-SCORE-1): its yes answers once its five are answered, blank
    before; #VALUE! when one of them is neither yes nor no. Both editions use it."""
    return _counted_yes(answers, len(QUESTIONS) // len(DIMENSIONS))


def score_status(answers: str, *, lang: Lang, config: Config) -> str:
    """The Assessment's status (M-SCORE-3): complete, or how many of the 20 are answered;
    #VALUE! when an answer is neither yes nor no. Both editions use it."""
    total = len(QUESTIONS)
    before, after = LEVEL_TEXT["incomplete"](lang, answered="\0", total=total).split("\0")
    filled, yes, no = _answer_counts(answers)
    return (f"IF({filled}>{yes}+{no},#VALUE!,IF({filled}<{total},{_text(before)}&{filled}&{_text(after)},"
            f"{_text(COMPLETE(lang))}))")


def value_level(score_: str, *, lang: Lang, config: Config) -> str:
    """KAM_VALUE_LEVEL (M-SCORE-2): high when the score is above the company threshold;
    #NUM! for a score off its scale (M-SCORE-1: a whole number of yes answers, 0..20); an
    incomplete score's text stays as it is."""
    high, normal = LEVEL_TEXT["high"](lang), LEVEL_TEXT["normal"](lang)
    incomplete = ",".join(f'LOWER(LEFT({score_},{len(w)}))="{w}"' for w in ("incomplete", "未完成"))
    off_scale = f"OR({score_}<0,{score_}>{len(QUESTIONS)},ROUND({score_},0)<>{score_})"
    return (f'IF({score_}="",#N/A,IF(ISNUMBER({score_}),IF({off_scale},#NUM!,'
            f"IF({score_}>Kam_Threshold,{_text(high)},{_text(normal)})),"
            f"IF(OR({incomplete}),{score_},#VALUE!)))")


def relationship_level(level: str, *, lang: Lang, config: Config) -> str:
    """KAM_REL_LEVEL (M-REL-1): 1 (contact) … 6 (partner)."""
    return f'IF({key(level)}="",#N/A,IFERROR(INDEX(Kam_RelNo,MATCH({key(level)},Kam_RelKeys,0)),#VALUE!))'


def _on_scale(ref: str, top: str) -> str:
    """A score on 0..top: #VALUE! unless a number, #NUM! off the scale."""
    return f"IF(ISNUMBER({ref}),IF(OR({ref}<0,{ref}>{top}),#NUM!,{ref}),#VALUE!)"


def _checked(refs: list[str], top: str, then: str) -> str:
    """``then`` once every cell is a number on 0..top; else the first cell's error, in
    order (nested, not an expression of errors: spreadsheets disagree on which of two
    errors an expression shows)."""
    for ref in reversed(refs):
        then = f"IF(ISNUMBER({ref}),IF(OR({ref}<0,{ref}>{top}),#NUM!,{then}),#VALUE!)"
    return then


def buying_point(uniqueness: str, value: str, *, lang: Lang, config: Config) -> str:
    """KAM_BUYING_POINT (M-PLAN-4): both scores at or above their minimum; the value is
    read only when the uniqueness is high enough (as the add-in does)."""
    return (f"IF({_on_scale(uniqueness, 'Kam_Scale')}<Kam_Uniqueness_min,FALSE,"
            f"{_on_scale(value, 'Kam_Scale')}>=Kam_Value_min)")


def evaluation_score(contribution: str, potential: str, satisfaction: str, *, lang: Lang, config: Config) -> str:
    """KAM_EVAL_SCORE (M-ACC-6): the weighted score of three 0-100 measures."""
    refs = {"contribution": contribution, "potential": potential, "satisfaction": satisfaction}
    total = "+".join(f"{ref}*Kam_W_{name}" for name, ref in refs.items())
    return _checked(list(refs.values()), "100", f"ROUND({total},9)")


def account_class(score_: str, *, lang: Lang, config: Config) -> str:
    """KAM_ACCOUNT_CLASS (M-ACC-6): A, B, C at or above their cut-offs, else D."""
    return f'IF({score_}>=Kam_Class_A,"A",IF({score_}>=Kam_Class_B,"B",IF({score_}>=Kam_Class_C,"C","D")))'


# --- the forecast's headline (both editions): the lines a roll-up counts (M-FC-1, M-FC-2) -------

Ref = Callable[[str], str]


def counted(category: str, *, config: Config, ref: Ref) -> str:
    """As a column of 1/0: the lines a roll-up of this forecast counts (M-FC-2: confirmed;
    in a rep's forecast — the header's level blank or rep — the rep's own; readable: an
    id, a numeric amount and a weighted amount, so stage and status are valid; M-FC-1: at
    a stage counted toward a forecast, ``forecast.counted_from`` on) of ``category`` (a
    category key, or 'any' valid category)."""
    def line(column: str) -> str:
        return ref(f"ForecastLines.{column}")

    level = key(ref("Forecast.level"))
    is_rep = f'(({level}="")+ISNUMBER(MATCH({level},Kam_Level_rep,0)))'
    other_owner = f'(SUBSTITUTE({key(line("owner"))}," ","")<>SUBSTITUTE({key(ref("Forecast.owner"))}," ",""))'
    names = "Kam_Categories" if category == "any" else f"Kam_Cat_{category}"
    first = config.forecast.counted_from
    stage = [stage_at_least(line("stage"), str(first), lang="en", config=config)] if first > 1 else []
    return "*".join([*stage,
        f"ISNUMBER(MATCH({key(line('confirmed'))},Kam_Yes,0))", f"(1-{is_rep}*{other_owner})",
        f"ISNUMBER(MATCH({key(line('category'))},{names},0))", f'({key(line("opportunity_id"))}<>"")',
        f"ISNUMBER({line('amount')})", f"ISNUMBER({line('weighted')})"])


def lines(category: str, *, lang: Lang, config: Config, ref: Ref) -> str:
    """The counted lines of ``category`` closing in the header's period (M-FC-1)."""
    return f"{counted(category, config=config, ref=ref)}*({ref('ForecastLines.close_period')}={ref('Forecast.period')})"


def lines_in(category: str, period: str, *, lang: Lang, config: Config, ref: Ref) -> str:
    """The counted lines of ``category`` closing in the period a cell names."""
    return f"{counted(category, config=config, ref=ref)}*({ref('ForecastLines.close_period')}={ref(period)})"


def lines_outside(*, lang: Lang, config: Config, ref: Ref) -> str:
    """The counted lines, of any category, closing outside the header's period."""
    return f"{counted('any', config=config, ref=ref)}*({ref('ForecastLines.close_period')}<>{ref('Forecast.period')})"


def _references(macro: Callable[..., str]) -> Callable[..., str]:
    """A macro whose arguments are all cells: each placeholder resolved first."""
    def call(*tokens: str, lang: Lang, config: Config, ref: Ref) -> str:
        return macro(*map(ref, tokens), lang=lang, config=config)
    return call


def stage_sum(number: str, stages: str, values: str, *, lang: Lang, config: Config, ref: Ref) -> str:
    """The sum of ``values`` on rows whose stage is stage ``number`` in any spelling (how
    KAM_FUNNEL matches a benchmark to its stage, M-FUN-3)."""
    return (f'SUMPRODUCT(--ISNUMBER(MATCH({key(ref(stages))}&"{SEP}",Kam_Stage_{int(number)},0)),'
            f"{ref(values)})")


ZONE_CORNERS = {"top": ("min", "scale"), "corner": ("min", "min"), "right": ("scale", "min")}


def zone(corner: str, axis: str, *, lang: Lang, config: Config, ref: Ref) -> str:
    """M-PLAN-4: a point of the green zone's border (``ZONE_CORNERS``), on the ``axis``
    ('uniqueness' or 'value'): the company's minimum for it, or the top of the scale."""
    which = ZONE_CORNERS[corner][0 if axis == "uniqueness" else 1]
    return "Kam_Scale" if which == "scale" else f"Kam_{axis.capitalize()}_min"


MACROS: dict[str, Callable[..., str]] = {
    **{name: _references(fn) for name, fn in (
        ("probability", probability), ("weighted", weighted), ("override_applies", override_applies),
        ("score", score), ("value_level", value_level),
        ("dimension", dimension), ("score_status", score_status),
        ("relationship_level", relationship_level), ("buying_point", buying_point),
        ("evaluation_score", evaluation_score), ("account_class", account_class))},
    "lines": lines, "lines_in": lines_in, "lines_outside": lines_outside, "stage_sum": stage_sum,
    "zone": zone,
}


# --- KAM_FUNNEL (M-FUN-1..3) as one plain formula per cell -------------------------------------

def funnel_cells(stages: str, amounts: str, statuses: str, benchmarks: tuple[str, str, str] | None, *,
                 lang: Lang, config: Config, cells: list[dict[str, str]]) -> list[list[str]]:
    """The block KAM_FUNNEL spills — per stage: its label, count, amount, weighted amount,
    count and amount health, their bands — one formula per cell.

    ``cells`` are each row's cells by column key ('stage', 'count', 'amount',
    'count_ratio', 'amount_ratio'); a grid of the first four columns only (a forecast's, with
    no benchmarks) gets those four. The first row's stage cell holds the error KAM_FUNNEL
    gives for the whole block (#N/A for a row with an amount and no stage, #VALUE! for a
    stage, status, amount or benchmark that cannot be read, or the last stage left open),
    and every other cell shows that error first. ``benchmarks`` are the stage, count and
    amount columns of the benchmarks table.
    """
    s, a, u = key(stages), key(amounts), key(statuses)
    last = len(config.stages)
    counted = f'(({s}<>"")+({a}<>"")>0)'
    problems = [
        f'SUMPRODUCT(({s}<>"")*ISNA(MATCH({s}&"{SEP}",Kam_StageSpellings,0)))',
        f'SUMPRODUCT({counted}*ISNA(MATCH({u}&"{SEP}",Kam_StatusKeys,0)))',
        f'SUMPRODUCT(ISNUMBER(MATCH({s}&"{SEP}",Kam_Stage_{last},0))*ISNUMBER(MATCH({u}&"{SEP}",Kam_Status_open,0)))',
        f"SUMPRODUCT(--ISERROR({amounts}*1))",
    ]
    if benchmarks:
        bs, bc, ba = benchmarks
        used = f'(({key(bs)}<>"")+({key(bc)}<>"")+({key(ba)}<>"")>0)'
        problems += [f'SUMPRODUCT({used}*ISNA(MATCH({key(bs)}&"{SEP}",Kam_StageSpellings,0)))',
                     f"SUMPRODUCT(--ISERROR({bc}*1))", f"SUMPRODUCT(--ISERROR({ba}*1))"]
    anchor = _absolute(cells[0]["stage"])
    guard = f"IF(ISERROR({anchor}),{anchor},"
    not_lost = f'(1-ISNUMBER(MATCH({u}&"{SEP}",Kam_Status_lost,0)))'
    rows = []
    for stage, at_row in zip(config.stages, cells):
        at = f'ISNUMBER(MATCH({s}&"{SEP}",Kam_Stage_{stage.number},0))'
        label = _text(stage.label(lang))
        if stage.number == 1:
            no_stage = f'SUMPRODUCT(({s}="")*({a}<>""))'
            label_cell = f"=IF({no_stage}>0,#N/A,IF({'+'.join(problems)}>0,#VALUE!,{label}))"
        else:
            label_cell = f"={guard}{label})"

        def amount_where(status: str) -> str:
            return f'SUMPRODUCT({at}*ISNUMBER(MATCH({u}&"{SEP}",Kam_Status_{status},0)),{amounts})'

        def chance(column: int) -> str:   # the stage's probability when open (1) or won (2)
            return f'INDEX({PROB_BLOCK},MATCH("{stage.code}{SEP}",Kam_StageKeys,0),{column})'

        # the last stage has no open probability: an open row there is an error of the block
        weighted_ = f"{amount_where('won')}*{chance(2)}" + ("" if stage.number == last
                                                              else f"+{amount_where('open')}*{chance(1)}")
        out = [label_cell, f"={guard}SUMPRODUCT({at}*{not_lost}))",
               f"={guard}SUMPRODUCT({at}*{not_lost},{amounts}))", f"={guard}{weighted_})"]
        if "count_ratio" not in at_row:   # a grid of KAM_FUNNEL's first four columns (no health)
            rows.append(out[:len(at_row)])
            continue
        for current, column in (("count", 1), ("amount", 2)):
            if benchmarks:
                bench = (f'SUMPRODUCT(--ISNUMBER(MATCH({key(benchmarks[0])}&"{SEP}",Kam_Stage_{stage.number},0)),'
                         f"{benchmarks[column]})")
                out.append(f'={guard}IF({bench}=0,"",{at_row[current]}/{bench}))')
            else:
                out.append(f'={guard}"")')
        out += [f"={guard}{band(at_row[ratio], lang)})" for ratio in ("count_ratio", "amount_ratio")]
        rows.append(out)
    return rows


def _absolute(cell: str) -> str:
    """'A33' -> '$A$33'."""
    letters = cell.rstrip("0123456789")
    return f"${letters}${cell[len(letters):]}"


def band(ratio: str, lang: Lang) -> str:
    """KAM_HEALTH_BAND (M-FUN-3) of a ratio cell: blank without a ratio; the ratio rounded to
    9 decimals as the add-in rounds it, so 70% as written is good."""
    excellent, good, warning = (_text(t.label(lang)) for t in HEALTH_BAND.terms)
    r = f"ROUND({ratio},9)"
    return f'IF({ratio}="","",IF({r}>Kam_Excellent,{excellent},IF({r}>=Kam_Good,{good},{warning})))'


# --- rule flags (kamxl.schema.model.Flag): tests on one row's cells, in conditional formats ------
# Plain formulas, so the same in both editions (the KAM_* edition writes the spellings table
# too); each reads a cell as the checks read it (kamxl.checks), through the spellings table.

def _trimmed(ref: str) -> str:
    return f'TRIM(SUBSTITUTE({ref},"{IDEOGRAPHIC_SPACE}"," "))'


def stage_number(stage: str, *, lang: Lang, config: Config) -> str:
    """The stage's number; 0 when blank or not a stage (the checks skip such a row)."""
    return f'IFERROR(INDEX(Kam_StageNo,MATCH({key(stage)}&"{SEP}",Kam_StageKeys,0)),0)'


def status_is(status: str, which: str, *, lang: Lang, config: Config) -> str:
    """The status is ``which`` (open, won or lost; a blank status is open)."""
    return f'ISNUMBER(MATCH({key(status)}&"{SEP}",Kam_Status_{which},0))'


def still_open(status: str, *, lang: Lang, config: Config) -> str:
    """Neither won nor lost: the checks take a blank or unreadable status for open."""
    won, lost = (status_is(status, w, lang=lang, config=config) for w in ("won", "lost"))
    return f"NOT(OR({won},{lost}))"


def yes(ref: str, *, lang: Lang, config: Config) -> str:
    return f"ISNUMBER(MATCH({key(ref)},Kam_Yes,0))"


def no(ref: str, *, lang: Lang, config: Config) -> str:
    return f"ISNUMBER(MATCH({key(ref)},Kam_No,0))"


def blank(ref: str, *, lang: Lang, config: Config) -> str:
    """Nothing but spaces (a checked text cell is stripped)."""
    return f'{_trimmed(ref)}=""'


def category_is(ref: str, *categories: str, lang: Lang, config: Config) -> str:
    return "OR(" + ",".join(f"ISNUMBER(MATCH({key(ref)},Kam_Cat_{c},0))" for c in categories) + ")"


def term(token: str, vocabulary: str, *terms: str, lang: Lang, config: Config, ref: Ref) -> str:
    """A cell spells one of ``terms`` of a vocabulary (every spelling its parser accepts, as the
    spellings table lists them), e.g. ``{@term:status,ACTION_STATUS,done}``."""
    from kamxl.methodology import vocabulary as vocabularies
    from kamxl.templates.keys import vocabulary_spellings

    vocab = getattr(vocabularies, vocabulary)
    cell = _trimmed(ref(token))
    spellings = [s for t in terms for s in vocabulary_spellings(vocab, t)]
    return "OR(" + ",".join(f"{cell}={_text(s)}" for s in spellings) + ")"


def open_rows(statuses: str, *, lang: Lang, config: Config) -> str:
    """As a column of 1/0: the rows neither won nor lost."""
    won, lost = (f'ISNUMBER(MATCH({key(statuses)}&"{SEP}",Kam_Status_{w},0))' for w in ("won", "lost"))
    return f"(1-{won}-{lost})"


def stage_at_least(stages: str, first: str, *, lang: Lang, config: Config) -> str:
    """As a column of 1/0: the rows at stage ``first`` (a number) or later."""
    return "(" + "+".join(f'ISNUMBER(MATCH({key(stages)}&"{SEP}",Kam_Stage_{n},0))'
                          for n in range(int(first), len(config.stages) + 1)) + ")"


MACROS.update({name: _references(fn) for name, fn in (
    ("open_rows", open_rows),
    ("stage_number", stage_number), ("still_open", still_open), ("yes", yes), ("no", no), ("blank", blank),
    ("trimmed", lambda ref, *, lang, config: _trimmed(ref)))})
MACROS.update({
    "status_is": lambda status, which, *, lang, config, ref: status_is(ref(status), which, lang=lang, config=config),
    "category_is": lambda cell, *cats, lang, config, ref: category_is(ref(cell), *cats, lang=lang, config=config),
    "stage_at_least": lambda stages, first, *, lang, config, ref: stage_at_least(ref(stages), first, lang=lang,
                                                                                  config=config),
    "term": term,
})
