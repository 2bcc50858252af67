"""Tables found from the package's own parts (kamxl/io/tables.py): the same place, range
and column names as python-calamine says, and the reader reads the same records whether
it cuts tables out of their sheet or asks calamine; anything unusual defers to calamine."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from kamxl.io import reader
from kamxl.io.intake import check_input
from kamxl.io.reader import read_workbook
from kamxl.io.tables import table_places

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
FILES = sorted(WORKBOOKS.glob("*.xlsx")) + sorted((WORKBOOKS / "examples").glob("*.xlsx"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_places_agree_with_calamine(path):
    places = table_places(check_input(path))
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    assert places is not None and sorted(places) == sorted(book.table_names)
    for name, place in places.items():
        table = book.get_table_by_name(name)
        assert (place.sheet, (place.first_row, place.first_col), list(place.columns)) == \
            (table.sheet, table.start, table.columns)
        assert place.last_row - place.first_row + 1 == len(table.to_python())


def _records(path: Path) -> dict:
    data = read_workbook(path)
    return {"tables": {k: (t.sheet, t.header_row, t.columns, t.row_numbers, t.rows) for k, t in data.tables.items()},
            "forms": {k: (f.sheet, dict(f.values), dict(f.cells)) for k, f in data.forms.items()},
            "grids": {k: (g.sheet, g.header_row, g.first_col, g.values) for k, g in data.grids.items()}}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reader_reads_the_same_with_or_without_places(path, monkeypatch):
    cut = _records(path)
    monkeypatch.setattr(reader, "table_places", lambda package: None)
    assert cut == _records(path)


def _rewrite(src: Path, dst: Path, part_edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, part_edit(info.filename, data))
    return dst


@pytest.mark.parametrize("edit", [
    lambda name, data: data.replace(b'<table ', b'<table totalsRowCount="1" ', 1) if "tables/" in name else data,
    lambda name, data: data.replace(b'name="ForecastLines"', b'name="Forecast&amp;Lines"') if "tables/" in name else data,
    lambda name, data: data.replace(b'<tableColumn ', b'<tableColumnX ', 1) if "tables/" in name else data,
], ids=["totals row", "escaped name", "columns not as its range"])
def test_anything_unusual_defers_to_calamine(edit, tmp_path):
    path = _rewrite(WORKBOOKS / "examples" / "forecast-example.zh.xlsx", tmp_path / "odd.xlsx", edit)
    assert table_places(check_input(path)) is None


def test_a_table_moved_by_excel_is_read_where_it_now_is(tmp_path):
    """Rows inserted above a table (as a user would) move it; its place comes from the file."""
    path = tmp_path / "moved.xlsx"
    shutil.copy(WORKBOOKS / "examples" / "forecast-example.en.xlsx", path)
    before = read_workbook(path).tables["ForecastLines"]
    wb = openpyxl.load_workbook(path)
    ws = wb[before.sheet]
    ws.insert_rows(1, 3)
    table = ws.tables["ForecastLines"]
    first, last = table.ref.split(":")
    table.ref = f"{first[0]}{int(first[1:]) + 3}:{last[0]}{int(last[1:]) + 3}"
    wb.save(path)
    assert table_places(check_input(path))["ForecastLines"].first_row == before.header_row + 3  # (0-based)
    after = read_workbook(path).tables["ForecastLines"]
    assert after.header_row == before.header_row + 3
    assert [r[:3] for r in after.rows] == [r[:3] for r in before.rows]
