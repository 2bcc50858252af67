"""What a roll-up works on: forecast lines, the submissions they came in, the adjustment
layer (M-FC-4), and what was left out and why. Plain frozen data, picklable for workers."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter

from kamxl.i18n import Message, Text
from kamxl.methodology.config import Stage
from kamxl.methodology.vocabulary import FORECAST_CATEGORY

#: categories in their cumulative order: commit includes closed, best case includes commit
CATEGORY_ORDER = tuple(t.key for t in FORECAST_CATEGORY.terms)   # omitted, pipeline, best_case, commit, closed
COMMIT = ("commit", "closed")                                     # the forecast figure (M-FC-4 adjusts it)
BEST_CASE = ("best_case", "commit", "closed")


@dataclass(slots=True)   # not frozen: frozen init costs a call per field, on 200,000 lines
class Line:
    """One forecast line as submitted, typed; ``file``/``cell`` say where it was read."""

    id: str
    customer: str
    owner: str
    confirmed: bool
    stage: Stage
    status: str
    category: str
    amount: float
    close_date: date
    owner_forecast: float | None = None
    adjusted_forecast: float | None = None
    adjustment_note: str = ""
    adjusted_by: str = ""
    submitted_at: date | None = None     # of the rep forecast it first came in
    file: str = ""
    cell: str = ""

    @property
    def key(self) -> str:
        """M-FC-3: one opportunity, whatever the case or spacing of its id."""
        return self.id.strip().casefold()


LINE_FIELDS = tuple(Line.__slots__)


@dataclass(frozen=True)
class LayerRow:
    """One row of the adjustment layer (the OwnerForecasts table): in the ``level`` roll-up
    by ``manager``, report ``owner``'s figure, and the manager's revision with who and why."""

    level: str
    manager: str
    owner: str
    period: str
    lines: int
    unadjusted: float
    owner_figure: float
    adjusted_figure: float | None = None
    adjusted_by: str = ""
    note: str = ""
    #: M-FC-3: what of a manager's own figure this roll-up counts for other reports
    #: (computed here, said in the written note; never read back)
    deducted: float = 0.0

    @property
    def final(self) -> float:
        return self.owner_figure if self.adjusted_figure is None else self.adjusted_figure


@dataclass(frozen=True)
class Excluded:
    """A line read but not counted: unconfirmed, not the forecaster's (M-FC-2), a second
    copy of a counted opportunity (M-FC-3), or a value that could not be read."""

    reason: str                  # key of REASONS
    id: str
    owner: str
    amount: float | None
    category: str | None
    file: str
    cell: str
    winner: str = ""             # 'file!cell' of the copy counted instead (duplicates)
    detail: Message | None = None   # what could not be read, in the language of the output


REASONS: dict[str, Text] = {
    "unconfirmed": Text("未确认（M-FC-2）", "not confirmed (M-FC-2)"),
    "not_owner": Text("不是预测人作为主要负责人的商机（M-FC-2）", "not the forecaster's own opportunity (M-FC-2)"),
    "duplicate": Text("同一商机的另一份（M-FC-3），只计一次", "another copy of a counted opportunity (M-FC-3): counted once"),
    "two_owners": Text("同一商机有两个主要负责人（M-FC-3），只计一次", "one opportunity, two primary owners (M-FC-3): counted once"),
    "unreadable": Text("有无法读取的值", "a value could not be read"),
    "open_at_08": Text("最后阶段未注明赢单或丢单（M-FUN-4）", "the last stage without won or lost (M-FUN-4)"),
    "not_counted": Text("阶段早于计入预测的阶段（forecast.counted_from，M-FC-1）",
                        "at a stage before those counted toward a forecast (forecast.counted_from, M-FC-1)"),
}


@dataclass(frozen=True)
class Submission:
    """One input forecast: its header, its lines, the adjustment rows it carries."""

    file: str
    sha256: str
    owner: str
    level: str
    manager: str
    period: str
    currency: str
    submitted_at: date | None
    quota: float | None
    lines: tuple[Line, ...]
    layer: tuple[LayerRow, ...] = ()
    unreadable: tuple[Excluded, ...] = ()
    rows_read: int = 0
    #: a roll-up's sources, at every level below it: (file, SHA-256) of its lineage rows
    #: used or included (a rep's forecast has none)
    lineage: tuple[tuple[str, str], ...] = ()
    #: a roll-up's by-owner quotas (M-TEAM-1), from its RollupOwners table
    owner_quotas: tuple[tuple[str, float], ...] = ()
    #: converted to the company currency (``currency``) at ``rate``: the currency it was
    #: written in (the lineage shows that one, and the rate)
    source_currency: str = ""
    rate: float | None = None

    def __reduce__(self) -> tuple[object, ...]:
        # Its lines pickled column by column (a list of each field), not as one object each
        # with a dict of slot names: a business unit's workers send 200,000 lines.
        header = {f: getattr(self, f) for f in SUBMISSION_FIELDS if f != "lines"}
        return (_submission, (header, [list(map(attrgetter(f), self.lines)) for f in LINE_FIELDS]))


def _submission(header: dict[str, object], columns: list[list[object]]) -> Submission:
    return Submission(lines=tuple(map(Line, *columns)), **header)  # type: ignore[arg-type]


SUBMISSION_FIELDS = tuple(f.name for f in fields(Submission))


#: the lineage's status of an input (RollupLineage.status): read back to find a roll-up's sources
USED = Text("已使用", "used")
SKIPPED = Text("未使用", "skipped")
INCLUDED = Text("已含于下级汇总", "inside a lower roll-up")


@dataclass(frozen=True)
class Skipped:
    """An input left out entirely, and why (lineage); what was read of it, if it was read
    (superseded, another period or level: its header, so the lineage shows whose it was)."""

    file: str
    sha256: str
    reason: Text
    params: dict[str, object] = field(default_factory=dict)
    owner: str = ""
    level: str = ""
    period: str = ""
    currency: str = ""
    submitted_at: date | None = None
    rows_read: int | None = None

    @classmethod
    def of(cls, sub: Submission, reason: Text, params: dict[str, object]) -> Skipped:
        """A forecast read and then left out: its header goes into the lineage."""
        return cls(sub.file, sub.sha256, reason, params, owner=sub.owner, level=sub.level, period=sub.period,
                   currency=sub.source_currency or sub.currency, submitted_at=sub.submitted_at,
                   rows_read=sub.rows_read)
