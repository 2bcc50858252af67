"""The manager's one-page view of a roll-up (sheet *Overview*): each direct report with the
people under them, a total row equal to the roll-up's own figures, quota, gap, coverage,
attainment and the change since the previous roll-up (M-TEAM-1, M-FC-1, M-FC-4).

The hierarchy comes from the inputs: the direct reports are the forecasts used (one per
report); under a roll-up input, its adjustment layer says who reports to whom (its
OwnerForecasts rows: in the ``level`` roll-up by ``manager``, report ``owner``). A counted
line belongs to the input it came from (``Line.file``) and, inside it, to its owner.

What each row holds:

- closed, commit (incl. closed), best case (incl. commit), pipeline: of the lines under
  it closing in the period (M-FC-1); a manager's row is the sum of the rows under it;
- quota (M-TEAM-1, the roll-up's one rule): a rep's by-owner quota; a direct report that
  is a roll-up, the quota file's row for its owner (else the sum of its people's rows in
  the file), or without a quota file its own header quota; a manager further down, the
  quota file's row (without one: not known here). The quota not allocated to a direct
  report is a row of its own, so the quotas add up to the header's;
- adjusted (M-FC-4): the figure used for the person in their manager's roll-up (the
  revision if any, else the report's figure); the total is the roll-up's adjusted forecast;
- gap = quota − adjusted forecast (what the submitted figure still misses);
- coverage = open pipeline in the period ÷ what is left to close, i.e.
  (best case + pipeline − closed) ÷ (quota − closed): the common sales definition (the
  method defines none); blank when nothing is left to close;
- change: commit and best case against ``--previous`` (its lines, by owner); owners only
  in the previous roll-up are a row of their own, so the changes add up to the total's.
"""
from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field, replace
from datetime import date

from kamxl.methodology import Config, same_owner
from kamxl.methodology.config import Stage
from kamxl.rollup.core import RollUp, _periods, _person, _quotas, summary
from kamxl.rollup.model import BEST_CASE, COMMIT, LayerRow, Line, Submission

#: row kinds: a direct report (outline level 0), a person under one (level 1, 2 …), the
#: quota not allocated to a direct report, owners only in the previous roll-up, the total
REPORT, MEMBER, UNALLOCATED, GONE, TOTAL = "report", "member", "unallocated", "gone", "total"


@dataclass(frozen=True)
class OverviewRow:
    owner: str
    kind: str
    depth: int
    quota: float | None = None
    closed: float | None = None
    commit: float | None = None
    best_case: float | None = None
    pipeline: float | None = None
    adjusted: float | None = None
    commit_change: float | None = None
    best_case_change: float | None = None
    people: int = 0        # rows right under it (its subtotal above them)

    @property
    def gap(self) -> float | None:
        """Quota − adjusted forecast (M-TEAM-1 against M-FC-4's figure)."""
        return None if self.quota is None or self.adjusted is None else self.quota - self.adjusted

    @property
    def coverage(self) -> float | None:
        """Open pipeline in the period ÷ quota left to close (blank when none is left)."""
        if self.quota is None or None in (self.closed, self.best_case, self.pipeline):
            return None
        left = self.quota - self.closed  # type: ignore[operator]
        return (self.best_case + self.pipeline - self.closed) / left if left > 0 else None  # type: ignore[operator]

    @property
    def attainment(self) -> float | None:
        """Commit (incl. closed) ÷ quota."""
        return self.commit / self.quota if self.quota and self.commit is not None else None

    @property
    def adjusted_attainment(self) -> float | None:
        return self.adjusted / self.quota if self.quota and self.adjusted is not None else None


