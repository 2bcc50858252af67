"""A corpus of varied funnel workbooks, as sales reps submit them, some with seeded defects.

Each file is one rep's funnel in zh or en (about half each): different owners, teams,
customers, amounts, stages and dates, with value assessments for most opportunities
whose answers mix the spellings people type (Y/N, 1/0, 是/否, √/×, blanks). Opportunity
ids are unique within a file and across files, except a few copied on purpose into
another rep's file under a different primary owner (M-FC-3 double counting).

About ``defect_rate`` of the files get 1-5 seeded defects each. ``manifest.json`` in the
folder names every one by kind, sheet and cell, so tests can check that validation
finds them::

    {"version": 1, "params": {"n": ..., "rows": ..., "seed": ..., "defect_rate": ...},
     "as_of": "2026-11-23", "kinds": [...the twelve KINDS...],
     "files": [{"file": "funnel-0003.zh.xlsx", "lang": "zh", "owner": "王磊", "team": "华东一组",
                "opportunities": 500, "assessments": 391, "bytes": 171234,
                "defects": [{"kind": "negative_amount", "sheet": "商机", "cell": "I37", "value": -1200000.0},
                            {"kind": "duplicate_id", "sheet": "商机", "cell": "A90", "value": "OPP-2025-001234",
                             "first_cell": "A12"}, ...]}, ...],
     "cross_file_duplicates": [{"id": "OPP-2026-004321", "occurrences": [
         {"file": ..., "sheet": ..., "cell": ..., "owner": ...}, {...}]}]}

Files are written by ``build_workbook`` without the formula-engine pass (far too slow
for a thousand files), so formula cells hold no cached values: validation recomputes and
never trusts them. Dates are relative to ``AS_OF`` (not today), so a seed always gives
byte-identical files; open opportunities close 1-16 months after it. Validate with
``today=AS_OF``, or clean lines turn stale as the calendar moves on.

    python benchmarks/funnel_corpus.py DIR [--files 1000] [--rows 500] [--jobs 2]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import math
import os
import random
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from stdnum.cn import uscc
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kamxl.i18n import Lang
from kamxl.methodology import default_config
from kamxl.methodology.vocabulary import (
    BID_SCHEME, BUDGET_STATUS, FORECAST_CATEGORY, LOCAL_IMPACT, RELATIONSHIP_CONTROL, SALES_MODE, STATUS, TENDER_MODE,
)
from kamxl.schema.funnel import FUNNEL
from kamxl.templates.builder import YES_NO, build_workbook
from kamxl.templates.layout import plan

GENERATOR_VERSION = 1        # bump when the output changes: cached corpora are then rebuilt
MANIFEST = "manifest.json"
AS_OF = dt.date(2026, 11, 23)
FILE_NAME = re.compile(r"^funnel-\d{4,}\.(?:zh|en)\.xlsx$")

KINDS = (
    "invalid_stage",            # '09', 'stage five'                       M-FUN-1
    "open_at_stage_08",         # stage 08 with status open                M-FUN-4
    "negative_amount",
    "unparseable_amount",       # 'about 3M'
    "bad_date",                 # 'next month' as the close date
    "close_date_in_past",       # on an open opportunity
    "invalid_answer",           # 'maybe' in the value assessment          M-SCORE-3
    "missing_required",         # blank customer or owner
    "unknown_currency",         # 'RMB'
    "probability_overwritten",  # a number typed over the probability formula   M-FUN-6
    "duplicate_id",             # the same id twice in one file            M-FC-3
    "unconfirmed_commit",       # category commit, not confirmed           M-FC-2
)

# --- what reps type ---------------------------------------------------------------------------
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
_GIVEN = ("磊", "洋", "敏", "静", "伟", "娜", "婷", "强", "军", "杰", "涛", "明", "超", "霞", "平", "刚", "飞",
          "鹏", "华", "丹", "晓峰", "建华", "志远", "海涛", "立群", "文涛", "振华", "晓燕")
PEOPLE = tuple(s + g for s in _SURNAMES for g in _GIVEN)
TEAMS = (("华东一组", "East 1"), ("华东二组", "East 2"), ("华北组", "North"), ("华南组", "South"),
         ("西部组", "West"), ("大客户部", "Key accounts"))
_PLACES = ("江澜", "滨海", "东郡", "锦程", "华岳", "临江", "渤澜", "恒岳", "澄川", "瀚海", "穗禾", "青禾", "鼎峰",
           "云岭", "金沙", "长风", "星河", "玉泉", "北辰", "南浔", "西陵", "泰和", "宏图", "嘉禾", "明远", "安澜",
           "清源", "盛景", "天衡", "众诚")
_INDUSTRIES = ("电力集团有限公司", "水务集团有限公司", "燃气股份有限公司", "酒店管理股份有限公司", "重工集团有限公司",
               "轨道交通集团有限公司", "港务集团有限公司", "化工股份有限公司", "数据中心有限公司",
               "汽车零部件股份有限公司", "医药集团股份有限公司", "水泥集团股份有限公司", "钢铁股份有限公司",
               "物流有限公司", "城市商业银行股份有限公司")
PRODUCTS = (("智能巡检机器人", "Inspection robots"), ("配电房智能运维平台", "Substation O&M platform"),
            ("综合能耗监测", "Energy monitoring"), ("光伏电站集控系统", "PV plant control system"),
            ("视频安防升级", "Video security upgrade"), ("数据中心扩容", "Data centre expansion"),
            ("ERP 实施", "ERP implementation"), ("生产线自动化改造", "Line automation retrofit"),
            ("冷链物流系统", "Cold-chain logistics system"), ("客服中心云化", "Contact centre to cloud"),
            ("网络安全等级保护", "Security compliance"), ("储能电站", "Battery storage plant"))
PHASES = (("一期", "phase 1"), ("二期", "phase 2"), ("三期", "phase 3"), ("扩容", "expansion"), ("试点", "pilot"),
          ("运维服务", "service contract"))
TITLES = (("副总经理", "VP"), ("总工程师", "CTO"), ("运维部主任", "Head of O&M"), ("信息中心主任", "CIO"),
          ("采购总监", "Procurement director"), ("财务总监", "CFO"))
COMPETITORS = ("博衡智控", "凌川电气", "科睿能联", "华卓能源科技", "中曜信息", "远拓科技", "Siemens", "ABB", "Schneider")
CURRENCY_WEIGHTS = (("CNY", 88), ("USD", 5), ("EUR", 3), ("HKD", 2), ("JPY", 1), ("SGD", 1))
STAGE_WEIGHTS = (22, 18, 14, 11, 10, 8, 6, 11)     # a funnel: wide at 01; 08 = won or lost
ANSWER_SPELLINGS = (("Y", "N"), (1, 0), ("是", "否"), ("√", "×"), ("y", "n"), ("1", "0"))


def _customers() -> tuple[tuple[str, str | None], ...]:
    """(name, credit code or None): 450 companies, 60% with a valid unified social credit code."""
    pool = []
    for k, (place, industry) in enumerate((p, i) for i in _INDUSTRIES for p in _PLACES):
        rng = random.Random(f"uscc:{k}")
        code = None
        if rng.random() < 0.6:
            body = "91" + f"{rng.randrange(110000, 660000):06d}" + "".join(rng.choice("0123456789") for _ in range(9))
            code = body + uscc.calc_check_digit(body)
        pool.append((place + industry, code))
    return tuple(pool)


CUSTOMERS = _customers()


# --- the plan: decided up front, so files can be written in any order, in any process ----------
@dataclass(frozen=True)
class FileSpec:
    index: int
    name: str
    lang: Lang
    seed: int
    rows: int
    defects: tuple[str, ...]                          # kinds, in the order they are applied
    copies: tuple[tuple[int, int, int], ...] = ()     # (row here, source file, source row)
    reserved: frozenset[int] = frozenset()            # rows other files copy, or copied into: no defects


def _file_name(index: int, n: int, lang: str) -> str:
    return f"funnel-{index + 1:0{max(4, len(str(n)))}d}.{lang}.xlsx"


def _plan(n: int, rows: int, seed: int, defect_rate: float) -> list[FileSpec]:
    rng = random.Random(f"{seed}:plan")
    langs = (["zh", "en"] * (n // 2 + 1))[:n]
    rng.shuffle(langs)
    defective = sorted(rng.sample(range(n), min(n, round(n * defect_rate))))
    kinds: list[str] = []
    counts = {i: rng.randint(1, 5) for i in defective}
    while len(kinds) < sum(counts.values()):  # every kind about equally often
        kinds.extend(rng.sample(KINDS, len(KINDS)))
    defects: dict[int, tuple[str, ...]] = {}
    for i in defective:
        defects[i], kinds = tuple(kinds[:counts[i]]), kinds[counts[i]:]
    # A few opportunities copied into another rep's file under a different primary owner.
    copies: dict[int, list[tuple[int, int, int]]] = {}
    reserved: dict[int, set[int]] = {}
    pairs = max(1, round(n / 100)) if n >= 2 else 0
    for target in rng.sample(range(n), pairs):
        source = rng.choice([i for i in range(n) if i != target])
        source_row = rng.choice([r for r in range(rows) if r not in reserved.get(source, set())])
        target_row = rng.choice([r for r in range(rows) if r not in reserved.get(target, set())])
        copies.setdefault(target, []).append((target_row, source, source_row))
        reserved.setdefault(source, set()).add(source_row)
        reserved.setdefault(target, set()).add(target_row)
    return [FileSpec(i, _file_name(i, n, langs[i]), langs[i], seed, rows, defects.get(i, ()),
                     tuple(copies.get(i, ())), frozenset(reserved.get(i, ()))) for i in range(n)]


# --- opportunities, language-neutral (stage numbers, vocabulary keys), then rendered ----------
def _who(seed: int, index: int) -> tuple[str, int, tuple[str, ...]]:
    """The rep who submits file ``index``, their team, and teammates who own a few lines."""
    rng = random.Random(f"{seed}:{index}:who")
    rep = rng.choice(PEOPLE)
    mates = tuple(p for p in rng.sample(PEOPLE, 4) if p != rep)[:rng.randint(1, 3)]
    return rep, rng.randrange(len(TEAMS)), mates


def _records(seed: int, index: int, rows: int) -> list[dict[str, Any]]:
    """File ``index``'s opportunities before any copy or defect: a pure function of its arguments
    (another file that copies one of them regenerates them)."""
    rng = random.Random(f"{seed}:{index}:rows")
    rep, team, mates = _who(seed, index)
    accounts = rng.sample(range(len(CUSTOMERS)), rng.randint(15, 60))
    records = []
    for r in range(rows):
        stage = rng.choices(range(1, 9), STAGE_WEIGHTS)[0]
        status = "open" if stage < 8 else rng.choices(("won", "lost"), (6, 4))[0]
        if status == "won":
            category = "closed"
        elif status == "lost":
            category = "omitted"
        else:
            category = "commit" if stage >= 6 else "best_case" if stage >= 4 else "pipeline"
        confirmed = category in ("commit", "closed") or rng.random() < 0.8
        if status == "open":
            close = AS_OF + dt.timedelta(days=rng.randint(30, 60) + (8 - stage) * rng.randint(10, 60))
        else:
            close = AS_OF - dt.timedelta(days=rng.randint(1, 300))
        customer, code = CUSTOMERS[rng.choice(accounts)]
        amount = min(2e8, max(2e4, round(rng.lognormvariate(math.log(1.5e6), 1.0), -3)))
        mode = rng.choice(("bid", "bid", "spot", "distribution", None))
        records.append({
            "id": f"OPP-{rng.choice((2024, 2025, 2026))}-{index * rows + r + 1:06d}",
            "customer": customer, "credit_code": code if rng.random() < 0.8 else None,
            "product": rng.randrange(len(PRODUCTS)), "phase": rng.randrange(len(PHASES)),
            "owner": rep if not mates or rng.random() < 0.9 else rng.choice(mates), "team": team,
            "stage": stage, "status": status, "amount": amount,
            "currency": rng.choices([c for c, _ in CURRENCY_WEIGHTS], [w for _, w in CURRENCY_WEIGHTS])[0],
            "close_date": close, "category": category, "confirmed": confirmed,
            "sales_mode": mode,
            "tender_mode": rng.choice([t.key for t in TENDER_MODE.terms]) if mode == "bid" else None,
            "bid_scheme": rng.choice([t.key for t in BID_SCHEME.terms]) if mode == "bid" else None,
            "local_impact": rng.choice([t.key for t in LOCAL_IMPACT.terms]) if rng.random() < 0.5 else None,
            "relationship_control": rng.choice([t.key for t in RELATIONSHIP_CONTROL.terms])
            if rng.random() < 0.7 else None,
            "competitors": tuple(rng.sample(COMPETITORS, rng.randint(0, 3))),
            # M-FUN-5 / M-REL-5 evidence, present where the stage needs it: clean lines stay clean.
            "budget_status": rng.choice(("identified", "approved")) if stage >= 2 else rng.choice((None, "unknown")),
            "sponsor": (rng.choice(PEOPLE), rng.randrange(len(TITLES))) if stage >= 2 or rng.random() < 0.2 else None,
            "coach": rng.choice(PEOPLE) if stage >= 3 or rng.random() < 0.3 else None,
            "last_updated": AS_OF - dt.timedelta(days=rng.randint(0, 60)),
        })
    return records


def _render(record: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    """One opportunity as the cells a rep fills in a ``lang`` template."""
    cfg = default_config()
    zh = lang == "zh"
    yes, no = YES_NO[lang]
    sponsor = record["sponsor"]
    return {
        "id": record["id"], "customer": record["customer"], "credit_code": record["credit_code"],
        "name": PRODUCTS[record["product"]][not zh] + ("" if zh else " – ") + PHASES[record["phase"]][not zh],
        "owner": record["owner"], "team": TEAMS[record["team"]][not zh],
        "stage": cfg.stage(record["stage"]).label(lang), "status": STATUS.get(record["status"]).label(lang),
        "amount": record["amount"], "currency": record["currency"], "close_date": record["close_date"],
        "category": FORECAST_CATEGORY.get(record["category"]).label(lang),
        "confirmed": yes if record["confirmed"] else no,
        **{key: vocab.get(record[key]).label(lang) if record[key] else None
           for key, vocab in (("sales_mode", SALES_MODE), ("tender_mode", TENDER_MODE), ("bid_scheme", BID_SCHEME),
                              ("local_impact", LOCAL_IMPACT), ("relationship_control", RELATIONSHIP_CONTROL))},
        "competitors": ("、" if zh else ", ").join(record["competitors"]) or None,
        "budget_status": BUDGET_STATUS.get(record["budget_status"]).label(lang) if record["budget_status"] else None,
        "sponsor": f"{sponsor[0]}（{TITLES[sponsor[1]][0]}）" if sponsor and zh
        else f"{sponsor[0]} ({TITLES[sponsor[1]][1]})" if sponsor else None,
        "coach": record["coach"],
        "last_updated": record["last_updated"],
        **(_lost(record, zh) if record["status"] == "lost" else {}),
    }


# M-FUN-4 (丢单不丢客户): a lost deal's reason, winner and follow-up, so clean lines stay clean
LOST_REASONS = (("价格高于最低报价", "Priced above the lowest bid"), ("技术方案未获认可", "Technical proposal not accepted"),
                ("客户关系不到位", "Relationship not strong enough"))
FOLLOW_UPS = (("下季度回访，跟进二期需求", "Visit next quarter about phase 2"),
              ("邀请客户参观示范项目", "Invite the customer to a reference site"))


def _lost(record: Mapping[str, Any], zh: bool) -> dict[str, Any]:
    n = record["product"] + record["phase"]
    return {"lost_reason": LOST_REASONS[n % len(LOST_REASONS)][not zh],
            "winner": record["competitors"][0] if record["competitors"] else COMPETITORS[n % len(COMPETITORS)],
            "follow_up": FOLLOW_UPS[n % len(FOLLOW_UPS)][not zh]}


def _assessment(rng: random.Random, opportunity: Mapping[str, Any], stage: int, lang: Lang) -> dict[str, Any] | None:
    """The 20 answers of one opportunity, or None (not assessed yet: early stages only).

    From stage 05 every opportunity is assessed completely and scores above the threshold
    (M-SCORE-4 stays quiet on clean lines); earlier ones may leave questions blank.
    """
    if stage < 5 and rng.random() > (0.4 if stage == 1 else 0.85):
        return None
    yes_count = rng.randint(11, 20) if stage >= 5 else rng.randint(3, 16)
    yes_at = set(rng.sample(range(20), yes_count))
    blanks = set(rng.sample(range(20), rng.randint(1, 4))) if stage < 5 and rng.random() < 0.3 else set()
    main = ANSWER_SPELLINGS[0] if lang == "en" else ANSWER_SPELLINGS[2]
    row: dict[str, Any] = {"id": opportunity["id"]}
    for q in range(20):
        spelling = main if rng.random() < 0.8 else rng.choice(ANSWER_SPELLINGS)
        row[f"q{q + 1:02d}"] = None if q in blanks else spelling[0] if q in yes_at else spelling[1]
    return row


def _benchmarks(rng: random.Random, records: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Historical benchmarks for stages 01-07, around what the file holds now (health varies)."""
    out = []
    for stage in range(1, 8):
        at = [r for r in records if r["stage"] == stage and r["status"] == "open"]
        factor = rng.uniform(0.7, 1.4)
        out.append({"count": float(max(1, round(len(at) * factor))),
                    "amount": float(round(max(1e5, sum(r["amount"] for r in at) * factor), -4))})
    return out


