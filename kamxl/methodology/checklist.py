"""The account plan's opportunity checklist (M-SCORE-5).

Seed 000's question bank (项目机会评估): three sides (customer, ours, competition),
20 areas, 80 questions, shipped as ``kamxl/data/checklist.toml``. Each question may be
answered (any non-blank text); coverage is answered / total, per area and overall.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kamxl.i18n import Text
from kamxl.methodology.values import is_blank


@dataclass(frozen=True)
class ChecklistQuestion:
    id: str
    text: Text


@dataclass(frozen=True)
class Area:
    id: str
    side: Text
    text: Text
    questions: tuple[ChecklistQuestion, ...]


@lru_cache(maxsize=1)
def checklist() -> tuple[Area, ...]:
    """All areas in seed order, each with its questions."""
    data = tomllib.loads(resources.files("kamxl").joinpath("data/checklist.toml").read_text("utf-8"))
    return tuple(
        Area(area["id"], Text(side["zh"], side["en"]), Text(area["zh"], area["en"]),
             tuple(ChecklistQuestion(q["id"], Text(q["zh"], q["en"])) for q in area["questions"]))
        for side in data["sides"] for area in side["areas"]
    )


@dataclass(frozen=True)
class Coverage:
    """M-SCORE-5: answered / total for one area (or for the whole checklist)."""

    id: str
    answered: int
    total: int

    @property
    def ratio(self) -> float:
        return self.answered / self.total if self.total else 0.0


def coverage(answers: Mapping[str, object]) -> tuple[list[Coverage], Coverage]:
    """M-SCORE-5: per-area coverage and the overall one, from answers keyed by question id.

    Keys that are not question ids are ignored: the caller decides what to do with them.
    """
    per_area = [
        Coverage(area.id, sum(not is_blank(answers.get(q.id)) for q in area.questions), len(area.questions))
        for area in checklist()
    ]
    return per_area, Coverage("ALL", sum(c.answered for c in per_area), sum(c.total for c in per_area))
