"""Writing a roll-up: the forecast template one level up (header, lines, adjustment
layer) and the report sheets of :mod:`kamxl.schema.rollup`, in the user's language.

Cells get what a person would have typed (stage labels, 是/否 or Y/N, category labels),
so the output reads back exactly like a rep's forecast. Every text from an input is
written as text, never as a formula (XlsxWriter's strings_to_formulas is off).
"""
from __future__ import annotations

import re
import time
from collections import Counter
from operator import attrgetter
from pathlib import Path
from typing import Any

from kamxl.i18n import Lang, Message, Text
from kamxl.io.atomic import atomic_path
from kamxl.methodology import Config
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, FORECAST_LEVEL, STATUS
from kamxl.rollup.core import RollUp
from kamxl.rollup.flow import CHANGES, Change, by_owner
from kamxl.rollup.inputs import LINE_KEYS
from kamxl.rollup.model import INCLUDED, REASONS, SKIPPED, USED, LayerRow, Line, Skipped, Submission
from kamxl.rollup import overview as ov
from kamxl.schema.rollup import rollup_template
from kamxl.templates.builder import ROW_OPTIONS, build_workbook
from kamxl.templates.bulk import Columns

YES_NO = {"zh": ("是", "否"), "en": ("Y", "N")}
VIA = Text("经由 {file}", "via {file}")
NOT_ALLOCATED = Text("未分配给负责人的指标", "Quota not allocated to an owner")
TOTAL = Text("合计（表头指标与调整后预测）", "Total (header quota, adjusted forecast)")
DEDUCTED = Text("本人预测已减去 {amount}：其本期承诺（含已成交）中未在此计入该下属的部分（已计入其他下属或未计入，见“冲突”表；M-FC-3）",
                "own figure less {amount}: its commit (incl. closed) in the period not counted for it here "
                "(counted for another report, or left out: see Conflicts; M-FC-3)")
NOTE_SEPARATOR = {"zh": "；", "en": "; "}
#: the Overview's rows that are no person (kamxl.rollup.overview)
OVERVIEW_LABELS = {ov.UNALLOCATED: Text("未分配给下属的指标", "Quota not allocated"),
                   ov.GONE: Text("仅在上次汇总中的负责人", "Only in the previous roll-up"),
                   ov.TOTAL: Text("合计（{owner}）", "Total ({owner})")}


def write_rollup(result: RollUp, path: Path, *, lang: Lang, config: Config, used: list[Submission],
                 skipped: list[Skipped], flow: list[Change] | None, previous: list[Line] | None = None,
                 quotas: dict[tuple[str, str], float] | None = None, seconds: dict[str, float] | None = None) -> Path:
    """Write atomically: the old output (or none) stays until the new one is complete.
    ``previous``: the previous roll-up's counted lines (``--previous``); ``quotas``: the
    ``--quota`` file. Deal flow and Channel are written only when their option was given.
    ``seconds`` gets how long making the sheets' rows took ('rows'; benchmarks)."""
    start = time.perf_counter()
    rows = {
        "RollupOverview": _overview(ov.overview(result, used, config, quotas=quotas, previous=previous), lang),
        "ForecastLines": _lines(result.lines, lang),
        "OwnerForecasts": [_layer_row(r, lang) for r in result.layer],
        "RollupOwners": [_owner(o) for o in result.owners],
        "RollupOwnerTotals": _owner_totals(result, lang),
        "RollupStages": _stages(result, lang, config),
        "RollupTotals": [_total(t, lang, config) for t in result.totals],
        "RollupConflicts": [_conflict(e, lang) for e in result.excluded],
        "RollupFlowOwners": [_flow_owner(o, c, d) for o, c, d in by_owner(flow or [])],
        "RollupFlow": [_flow(c, lang, config) for c in flow or []],
        "RollupChannel": [vars_of(c, ("period", "channel", "commit", "best_case", "difference", "ratio"))
                          for c in result.channel],
        "RollupLineage": _lineage(result, used, skipped, lang),
    }
    if seconds is not None:
        seconds["rows"] = time.perf_counter() - start
    header = {"owner": result.owner, "level": FORECAST_LEVEL.get(result.level).label(lang), "manager": result.manager,
              "period": result.period, "currency": result.currency, "submitted_at": result.submitted_at,
              "quota": result.quota}
    with atomic_path(path) as tmp:
        # portable: a manager forwards it to people without the add-in (kamxl.templates.portable)
        template = rollup_template(previous=flow is not None, channel=bool(result.channel))
        build_workbook(template, tmp, lang=lang, config=config, rows=rows, forms={"Forecast": header},
                       edition="portable")
    return path