# --- seeded defects ------------------------------------------------------------------------------
@dataclass
class _Defect:
    kind: str
    table: str
    row: dict[str, Any]          # the row dict it sits in (its index is taken at the end)
    key: str                     # column key
    value: object
    first: dict[str, Any] | None = None   # duplicate_id: the row whose id was repeated


def _seed(rng: random.Random, kind: str, lang: Lang, opps: list[dict[str, Any]], records: list[dict[str, Any]],
          assessed: dict[int, dict[str, Any]], free: list[int]) -> _Defect | None:
    """Apply one defect of ``kind`` to a free row (removed from ``free``); None if no row fits."""
    cfg = default_config()

    def pick(ok: Callable[[int], bool] = lambda i: True) -> int | None:
        candidates = [i for i in free if ok(i)]
        if not candidates:
            return None
        i = rng.choice(candidates)
        free.remove(i)
        return i

    def is_open(i: int) -> bool:
        return records[i]["status"] == "open"

    if kind == "duplicate_id":
        i = pick(lambda i: i not in assessed)   # unassessed: no orphan assessment row
        i = pick() if i is None else i
        first = pick()
        if i is None or first is None:
            return None
        assessed.pop(i, None)
        opps[i]["id"] = opps[first]["id"]
        return _Defect(kind, "Opportunities", opps[i], "id", opps[i]["id"], opps[first])
    if kind == "invalid_answer":
        i = pick(lambda i: i in assessed)
        if i is None:
            return None
        q = f"q{rng.randint(1, 20):02d}"
        assessed[i][q] = rng.choice(("maybe", "也许") if lang == "zh" else ("maybe", "?"))
        return _Defect(kind, "Assessment", assessed[i], q, assessed[i][q])
    if kind == "open_at_stage_08":  # a late open line moved to 08 without won/lost: no other rule breaks
        i = pick(lambda i: is_open(i) and records[i]["stage"] >= 5)
    else:
        i = pick(is_open if kind in ("close_date_in_past", "unconfirmed_commit") else lambda i: True)
    if i is None:
        return None
    row = opps[i]
    if kind == "invalid_stage":
        key, value = "stage", rng.choice(("09", "stage five", "10"))
    elif kind == "open_at_stage_08":
        row["stage"] = cfg.stage(8).label(lang)
        key, value = "status", STATUS.get("open").label(lang)
    elif kind == "negative_amount":
        key, value = "amount", -row["amount"]
    elif kind == "unparseable_amount":
        key, value = "amount", rng.choice(("about 3M", "约300万") if lang == "zh" else ("about 3M", "3M-ish"))
    elif kind == "bad_date":
        key, value = "close_date", "下个月" if lang == "zh" else "next month"
    elif kind == "close_date_in_past":
        key, value = "close_date", AS_OF - dt.timedelta(days=rng.randint(20, 400))
    elif kind == "missing_required":
        key, value = rng.choice(("customer", "owner")), None
    elif kind == "unknown_currency":
        key, value = "currency", "RMB"
    elif kind == "probability_overwritten":  # written into the XML after the build
        table_p = cfg.stage(records[i]["stage"]).probability
        key, value = "probability", rng.choice([p for p in (0.15, 0.25, 0.35, 0.45, 0.6, 0.75, 0.9) if p != table_p])
    elif kind == "unconfirmed_commit":
        row["category"] = FORECAST_CATEGORY.get("commit").label(lang)
        key, value = "confirmed", YES_NO[lang][1]
    else:
        raise ValueError(f"unknown defect kind {kind!r}")
    if key != "probability":
        row[key] = value
    return _Defect(kind, "Opportunities", row, key, value)


