"""Big tables written straight into the sheet XML (kamxl/templates/bulk.py) read back
exactly as the cell-by-cell writer's: same values, types, styles and formulas; text is
never a formula; and LibreOffice opens and recalculates the result."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
import pytest

from kamxl.io import forking
from kamxl.io.reader import read_workbook
from kamxl.schema import FORECAST
from kamxl.templates import builder, bulk
from kamxl.templates.builder import build_workbook
from tests.libreoffice import cached_errors, convert, soffice_available

TRICKY = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tlead", " spaced ", "a&b<c>", "ctl\x01x", "李娜"]


def lines(n: int) -> list[dict]:
    return [{"opportunity_id": f"OPP-{i:05d}", "customer": TRICKY[i % len(TRICKY)], "owner": "王磊",
             "confirmed": "是" if i % 3 else "否", "stage": "05 进入短名单", "status": "进行中",
             "category": "承诺", "amount": 1000.0 * i + 0.25, "close_date": dt.date(2026, 12, 1) + dt.timedelta(days=i),
             "owner_forecast": None if i % 2 else 5.0, "adjustment_note": TRICKY[(i + 3) % len(TRICKY)]}
            for i in range(n)]


def write(path: Path, n: int, edition: str = "kam") -> Path:
    return build_workbook(FORECAST, path, lang="zh", rows={"ForecastLines": lines(n)}, edition=edition,
                          forms={"Forecast": {"owner": "王磊", "level": "客户经理", "period": "2026-Q4",
                                              "currency": "CNY"}})


@pytest.fixture
def pair(tmp_path, monkeypatch):
    slow = write(tmp_path / "cells.xlsx", 30)
    monkeypatch.setattr(builder, "BULK_ROWS", 5)
    fast = write(tmp_path / "bulk.xlsx", 30)
    return slow, fast


def _cells(path: Path) -> dict[str, tuple[object, str, str]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return {c.coordinate: (c.value, c.data_type, c.number_format) for row in ws.iter_rows() for c in row
            if c.value is not None}


def test_bulk_rows_read_back_like_cell_by_cell(pair):
    slow, fast = pair
    a, b = _cells(slow), _cells(fast)
    assert a.keys() == b.keys()
    for ref in a:
        (va, ta, fa), (vb, tb, fb) = a[ref], b[ref]
        assert fa == fb, ref                                    # the column's style came along
        assert (va == vb) or (ta == "f" and tb == "f"), ref     # formulas: see the next test
    stored = [{c.coordinate: c.value for row in openpyxl.load_workbook(p, data_only=True).worksheets[0].iter_rows()
               for c in row} for p in pair]
    assert stored[0] == stored[1]                               # every formula's value stored, the same
    ra, rb = (read_workbook(p).tables["ForecastLines"] for p in pair)
    assert [r.values["customer"] for r in ra.records] == [r.values["customer"] for r in rb.records]
    assert [r.values["close_date"] for r in ra.records] == [r.values["close_date"] for r in rb.records]


def test_text_is_text_and_formulas_only_where_the_template_has_them(pair):
    _slow, fast = pair
    ws = openpyxl.load_workbook(fast).worksheets[0]
    table = ws.tables["ForecastLines"]
    first, last = (int("".join(ch for ch in part if ch.isdigit())) for part in table.ref.split(":"))
    formula_columns = {c.header("zh") for c in FORECAST.table("ForecastLines").columns if c.formula}
    header = {c.column_letter: c.value for c in ws[first]}
    for row in ws.iter_rows(min_row=first + 1, max_row=last):
        for cell in row:
            if cell.data_type == "f":
                assert header[cell.column_letter] in formula_columns, cell.coordinate
            elif isinstance(cell.value, str) and cell.value[:1] in "=+-@\t":
                assert cell.data_type in ("s", "inlineStr"), cell.coordinate
                assert cell.quotePrefix, cell.coordinate     # stays text even when edited


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_bulk_rows(pair, tmp_path):
    _slow, fast = pair
    recalculated = convert(fast, tmp_path / "lo", "xlsx", recalc=True)
    errors = {c: e for c, e in cached_errors(recalculated).items() if c.split("!")[0] == "预测"}
    # the weighted column calls KAM_WEIGHTED, which LibreOffice does not have; nothing else errs
    ws = openpyxl.load_workbook(fast).worksheets[0]
    kam = {c.coordinate for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "KAM_" in c.value}
    assert {c for c in errors if c.split("!")[1] not in kam} == set()
    values = openpyxl.load_workbook(recalculated, data_only=True).worksheets[0]
    column = next(c.column_letter for row in values.iter_rows() for c in row if c.value == "成交期间")
    periods = [c.value for c in values[column] if isinstance(c.value, str) and c.value.startswith("202")]
    assert len(periods) == 30 and periods[0] == "2026-Q4"


def test_bulk_table_declares_every_row(pair):
    """A bulk table is declared over its first row for XlsxWriter, then given its whole range."""
    import re
    import zipfile

    def refs(path: Path) -> list[str]:
        with zipfile.ZipFile(path) as archive:
            return sorted(re.findall(r'<(?:table|autoFilter) [^>]*?ref="([A-Z0-9:]+)"',
                                     "".join(archive.read(n).decode() for n in archive.namelist()
                                             if n.startswith("xl/tables/"))))
    slow, fast = pair
    assert refs(fast) == refs(slow) and len(refs(slow)) >= 2


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_computes_the_values_bulk_rows_store(tmp_path, monkeypatch):
    """The portable edition (a roll-up's): every formula of the bulk rows and of the
    summaries over them shows, recalculated, the value stored beside it."""
    monkeypatch.setattr(builder, "BULK_ROWS", 5)
    path = write(tmp_path / "portable.xlsx", 40, edition="portable")
    recalculated = openpyxl.load_workbook(convert(path, tmp_path / "lo", "xlsx", recalc=True), data_only=True)
    stored, formulas = openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(path)
    cells = [(ws.title, c.coordinate) for ws in formulas.worksheets if not ws.title.startswith("_")
             for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(cells) > 80
    shown = {(s, r): (stored[s][r].value, recalculated[s][r].value) for s, r in cells}
    assert {k: v for k, v in shown.items() if not _same(*v)} == {}


def _same(stored: object, shown: object) -> bool:
    if stored in (None, "") or shown in (None, ""):
        return stored in (None, "") and shown in (None, "")
    return shown == pytest.approx(stored) if isinstance(stored, float) else shown == stored


# --- a big table's rows rendered in two processes (bulk.SPLIT_ROWS) ---------------------------------

def _parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None                     # every entry's CRC checks out
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def split(tmp_path, monkeypatch):
    """The same 40-line workbook written in one process (as where there is no fork: Windows)."""
    monkeypatch.setattr(builder, "BULK_ROWS", 5)
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    one = write(tmp_path / "one.xlsx", 40, edition="portable")
    monkeypatch.setattr(bulk, "SPLIT_ROWS", 10)
    return one


SPLICE = bulk._splice


def _no_child_left(pids: list[int]) -> bool:
    """Every child forked was reaped (waiting for it again finds no such child)."""
    import os

    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


LINUX = sys.platform.startswith("linux")


@pytest.mark.skipif(not LINUX, reason="this platform does not fork: one process writes (tested above)")
def test_a_forked_half_gives_the_same_workbook(split, tmp_path, monkeypatch):
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    spliced = []
    monkeypatch.setattr(bulk, "_splice", lambda *a: spliced.append(1) or SPLICE(*a))
    forks = _count_forks(monkeypatch)
    two = write(tmp_path / "two.xlsx", 40, edition="portable")
    assert spliced and _parts(two) == _parts(split)
    assert _cells(two) == _cells(split) and len(forks) == 1 and _no_child_left(forks)


@pytest.mark.skipif(not LINUX, reason="this platform does not fork")
def test_a_failing_child_leaves_the_rows_to_the_parent(split, tmp_path, monkeypatch):
    def fails(self):   # runs in the child only
        raise RuntimeError("the child's disk is full")

    monkeypatch.setattr(forking, "can_fork", lambda: True)
    monkeypatch.setattr(bulk._Deflated, "finish", fails)
    forks = _count_forks(monkeypatch)
    two = write(tmp_path / "two.xlsx", 40, edition="portable")
    assert len(forks) == 1 and _parts(two) == _parts(split) and _no_child_left(forks)


@pytest.mark.skipif(not LINUX, reason="this platform does not fork")
def test_an_error_in_the_parent_takes_the_child_down(split, tmp_path, monkeypatch):
    import os

    parent, behind = os.getpid(), bulk._write_behind

    def breaks(out, pieces):
        if os.getpid() == parent and not isinstance(out, bulk._Deflated):
            raise OSError("the output's disk is full")
        return behind(out, pieces)

    monkeypatch.setattr(forking, "can_fork", lambda: True)
    monkeypatch.setattr(bulk, "_write_behind", breaks)
    forks = _count_forks(monkeypatch)
    with pytest.raises(OSError, match="disk is full"):
        write(tmp_path / "two.xlsx", 40, edition="portable")
    assert len(forks) == 1 and _no_child_left(forks)


def _count_forks(monkeypatch) -> list[int]:
    import os

    forks, fork = [], os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return forks


def test_where_there_is_no_fork_one_process_writes_every_row(split, tmp_path, monkeypatch):
    """Windows (no os.fork) and macOS: the big table's rows are all rendered here."""
    import os

    def no_fork() -> int:
        raise AssertionError("forked where the platform cannot")

    monkeypatch.setattr(os, "fork", no_fork, raising=False)
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    again = write(tmp_path / "again.xlsx", 40, edition="portable")
    assert _parts(again) == _parts(split)
    rows = openpyxl.load_workbook(again).worksheets[0].tables["ForecastLines"].ref
    assert rows.endswith(str(int(rows.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + 40))