OVERVIEW_KEYS = ("quota", "closed", "commit", "best_case", "pipeline", "adjusted", "gap", "coverage", "attainment",
                 "adjusted_attainment", "commit_change", "best_case_change")


def _overview(rows: list[ov.OverviewRow], lang: Lang) -> list[dict[str, Any]]:
    """The people under a direct report as outline rows (level = depth, indented); a row
    with people under it in bold, as their subtotal above them; the total last."""
    out = []
    for r in rows:
        row = vars_of(r, OVERVIEW_KEYS)
        row["owner"] = OVERVIEW_LABELS[r.kind](lang, owner=r.owner) if r.kind in OVERVIEW_LABELS else r.owner
        style = "total" if r.kind == ov.TOTAL else "subtotal" if r.people else None
        row[ROW_OPTIONS] = {"level": r.depth, "style": style}
        out.append(row)
    return out


def vars_of(obj: object, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in keys}


_LABELS: dict[tuple[int, str, Lang], str] = {}


def _label(vocabulary: Any, key: str | None, lang: Lang) -> str:
    """A key's label, remembered by the vocabulary's identity (the vocabularies are module
    constants; hashing one would hash every term, once per line)."""
    if not key:
        return ""
    memo = (id(vocabulary), key, lang)
    if memo not in _LABELS:
        _LABELS[memo] = vocabulary.get(key).label(lang)
    return _LABELS[memo]


_STAGES: dict[tuple[int, Lang], tuple[Any, str]] = {}


def _stage(stage: Any, lang: Lang) -> str:
    """A stage's label, remembered by identity (the entry keeps the stage, so its id stays its own)."""
    entry = _STAGES.get((id(stage), lang))
    if entry is None or entry[0] is not stage:
        entry = _STAGES[(id(stage), lang)] = (stage, stage.label(lang))
    return entry[1]


ATTRIBUTE = {"opportunity_id": "id"}   # a line's attribute for a column key, where the two differ


def _lines(lines: list[Line], lang: Lang) -> Columns:
    """The lines column by column, each column's labels looked up once per distinct value."""
    columns = {key: list(map(attrgetter(ATTRIBUTE.get(key, key)), lines)) for key in LINE_KEYS}
    yes, no = YES_NO[lang]
    labels = {
        "confirmed": lambda v: yes if v else no,
        "stage": lambda v: _stage(v, lang),
        "status": lambda v: _label(STATUS, v, lang),
        "category": lambda v: _label(FORECAST_CATEGORY, v, lang),
    }
    for key, label in labels.items():
        # by identity: the lines share a few stage objects, and hashing a Stage is a Python call
        ids = list(map(id, columns[key]))
        made = {i: label(v) for i, v in dict(zip(ids, columns[key])).items()}
        columns[key] = list(map(made.__getitem__, ids))
    return Columns(columns)


def _layer_row(r: LayerRow, lang: Lang) -> dict[str, Any]:
    row = vars_of(r, ("manager", "owner", "period", "lines", "unadjusted", "owner_figure", "adjusted_figure",
                      "adjusted_by"))
    row["level"] = _label(FORECAST_LEVEL, r.level, lang)
    said = DEDUCTED(lang, amount=f"{r.deducted:,.0f}") if r.deducted else ""
    row["note"] = NOTE_SEPARATOR[lang].join(filter(None, (r.note, said)))
    return row


_SAID = re.compile("(?:" + "|".join(f"(?:{re.escape(NOTE_SEPARATOR[lang])})?" + re.escape(getattr(DEDUCTED, lang)).replace(
    re.escape("{amount}"), r"[-\d,.]+") for lang in ("zh", "en")) + ")$")


def manager_note(note: str) -> str:
    """A written note without what the roll-up said there itself (an earlier output's
    revisions carried over keep only the manager's words)."""
    return _SAID.sub("", note)