@dataclass
class _Node:
    owner: str
    depth: int
    quota: float | None = None
    adjusted: float | None = None
    lines: list[Line] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def walk(self) -> Iterable[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def all_lines(self) -> list[Line]:
        return [x for node in self.walk() for x in node.lines]


def overview(result: RollUp, used: list[Submission], config: Config, *,
             quotas: dict[tuple[str, str], float] | None = None,
             previous: list[Line] | None = None) -> list[OverviewRow]:
    """The rows of the Overview sheet, in order: each direct report then the people under
    it (depth first), the quota not allocated, owners only in the previous roll-up, the total."""
    period = _periods(config)
    inside = {x.close_date for x in result.lines if period(x.close_date) == result.period}
    file_quotas = _quotas(quotas, result.period) if quotas is not None else None
    owner_quota = {_person(o.owner): o.quota for o in result.owners}
    mine = {_person(r.owner): r.final for r in result.layer
            if r.level == result.level and same_owner(r.manager, result.owner)}
    ordered = sorted(used, key=lambda s: (_person(s.owner), s.file))
    reports = [_report(sub, mine, owner_quota, file_quotas) for sub in ordered]
    by_file = {sub.file: node for sub, node in zip(ordered, reports)}
    placed: dict[tuple[str, str], _Node] = {}     # (file, owner as written) -> its node: a tree walk per owner, not per line
    for line in result.lines:
        node = placed.get((line.file, line.owner))
        if node is None:
            node = placed[(line.file, line.owner)] = _place(by_file[line.file], line, owner_quota)
        node.lines.append(line)
    before = _previous_by_owner(previous, result.period, config) if previous is not None else None
    rows = [_row(node, REPORT if node is report else MEMBER, inside, before)
            for report in reports for node in report.walk()]
    if result.quota is not None:
        allocated = sum(r.quota for r in reports if r.quota is not None)
        if abs(result.quota - allocated) > 1e-9 * max(1.0, abs(result.quota)):
            rows.append(OverviewRow(owner="", kind=UNALLOCATED, depth=0, quota=result.quota - allocated))
    h = result.headline
    total = OverviewRow(owner=result.owner, kind=TOTAL, depth=0, quota=result.quota, closed=h.closed,
                        commit=h.commit, best_case=h.best_case, pipeline=h.pipeline, adjusted=result.adjusted)
    if before is not None:
        here = {_person(x.owner) for x in result.lines} | {_person(n.owner) for r in reports for n in r.walk()}
        gone = [lines for key, lines in before.items() if key not in here]
        was = [x for lines in before.values() for x in lines]
        total = _with_change(total, was)
        if gone:
            rows.append(_with_change(OverviewRow(owner="", kind=GONE, depth=0),
                                     [x for lines in gone for x in lines]))
    return [*rows, total]


def _report(sub: Submission, mine: dict[str, float], owner_quota: dict[str, float | None],
            file_quotas: dict[str, float] | None) -> _Node:
    """A direct report and, for a roll-up input, the people under it (its layer)."""
    key = _person(sub.owner)
    node = _Node(sub.owner, 0, adjusted=mine.get(key))
    if sub.level == "rep":
        node.quota = owner_quota.get(key)
        return node
    node.children = _members(sub.owner, sub.layer, 1, file_quotas, owner_quota, seen={key})
    if file_quotas is None:
        node.quota = sub.quota
    elif key in file_quotas:
        node.quota = file_quotas[key]
    else:
        found = [file_quotas[_person(n.owner)] for c in node.children for n in c.walk()
                 if not n.children and _person(n.owner) in file_quotas]
        node.quota = sum(found) if found else None
    return node


def _members(manager: str, rows: tuple[LayerRow, ...], depth: int, file_quotas: dict[str, float] | None,
             owner_quota: dict[str, float | None], seen: set[str]) -> list[_Node]:
    """Whoever reports to ``manager`` in a roll-up's layer, and so on down (each person once)."""
    out = []
    for row in sorted((r for r in rows if same_owner(r.manager, manager)), key=lambda r: _person(r.owner)):
        key = _person(row.owner)
        if key in seen:
            continue
        seen.add(key)
        node = _Node(row.owner, depth, adjusted=row.final)
        node.children = _members(row.owner, rows, depth + 1, file_quotas, owner_quota, seen)
        if not node.children:
            node.quota = owner_quota.get(key)
        elif file_quotas is not None:
            node.quota = file_quotas.get(key)
        out.append(node)
    return out


def _place(report: _Node, line: Line, owner_quota: dict[str, float | None]) -> _Node:
    """Where a line goes: its owner among the people of its report (a person with nobody
    under them); an owner not found there gets a row of their own under the report."""
    key = _person(line.owner)
    node = next((n for n in report.walk() if not n.children and _person(n.owner) == key), None)
    if node is None:
        node = _Node(line.owner, report.depth + 1, quota=owner_quota.get(key))
        report.children.append(node)
    return node


def _no_weight(_stage: Stage, _status: str) -> float:
    return 0.0   # the overview shows no weighted amount


def _row(node: _Node, kind: str, inside: Set[date], before: dict[str, list[Line]] | None) -> OverviewRow:
    figures = summary(node.owner, node.all_lines(), inside, _no_weight, node.quota)
    row = OverviewRow(owner=node.owner, kind=kind, depth=node.depth, quota=node.quota, closed=figures.closed,
                      commit=figures.commit, best_case=figures.best_case, pipeline=figures.pipeline,
                      adjusted=node.adjusted, people=len(node.children))
    if before is None:
        return row
    keys = {_person(n.owner) for n in node.walk()}
    return _with_change(row, [x for key in sorted(keys) for x in before.get(key, [])])


def _with_change(row: OverviewRow, was: list[Line]) -> OverviewRow:
    commit = sum(x.amount for x in was if x.category in COMMIT)
    best = sum(x.amount for x in was if x.category in BEST_CASE)
    return replace(row, commit_change=(row.commit or 0.0) - commit, best_case_change=(row.best_case or 0.0) - best)


def _previous_by_owner(previous: list[Line], period: str, config: Config) -> dict[str, list[Line]]:
    """The previous roll-up's lines closing in this period (M-FC-1), by owner."""
    of = _periods(config)
    out: dict[str, list[Line]] = {}
    for line in previous:
        if of(line.close_date) == period:
            out.setdefault(_person(line.owner), []).append(line)
    return out
