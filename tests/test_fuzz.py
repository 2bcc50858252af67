"""Fuzzing (issue 8): valid templates mutated byte by byte (in the package and in its XML
parts) and cell by cell (any value a person or a program could put in a cell) are
validated and rolled up under the per-file ceilings: never an unhandled exception,
never a hang, and no formula in a roll-up that its template did not put there.

Bounded in CI; for a long run: ``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py``.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamxl.errors import InputError
from kamxl.io.guard import Limits
from kamxl.rollup import rollup_files
from kamxl.validate import validate_paths
from tests.hostile import TODAY, build, clean_funnel, forecast_lines, parts_of, payload_forecasts, write_parts
from tests.test_hostile import sheet_cells

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = settings.default.max_examples if LONG else 12
LIMITS = Limits(seconds=20, memory_mb=1024)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
counter = itertools.count()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    funnel = build(folder / "funnel.xlsx", "funnel", clean_funnel())
    forecasts = payload_forecasts(folder / "forecasts", benign=True)
    return folder, {"funnel": funnel, "forecast": forecasts[0]}, forecasts[1]


def validated_once(path: Path) -> None:
    started = time.monotonic()
    report = validate_paths([path], today=TODAY, limits=LIMITS)
    assert len(report.files) == 1 and time.monotonic() - started < LIMITS.seconds + 15
    for f in report.findings:                       # every finding can be said in both languages
        assert f.text("zh") and f.text("en") and f.fix("zh") and f.fix("en")


@FUZZ
@given(kind=st.sampled_from(["funnel", "forecast"]), data=st.data())
def test_bytes_of_the_package_mutated(seeds, kind, data):
    folder, base, _ = seeds
    raw = bytearray(base[kind].read_bytes())
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw)), label="length")]
    path = folder / f"bytes-{next(counter)}.xlsx"
    path.write_bytes(bytes(raw))
    validated_once(path)


XML_BYTES = st.sampled_from(list(b'<>/="\'&;: 0123456789AZaz\x00\xff')) | st.integers(0, 255)


@FUZZ
@given(kind=st.sampled_from(["funnel", "forecast"]), data=st.data())
def test_bytes_of_the_xml_parts_mutated(seeds, kind, data):
    folder, base, _ = seeds
    parts = parts_of(base[kind])
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        name = data.draw(st.sampled_from(sorted(parts)), label="part")
        xml = bytearray(parts[name])
        if not xml:
            continue
        at = data.draw(st.integers(0, len(xml) - 1), label="at")
        if data.draw(st.booleans(), label="insert"):
            xml[at:at] = bytes([data.draw(XML_BYTES, label="byte")]) * data.draw(st.integers(1, 12), label="times")
        else:
            xml[at] = data.draw(XML_BYTES, label="byte")
        parts[name] = bytes(xml)
    path = write_parts(folder / f"xml-{next(counter)}.xlsx", parts)
    validated_once(path)


CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**63),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e308, -1e-308, math.pi]),
    st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)),
    st.text(max_size=40), st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["=1+1", "+cmd|' /C calc'!A0", "-1", "@A1", "\t=2", "\r=3", "#N/A", "#DIV/0!", "=", "",
                     "05 进入短名单", "08 Closed", "Y", "是", "√", "2026-13-45", "1e999", "１２３", "∞", "x" * 32767]),
)


@FUZZ
@given(data=st.data())
def test_cells_of_a_funnel_mutated(seeds, data):
    folder, _, _ = seeds
    content = clean_funnel()
    for _ in range(data.draw(st.integers(1, 6), label="cells")):
        table = data.draw(st.sampled_from(["Opportunities", "Assessment", "Benchmarks"]), label="table")
        row = data.draw(st.sampled_from(content[table]), label="row")
        key = data.draw(st.sampled_from(sorted(row)), label="column")
        row[key] = data.draw(CELL_VALUES, label="value")
    try:
        path = build(folder / f"cells-{next(counter)}.xlsx", "funnel", content)
    except (TypeError, ValueError, OverflowError):
        return          # XlsxWriter itself refuses the value (a person could not type it either)
    validated_once(path)


@FUZZ
@given(data=st.data())
def test_cells_of_a_forecast_mutated_then_rolled_up(seeds, data):
    from kamxl.rollup.sample import write_forecast

    folder, _base, other = seeds
    lines = forecast_lines("Alice Wang", 0, benign=True)
    for _ in range(data.draw(st.integers(1, 6), label="cells")):
        row = data.draw(st.sampled_from(lines), label="row")
        row[data.draw(st.sampled_from(sorted(row)), label="column")] = data.draw(CELL_VALUES, label="value")
    n = next(counter)
    try:
        path = write_forecast(folder / f"fc-{n}" / "forecast.xlsx", owner="Alice Wang", manager="Carol Zhang",
                              lines=lines, lang="en", submitted=dt.date(2026, 11, 20), quota=1.0)
    except (TypeError, ValueError, OverflowError):
        return
    validated_once(path)
    try:
        result = rollup_files([path, other], folder / f"fc-{n}" / "team.xlsx", owner="Carol Zhang", level="team",
                              lang="en", today=TODAY, limits=LIMITS)
    except InputError:
        return          # nothing left to roll up, or the inputs disagree (period, currency): said, not crashed
    formulas = {f for _s, _c, f, _t, _q in sheet_cells(result.output) if f}
    assert all("cmd" not in f and "HYPERLINK" not in f.upper() for f in formulas)
    with zipfile.ZipFile(result.output) as z:
        assert z.testzip() is None
