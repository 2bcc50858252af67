"""The bundled sample data: a realistic key-account funnel, its benchmarks and accounts.

Used by ``kamxl demo``, by the filled template examples and by the tests. Rows come
back as the text a person typed (dicts of str), so every consumer exercises the same
parsers real workbooks go through.
"""
from __future__ import annotations

import csv
import io
from importlib import resources

SAMPLES = ("opportunities", "bids", "benchmarks", "accounts")


def sample_rows(name: str, lang: str = "zh") -> list[dict[str, str]]:
    """The rows of one bundled sample (``opportunities``, ``benchmarks`` or ``accounts``) with
    the names of ``lang``: ``name.en.csv`` is the same data, its customers, people, teams and
    opportunities named in English (the same spelling variants, so the same rules fire)."""
    if name not in SAMPLES:
        raise KeyError(f"no sample named {name!r}; choose from {', '.join(SAMPLES)}")
    folder = resources.files("kamxl").joinpath("data/samples")
    localized = folder.joinpath(f"{name}.{lang}.csv")
    text = (localized if localized.is_file() else folder.joinpath(f"{name}.csv")).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
