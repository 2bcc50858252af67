"""Workbooks as a user receives them, for the presentation tests (not a test module): every
template (zh, en; blank and example; both editions) and a roll-up of the sample organisation."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from kamxl.i18n import Lang
from kamxl.methodology import default_config
from kamxl.rollup import rollup_files
from kamxl.rollup.sample import organisation
from kamxl.templates import write_template

TEMPLATES = ("funnel", "forecast", "account-plan", "register")
LANGS: tuple[Lang, ...] = ("zh", "en")


def templates(folder: Path, *, editions: tuple[str, ...] = ("kam", "portable"),
              filled: tuple[bool, ...] = (False, True)) -> dict[Path, tuple[str, Lang, bool, str]]:
    books = {}
    for name in TEMPLATES:
        for lang in LANGS:
            for example in filled:
                for edition in editions:
                    path = folder / f"{name}-{'example' if example else 'blank'}.{lang}.{edition}.xlsx"
                    write_template(name, path, lang=lang, filled=example, edition=edition)
                    books[path] = (name, lang, example, edition)
    return books


def rollup(folder: Path, lang: Lang) -> Path:
    """A team's roll-up of the sample organisation, with quotas, the channel forecast and the
    previous week (so every optional report sheet holds rows)."""
    src = folder / "in"
    if not src.exists():
        organisation(src, reps_per_team=5, teams_per_region=1)   # small: written in seconds
    team = sorted(p for p in (src / "this-week").glob("*/*") if p.is_dir())[0]
    kw = {"lang": lang, "config": default_config(), "today": dt.date(2026, 11, 23), "quota": src / "quotas.csv",
          "channel": src / "channel.csv"}
    last = rollup_files([src / "last-week" / team.relative_to(src / "this-week")], folder / f"last.{lang}.xlsx",
                        owner="Manager", level="team", **kw)
    return rollup_files([team], folder / f"rollup.{lang}.xlsx", owner="Manager", level="team",
                        previous=last.output, **kw).output
