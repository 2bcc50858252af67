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

Customers (M-ACC-2, M-ACC-3) are compared over account plans, funnels and reps' forecasts:
one customer is one group of :func:`kamxl.methodology.identify_customers` (the credit code
decides, the name key where a code is missing). Two account plans naming different
account managers are an error. A funnel's or forecast's primary owner who differs from
the customer's other people is a warning: an opportunity's owner should be its customer's
account manager but need not be (a specialist may own a deal). One finding per file and
person, at the first cell naming the customer: a 500-row funnel of one customer is not
500 findings. A roll-up forecast restates its inputs' owners and is not compared. A
customer written one way in most files and another way in some is an info at those,
naming the spellings; a name without a code that is the name of two coded companies is a
warning asking for the code; an invalid code is a warning and compared as blank.

M-FUN-5: an open opportunity at or past ``[evidence] decision_chain_from`` whose
customer's account plans in the batch all have an empty decision chain is a warning at
its stage; with no plan of the customer in the batch nothing is said (most batches are
funnels only, and a finding on every row would be noise).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import NamedTuple

from kamxl.errors import InputError
from kamxl.findings import Finding, Severity, finding
from kamxl.i18n import Text, listing
from kamxl.methodology import Customer, credit_code, identify_customers, name_key, same_owner
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
WORKED_BY = Text("客户“{customer}”有 {n} 位负责人：{people}",
                 "customer '{customer}' is worked by {n} people: {people}")
WORKED_BY_FIX = Text("商机的主要负责人应是该客户的客户经理；请按分配规则确认",
                     "an opportunity's primary owner should be its customer's account manager; settle it by the "
                     "assignment rules")
SPELLINGS = Text("客户“{customer}”在本批文件中有 {n} 种写法：{spellings}",
                 "customer '{customer}' is written {n} ways in this batch: {spellings}")
SPELLINGS_FIX = Text("统一使用客户登记中的名称", "use the name in the customer register everywhere")
AMBIGUOUS = Text("客户“{customer}”没有统一社会信用代码，其名称与 {n} 家代码不同的企业相同：{companies}",
                 "customer '{customer}' has no credit code and its name is that of {n} companies with different "
                 "codes: {companies}")
AMBIGUOUS_FIX = Text("填写统一社会信用代码，以确定是哪一家", "fill in its unified social credit code to say which one")
BAD_CODE = Text("“{value}”不是有效的统一社会信用代码，比对客户时按无代码处理",
                "'{value}' is not a valid unified social credit code; customers are compared as if it were blank")
BAD_CODE_FIX = Text("核对 18 位代码（校验位）或留空", "check the 18 characters (and the check digit) or leave it blank")
NO_CHAIN = Text("商机处于阶段 {stage}，但客户“{customer}”的客户经营计划（{plan}）中决策链为空",
                "the opportunity is at stage {stage} but the account plan of customer '{customer}' ({plan}) has an "
                "empty decision chain")
NO_CHAIN_FIX = Text("在客户经营计划的决策链中列出决策相关人", "list the people of the decision in the account plan's "
                    "decision chain")
KINDS = {"plan": Text("客户经营计划", "account plan"), "funnel": Text("销售漏斗", "funnel"),
         "forecast": Text("销售预测", "forecast")}

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


class Cells:
    """The cells of one column, held as its letter and the rows (a batch holds the facts of
    every file until its end: a list of 'C12' texts costs twice as much); ``cells[i]`` is the
    i-th cell's reference, '' for every row when there is no such column."""

    __slots__ = ("column", "rows")

    def __init__(self, column: str, rows: list[int]) -> None:
        self.column, self.rows = column, rows

    def __getitem__(self, index: int) -> str:
        return f"{self.column}{self.rows[index]}" if self.column else ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self.rows)))

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (Cells, list, tuple)) else NotImplemented

    def __repr__(self) -> str:
        return f"Cells({self.column!r}, {self.rows!r})"

    def __getstate__(self) -> tuple[str, list[int]]:
        return self.column, self.rows

    def __setstate__(self, state: tuple[str, list[int]]) -> None:
        self.column, self.rows = state