# --- one file ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def _fast_formulas() -> Iterator[None]:
    """Memoise XlsxWriter's formula preparation while the corpus is written.

    With ``use_future_functions`` it runs some 150 regular expressions per formula cell:
    about 85% of ``build_workbook``'s time on a 500-row funnel (7 s a file). The result
    depends only on the formula text and two flags, so caching it is byte-identical and
    about 10x faster. Restored on exit; a no-op if XlsxWriter's internals change.
    """
    original = getattr(Worksheet, "_prepare_formula", None)
    if original is None:
        yield
        return
    cache: dict[tuple[str, bool, bool], str] = {}

    def prepare(self: Worksheet, formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, bool(self.use_future_functions), bool(expand_future_functions))
        if key not in cache:
            cache[key] = original(self, formula, expand_future_functions)
        return cache[key]

    Worksheet._prepare_formula = prepare
    try:
        yield
    finally:
        Worksheet._prepare_formula = original


def _write(spec: FileSpec, folder: Path) -> dict[str, Any]:
    lang = spec.lang
    rep, team, _ = _who(spec.seed, spec.index)
    records = _records(spec.seed, spec.index, spec.rows)
    for row, source, source_row in spec.copies:
        record = _records(spec.seed, source, spec.rows)[source_row]
        records[row] = {**record, "owner": _copy_owner(rep, record["owner"]), "team": team}
    opps = [_render(r, lang) for r in records]
    rng = random.Random(f"{spec.seed}:{spec.index}:content")
    assessed = {i: a for i, (o, r) in enumerate(zip(opps, records))
                if (a := _assessment(rng, o, r["stage"], lang)) is not None}
    benchmarks = _benchmarks(rng, records)

    free = [i for i in range(spec.rows) if i not in spec.reserved]
    defects = [d for kind in spec.defects if (d := _seed(rng, kind, lang, opps, records, assessed, free))]
    assessment = [assessed[i] for i in sorted(assessed)]

    places = plan(FUNNEL, lang, default_config(), {"Opportunities": len(opps), "Assessment": len(assessment)})
    index = {id(row): i for table in (opps, assessment) for i, row in enumerate(table)}

    def where(table: str, row: Mapping[str, Any], key: str) -> tuple[str, str]:
        place = places[table]
        col = [c.key for c in FUNNEL.table(table).columns].index(key)
        return place.sheet, xl_rowcol_to_cell(place.header_row + 1 + index[id(row)], place.first_col + col)

    path = folder / spec.name
    tmp = folder / f".{spec.name}.tmp"
    build_workbook(FUNNEL, tmp, lang=lang, rows={"Opportunities": opps, "Assessment": assessment,
                                                 "Benchmarks": benchmarks})
    entries = []
    overwritten: dict[str, dict[str, float]] = {}
    for d in defects:
        sheet, cell = where(d.table, d.row, d.key)
        entry: dict[str, Any] = {"kind": d.kind, "sheet": sheet, "cell": cell, "value": _json(d.value)}
        if d.first is not None:  # the duplicate is the later of the two rows in reading order
            first = where(d.table, d.first, d.key)[1]
            late, early = (first, cell) if index[id(d.first)] > index[id(d.row)] else (cell, first)
            entry.update(cell=late, first_cell=early)
        if d.kind == "probability_overwritten":
            overwritten.setdefault(sheet, {})[cell] = float(d.value)  # type: ignore[arg-type]
        entries.append(entry)
    for sheet, cells in overwritten.items():
        replace_cells(tmp, sheet, cells)
    os.replace(tmp, path)
    return {
        "file": spec.name, "lang": lang, "owner": rep, "team": TEAMS[team][lang == "en"],
        "opportunities": len(opps), "assessments": len(assessment), "bytes": path.stat().st_size,
        "defects": entries,
    }


