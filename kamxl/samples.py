"""The bundled sample data: a realistic key-account funnel, its benchmarks and accounts.

Used by ``kamxl demo``, by the filled template examples and by the tests. Rows come
back as the text a person typed (dicts of str), so every consumer exercises the same
parsers real workbooks go through.

The samples' stages are those of the default table (01-08). Given a company's own stage
table (M-FUN-1: another number of stages), each sample stage is the company stage nearest
in probability, the won/lost stage the company's last, and the benchmarks of stages that
fall together are added up: a six-stage company's example is still a valid funnel.
"""
from __future__ import annotations

import csv
import io
from importlib import resources

from kamxl.methodology.config import Config, Stage, default_config

SAMPLES = ("opportunities", "benchmarks", "bids", "accounts", "register", "register_history")
STAGED = ("opportunities", "benchmarks")   # the samples with a stage column


def sample_rows(name: str, lang: str = "zh", config: Config | None = None) -> list[dict[str, str]]:
    """The rows of one bundled sample (one of :data:`SAMPLES`) with
    the names of ``lang``: ``name.en.csv`` is the same data, its customers, people, teams and
    opportunities named in English (the same spelling variants, so the same rules fire).
    ``config``: stages as that configuration's table numbers them (see the module docstring)."""
    if name not in SAMPLES:
        raise KeyError(f"no sample named {name!r}; choose from {', '.join(SAMPLES)}")
    folder = resources.files("kamxl").joinpath("data/samples")
    localized = folder.joinpath(f"{name}.{lang}.csv")
    text = (localized if localized.is_file() else folder.joinpath(f"{name}.csv")).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if config is None or len(config.stages) == len(default_config().stages) or name not in STAGED:
        return rows
    codes = stage_map(config)
    rows = [{**row, "stage": codes.get(row["stage"], row["stage"])} for row in rows]
    return _merged_benchmarks(rows, config) if name == "benchmarks" else rows


def stage_map(config: Config) -> dict[str, str]:
    """Default stage code -> the code of ``config``'s stage standing for it: an open stage the
    open stage nearest in probability (the earlier on a tie), the last stage the last."""
    default, open_stages = default_config().stages, config.stages[:-1]

    def nearest(stage: Stage) -> Stage:
        return min(open_stages, key=lambda s: (abs(s.probability - stage.probability), s.number))

    return {s.code: nearest(s).code for s in default[:-1]} | {default[-1].code: config.stages[-1].code}


def _merged_benchmarks(rows: list[dict[str, str]], config: Config) -> list[dict[str, str]]:
    """One benchmark row per stage: the counts and amounts of sample stages mapped together added up."""
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["stage"] in out:
            kept = out[row["stage"]]
            for field in ("count", "amount"):
                kept[field] = f"{float(kept[field]) + float(row[field]):g}"
        else:
            out[row["stage"]] = dict(row)
    return [out[s.code] for s in config.stages if s.code in out]