class Customers(NamedTuple):
    """The customers one file names and who works each (M-ACC-2, M-ACC-3): an account
    plan's profile (one), a funnel's opportunities or a forecast's lines (one a row), as
    lists, so a 500-row funnel sends back little."""

    kind: str                      # 'plan', 'funnel', 'forecast'
    file: str
    sheet: str
    names: list[str]
    codes: list[str]               # '' when none
    owners: list[str]              # account manager or primary owner (never blank)
    cells: Sequence[str]           # the customer cell of each (a list, or Cells)
    code_cells: Sequence[str]      # the credit-code cell of each ('' when there is no such column)
    #: M-FUN-5: (index, stage cell, stage code) of the open opportunities at or past
    #: ``[evidence] decision_chain_from``
    evidence: tuple[tuple[int, str, str], ...] = ()
    chain: bool = False            # an account plan with at least one person in its decision chain


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


def check(claims: Iterable[Claim | Claims | Forecast | Customers], *, registered: bool = False) -> list[Finding]:
    """``registered``: the batch is checked against a customer register, which says who works a
    customer and how it is written (kamxl.checks.register), so funnels' and forecasts' people
    and the spellings are not compared here; two account plans with two managers still are."""
    singles: list[Claim] = []
    blocks: list[Claims] = []
    forecasts: list[Forecast] = []
    customers: list[Customers] = []
    for c in claims:
        (forecasts if isinstance(c, Forecast) else blocks if isinstance(c, Claims)  # type: ignore[arg-type]
         else customers if isinstance(c, Customers) else singles).append(c)
    customers += [Customers("plan", c.file, c.sheet, [c.key], [c.code], [c.owner], [c.cell], [""])
                  for c in singles if c.kind == "customer"]
    return (_opportunities([c for c in singles if c.kind == "opportunity"] + _colliding(blocks))
            + _forecasts(forecasts) + _customers(customers, registered))


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
    if not forecasts:
        return []
    from kamxl.rollup import LEVELS                 # (the roll-up's package brings its writers)
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


class _Row(NamedTuple):
    """One customer as one file names it for one person: the first of its rows there."""

    block: Customers
    index: int
    name: str
    code: str
    owner: str
    person: str        # the owner as M-FC-2 compares names
    spelling: str      # the name but for case, width, spaces and punctuation


def _customers(blocks: list[Customers], registered: bool = False) -> list[Finding]:
    """M-ACC-2, M-ACC-3, M-FUN-5 over the customers of a batch (module docstring).

    Customers are identified once per distinct (name, credit code), not per row; rows are
    looked at again only for the customers worked by several people or written several ways."""
    found: list[Finding] = []
    rows_of = _rows_by_customer(blocks, found)
    keys: dict[str, str] = {}
    distinct = []
    for name, code in rows_of:
        try:
            keys[name] = keys.get(name) or name_key(name)
        except InputError:
            continue   # a name with no letters: the file's own checks said so
        distinct.append(Customer(name, code or None, ref=(name, code)))
    identity = identify_customers(distinct, keys=keys)
    group_of: dict[tuple[str, str], int] = {}
    plans: dict[int, list[_Row]] = {}
    planned = {pair for pair, rows in rows_of.items() if any(blocks[b].kind == "plan" for b, _i, _p in rows)}
    for g, group in enumerate(identity.groups):
        for c in group:
            group_of[c.ref] = g
        several = len({c.name for c in group}) > 1 and len({_spelling(c.name) for c in group}) > 1
        if several or len({p for c in group for _b, _i, p in rows_of[c.ref]}) > 1:
            if not registered:
                members = _members(group, rows_of, blocks)
                found += _people(members) + _spellings(members)
            elif group_plans := _members(group, rows_of, blocks, kinds=("plan",)):
                found += _people(group_plans)   # two account plans, two managers: an error whatever the register says
        if any(c.ref in planned for c in group):
            plans[g] = _members(group, rows_of, blocks, kinds=("plan",))
    coded: dict[str, list[Customer]] = {}   # name key -> the first coded row of each company named so
    for group in identity.groups if identity.ambiguous else ():
        first = next((c for c in group if c.code), None)
        for key in dict.fromkeys(keys[c.name] for c in group if c.code):
            coded.setdefault(key, []).append(first)
    for group in identity.ambiguous:
        found += _ambiguous(_members(group, rows_of, blocks), coded, keys,
                            lambda ref: blocks[rows_of[ref][0][0]].file)
    return found + _evidence(blocks, group_of, plans, rows_of)


