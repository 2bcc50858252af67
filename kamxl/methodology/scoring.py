"""Opportunity value assessment: 20 yes/no questions in four dimensions (seed 001 §二).

M-SCORE-1  total = number of yes answers (0-20); per-dimension subtotals (0-5 each).
M-SCORE-2  total > threshold (default 10, strictly greater) is a high-value opportunity.
M-SCORE-3  answers accept many spellings; blank means not yet answered, which makes the
           score incomplete (never a silent 0); anything else is an error naming the value.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kamxl.errors import InputError, OutOfRangeError
from kamxl.i18n import Lang, Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.values import AS_TYPED, parse_yes_no


@dataclass(frozen=True)
class Dimension:
    id: str
    text: Text


@dataclass(frozen=True)
class Question:
    number: int
    dimension: str
    text: Text

    @property
    def id(self) -> str:
        return f"Q{self.number:02d}"


DIMENSIONS = (
    Dimension("D1", Text("是否有商业机会", "Is there an opportunity?")),
    Dimension("D2", Text("我们是否有竞争力", "Are we competitive?")),
    Dimension("D3", Text("我们是否能赢", "Can we win?")),
    Dimension("D4", Text("是否值得去赢", "Is it worth winning?")),
)

_QUESTION_TEXTS = (
    ("客户的应用和方案是否明确", "Is the customer's application and solution clear?"),
    ("是否知道客户的营业利润", "Do we know the customer's operating profit?"),
    ("客户财务能力是否强", "Is the customer financially strong?"),
    ("是否有项目资金准备", "Is project funding in place?"),
    ("有说服力的事件是否明确", "Is there a clear compelling event?"),
    ("正式的判断标准是否明确", "Are the formal decision criteria clear?"),
    ("我们的解决方案是否好", "Is our solution good?"),
    ("所需销售资源是否低", "Are the sales resources needed low?"),
    ("当前关系程度是否强", "Is our current relationship strong?"),
    ("我们的惟一性是否强", "Is our uniqueness strong?"),
    ("内部支持（教练）是否强", "Is internal support (a coach) strong?"),
    ("我方执行者的可信性是否强", "Is our executor credible?"),
    ("双方文化是否兼容", "Are our cultures compatible?"),
    ("非正式的判定标准是否明确", "Are the informal criteria clear?"),
    ("高层（行政）结盟是否强", "Is executive alignment strong?"),
    ("近期收入是否高", "Is near-term revenue high?"),
    ("远期收入是否高", "Is long-term revenue high?"),
    ("收益率是否高", "Is the margin high?"),
    ("风险是否低", "Is the risk low?"),
    ("是否有战略价值", "Is there strategic value?"),
)

QUESTIONS = tuple(
    Question(i, DIMENSIONS[(i - 1) // 5].id, Text(zh, en)) for i, (zh, en) in enumerate(_QUESTION_TEXTS, start=1)
)

ValueLevel = Literal["high", "normal", "incomplete"]

WRONG_COUNT = Text(zh="需要 {expected} 个答案，实际为 {actual} 个", en="expected {expected} answers, got {actual}")
OFF_SCALE = Text("价值评分应为 0 到 {top} 的整数：{value}", "a value score is a whole number from 0 to {top}: {value}")
LEVEL_TEXT: dict[ValueLevel, Text] = {
    "high": Text("商机价值较高", "high value"),
    "normal": Text("商机价值一般", "normal value"),
    "incomplete": Text("未完成（已答 {answered}/{total} 题）", "incomplete ({answered} of {total} answered)"),
}
COMPLETE = Text("已完成", "complete")   # an assessment's status once every question is answered


@dataclass(frozen=True)
class Score:
    """The result of an assessment (M-SCORE-1..3)."""

    total: int                              # yes answers so far
    dimensions: tuple[int, int, int, int]   # yes answers per dimension D1..D4
    answered: int
    threshold: int

    @property
    def complete(self) -> bool:
        return self.answered == len(QUESTIONS)

    @property
    def level(self) -> ValueLevel:
        """M-SCORE-2 on a complete assessment; 'incomplete' otherwise (M-SCORE-3)."""
        if not self.complete:
            return "incomplete"
        return "high" if self.total > self.threshold else "normal"

    def describe(self, lang: Lang) -> str:
        return LEVEL_TEXT[self.level](lang, answered=self.answered, total=len(QUESTIONS))

    def status(self, lang: Lang) -> str:
        """'complete', or how many questions are answered (M-SCORE-3): the Assessment's status column."""
        return COMPLETE(lang) if self.complete else self.describe(lang)


def parse_answer(value: object) -> bool | None:
    """One answer (M-SCORE-3): True for yes, False for no, None for not yet answered."""
    return parse_yes_no(value, code="M-SCORE-3")


def parse_answers(values: Iterable[object]) -> tuple[bool | None, ...]:
    """Exactly 20 answers; an error names the question whose answer is invalid."""
    values = list(values)
    if len(values) != len(QUESTIONS):
        raise InputError("M-SCORE-3", WRONG_COUNT, {"expected": len(QUESTIONS), "actual": len(values)})
    try:
        return tuple(map(AS_TYPED.__getitem__, values))  # the common spellings, at C speed
    except (KeyError, TypeError):
        pass
    parsed = []
    for question, value in zip(QUESTIONS, values):
        try:
            parsed.append(parse_answer(value))
        except InputError as exc:
            raise exc.at(key=question.id) from None
    return tuple(parsed)


def score(values: Iterable[object], *, config: Config | None = None) -> Score:
    """Score 20 answers in question order (M-SCORE-1, M-SCORE-2, M-SCORE-3)."""
    answers = parse_answers(values)
    return score_parsed(answers, config=config)


def score_parsed(answers: Sequence[bool | None], *, config: Config | None = None) -> Score:
    """Score answers already parsed by :func:`parse_answers`."""
    answers = tuple(answers)
    dims = (answers[0:5].count(True), answers[5:10].count(True), answers[10:15].count(True),
            answers[15:20].count(True))
    return Score(
        total=sum(dims),
        dimensions=dims,  # type: ignore[arg-type]
        answered=len(QUESTIONS) - answers.count(None),
        threshold=(config or default_config()).scoring.threshold,
    )


def value_level(total: float, *, threshold: int | None = None, config: Config | None = None) -> ValueLevel:
    """M-SCORE-2 for a total computed elsewhere: strictly greater than the threshold is high.

    A total is a count of yes answers (M-SCORE-1): a whole number from 0 to the number of
    questions; anything else is off the scale (:class:`OutOfRangeError`, ``#NUM!`` in a cell)."""
    if not (0 <= total <= len(QUESTIONS) and float(total).is_integer()):
        raise OutOfRangeError("M-SCORE-1", OFF_SCALE, {"value": f"{total:g}", "top": len(QUESTIONS)})
    limit = threshold if threshold is not None else (config or default_config()).scoring.threshold
    return "high" if total > limit else "normal"


def low_value_late(stage: int, score_: Score, *, config: Config | None = None) -> bool:
    """M-SCORE-4: at or after the late stage, a complete score at or below the threshold."""
    cfg = config or default_config()
    return stage >= cfg.scoring.late_stage and score_.complete and score_.total <= cfg.scoring.threshold