OWNER_KEYS = ("lines", "closed", "commit", "best_case", "pipeline", "weighted", "outside", "quota", "attainment",
              "forecast_attainment", "adjusted", "adjusted_attainment")


def _owner(o: Any) -> dict[str, Any]:
    return vars_of(o, ("owner", *OWNER_KEYS))


def _owner_totals(result: RollUp, lang: Lang) -> list[dict[str, Any]]:
    """M-TEAM-1: the quota not allocated to an owner (the by-owner quotas and it add up to
    the header quota), then the roll-up's own figures in the period (M-FC-1)."""
    rows = [] if result.unallocated is None else [{"item": NOT_ALLOCATED(lang), "quota": result.unallocated}]
    return rows + [{"item": TOTAL(lang), **vars_of(result.headline, OWNER_KEYS)}]


def _stages(result: RollUp, lang: Lang, config: Config) -> list[dict[str, Any]]:
    by_code = {s.code: {"stage": s.label(lang), "count": 0, "amount": 0.0, "weighted": 0.0} for s in config.stages}
    for t in result.totals:
        row = by_code[t.stage]
        row["count"] += t.count
        row["amount"] += t.amount
        row["weighted"] += t.weighted
    return list(by_code.values())


def _total(t: Any, lang: Lang, config: Config) -> dict[str, Any]:
    row = vars_of(t, ("owner", "period", "count", "amount", "weighted"))
    row["stage"] = config.stage(int(t.stage)).label(lang)
    row["category"] = _label(FORECAST_CATEGORY, t.category, lang)
    return row


def _conflict(e: Any, lang: Lang) -> dict[str, Any]:
    return {"reason": REASONS[e.reason](lang), "opportunity_id": e.id, "owner": e.owner, "amount": e.amount,
            "category": _label(FORECAST_CATEGORY, e.category, lang), "file": e.file, "cell": e.cell,
            "counted_instead": e.winner, "detail": e.detail(lang) if e.detail else ""}


def _flow_owner(owner: str, counts: Counter[str], delta: float) -> dict[str, Any]:
    return {"owner": owner, **{k: counts.get(k, 0) for k in CHANGES}, "delta": delta}


def _flow(c: Change, lang: Lang, config: Config) -> dict[str, Any]:
    before, after = c.before, c.after
    if c.change == "category":
        before, after = _label(FORECAST_CATEGORY, before, lang), _label(FORECAST_CATEGORY, after, lang)
    elif c.change in ("won", "lost"):
        before, after = _label(STATUS, before, lang), _label(STATUS, after, lang)
    before, after = (v(lang) if isinstance(v, Message) else v for v in (before, after))
    return {"owner": c.owner, "opportunity_id": c.id, "customer": c.customer, "change": CHANGES[c.change](lang),
            "before": before, "after": after, "delta": c.delta}


def _lineage(result: RollUp, used: list[Submission], skipped: list[Skipped], lang: Lang) -> list[dict[str, Any]]:
    """Every input, used or skipped and why; below a roll-up input, its own sources at every
    level (so a later roll-up can refuse one of them given beside it)."""
    counted = Counter(x.file for x in result.lines)
    rows = [{"file": s.file, "status": USED(lang), "owner": s.owner, "level": _label(FORECAST_LEVEL, s.level, lang),
             "period": s.period, "currency": s.source_currency or s.currency,
             "rate": f"1 {s.source_currency} = {s.rate:g} {s.currency}"
             if s.rate is not None and s.source_currency != s.currency else "",
             "submitted_at": s.submitted_at, "rows": s.rows_read, "counted": counted.get(s.file, 0),
             "sha256": s.sha256, "reason": ""} for s in used]
    rows += [{"file": name, "status": INCLUDED(lang), "sha256": digest, "reason": VIA(lang, file=s.file)}
             for s in used for name, digest in s.lineage]
    rows += [{"file": s.file, "status": SKIPPED(lang), "owner": s.owner, "level": _label(FORECAST_LEVEL, s.level, lang),
              "period": s.period, "currency": s.currency, "submitted_at": s.submitted_at, "rows": s.rows_read,
              "sha256": s.sha256, "reason": s.reason(lang, **s.params)} for s in skipped]
    return sorted(rows, key=lambda r: r["file"])
