"""Checks across files: one opportunity with several primary owners, or in several
forecasts (M-FC-3); one customer claimed by several account managers (M-ACC-2, M-ACC-3).

A file is only ever accused by what another file asserts, never by what it lacks: a
blank or unreadable owner, account manager or forecast header is that file's own finding
(a required value) and no evidence against anyone.

Forecasts are compared as a roll-up would take them (one source of truth,
:mod:`kamxl.rollup`): only the lines a roll-up counts (:func:`kamxl.rollup.core.select`:
confirmed, the forecaster's own), and only forecasts that could meet in one roll-up —
the same period, both of a level below the top one (a roll-up takes only inputs below
its own level), neither superseded by a newer forecast of the same report
(:func:`kamxl.rollup.core.supersede`), and neither inside the other (a roll-up and the
files of its lineage, at every level below it, are one forecast, not two; so is another
version of a report it holds). Funnels are compared with funnels: one opportunity, one
primary owner.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import NamedTuple

from kamxl.errors import InputError
from kamxl.findings import Finding, Severity, finding
from kamxl.i18n import Text, listing
from kamxl.methodology import Customer, group_customers, same_owner
from kamxl.methodology.values import fold

TWO_OWNERS = Text("商机 {id} 有 {n} 个主要负责人：{owners}（另见 {others}）",
                  "opportunity {id} has {n} primary owners: {owners} (see also {others})")
TWO_OWNERS_FIX = Text("一个商机只有一个主要负责人，只有其上级能更换", "one primary owner per opportunity; only their superior may change it")
FORECAST_OWNERS = Text("商机 {id} 在 {period} 的预测中有 {n} 个主要负责人：{owners}（另见 {others}）",
                       "opportunity {id} has {n} primary owners in the forecasts for {period}: {owners} (see also {others})")
TWO_FORECASTS = Text("商机 {id} 出现在 {period} 的 {n} 份预测中（另见 {others}）：重复计算，汇总时只计一份",
                     "opportunity {id} is in {n} forecasts for {period} (see also {others}): double counting; "
                     "a roll-up counts only one copy")
TWO_FORECASTS_FIX = Text("只保留主要负责人的那一份", "keep it only in its primary owner's forecast")
TWO_MANAGERS = Text("客户“{customer}”被 {n} 位客户经理认领：{managers}（另见 {others}）",
                    "customer '{customer}' is claimed by {n} account managers: {managers} (see also {others})")
TWO_MANAGERS_FIX = Text("每个客户只有一位客户经理；请按分配规则确认", "each customer has one account manager; settle it by the assignment rules")

NAMES_SHOWN = 5      # owners or managers named in one message; the rest are "and N more"
PLACES_SHOWN = 3     # other files named in one message


class Claim(NamedTuple):
    """A fact one file asserts, where it asserts it (a tuple: a 500-row file makes 500 of
    them, and worker processes send them back pickled)."""

    kind: str          # 'opportunity' (funnel), 'forecast_line', 'customer' (account plan)
    key: str           # opportunity id, or customer name
    owner: str         # primary owner, or account manager (never blank: a blank asserts nothing)
    file: str
    sheet: str
    cell: str
    code: str = ""     # credit code (customers)


class Claims(NamedTuple):
    """Many facts of one kind one file asserts in one column (opportunity ids and their
    owners): three lists instead of a Claim per row, so a batch's worker processes send
    back little and the across-files check works on sets."""

    kind: str
    file: str
    sheet: str
    keys: list[str]
    owners: list[str]        # equal names are one object: pickled once per file
    column: str              # the letter of the id column
    rows: list[int]          # the row of each id


class Forecast(NamedTuple):
    """A forecast as a roll-up takes it: its header, its sources, and the lines a roll-up
    counts of it (``lines``, kind 'forecast_line')."""

    lines: Claims
    sha256: str
    owner: str
    level: str               # rep, team, region, bu
    period: str
    submitted_at: date | None
    lineage: tuple[str, ...]  # SHA-256 of the files it is made of, at every level below it
    reports: tuple[tuple[str, str, str], ...] = ()   # its direct inputs: (owner folded, level, period)

    @property
    def report(self) -> tuple[str, str, str]:
        """Whose forecast it is (one forecast per report: the roll-up keeps the latest)."""
        return fold(self.owner).replace(" ", ""), self.level, self.period


def check(claims: Iterable[Claim | Claims | Forecast]) -> list[Finding]:
    singles: list[Claim] = []
    blocks: list[Claims] = []
    forecasts: list[Forecast] = []
    for c in claims:
        (forecasts if isinstance(c, Forecast) else blocks if isinstance(c, Claims) else singles).append(c)  # type: ignore[arg-type]
    return (_opportunities([c for c in singles if c.kind == "opportunity"] + _colliding(blocks))
            + _forecasts(forecasts) + _customers([c for c in singles if c.kind == "customer"]))


def _colliding(blocks: list[Claims]) -> list[Claim]:
    """The claims of ids that occur more than once over all blocks: no other can conflict,
    and finding them is set arithmetic (half a million ids in a fraction of a second)."""
    seen: set[str] = set()
    twice: set[str] = set()
    folded = []
    for block in blocks:
        keys = [k.strip().casefold() for k in block.keys]
        unique = set(keys)
        if len(unique) < len(keys):
            twice.update(k for k, n in Counter(keys).items() if n > 1)
        twice |= unique & seen
        seen |= unique
        folded.append((block, keys, unique))
    return [Claim(block.kind, key, owner, block.file, block.sheet, cell)
            for block, keys, unique in folded if not twice.isdisjoint(unique)
            for key, k, owner, row in zip(block.keys, keys, block.owners, block.rows) if k in twice
            for cell in [f"{block.column}{row}"]]


def _by_id(claims: Iterable[Claim]) -> list[list[Claim]]:
    groups: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.key and c.owner.strip():
            groups[c.key.strip().casefold()].append(c)
    return list(groups.values())


def _owners(group: Iterable[Claim]) -> list[str]:
    """The distinct owners of ``group`` (compared as M-FC-2 compares them), in order."""
    owners: list[str] = []
    for c in group:
        if not any(same_owner(c.owner, o) for o in owners):
            owners.append(c.owner)
    return owners


def _others(group: Iterable[Claim], me: Claim) -> Text:
    return listing(sorted({f"{c.file} {c.sheet}!{c.cell}" for c in group if c is not me}) or ["—"],
                   limit=PLACES_SHOWN, zh_sep="；", en_sep="; ")


def _opportunities(claims: list[Claim]) -> list[Finding]:
    """M-FC-3 in funnels: one opportunity, one primary owner."""
    found = []
    for group in _by_id(claims):
        owners = _owners(group)
        if len(owners) > 1:
            for c in group:
                found.append(finding("M-FC-3", Severity.ERROR, TWO_OWNERS, TWO_OWNERS_FIX, file=c.file, sheet=c.sheet,
                                     cell=c.cell, id=c.key, n=len(owners), owners=listing(owners, limit=NAMES_SHOWN),
                                     others=_others(group, c)))
    return found


def _forecasts(forecasts: list[Forecast]) -> list[Finding]:
    """M-FC-3 in forecasts that could meet in one roll-up (module docstring): each copy of
    an opportunity that such another forecast also counts, as the roll-up would list it
    on its Conflicts sheet — several primary owners, or the same one twice."""
    from kamxl.rollup import LEVELS
    from kamxl.rollup.core import supersede
    from kamxl.rollup.model import Submission

    inside = _sources(forecasts)
    by_period: dict[str, list[Forecast]] = defaultdict(list)
    for f in forecasts:
        if f.level in LEVELS[:-1]:
            by_period[f.period].append(f)
    found = []
    for period, group in sorted(by_period.items()):
        reports = [Submission(file=f.lines.file, sha256=f.sha256, owner=f.owner, level=f.level, manager="",
                              period=period, currency="", submitted_at=f.submitted_at, quota=None, lines=())
                   for f in group]
        kept = {id(s) for s in supersede(reports)[0]}
        of_file = {f.lines.file: f for f, s in zip(group, reports) if id(s) in kept}
        for copies in _by_id(_colliding([f.lines for f in of_file.values()])):
            for c in copies:
                me = of_file[c.file]
                others = [o for o in copies if o.file != c.file and _apart(me, of_file[o.file], inside)]
                if not others:
                    continue
                owners = _owners([c, *others])
                params = {"id": c.key, "period": period, "others": _others(others, c)}
                if len(owners) > 1:
                    found.append(finding("M-FC-3", Severity.ERROR, FORECAST_OWNERS, TWO_OWNERS_FIX, file=c.file,
                                         sheet=c.sheet, cell=c.cell, n=len(owners),
                                         owners=listing(owners, limit=NAMES_SHOWN), **params))
                else:
                    found.append(finding("M-FC-3", Severity.ERROR, TWO_FORECASTS, TWO_FORECASTS_FIX, file=c.file,
                                         sheet=c.sheet, cell=c.cell, n=1 + len({o.file for o in others}), **params))
    return found


def _sources(forecasts: list[Forecast]) -> Callable[[Forecast], set[object]]:
    """What a forecast is made of: the SHA-256 of its lineage and the reports of its direct
    inputs, and the same of the files of the batch in it (a roll-up made before lineage
    went deeper lists only its direct inputs)."""
    by_digest = {f.sha256: f for f in forecasts if f.sha256}
    memo: dict[int, set[object]] = {}

    def inside(f: Forecast) -> set[object]:
        if id(f) not in memo:
            memo[id(f)] = set()                      # a file listing itself, or a cycle, ends here
            found: set[object] = {*f.lineage, *f.reports}
            for digest in f.lineage:
                if digest in by_digest:
                    found |= inside(by_digest[digest])
            memo[id(f)] = found
        return memo[id(f)]
    return inside


def _apart(a: Forecast, b: Forecast, inside: Callable[[Forecast], set[object]]) -> bool:
    """Two forecasts neither of which is made of the other: not by its bytes, nor by its
    report (another version of a report a roll-up holds is that report, which the roll-up
    counts once; it is the roll-up that is out of date, and no duplicate)."""
    a_in, b_in = inside(a), inside(b)
    return not ({a.sha256, a.report} & b_in or {b.sha256, b.report} & a_in)


def _customers(claims: list[Claim]) -> list[Finding]:
    usable = []
    for c in claims:
        try:
            group_customers([Customer(c.key, c.code or None)])
            usable.append(c)
        except InputError:
            continue  # an unreadable name or code: the file's own checks said so
    groups = group_customers(Customer(c.key, c.code or None, ref=c) for c in usable)
    found = []
    for group in groups:
        members = [g.ref for g in group if g.ref.owner.strip()]
        managers = _owners(members)
        if len(managers) > 1:
            for m in members:
                found.append(finding("M-ACC-3", Severity.ERROR, TWO_MANAGERS, TWO_MANAGERS_FIX, file=m.file,
                                     sheet=m.sheet, cell=m.cell, customer=m.key, n=len(managers),
                                     managers=listing(managers, limit=NAMES_SHOWN), others=_others(members, m)))
    return found
