"""The roll-up itself (M-FC-2..5, M-TEAM-1), pure: submissions in, one forecast of the
next level up out, with everything it counted, left out, adjusted and compared.

Which lines count (M-FC-2): confirmed lines; in a rep's forecast, only those the rep is
the primary owner of (a roll-up's lines were filtered when it was made); M-FC-1: at a stage
the company counts toward a forecast (``forecast.counted_from`` on; by default every stage).

Which copy counts when one opportunity is in several inputs (M-FC-3) — counted once,
never summed twice, and the same copy whatever the order of the inputs or the levels
in between: the copy from the most recently submitted rep forecast; then the one whose
owner, amount, category, stage, close date and customer sort last (so equal
submissions still give one answer). Every other copy goes on the conflicts list, as a
duplicate, or as "two owners" when the copies disagree about the primary owner.

The period is the forecast (M-FC-1): every headline figure (closed, commit, best case,
pipeline, weighted, attainment, each report's own figure and the adjusted forecast)
counts the counted lines that close in the roll-up's period. Lines closing in other
periods are still counted lines: written to the output (so it can be rolled up again),
in the owner x period x stage x category totals and the channel comparison, and shown
per owner as "outside the period".
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Set
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
    """One owner's figures in the period (M-FC-1, M-TEAM-1); cumulative categories are each
    their own sum, never added together. Also the roll-up's own headline (its owner, the
    header quota and the adjusted forecast)."""

    owner: str
    lines: int             # closing in the period
    closed: float
    commit: float          # incl. closed
    best_case: float       # incl. commit
    pipeline: float
    weighted: float
    outside: float         # counted lines closing in other periods, any category
    quota: float | None
    adjusted: float | None = None   # M-FC-4: the figure used for this owner at this level

    @property
    def attainment(self) -> float | None:
        return self.closed / self.quota if self.quota else None

    @property
    def forecast_attainment(self) -> float | None:
        return self.commit / self.quota if self.quota else None

    @property
    def adjusted_attainment(self) -> float | None:
        return self.adjusted / self.quota if self.quota and self.adjusted is not None else None


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
    headline: OwnerSummary
    totals: list[Total] = field(default_factory=list)
    owners: list[OwnerSummary] = field(default_factory=list)
    channel: list[ChannelRow] = field(default_factory=list)

    @property
    def commit(self) -> float:
        """M-FC-1: commit (incl. closed) of the counted lines closing in the period."""
        return self.headline.commit

    @property
    def adjusted(self) -> float:
        """M-FC-4: this level's figure: its reports' figures as the manager adjusted them."""
        return self.headline.adjusted  # type: ignore[return-value]   (always set by roll_up)

    @property
    def unallocated(self) -> float | None:
        """M-TEAM-1: the header quota not allocated to an owner (0 when the by-owner quotas add up)."""
        if self.quota is None:
            return None
        return self.quota - sum(o.quota for o in self.owners if o.quota is not None)


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
    if not valid[key]:
        return "open_at_08"
    return "not_counted" if line.stage.number < config.forecast.counted_from else None


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


def owner_summaries(lines: Iterable[Line], inside: Set[date], quotas: dict[str, float], config: Config, *,
                    names: dict[str, str] | None = None, adjusted: dict[str, float] | None = None) -> list[OwnerSummary]:
    """M-TEAM-1 per owner, in the period (M-FC-1; ``inside``: the close dates in it): closed,
    commit (incl. closed), best case (incl. commit), pipeline, weighted, outside the period,
    quota. ``names``: owners shown even without lines (a report with a quota); ``adjusted``:
    the figure used per owner at this level (M-FC-4)."""
    by_owner: dict[str, list[Line]] = defaultdict(list)
    known = dict(names or {})
    for line in lines:
        key = _person(line.owner)
        by_owner[key].append(line)
        known.setdefault(key, line.owner)
    probability = _probabilities(config)
    return [summary(known[key], by_owner.get(key, []), inside, probability, quotas.get(key), (adjusted or {}).get(key))
            for key in sorted(known)]


def summary(owner: str, lines: list[Line], inside: Set[date], probability: Callable[[Stage, str], float],
            quota: float | None, adjusted: float | None = None) -> OwnerSummary:
    """M-FC-1: the figures of the ``lines`` closing in the period; the others only as "outside"."""
    current = [x for x in lines if x.close_date in inside]
    return OwnerSummary(
        owner=owner, lines=len(current), closed=_sum(current, ("closed",)), commit=_sum(current, COMMIT),
        best_case=_sum(current, BEST_CASE), pipeline=_sum(current, ("pipeline",)),
        weighted=sum(x.amount * probability(x.stage, x.status) for x in current),
        outside=sum(x.amount for x in lines if x.close_date not in inside), quota=quota, adjusted=adjusted)


def days_in(period: str, submissions: Iterable[Submission], config: Config) -> set[date]:
    """M-FC-1: the close dates of the submissions' lines that fall in ``period`` (a line is
    in the period when its close date is in this set: no call per line)."""
    period_of = _periods(config)
    return {day for day in {x.close_date for s in submissions for x in s.lines} if period_of(day) == period}


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
          adjustments: dict[str, tuple[float, str]], inside: Set[date]) -> list[LayerRow]:
    """M-FC-4: the lower levels' rows as they were, then one row per direct report (each
    input's owner) with what was counted of it here in the period (``inside``: its close
    dates), its own figure (:func:`own_figure`) and this manager's revision. Adjustments
    never touch a line."""
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
        figure, deducted = own_figure(sub, lines, inside)
        adjusted = adjustments.get(_person(sub.owner))
        mine.append(LayerRow(
            level=level, manager=owner, owner=sub.owner, period=period, lines=len(lines),
            unadjusted=_sum((x for x in lines if x.close_date in inside), COMMIT), owner_figure=figure,
            adjusted_figure=adjusted[0] if adjusted else None, adjusted_by=owner if adjusted else "",
            note=adjusted[1] if adjusted else "", deducted=deducted))
    return [row for _key, row in sorted(carried.items())] + mine


def adjusted_figure(rows: Iterable[LayerRow], *, owner: str, level: str, commit: float) -> float:
    """M-FC-4: a level's figure: the figures used of its own rows (its commit when it has none)."""
    mine = [r for r in rows if r.level == level and same_owner(r.manager, owner)]
    return sum(r.final for r in mine) if mine else commit


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


