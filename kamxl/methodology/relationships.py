"""Customer relationships and the decision chain (seed 003, seed 000).

M-REL-1  relationship levels, low to high: 接触 contact, 了解 know, 接受 accept, 尊重 respect,
         信任 trust, 伙伴 partner (ordinal 1-6).
M-REL-3  the TOP-10 of the decision chain (fishbone) must be exactly the TOP-10 of the
         relationship assessment table.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kamxl.errors import InputError
from kamxl.methodology.values import fold, is_blank, parse_number
from kamxl.methodology.vocabulary import RELATIONSHIP_LEVEL, Term

TOP_N = 10


def parse_level(value: object) -> Term | None:
    """M-REL-1: a level from its key, zh/en name, ordinal 1-6, or '5 信任'; None for blank."""
    if is_blank(value):
        return None
    terms = RELATIONSHIP_LEVEL.terms
    text = fold(value)
    head, _, rest = text.partition(" ")
    try:
        number = parse_number(head)
    except InputError:
        number = None
    if number is not None and float(number).is_integer() and 1 <= number <= len(terms):
        term = terms[int(number) - 1]
        if not rest or RELATIONSHIP_LEVEL.parse(rest) is term:
            return term
    return RELATIONSHIP_LEVEL.parse(value)


def level_ordinal(value: object) -> int | None:
    """M-REL-1: 1 (contact) to 6 (partner); None for blank."""
    term = parse_level(value)
    return None if term is None else RELATIONSHIP_LEVEL.terms.index(term) + 1


@dataclass(frozen=True)
class TopTenCheck:
    """M-REL-3: how the decision chain's TOP-10 and the assessment table's differ."""

    only_in_chain: tuple[str, ...]
    only_in_table: tuple[str, ...]
    repeated: tuple[str, ...]   # names listed twice on one side

    @property
    def consistent(self) -> bool:
        return not (self.only_in_chain or self.only_in_table or self.repeated)


def chain_top(people: Iterable[tuple[object, object]]) -> list[str]:
    """The decision chain's TOP-10 from (name, rank) rows: ranks 1-10, in rank order."""
    ranked = []
    for name, rank in people:
        number = parse_number(rank, code="M-REL-3")
        if not is_blank(name) and number is not None and 1 <= number <= TOP_N:
            ranked.append((number, str(name).strip()))
    return [name for _, name in sorted(ranked, key=lambda pair: pair[0])]


def _person(name: str) -> str:
    """People are compared width-, case- and space-blind: '张 三' is 张三 padded to align."""
    return fold(name).replace(" ", "")


def check_top_ten(chain_names: Sequence[object], table_names: Sequence[object]) -> TopTenCheck:
    """M-REL-3: compare two TOP-10 lists (blanks ignored; names compared as :func:`_person`)."""
    chain = [str(n).strip() for n in chain_names if not is_blank(n)][:TOP_N]
    table = [str(n).strip() for n in table_names if not is_blank(n)][:TOP_N]
    chain_keys, table_keys = {_person(n) for n in chain}, {_person(n) for n in table}
    repeated: dict[str, str] = {}  # key -> the first spelling seen, as people wrote it
    for side in (chain, table):
        counts = Counter(_person(x) for x in side)
        for name in side:
            if counts[_person(name)] > 1:
                repeated.setdefault(_person(name), name)
    return TopTenCheck(
        only_in_chain=tuple(n for n in chain if _person(n) not in table_keys),
        only_in_table=tuple(n for n in table if _person(n) not in chain_keys),
        repeated=tuple(repeated.values()),
    )
