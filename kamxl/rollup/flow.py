"""Deal flow: what changed since the previous roll-up, opportunity by opportunity and per
owner — new, removed, handed over to another owner, won, lost, close date pushed or pulled
to another period, stage and category moves, amount changes. Opportunities match by id,
case-blind (M-FC-3).

An opportunity that changed hands is two movements, one for each owner: out of the old
owner's forecast (its amount leaves them) and into the new owner's (its amount as it was
arrives); what else changed is the new owner's. A deal won or lost is that outcome, not a
stage move to the last stage."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kamxl.i18n import Message, Text
from kamxl.methodology import Config, period_of
from kamxl.methodology.values import fold
from kamxl.methodology.vocabulary import FORECAST_CATEGORY
from kamxl.rollup.model import Line

CHANGES: dict[str, Text] = {
    "new": Text("新增", "new"),
    "removed": Text("移出", "removed"),
    "owner_out": Text("移交给其他负责人", "handed over to another owner"),
    "owner_in": Text("从其他负责人接手", "taken over from another owner"),
    "won": Text("赢单", "won"),
    "lost": Text("丢单", "lost"),
    "pushed": Text("推迟到后续期间", "pushed to a later period"),
    "pulled": Text("提前到更早期间", "pulled into an earlier period"),
    "stage_up": Text("阶段推进", "stage moved forward"),
    "stage_down": Text("阶段后退", "stage moved back"),
    "category": Text("预测类别变化", "category changed"),
    "amount": Text("金额变化", "amount changed"),
}
#: a new or removed line as it stands: stage, category (its label), amount, close period
SHOWN = Text("{stage} · {category} · {amount} · {period}", "{stage} · {category} · {amount} · {period}")


@dataclass(frozen=True)
class Change:
    owner: str
    id: str
    customer: str
    change: str           # key of CHANGES
    before: str | Message  # a Message where labels are in the reader's language
    after: str | Message
    delta: float          # amount after - amount before (0 where the amount did not move)


def deal_flow(previous: list[Line], current: list[Line], config: Config) -> list[Change]:
    before = {line.key: line for line in previous}
    after = {line.key: line for line in current}
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None:
            assert new is not None
            changes.append(_change(new, "new", "", _show(new, config), new.amount))
        elif new is None:
            changes.append(_change(old, "removed", _show(old, config), "", -old.amount))
        else:
            changes += _moves(old, new, config)
    return changes


def _moves(old: Line, new: Line, config: Config) -> list[Change]:
    out = []
    if _person(new.owner) != _person(old.owner):
        out.append(_change(old, "owner_out", old.owner, new.owner, -old.amount))
        out.append(Change(new.owner, new.id, new.customer, "owner_in", old.owner, new.owner, old.amount))
    outcome = new.status != old.status and new.status in ("won", "lost")
    if outcome:
        out.append(_change(new, new.status, old.status, new.status, 0.0))
    p_old, p_new = period_of(old.close_date, config=config), period_of(new.close_date, config=config)
    if p_new != p_old:
        out.append(_change(new, "pushed" if p_new > p_old else "pulled", p_old, p_new, 0.0))
    if new.stage.number != old.stage.number and not outcome:    # won or lost: the outcome is the move
        out.append(_change(new, "stage_up" if new.stage.number > old.stage.number else "stage_down",
                           old.stage.code, new.stage.code, 0.0))
    if new.category != old.category:
        out.append(_change(new, "category", old.category, new.category, 0.0))
    if new.amount != old.amount:
        out.append(_change(new, "amount", f"{old.amount:,.0f}", f"{new.amount:,.0f}", new.amount - old.amount))
    return out


def _change(line: Line, kind: str, before: str | Message, after: str | Message, delta: float) -> Change:
    return Change(line.owner, line.id, line.customer, kind, before, after, delta)


def _show(line: Line, config: Config) -> Message:
    return Message.of(SHOWN, stage=line.stage.code, category=FORECAST_CATEGORY.get(line.category).text,
                      amount=f"{line.amount:,.0f}", period=period_of(line.close_date, config=config))


def _person(name: str) -> str:
    """Owners compare case-, width- and space-blind, as M-FC-2 compares them."""
    return fold(name).replace(" ", "")


def by_owner(changes: list[Change]) -> list[tuple[str, Counter[str], float]]:
    """Per owner: how many of each change, and the net amount moved."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    delta: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for c in changes:
        key = _person(c.owner)
        names.setdefault(key, c.owner)
        counts[key][c.change] += 1
        delta[key] += c.delta
    return [(names[k], counts[k], delta[k]) for k in sorted(counts)]