def _copy_owner(rep: str, source_owner: str) -> str:
    """The primary owner of a copied opportunity: the rep of the file it is copied into, never its own."""
    return rep if rep != source_owner else next(p for p in PEOPLE if p != source_owner)


def _id_cell(lang: Lang, row: int) -> tuple[str, str]:
    """Sheet and cell of the id of opportunity ``row`` (0-based); the table's place does not
    depend on row counts (it is the first block of its sheet)."""
    place = plan(FUNNEL, lang, default_config(), {})["Opportunities"]
    return place.sheet, xl_rowcol_to_cell(place.header_row + 1 + row, place.first_col)


def _cross_file_duplicates(specs: list[FileSpec]) -> list[dict[str, Any]]:
    """The opportunities copied into another rep's file, with both places and owners."""
    out = []
    for spec in specs:
        rep = _who(spec.seed, spec.index)[0]
        for row, source, source_row in spec.copies:
            record = _records(spec.seed, source, spec.rows)[source_row]
            origin = specs[source]
            out.append({"id": record["id"], "occurrences": [
                {"file": origin.name, **dict(zip(("sheet", "cell"), _id_cell(origin.lang, source_row))),
                 "owner": record["owner"]},
                {"file": spec.name, **dict(zip(("sheet", "cell"), _id_cell(spec.lang, row))),
                 "owner": _copy_owner(rep, record["owner"])}]})
    return out


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else "" if value is None else value