def own_figure(sub: Submission, counted: list[Line], inside: Set[date]) -> tuple[float, float]:
    """M-FC-4 after M-FC-3, in the period (M-FC-1): a report's own figure, and what of it
    this roll-up counts for another report.

    A rep's figure (or a roll-up without rows of its own): their own figures (else the
    amounts) of their commit lines counted here (``counted``: this report's lines that
    won), closing in the period. A manager's roll-up: its adjusted figure, less the commit
    (incl. closed) of its lines in the period that are not counted for it here (a copy
    that lost to another report's, or a line left out): so with no revision at any level
    the adjusted forecast equals the commit."""
    own = [r for r in sub.layer if r.level == sub.level and same_owner(r.manager, sub.owner)]
    if sub.level == "rep" or not own:
        return sum(x.owner_forecast if x.owner_forecast is not None else x.amount for x in counted
                   if x.category in COMMIT and x.close_date in inside), 0.0
    won = {x.key for x in counted}
    lost = _sum((x for x in sub.lines if x.key not in won and x.close_date in inside), COMMIT)
    return max(0.0, sum(r.final for r in own) - lost), lost


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
    and one period (see :mod:`kamxl.rollup`); ``quotas``: the ``--quota`` file, if given."""
    ordered = sorted(submissions, key=lambda s: (s.sha256, s.file))    # input order never matters
    counted, excluded = select(ordered, config)
    inside = days_in(period, ordered, config)
    rows = layer(ordered, counted, owner=owner, level=level, period=period, adjustments=adjustments or {},
                 inside=inside)
    names = _report_owners(ordered)
    own_quota, quota_of = quota_rule(ordered, names | {_person(x.owner): x.owner for x in counted}, quotas,
                                     owner=owner, period=period)
    probability = _probabilities(config)
    headline = summary(owner, counted, inside, probability, own_quota)
    headline = replace(headline, adjusted=adjusted_figure(rows, owner=owner, level=level, commit=headline.commit))
    reps = {_person(s.owner) for s in ordered if s.level == "rep"}   # a rep's own row is theirs alone
    figures = {_person(r.owner): r.final for r in rows
               if r.level == level and same_owner(r.manager, owner) and _person(r.owner) in reps}
    return RollUp(owner, level, manager, period, currency, today, own_quota, counted, excluded, rows, headline,
                  totals=totals(counted, config),
                  owners=owner_summaries(counted, inside, quota_of, config, names=names, adjusted=figures),
                  channel=channel_rows(counted, channel or {}, config))


def _report_owners(submissions: list[Submission]) -> dict[str, str]:
    """Owners with a by-owner row even without lines here: each rep report, and the owners
    of a roll-up input's by-owner table (M-TEAM-1: their quotas are allocated to them)."""
    names: dict[str, str] = {}
    for sub in submissions:
        if sub.level == "rep":
            names.setdefault(_person(sub.owner), sub.owner)
        for name, _quota in sub.owner_quotas:
            names.setdefault(_person(name), name)
    return names


def quota_rule(submissions: list[Submission], owners: dict[str, str], quotas: dict[tuple[str, str], float] | None, *,
               owner: str, period: str) -> tuple[float | None, dict[str, float]]:
    """M-TEAM-1, one rule: the header quota and the by-owner quotas (of ``owners``, folded).

    With a quota file (``quotas``), only the file: each owner's row for the period (or a
    row without period); the header is the file's row for the roll-up's owner, else the
    sum of the by-owner quotas. Without one, only the reports: the header is the sum of
    the reports' header quotas (each report once: superseded and nested inputs are gone
    by now); by owner, a rep's header quota, and a roll-up input's by-owner quotas."""
    if quotas is not None:
        table = _quotas(quotas, period)
        by_owner = {key: table[key] for key in owners if key in table}
        header = table.get(_person(owner))
        return (sum(by_owner.values()) if header is None and by_owner else header), by_owner
    by_owner = defaultdict(float)
    for sub in submissions:
        if sub.level == "rep" and sub.quota is not None:
            by_owner[_person(sub.owner)] += sub.quota
        for name, quota in sub.owner_quotas:
            by_owner[_person(name)] += quota
    known = [s.quota for s in submissions if s.quota is not None]
    return (sum(known) if known else None), dict(by_owner)


def _quotas(quotas: dict[tuple[str, str], float], period: str) -> dict[str, float]:
    """Owner -> quota for the period (a row without a period applies to every period)."""
    out = {owner: q for (owner, p), q in quotas.items() if not p}
    out.update({owner: q for (owner, p), q in quotas.items() if p == period})
    return out
