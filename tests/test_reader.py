"""Reading standard workbooks back through their schemas: either language, by key, with
the cell of every value; identified by metadata or, without it, by their tables."""
from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from kamxl.errors import InputError
from kamxl.io.reader import read_workbook
from kamxl.methodology import parse_stage
from kamxl.methodology.values import is_blank, parse_yes_no
from kamxl.schema import TEMPLATES, Kind
from kamxl.templates import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbooks" / "examples"


def canonical(column, value):
    """A cell's meaning, independent of the language it was typed in."""
    if is_blank(value):
        return None
    if column.kind is Kind.STAGE:
        return parse_stage(value).code
    if column.kind is Kind.CHOICE:
        return column.vocabulary.parse(value).key
    if column.kind is Kind.YES_NO:
        return parse_yes_no(value)
    if column.kind is Kind.TEXT or (column.kind is Kind.FORMULA and isinstance(value, str)):
        return None  # free text may be translated; computed labels follow the template's language
    return value


EMPTY_IN_EXAMPLES = {"OwnerForecasts"}   # a rep's forecast has no reports: roll-ups fill it (tests/test_rollup.py)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_zh_and_en_examples_read_into_the_same_records(name):
    zh, en = (read_workbook(EXAMPLE / f"{name}-example.{lang}.xlsx") for lang in ("zh", "en"))
    assert (zh.lang, en.lang, zh.identified_by) == ("zh", "en", "metadata")
    assert zh.template is en.template is TEMPLATES[name] and zh.version == TEMPLATES[name].version
    for table in TEMPLATES[name].tables():
        a, b = zh.tables[table.name], en.tables[table.name]
        assert set(a.columns) == {c.key for c in table.columns} and a.unknown_headers == []
        assert set(a.header_langs.values()) <= {"zh"} and set(b.header_langs.values()) <= {"en"}
        assert len(a.header_langs) == len(b.header_langs) > 0
        assert len(a.records) == len(b.records) >= (0 if table.name in EMPTY_IN_EXAMPLES else 1)
        # free text (names, notes) is written in each language: filled in the same cells
        worded = [c for c in table.columns if Kind.TEXT in (c.kind, c.result if c.formula else None)]
        for ra, rb in zip(a.records, b.records):
            assert ra.cells == rb.cells
            assert {c.key: canonical(c, ra.values[c.key]) for c in table.columns if c not in worded} == \
                   {c.key: canonical(c, rb.values[c.key]) for c in table.columns if c not in worded}
            assert [ra.values[c.key] in (None, "") for c in worded] == [rb.values[c.key] in (None, "") for c in worded]


def test_values_keep_their_cells():
    data = read_workbook(EXAMPLE / "funnel-example.zh.xlsx")
    first = data.tables["Opportunities"].records[0]
    assert (first.sheet, first.row, first.cells["stage"], first.values["stage"]) == ("商机", 6, "E6", "05 进入短名单")
    header = read_workbook(EXAMPLE / "forecast-example.en.xlsx").forms["Forecast"]
    assert header.values["owner"] == "James Walker" and header.cells["quota"] == "B11"


def test_blank_template_has_no_records_and_the_file_is_never_written():
    path = ROOT / "workbooks" / "funnel.en.xlsx"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = read_workbook(path)
    assert all(t.records == [] or t.table.seed for t in data.tables.values())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_without_metadata_a_workbook_is_known_by_its_tables_and_renamed_headers_show(tmp_path):
    book = openpyxl.load_workbook(EXAMPLE / "funnel-example.en.xlsx")
    del book["_kamxl"]
    book["Opportunities"]["E5"] = "Phase"           # the Stage header, renamed as Excel does it:
    book["Opportunities"].tables["Opportunities"].tableColumns[4].name = "Phase"   # cell and table column
    path = tmp_path / "no-meta.xlsx"
    book.save(path)
    data = read_workbook(path)
    assert (data.template.id, data.identified_by, data.version, data.lang) == ("funnel", "tables", None, None)
    opportunities = data.tables["Opportunities"]
    assert "stage" not in opportunities.columns and opportunities.unknown_headers == [("Phase", "E5")]


def test_a_workbook_of_something_else_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "quarterly sales"
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    assert caught.value.code == "S-TEMPLATE" and "kamxl" in caught.value.message("en")
