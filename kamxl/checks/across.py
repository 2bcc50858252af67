"""Checks across files: one opportunity with two primary owners, or in two forecasts
(M-FC-3); one customer claimed by two account managers (M-ACC-2, M-ACC-3)."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from kamxl.errors import InputError
from kamxl.findings import Finding, Severity, finding
from kamxl.i18n import Text
from kamxl.methodology import Customer, group_customers, same_owner

TWO_OWNERS = Text("商机 {id} 有两个主要负责人：{owners}（另见 {others}）",
                  "opportunity {id} has two primary owners: {owners} (see also {others})")
TWO_OWNERS_FIX = Text("一个商机只有一个主要负责人，只有其上级能更换", "one primary owner per opportunity; only their superior may change it")
TWO_FORECASTS = Text("商机 {id} 同时出现在 {n} 份预测中（另见 {others}），将被重复计算",
                     "opportunity {id} is in {n} forecasts (see also {others}): it would be counted twice")
TWO_FORECASTS_FIX = Text("只保留主要负责人的那一份", "keep it only in its primary owner's forecast")
TWO_MANAGERS = Text("客户“{customer}”被 {n} 位客户经理认领：{managers}（另见 {others}）",
                    "customer '{customer}' is claimed by {n} account managers: {managers} (see also {others})")
TWO_MANAGERS_FIX = Text("每个客户只有一位客户经理；请按分配规则确认", "each customer has one account manager; settle it by the assignment rules")


class Claim(NamedTuple):
    """A fact one file asserts, where it asserts it (a tuple: a 500-row file makes 500 of
    them, and worker processes send them back pickled)."""

    kind: str          # 'opportunity' (funnel), 'forecast_line', 'customer' (account plan)
    key: str           # opportunity id, or customer name
    owner: str         # primary owner, or account manager
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


def check(claims: Iterable[Claim | Claims]) -> list[Finding]:
    singles: list[Claim] = []
    blocks: list[Claims] = []
    for c in claims:
        (blocks if isinstance(c, Claims) else singles).append(c)  # type: ignore[arg-type]
    return _opportunities(singles + _colliding(blocks)) + _customers([c for c in singles if c.kind == "customer"])


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


def _others(group: list[Claim], me: Claim) -> str:
    return "; ".join(sorted({f"{c.file} {c.sheet}!{c.cell}" for c in group if c is not me})) or "—"


def _opportunities(claims: list[Claim]) -> list[Finding]:
    by_id: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.kind in ("opportunity", "forecast_line") and c.key:
            by_id[c.key.strip().casefold()].append(c)
    found = []
    for group in by_id.values():
        owners = []
        for c in group:
            if not any(same_owner(c.owner, o) for o in owners):
                owners.append(c.owner)
        if len(owners) > 1:
            for c in group:
                found.append(finding("M-FC-3", Severity.ERROR, TWO_OWNERS, TWO_OWNERS_FIX, file=c.file, sheet=c.sheet,
                                     cell=c.cell, id=c.key, owners=", ".join(owners), others=_others(group, c)))
            continue
        forecasts = [c for c in group if c.kind == "forecast_line"]
        if len({c.file for c in forecasts}) > 1:
            for c in forecasts:
                found.append(finding("M-FC-3", Severity.ERROR, TWO_FORECASTS, TWO_FORECASTS_FIX, file=c.file,
                                     sheet=c.sheet, cell=c.cell, id=c.key, n=len({x.file for x in forecasts}),
                                     others=_others(forecasts, c)))
    return found


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
        members = [g.ref for g in group]
        managers: list[str] = []
        for m in members:
            if m.owner and not any(same_owner(m.owner, x) for x in managers):
                managers.append(m.owner)
        if len(managers) > 1:
            for m in members:
                found.append(finding("M-ACC-3", Severity.ERROR, TWO_MANAGERS, TWO_MANAGERS_FIX, file=m.file,
                                     sheet=m.sheet, cell=m.cell, customer=m.key, n=len(managers),
                                     managers=", ".join(managers), others=_others(members, m)))
    return found
