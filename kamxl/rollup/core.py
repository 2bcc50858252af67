"""The roll-up itself (M-FC-2..5, M-TEAM-1), pure: submissions in, one forecast of the
next level up out, with everything it counted, left out, adjusted and compared.

Which lines count (M-FC-2): confirmed lines; in a rep's forecast, only those the rep is
the primary owner of (a roll-up's lines were filtered when it was made).

Which copy counts when one opportunity is in several inputs (M-FC-3) — counted once,
never summed twice, and the same copy whatever the order of the inputs or the levels
in between: the copy from the most recently submitted rep forecast; then the one whose
owner, amount, category, stage, close date and customer sort last (so equal
submissions still give one answer). Every other copy goes on the conflicts list, as a
duplicate, or as "two owners" when the copies disagree about the primary owner.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from kamxl.errors import InputError
from kamxl.methodology import Config, period_of, same_owner, stage_probability
from kamxl.methodology.config import Stage
from kamxl.methodology.values import fold
from kamxl.rollup.model import BEST_CASE, CATEGORY_ORDER, COMMIT, Excluded, LayerRow, Line, Submission

NEVER = date.min


@dataclass(slots=True)   # not frozen: a business unit has tens of thousands, and frozen init is slow
class Total:
    """One cell of the owner x period x stage x category cube."""

    owner: str
    period: str
    stage: str
    category: str
    count: int
    amount: float
    weighted: float


@dataclass(frozen=True)
class OwnerSummary:
    """One owner's figures; cumulative categories are each their own sum, never added together."""

    owner: str
    lines: int
    closed: float
    commit: float          # incl. closed
    best_case: float       # incl. commit
    pipeline: float
    weighted: float
    quota: float | None

    @property
    def attainment(self) -> float | None:
        return self.closed / self.quota if self.quota else None

    @property
    def forecast_attainment(self) -> float | None:
        return self.commit / self.quota if self.quota else None


@dataclass(frozen=True)
class ChannelRow:
    """M-FC-5: the channel's forecast of a period against the roll-up's."""

    period: str
    channel: float
    commit: float
    best_case: float

    @property
    def difference(self) -> float:
        return self.commit - self.channel

    @property
    def ratio(self) -> float | None:
        return self.difference / self.channel if self.channel else None


@dataclass
class RollUp:
    owner: str
    level: str
    manager: str
    period: str
    currency: str
    submitted_at: date
    quota: float | None
    lines: list[Line]
    excluded: list[Excluded]
    layer: list[LayerRow]
    totals: list[Total] = field(default_factory=list)
    owners: list[OwnerSummary] = field(default_factory=list)
    channel: list[ChannelRow] = field(default_factory=list)

    @property
    def commit(self) -> float:
        return sum(line.amount for line in self.lines if line.category in COMMIT)

    @property
    def adjusted(self) -> float:
        """M-FC-4: this level's figure: its reports' figures as the manager adjusted them."""
        mine = [r for r in self.layer if r.level == self.level and same_owner(r.manager, self.owner)]
        return sum(r.final for r in mine) if mine else self.commit


def select(submissions: Iterable[Submission], config: Config) -> tuple[list[Line], list[Excluded]]:
    """M-FC-2 then M-FC-3: the lines that count, and every line that does not, with why."""
    candidates: list[Line] = []
    excluded: list[Excluded] = []
    valid: dict[tuple[int, str], bool] = {}      # (id of a stage, status) -> has a probability
    for sub in submissions:
        excluded += sub.unreadable
        forecaster = _person(sub.owner) if sub.level == "rep" else None
        for line in sub.lines:
            line = line if line.submitted_at or not sub.submitted_at else replace(line, submitted_at=sub.submitted_at)
            reason = _exclusion(line, forecaster, valid, config)
            if reason:
                excluded.append(_excluded(reason, line))
            else:
                candidates.append(line)
    by_id: dict[str, list[Line]] = defaultdict(list)
    for line in candidates:
        by_id[line.key].append(line)
    ranked = []
    for key, copies in by_id.items():
        winner = copies[0] if len(copies) == 1 else max(copies, key=_precedence)
        ranked.append((_person(winner.owner), key, winner))
        for other in (c for c in copies if c is not winner):
            reason = "duplicate" if _person(other.owner) == _person(winner.owner) else "two_owners"
            excluded.append(_excluded(reason, other, winner=f"{winner.file} {winner.cell}"))
    ranked.sort(key=lambda entry: entry[:2])   # by owner, then opportunity (keys are unique)
    counted = [line for _owner, _key, line in ranked]
    excluded.sort(key=lambda e: (e.file, _row(e.cell), e.reason))
    return counted, excluded