def _rows_by_customer(blocks: list[Customers], found: list[Finding]) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """(name, valid code or '') -> its rows (block, index, person); an invalid credit code is
    reported at its cell and compared as blank; a blank name or owner asserts nothing."""
    rows_of: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    codes: dict[str, str] = {}
    people: dict[str, str] = {}
    for b, block in enumerate(blocks):
        for i, (name, code, owner) in enumerate(zip(block.names, block.codes, block.owners)):
            if not name or not owner.strip():
                continue
            if code not in codes:
                try:
                    codes[code] = credit_code(code) or ""
                except InputError:
                    codes[code] = ""
                    found.append(finding("M-ACC-2", Severity.WARNING, BAD_CODE, BAD_CODE_FIX, file=block.file,
                                         sheet=block.sheet, cell=block.code_cells[i], value=code))
            if owner not in people:
                people[owner] = fold(owner).replace(" ", "")
            rows_of[(name, codes[code])].append((b, i, people[owner]))
    return rows_of


def _members(group: list[Customer], rows_of: dict[tuple[str, str], list[tuple[int, int, str]]],
             blocks: list[Customers], kinds: tuple[str, ...] = ("plan", "funnel", "forecast")) -> list[_Row]:
    """The first row of each (file, name, person) of one customer, in batch order."""
    seen: set[tuple[int, str, str]] = set()
    members = []
    for c in group:
        spelling = _spelling(c.name)
        for b, i, person in rows_of[c.ref]:
            block = blocks[b]
            if block.kind in kinds and (b, c.name, person) not in seen:
                seen.add((b, c.name, person))
                members.append((b, i, _Row(block, i, c.name, c.code or "", block.owners[i], person, spelling)))
    return [row for _b, _i, row in sorted(members, key=lambda m: m[:2])]


def _where(row: _Row) -> Text:
    kind = KINDS.get(row.block.kind, KINDS["plan"])
    return Text(f"{row.owner}（{kind.zh} {row.block.file}）", f"{row.owner} ({kind.en} {row.block.file})")


def _people(members: list[_Row]) -> list[Finding]:
    """M-ACC-3: one customer, one account manager: an error between account plans, a
    warning where a funnel's or forecast's primary owner is another person."""
    if len({m.person for m in members}) < 2:
        return []
    first: dict[str, _Row] = {}                  # the first row of each person
    in_file: dict[tuple[str, str], _Row] = {}    # and of each person in each file
    for m in members:
        first.setdefault(m.person, m)
        in_file.setdefault((m.block.file, m.person), m)
    people = list(first.values())
    plans = [m for m in members if m.block.kind == "plan"]
    managers = list(dict.fromkeys(m.person for m in plans))
    # the same for every row of the customer: made once, shared (not once per file and person)
    worked_by = _joined([_where(r) for r in people[:NAMES_SHOWN]], len(people))
    found = []
    for m in in_file.values():
        cell = dict(file=m.block.file, sheet=m.block.sheet, cell=m.block.cells[m.index], customer=m.name)
        if m.block.kind == "plan" and len(managers) > 1:
            found.append(finding("M-ACC-3", Severity.ERROR, TWO_MANAGERS, TWO_MANAGERS_FIX, n=len(managers),
                                 managers=listing([first[p].owner for p in managers], limit=NAMES_SHOWN),
                                 others=_places(plans, m), **cell))
        else:
            found.append(finding("M-ACC-3", Severity.WARNING, WORKED_BY, WORKED_BY_FIX, n=len(people),
                                 people=worked_by, **cell))
    return found


def _joined(parts: list[Text], total: int) -> Text:
    """Texts joined in each language, at most NAMES_SHOWN ("… and 3 more")."""
    zh, en = listing([p.zh for p in parts], limit=NAMES_SHOWN), listing([p.en for p in parts], limit=NAMES_SHOWN)
    if total > len(parts) and len(parts) <= NAMES_SHOWN:
        return Text(f"{zh.zh} 等 {total} 个", f"{en.en} and {total - len(parts)} more")
    return Text(zh.zh, en.en)