def replace_cells(path: Path, sheet: str, numbers: Mapping[str, float]) -> None:
    """Turn cells of ``sheet`` (formulas or anything) into plain number cells, in place.

    The worksheet XML is edited inside the zip: ``<c r="L37" s="8"><f>…</f><v></v></c>``
    becomes ``<c r="L37" s="8"><v>0.35</v></c>`` (the cell keeps its style). Every other
    part is copied unchanged, with its original zip metadata, so output stays reproducible.
    """
    with zipfile.ZipFile(path) as zin:
        part = _sheet_part(zin, sheet)
        xml = zin.read(part).decode("utf-8")
        for cell, number in numbers.items():
            pattern = re.compile(rf'<c r="{cell}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', re.S)
            found = pattern.findall(xml)
            if len(found) != 1:
                raise ValueError(f"{path.name}: {sheet}!{cell} found {len(found)} times in {part}")
            style = re.search(r'\ss="\d+"', found[0])
            xml = pattern.sub(f'<c r="{cell}"{style.group(0) if style else ""}><v>{float(number)!r}</v></c>', xml)
        parts = [(info, xml.encode("utf-8") if info.filename == part else zin.read(info)) for info in zin.infolist()]
    tmp = path.with_name(path.name + ".zip-tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, data)
    os.replace(tmp, path)


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """The zip member holding worksheet ``sheet``, through workbook.xml and its relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rid = next(s.get(f"{{{ns['r']}}}id") for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == sheet)
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# --- the corpus ----------------------------------------------------------------------------------------
def _params(n: int, rows: int, seed: int, defect_rate: float) -> dict[str, Any]:
    """What a corpus is made of; the funnel template's version too, so that a corpus written
    with an older template (every file then a case of S-VERSION and moved columns) is not reused."""
    from kamxl.schema import FUNNEL

    return {"n": n, "rows": rows, "seed": seed, "defect_rate": defect_rate, "template_version": FUNNEL.version}


def _reusable(folder: Path, params: dict[str, Any]) -> list[Path] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("version") != GENERATOR_VERSION or manifest.get("params") != params:
        return None
    paths = [folder / f["file"] for f in manifest["files"]]
    if all(p.is_file() and p.stat().st_size == f["bytes"] for p, f in zip(paths, manifest["files"])):
        return paths
    return None


def generate(folder: Path, n: int = 1000, rows: int = 500, *, seed: int = 20261123, defect_rate: float = 0.2,
             jobs: int | None = None) -> list[Path]:
    """Write ``n`` funnel workbooks of ``rows`` opportunities and ``manifest.json`` into ``folder``.

    A folder whose manifest was written for the same (n, rows, seed, defect_rate) by this
    generator version, with all its files present, is reused as it is. ``jobs`` processes
    write the files (default: one per CPU); the output does not depend on it.
    """
    folder = Path(folder)
    params = _params(n, rows, seed, defect_rate)
    reused = _reusable(folder, params)
    if reused is not None:
        return reused
    if rows < 10:
        raise ValueError("rows: at least 10 (room for the seeded defects)")
    folder.mkdir(parents=True, exist_ok=True)
    specs = _plan(n, rows, seed, defect_rate)
    jobs = max(1, min(jobs or os.cpu_count() or 1, n or 1))
    start = time.perf_counter()
    entries: list[dict[str, Any]] = []

    def progress(done: int) -> None:
        if done % 100 == 0 or done == n:
            print(f"funnel corpus: {done}/{n} files ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    with contextlib.ExitStack() as stack:
        if jobs == 1:
            written = map(_write_fast, specs, itertools.repeat(folder))
        else:
            pool = stack.enter_context(ProcessPoolExecutor(jobs))
            written = pool.map(_write_fast, specs, itertools.repeat(folder), chunksize=4)
        for entry in written:
            entries.append(entry)
            progress(len(entries))
    manifest = {"version": GENERATOR_VERSION, "params": params, "as_of": AS_OF.isoformat(), "kinds": list(KINDS),
                "files": entries, "cross_file_duplicates": _cross_file_duplicates(specs)}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, folder / MANIFEST)
    keep = {spec.name for spec in specs}
    for stale in folder.iterdir():  # files of an earlier corpus with other parameters
        if FILE_NAME.match(stale.name) and stale.name not in keep:
            stale.unlink()
    return [folder / spec.name for spec in specs]


def _write_fast(spec: FileSpec, folder: Path) -> dict[str, Any]:
    with _fast_formulas():
        return _write(spec, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--defect-rate", type=float, default=0.2)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = generate(args.folder, args.files, args.rows, seed=args.seed, defect_rate=args.defect_rate, jobs=args.jobs)
    seconds = time.perf_counter() - start
    print(f"{len(paths):,} files x {args.rows:,} rows in {args.folder}: {seconds:.1f} s "
          f"({seconds / max(1, len(paths)) * 1e3:.0f} ms per file, {args.jobs} processes)")


if __name__ == "__main__":
    main()