def _exclusion(line: Line, forecaster: str | None, valid: dict[tuple[int, str], bool], config: Config) -> str | None:
    """Why a line does not count (``forecaster``: a rep's own name, as compared; None above reps)."""
    if not line.confirmed:
        return "unconfirmed"
    if forecaster is not None and (not line.owner.strip() or _person(line.owner) != forecaster):
        return "not_owner"
    key = (id(line.stage), line.status)   # the lines keep their stages alive meanwhile
    if key not in valid:
        try:
            stage_probability(line.stage, line.status, config=config)
            valid[key] = True
        except InputError:
            valid[key] = False
    return None if valid[key] else "open_at_08"


def _excluded(reason: str, line: Line, winner: str = "") -> Excluded:
    return Excluded(reason, line.id, line.owner, line.amount, line.category, line.file, line.cell, winner=winner)


def _precedence(line: Line) -> tuple[object, ...]:
    return (line.submitted_at or NEVER, _person(line.owner), line.amount, CATEGORY_ORDER.index(line.category),
            line.stage.number, line.close_date, line.customer, line.status)


def _row(cell: str) -> int:
    digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() else 0


def totals(lines: Iterable[Line], config: Config) -> list[Total]:
    """Owner x close period x stage x category: count, amount, weighted amount (M-FUN-2)."""
    cube: dict[tuple[str, str, str, str], list[float]] = {}
    period, probability = _periods(config), _probabilities(config)
    for line in lines:
        key = (line.owner, period(line.close_date), line.stage.code, line.category)
        cell = cube.get(key)
        if cell is None:
            cell = cube[key] = [0, 0.0, 0.0]
        cell[0] += 1
        cell[1] += line.amount
        cell[2] += line.amount * probability(line.stage, line.status)
    order = {k: i for i, k in enumerate(CATEGORY_ORDER)}
    folded = {owner: fold(owner) for owner in {key[0] for key in cube}}
    return [Total(o, p, s, c, int(n), a, w) for (o, p, s, c), (n, a, w)
            in sorted(cube.items(), key=lambda kv: (folded[kv[0][0]], kv[0][1], kv[0][2], order[kv[0][3]]))]


def owner_summaries(lines: Iterable[Line], quotas: dict[str, float], config: Config) -> list[OwnerSummary]:
    """M-TEAM-1 per owner: closed, commit (incl. closed), best case (incl. commit), quota."""
    by_owner: dict[str, list[Line]] = defaultdict(list)
    names: dict[str, str] = {}
    for line in lines:
        key = _person(line.owner)
        by_owner[key].append(line)
        names.setdefault(key, line.owner)
    probability = _probabilities(config)
    out = []
    for key in sorted(by_owner):
        mine = by_owner[key]
        out.append(OwnerSummary(
            owner=names[key], lines=len(mine), closed=_sum(mine, ("closed",)), commit=_sum(mine, COMMIT),
            best_case=_sum(mine, BEST_CASE), pipeline=_sum(mine, ("pipeline",)),
            weighted=sum(x.amount * probability(x.stage, x.status) for x in mine), quota=quotas.get(key)))
    return out


def _periods(config: Config) -> Callable[[date], str]:
    """M-FC-1 period of a close date, once per date (a few hundred dates stand for a
    business unit's hundreds of thousands of lines)."""
    memo: dict[date, str] = {}

    def period(day: date) -> str:
        found = memo.get(day)
        if found is None:
            found = memo[day] = _period(day, config)
        return found
    return period


def _probabilities(config: Config) -> Callable[[Stage, str], float]:
    """M-FUN-2 probability of (stage, status), once per pair. Keyed by the stage's identity:
    hashing a Stage is a Python call, and the lines asked about keep their stages alive."""
    memo: dict[tuple[int, str], float] = {}

    def probability(stage: Stage, status: str) -> float:
        found = memo.get((id(stage), status))
        if found is None:
            found = memo[(id(stage), status)] = _probability(stage, status, config)
        return found
    return probability


_MEMO: dict[tuple[object, ...], object] = {}


def _period(day: date, config: Config) -> str:
    """M-FC-1 period of a close date, once per date and configuration (a few hundred dates
    stand for a business unit's hundreds of thousands of lines)."""
    key = ("period", day, config.forecast.period)
    if key not in _MEMO:
        _MEMO[key] = period_of(day, config=config)
    return _MEMO[key]  # type: ignore[return-value]


def _probability(stage: Stage, status: str, config: Config) -> float:
    # everything stage_probability reads, as plain values: a line's Stage is its own copy
    # (unpickled per file), and comparing two copies compares their long texts
    key = ("probability", stage.code, stage.probability, status, len(config.stages),
           config.outcome.won_probability, config.outcome.lost_probability)
    if key not in _MEMO:
        _MEMO[key] = stage_probability(stage, status, config=config)
    return _MEMO[key]  # type: ignore[return-value]


def _sum(lines: Iterable[Line], categories: tuple[str, ...]) -> float:
    return sum(line.amount for line in lines if line.category in categories)


@lru_cache(maxsize=65536)
def _person(name: str) -> str:
    """An owner's name as M-FC-2 compares it (``same_owner``): width-, case- and space-blind;
    remembered, as a roll-up compares the same few hundred names hundreds of thousands of times."""
    return fold(name).replace(" ", "")


