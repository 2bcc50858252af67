"""The bundled sample data: a realistic key-account funnel, its benchmarks and accounts.

Used by ``kamxl demo``, by the filled template examples and by the tests. Rows come
back as the text a person typed (dicts of str), so every consumer exercises the same
parsers real workbooks go through.
"""
from __future__ import annotations

import csv
import io
from importlib import resources

SAMPLES = ("opportunities", "benchmarks", "accounts")


def sample_rows(name: str) -> list[dict[str, str]]:
    """The rows of one bundled sample (``opportunities``, ``benchmarks`` or ``accounts``)."""
    if name not in SAMPLES:
        raise KeyError(f"no sample named {name!r}; choose from {', '.join(SAMPLES)}")
    text = resources.files("kamxl").joinpath(f"data/samples/{name}.csv").read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