def _places(group: list[_Row], me: _Row) -> Text:
    return listing(sorted({f"{r.block.file} {r.block.sheet}!{r.block.cells[r.index]}" for r in group if r is not me})
                   or ["—"], limit=PLACES_SHOWN, zh_sep="；", en_sep="; ")


def _spelling(name: str) -> str:
    """A name as written, but for case, width, spaces and punctuation."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def _spellings(members: list[_Row]) -> list[Finding]:
    """M-ACC-2: one customer written different ways in different files: an info at the
    first cell of each way in each file that does not write it as most files do (all of
    them when no way is the most common), naming the ways, most common first, so that
    one registered name is used. A file that also writes it the common way is not told."""
    if len({m.spelling for m in members}) < 2:
        return []
    ways: dict[str, list[_Row]] = {}
    for m in members:
        ways.setdefault(m.spelling, []).append(m)
    per_file: dict[str, set[str]] = defaultdict(set)
    for way, rows in ways.items():
        for r in rows:
            per_file[r.block.file].add(way)
    files = Counter(way for mine in per_file.values() for way in mine)
    ranked = sorted(ways, key=lambda w: -files[w])
    common = {w for w in ranked if files[w] == files[ranked[0]]}
    told = {f for f, mine in per_file.items() if not mine & common} if len(common) == 1 else set(per_file)
    if not told or len(per_file) < 2:
        return []
    shown = [ways[w][0].name for w in ranked]
    names = Text(listing([f"“{w}”" for w in shown], limit=NAMES_SHOWN).zh,
                 listing([f"'{w}'" for w in shown], limit=NAMES_SHOWN).en)
    firsts = {(m.block.file, m.spelling): m for m in reversed(members)}
    return [finding("M-ACC-2", Severity.INFO, SPELLINGS, SPELLINGS_FIX, file=m.block.file, sheet=m.block.sheet,
                    cell=m.block.cells[m.index], customer=m.name, n=len(ways), spellings=names)
            for m in members if m.block.file in told and firsts[(m.block.file, m.spelling)] is m]


def _ambiguous(rows: list[_Row], coded: dict[str, list[Customer]], keys: dict[str, str],
               file_of: Callable[[object], str]) -> list[Finding]:
    """M-ACC-2: a name without a code that is the name of several coded companies (``coded``:
    by name key, the first coded row of each company)."""
    companies = [Text(f"{c.code}（{file_of(c.ref)}）", f"{c.code} ({file_of(c.ref)})")
                 for c in coded.get(keys[rows[0].name], [])]
    firsts = {r.block.file: r for r in reversed(rows)}
    return [finding("M-ACC-2", Severity.WARNING, AMBIGUOUS, AMBIGUOUS_FIX, file=r.block.file, sheet=r.block.sheet,
                    cell=r.block.cells[r.index], customer=r.name, n=len(companies),
                    companies=_joined(companies, len(companies)))
            for r in rows if firsts[r.block.file] is r]


def _evidence(blocks: list[Customers], group_of: dict[tuple[str, str], int], plans: dict[int, list[_Row]],
              rows_of: dict[tuple[str, str], list[tuple[int, int, str]]]) -> list[Finding]:
    """M-FUN-5: an open opportunity at or past decision_chain_from whose customer's account
    plans in the batch all have an empty decision chain (none in the batch: nothing)."""
    if not any(p for p in plans.values()):
        return []
    customer_of = {(b, i): pair for pair, rows in rows_of.items() for b, i, _p in rows if blocks[b].evidence}
    found = []
    for b, block in enumerate(blocks):
        for i, cell, stage in block.evidence:
            pair = customer_of.get((b, i))
            mine = plans.get(group_of.get(pair, -1), []) if pair else []
            if mine and not any(p.block.chain for p in mine):
                found.append(finding("M-FUN-5", Severity.WARNING, NO_CHAIN, NO_CHAIN_FIX, file=block.file,
                                     sheet=block.sheet, cell=cell, stage=stage, customer=block.names[i],
                                     plan=listing(sorted({p.block.file for p in mine}), limit=PLACES_SHOWN)))
    return found
