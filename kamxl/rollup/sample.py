"""A realistic multi-level forecast organisation, generated (deterministic per seed): a
business unit with regions, teams and reps, each rep's quarterly forecast workbook, last
week's forecasts too, quotas, a channel forecast and a manager's adjustments — with the
defects real submissions have: unconfirmed lines, other people's opportunities, one
opportunity claimed by two reps, a rep who submitted twice.

Used by the roll-up tests, the benchmark and ``kamxl rollup --sample``-style demos.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kamxl.i18n import Lang
from kamxl.methodology import Config, default_config
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, FORECAST_LEVEL, STATUS
from kamxl.schema import FORECAST
from kamxl.templates.builder import build_workbook

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞宇浩然晨曦思远嘉怡子涵雨婷俊杰志强建华"
CUSTOMERS = ("江澜电力集团", "海川能源", "东岳化工", "华瑞轨道交通", "北辰钢铁", "南洋港务", "青松制药", "天合水务",
             "远航物流", "金桥建设", "中联通信", "蓝海石化", "嘉禾食品", "恒信银行", "星河半导体", "长风汽车")
REGIONS = (("华东", "East"), ("华南", "South"), ("华北", "North"))
YES_NO = {"zh": ("是", "否"), "en": ("Y", "N")}


@dataclass
class Org:
    """Who reports to whom, and where each forecast file was written."""

    bu: str
    regions: dict[str, str] = field(default_factory=dict)            # region folder -> director
    teams: dict[str, tuple[str, str]] = field(default_factory=dict)  # team folder -> (manager, region folder)
    reps: dict[str, tuple[str, str]] = field(default_factory=dict)   # rep -> (team folder, file)
    period: str = "2026-Q4"


def _names(rng: random.Random, n: int) -> list[str]:
    seen: list[str] = []
    while len(seen) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in seen:
            seen.append(name)
    return seen


def _line(rng: random.Random, opp: str, owner: str, lang: Lang, cfg: Config, today: date) -> dict[str, Any]:
    stage = cfg.stages[rng.randrange(len(cfg.stages))]
    status = "open"
    if stage.number == len(cfg.stages):
        status = rng.choice(("won", "won", "lost"))
    category = ("closed" if status == "won" else "omitted" if status == "lost"
                else rng.choice(("pipeline", "best_case", "commit", "commit")))
    amount = float(rng.randrange(5, 400) * 10_000)
    yes, no = YES_NO[lang]
    return {"opportunity_id": opp, "customer": rng.choice(CUSTOMERS) + ("有限公司" if lang == "zh" else " Co., Ltd."),
            "owner": owner, "confirmed": yes if rng.random() > 0.06 else no, "stage": stage.label(lang),
            "status": STATUS.get(status).label(lang), "category": FORECAST_CATEGORY.get(category).label(lang),
            "amount": amount, "close_date": _close_date(rng, today),
            "owner_forecast": amount if rng.random() > 0.3 else round(amount * rng.uniform(0.7, 1.1), -3)}


def _close_date(rng: random.Random, today: date) -> date:
    """Most lines close in the current quarter (the forecast's period, M-FC-1), some later."""
    quarter_end = date(today.year + (today.month > 9), (today.month + 2) // 3 * 3 % 12 + 1, 1) - timedelta(days=1)
    if rng.random() < 0.8:
        return today + timedelta(days=rng.randrange(-20, (quarter_end - today).days + 1))
    return quarter_end + timedelta(days=rng.randrange(1, 180))


def write_forecast(path: Path, *, owner: str, manager: str, lines: list[dict[str, Any]], lang: Lang,
                   submitted: date, quota: float, period: str = "2026-Q4", config: Config | None = None,
                   level: str = "rep") -> Path:
    cfg = config or default_config()
    header = {"owner": owner, "level": FORECAST_LEVEL.get(level).label(lang), "manager": manager, "period": period,
              "currency": cfg.forecast.currency, "submitted_at": submitted, "quota": quota}
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_workbook(FORECAST, path, lang=lang, config=cfg, rows={"ForecastLines": lines},
                          forms={"Forecast": header})


def organisation(folder: Path, *, seed: int = 7, reps_per_team: int = 6, teams_per_region: int = 2,
                 lines: tuple[int, int] = (8, 16), today: date = date(2026, 11, 20),
                 config: Config | None = None) -> Org:
    """Write this week's and last week's forecasts of a whole business unit under ``folder``:
    ``this-week/<region>/<team>/<rep>.xlsx``, ``last-week/…``, plus ``quotas.csv``,
    ``channel.csv`` and ``adjustments-<team>.csv``."""
    cfg, rng = config or default_config(), random.Random(seed)
    people = _names(rng, len(REGIONS) * teams_per_region * (reps_per_team + 1) + len(REGIONS) + 1)
    org = Org(bu=people.pop())
    opp_no = 0
    this_week: dict[str, list[dict[str, Any]]] = {}
    for region_zh, region_en in REGIONS:
        region = f"{region_en.lower()}"
        org.regions[region] = people.pop()
        for t in range(teams_per_region):
            team = f"{region}/team-{t + 1}"
            org.teams[team] = (people.pop(), region)
            for _ in range(reps_per_team):
                rep = people.pop()
                lang: Lang = "zh" if rng.random() < 0.7 else "en"
                rows = []
                for _ in range(rng.randint(*lines)):
                    opp_no += 1
                    rows.append(_line(rng, f"OPP-2026-{opp_no:05d}", rep, lang, cfg, today))
                this_week[rep] = rows
                org.reps[rep] = (team, f"this-week/{team}/{rep}.xlsx")
                rows[0]["__lang"] = lang
    reps = list(org.reps)
    quotas = {rep: float(rng.randrange(120, 240) * 100_000) for rep in reps}   # each rep's header quota
    # Defects real submissions have.
    a, b, c = reps[0], reps[7], reps[13]
    stolen = dict(this_week[a][1], owner=b)             # b claims a's opportunity: two owners (M-FC-3)
    this_week[b].append(stolen)
    this_week[c].append(dict(this_week[a][2]))          # c lists a's opportunity as a's: not c's own (M-FC-2)
    for rep in reps:
        rows = this_week[rep]
        lang = rows[0].pop("__lang", "zh")
        team, file = org.reps[rep]
        manager = org.teams[team][0]
        write_forecast(folder / file, owner=rep, manager=manager, lines=rows, lang=lang, submitted=today,
                       quota=quotas[rep], period=org.period, config=cfg)
        # Last week: fewer lines, earlier stages, other amounts and dates.
        previous = [dict(r, amount=r["amount"] * rng.choice((1.0, 1.0, 0.8, 1.2)),
                         close_date=r["close_date"] - timedelta(days=rng.choice((0, 0, 45))))
                    for r in rows if rng.random() > 0.15]
        write_forecast(folder / file.replace("this-week", "last-week"), owner=rep, manager=manager, lines=previous,
                       lang=lang, submitted=today - timedelta(days=7), quota=0.0, period=org.period, config=cfg)
    # One rep submitted twice: the earlier file is superseded.
    first = reps[3]
    team, file = org.reps[first]
    early = this_week[first][: len(this_week[first]) // 2]
    write_forecast(folder / file.replace(".xlsx", "-draft.xlsx"), owner=first, manager=org.teams[team][0],
                   lines=early, lang="zh", submitted=today - timedelta(days=2), quota=0.0, period=org.period, config=cfg)
    _side_files(folder, org, quotas)
    return org


def _side_files(folder: Path, org: Org, quotas: dict[str, float]) -> None:
    """Quotas that add up level by level from the reps' (with some headroom above), a channel
    forecast and one manager's revisions (one note starting with '=': it must stay text)."""
    quotas = dict(quotas)
    for team, (manager, _region) in org.teams.items():
        quotas[manager] = 1.05 * sum(q for rep, q in quotas.items() if rep in org.reps and org.reps[rep][0] == team)
    for region, director in org.regions.items():
        quotas[director] = 1.05 * sum(quotas[m] for m, r in org.teams.values() if r == region)
    quotas[org.bu] = 1.05 * sum(quotas[d] for d in org.regions.values())
    with (folder / "quotas.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["owner", "period", "quota"])
        for person, quota in quotas.items():
            out.writerow([person, org.period, round(quota, -4)])
    with (folder / "channel.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["period", "amount"])
        for p, amount in (("2026-Q4", 320_000_000), ("2027-Q1", 30_000_000), ("2027-Q2", 8_000_000)):
            out.writerow([p, amount])
    team = next(iter(org.teams))
    reps = [r for r, (t, _f) in org.reps.items() if t == team]
    with (folder / f"adjustments-{team.replace('/', '-')}.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["owner", "adjusted", "note"])
        out.writerow([reps[0], 3_000_000, "大单延期风险，下调 · big deal may slip"])
        out.writerow([reps[1], 4_500_000, "=HYPERLINK(\"http://x\") 不应成为公式"])