def layer(submissions: list[Submission], counted: list[Line], *, owner: str, level: str, period: str,
          adjustments: dict[str, tuple[float, str]]) -> list[LayerRow]:
    """M-FC-4: the lower levels' rows as they were, then one row per direct report (each
    input's owner) with what was counted of it here, its own figure and this manager's
    revision. Adjustments never touch a line."""
    carried: dict[tuple[str, str, str, str], LayerRow] = {}
    for sub in submissions:
        for row in sub.layer:
            carried.setdefault((row.level, _person(row.manager), _person(row.owner), row.period), row)
    counted_from: dict[str, list[Line]] = defaultdict(list)
    for line in counted:
        counted_from[line.file].append(line)
    mine = []
    for sub in sorted(submissions, key=lambda s: (_person(s.owner), s.file)):  # one per report: see supersede()
        lines = counted_from.get(sub.file, [])
        adjusted = adjustments.get(_person(sub.owner))
        mine.append(LayerRow(
            level=level, manager=owner, owner=sub.owner, period=period, lines=len(lines),
            unadjusted=_sum(lines, COMMIT), owner_figure=_figure(sub), adjusted_figure=adjusted[0] if adjusted else None,
            adjusted_by=owner if adjusted else "", note=adjusted[1] if adjusted else ""))
    return [row for _key, row in sorted(carried.items())] + mine


def supersede(submissions: list[Submission]) -> tuple[list[Submission], list[Submission]]:
    """One forecast per report: of several by the same owner at the same level, the most
    recently submitted counts (then the one whose content hash sorts last); the rest are
    superseded and listed in the lineage."""
    latest: dict[tuple[str, str], Submission] = {}
    for sub in submissions:
        key = (_person(sub.owner), sub.level)
        best = latest.get(key)
        if best is None or (sub.submitted_at or NEVER, sub.sha256) > (best.submitted_at or NEVER, best.sha256):
            latest[key] = sub
    kept = set(map(id, latest.values()))
    return [s for s in submissions if id(s) in kept], [s for s in submissions if id(s) not in kept]


def _figure(sub: Submission) -> float:
    """The report's own forecast figure: a manager's adjusted figure; a rep's own figures
    (or amounts) of the confirmed commit lines they own."""
    own = [r for r in sub.layer if r.level == sub.level and same_owner(r.manager, sub.owner)]
    if own:
        return sum(r.final for r in own)
    person = _person(sub.owner)   # (same_owner, remembered per name)
    lines = [x for x in sub.lines if x.confirmed and x.category in COMMIT
             and (sub.level != "rep" or _person(x.owner) == person)]
    return sum(x.owner_forecast if x.owner_forecast is not None else x.amount for x in lines)


def channel_rows(lines: list[Line], channel: dict[str, float], config: Config) -> list[ChannelRow]:
    """M-FC-5: per period the channel forecasts, the roll-up's commit and best case."""
    if not channel:
        return []
    by_period: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_period[_period(line.close_date, config)].append(line)
    return [ChannelRow(p, amount, _sum(by_period.get(p, []), COMMIT), _sum(by_period.get(p, []), BEST_CASE))
            for p, amount in sorted(channel.items())]


def roll_up(submissions: list[Submission], *, owner: str, level: str, period: str, currency: str, config: Config,
            today: date, manager: str = "", quotas: dict[tuple[str, str], float] | None = None,
            channel: dict[str, float] | None = None,
            adjustments: dict[str, tuple[float, str]] | None = None) -> RollUp:
    """Everything the roll-up workbook shows. ``submissions`` are already in one currency
    and one period (see :mod:`kamxl.rollup`)."""
    ordered = sorted(submissions, key=lambda s: (s.sha256, s.file))    # input order never matters
    counted, excluded = select(ordered, config)
    quota_of = _quotas(quotas or {}, period)
    own_quota = quota_of.get(_person(owner))
    if own_quota is None and ordered and all(s.quota is not None for s in ordered):
        own_quota = sum(s.quota for s in ordered)  # type: ignore[misc]
    for sub in ordered:   # each report's own header quota, unless the quota file says otherwise
        if sub.quota is not None:
            quota_of.setdefault(_person(sub.owner), sub.quota)
    result = RollUp(owner, level, manager, period, currency, today, own_quota, counted, excluded,
                    layer(ordered, counted, owner=owner, level=level, period=period, adjustments=adjustments or {}))
    result.totals = totals(counted, config)
    result.owners = owner_summaries(counted, quota_of, config)
    result.channel = channel_rows(counted, channel or {}, config)
    return result


def _quotas(quotas: dict[tuple[str, str], float], period: str) -> dict[str, float]:
    """Owner -> quota for the period (a row without a period applies to every period)."""
    out = {owner: q for (owner, p), q in quotas.items() if not p}
    out.update({owner: q for (owner, p), q in quotas.items() if p == period})
    return out
