"""Every formula kamxl writes stores the value it gives (issue 14): computed in Python
(kamxl.templates.stored), equal to what a real formula engine computes for the KAM_*
edition, in every workbook kamxl writes — templates, examples, roll-ups, reports — and
no workbook asks for a full recalculation on load."""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from kamxl.engine import evaluate
from kamxl.methodology import default_config, period_of
from kamxl.methodology.values import parse_yes_no
from kamxl.methodology.vocabulary import FORECAST_CATEGORY
from kamxl.schema import TEMPLATES, Form, Grid, Table
from kamxl.templates import committed_files, write_template
from kamxl.templates.builder import CALC_ID, KEYS_SHEET
from kamxl.templates.stored import FORM, GRID, TABLE

ROOT = Path(__file__).resolve().parent.parent
FILES = committed_files(ROOT / "workbooks")


def test_every_formula_of_every_template_has_its_python_value():
    for template in TEMPLATES.values():
        for sheet in template.sheets:
            for block in sheet.blocks:
                if isinstance(block, Table):
                    assert {c.key for c in block.columns if c.formula} <= {k for t, k in TABLE if t == block.name}
                elif isinstance(block, Form):
                    assert {c.key for c in block.fields if c.formula} <= {k for p, k in FORM if p == block.prefix}
                elif isinstance(block, Grid):
                    assert block.funnel or block.key in GRID, block.key


def _formula_cells(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path)
    cells = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula) or (isinstance(cell.value, str) and cell.value.startswith("=")):
                    cells.add(f"{ws.title.upper()}!{cell.coordinate}")
    return cells


def _stored(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path, data_only=True)
    return {f"{ws.title.upper()}!{c.coordinate}": c.value for ws in book.worksheets for row in ws.iter_rows()
            for c in row}


def _same(a: object, b: object) -> bool:
    if isinstance(a, dt.datetime):   # a date-formatted number, as openpyxl reads it (M-PLAN-1's next review)
        a = (a - dt.datetime(1899, 12, 30)).days
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@pytest.mark.parametrize("path", list(FILES), ids=lambda p: p.name)
def test_the_stored_values_are_what_a_formula_engine_computes(path):
    """The KAM_* edition as Excel with the add-in computes it (the formulas package)."""
    computed, stored = evaluate(path), _stored(path)
    cells = [c for c in _formula_cells(path) if not c.startswith(KEYS_SHEET.upper())]
    # the register has one computed column (the customer key), one cell per customer
    assert len(cells) >= (20 if FILES[path][0] == "register" else 50)
    assert {c: (stored.get(c), computed.get(c)) for c in cells if not _same(stored.get(c), computed.get(c))} == {}


def _calc_pr(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return re.search(r"<calcPr[^>]*/>", archive.read("xl/workbook.xml").decode()).group()  # type: ignore[union-attr]


def test_no_workbook_asks_for_a_full_recalculation_on_load(tmp_path):
    """Its values are stored: Excel shows them on opening (without the add-in too), and
    LibreOffice, WPS and previews do not replace them."""
    for path in [*FILES, write_template("forecast", tmp_path / "p.xlsx", lang="en", edition="portable")]:
        calc = _calc_pr(path)
        assert "fullCalcOnLoad" not in calc and f'calcId="{CALC_ID}"' in calc, path.name


def test_an_empty_result_is_stored_as_text_not_as_no_value(tmp_path):
    """=IF(stage="","",…) on an empty row gives "", which readers must not take for 'nothing stored'."""
    path = write_template("funnel", tmp_path / "blank.xlsx", lang="zh")
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    formulas = re.findall(r"<c [^>]*><f>[^<]*</f><v>[^<]*</v></c>", sheet)
    assert formulas and all(' t="str"' in c or ' t="e"' in c or re.search(r"<v>[-0-9.E]+</v>", c) for c in formulas)
    assert all(' t="str"' in c for c in formulas if c.endswith("<v></v></c>"))


def test_the_blank_forecast_stores_blank_periods_not_zeros():
    """Issue 14: the blank forecast stored 0, '01', '012', '0123' and #VALUE! in its period table."""
    book = openpyxl.load_workbook(ROOT / "workbooks" / "forecast.en.xlsx", data_only=True)
    ws = book["Summary"]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(1, 7)] for r in range(1, ws.max_row + 1)}
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Period")
    body = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(header + 1, header + 5)]
    assert all(cell in (None, "") for row in body for cell in row), body
    assert rows["Closed"][1] == 0 and rows["Lines outside the period"][1] == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_forecast_headline_counts_the_lines_of_the_period(lang):
    """M-FC-1: an independent pandas sum over the example's lines closing in the header's
    period (confirmed, the rep's own) equals the headline; the rest is 'outside the period'."""
    path = ROOT / "workbooks" / "examples" / f"forecast-example.{lang}.xlsx"
    book = openpyxl.load_workbook(path, data_only=True)
    forecast, summary = book.worksheets[0], book.worksheets[1]
    header = {forecast.cell(r, 1).value: forecast.cell(r, 2).value for r in range(1, 12)}
    labels = FORECAST_CATEGORY
    table = forecast.tables["ForecastLines"]
    rows = list(forecast[table.ref])
    frame = pd.DataFrame([[c.value for c in r] for r in rows[1:]], columns=[c.value for c in rows[0]])
    column = {c.key: c.header(lang) for c in TEMPLATES["forecast"].table("ForecastLines").columns}
    period = header[TEMPLATES["forecast"].forms()[0].field("period").header(lang)]
    frame = frame[frame[column["opportunity_id"]].notna()]
    frame["period"] = frame[column["close_date"]].map(lambda d: period_of(d, config=default_config()))
    frame["category"] = frame[column["category"]].map(lambda c: labels.parse(c).key)
    counted = frame[frame[column["confirmed"]].map(parse_yes_no)]
    inside = counted[counted["period"] == period]
    amount = column["amount"]
    expected = {
        "closed": inside.loc[inside.category == "closed", amount].sum(),
        "commit": inside.loc[inside.category.isin(["closed", "commit"]), amount].sum(),
        "best_case": inside.loc[inside.category.isin(["closed", "commit", "best_case"]), amount].sum(),
        "pipeline": inside.loc[inside.category == "pipeline", amount].sum(),
        "weighted": inside[column["weighted"]].sum(),
        "outside_lines": len(counted) - len(inside),
        "outside_amount": counted.loc[counted["period"] != period, amount].sum(),
    }
    form = TEMPLATES["forecast"].forms()[1]
    shown = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 20)}
    assert {k: shown[form.field(k).header(lang)] for k in expected} == pytest.approx(expected)
    assert expected["outside_lines"] > 0 and expected["best_case"] < frame[amount].sum()   # the example has both


def test_a_validation_report_holds_no_formula_without_its_value(tmp_path):
    from click.testing import CliRunner

    from kamxl.cli import main

    report = tmp_path / "findings.xlsx"
    result = CliRunner().invoke(main, ["validate", str(ROOT / "workbooks" / "examples" / "funnel-example.en.xlsx"),
                                       "--report", str(report), "--lang", "en"])
    assert result.exit_code in (0, 1), result.output
    with zipfile.ZipFile(report) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert all(not re.search(r"<f>[^<]*</f>(?!<v>[^<]+</v>)", xml) for xml in sheets)
