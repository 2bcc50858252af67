"""The funnel's Assessment sheet as a questionnaire a rep fills and prints (issue 17):
each question's text printed above its column under a band naming its dimension, a
subtotal per dimension, the score a number (or blank) with its status in its own column,
and the examples answering in the dropdown's one spelling (M-SCORE-1..3)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from kamxl.methodology.scoring import COMPLETE, DIMENSIONS, QUESTIONS, score
from kamxl.schema import TEMPLATES
from kamxl.templates import write_template
from kamxl.templates.builder import YES_NO
from kamxl.templates.presentation import note_lines as _wrapped_lines
from kamxl.templates.layout import plan
from kamxl.methodology import default_config
from tests.libreoffice import convert, soffice_available

FUNNEL = TEMPLATES["funnel"]
ASSESSMENT = FUNNEL.table("Assessment")
NAMES = {"zh": "价值评估", "en": "Assessment"}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[tuple[str, bool], Path]:
    folder = tmp_path_factory.mktemp("assessment")
    return {(lang, filled): write_template("funnel", folder / f"funnel-{lang}-{filled}.xlsx", lang=lang,
                                           filled=filled)
            for lang in ("zh", "en") for filled in (False, True)}


def _sheet(path: Path, lang: str, values: bool = False):
    return openpyxl.load_workbook(path, data_only=values)[NAMES[lang]]


def _rows(ws, header_row: int) -> list[dict[str, object]]:
    """Data rows by column key (1-based header row), up to the first row without an ID."""
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        row = {c.key: ws.cell(r, i + 1).value for i, c in enumerate(ASSESSMENT.columns)}
        if row["id"] in (None, ""):
            break
        rows.append(row)
    return rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_dimension_is_a_band_over_its_five_questions_m_score_1(books, lang):
    ws = _sheet(books[(lang, False)], lang)
    place = plan(FUNNEL, lang, default_config(), {})["Assessment"]
    band_row = place.header_row - ASSESSMENT.lead_rows + 1          # 1-based
    keys = [c.key for c in ASSESSMENT.columns]
    merged = {str(m): ws.cell(m.min_row, m.min_col).value for m in ws.merged_cells.ranges if m.min_row == band_row}
    for d in DIMENSIONS:
        first = keys.index(next(q.id.lower() for q in QUESTIONS if q.dimension == d.id)) + 1
        span = f"{ws.cell(band_row, first).coordinate}:{ws.cell(band_row, first + 4).coordinate}"
        assert merged[span] == f"{d.id} {d.text(lang)}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_question_is_printed_above_its_column_wrapped_and_tall_enough(books, lang):
    ws = _sheet(books[(lang, False)], lang)
    place = plan(FUNNEL, lang, default_config(), {})["Assessment"]
    notes, header = place.header_row, place.header_row + 1             # 1-based: the row above the header
    keys = [c.key for c in ASSESSMENT.columns]
    for q in QUESTIONS:
        c = keys.index(q.id.lower()) + 1
        assert ws.cell(header, c).value == q.id
        cell = ws.cell(notes, c)
        assert cell.value == q.text(lang) and cell.alignment.wrap_text
        lines = _wrapped_lines(q.text(lang), ws.column_dimensions[cell.column_letter].width)
        assert ws.row_dimensions[notes].height >= lines * 12
    # printed on every page: band, questions and header; the ID and name beside every page's answers
    assert ws.print_title_rows == f"${notes - 1}:${header}"
    assert ws.print_title_cols == "$A:$B"


def test_wrapping_estimate_keeps_words_whole():
    assert _wrapped_lines("Is the risk low?", 8) == 3        # "Is the" / "risk" / "low?"
    assert _wrapped_lines("风险是否低", 8) == 2               # four Chinese characters a line
    assert _wrapped_lines("", 8) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_example_scores_are_numbers_with_their_status_beside_them_m_score_1_3(books, lang):
    place = plan(FUNNEL, lang, default_config(), {})["Assessment"]
    rows = _rows(_sheet(books[(lang, True)], lang, values=True), place.header_row + 1)
    assert len(rows) > 20
    incomplete = 0
    for row in rows:
        expected = score([row[q.id.lower()] for q in QUESTIONS])
        if expected.complete:
            assert row["score"] == expected.total and row["status"] == COMPLETE(lang)
            assert [row[f"d{n}"] for n in range(1, 5)] == list(expected.dimensions)
            assert sum(row[f"d{n}"] for n in range(1, 5)) == row["score"]
        else:   # M-SCORE-3: blank, never a silent 0 nor text in the number column
            incomplete += 1
            assert row["score"] in (None, "") and row["level"] in (None, "")
            assert row["status"] == expected.status(lang) and str(expected.answered) in row["status"]
    assert incomplete, "the example shows an incomplete assessment"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_example_answers_in_the_dropdowns_one_spelling_m_score_3(books, lang):
    place = plan(FUNNEL, lang, default_config(), {})["Assessment"]
    rows = _rows(_sheet(books[(lang, True)], lang), place.header_row + 1)
    answers = {row[q.id.lower()] for row in rows for q in QUESTIONS}
    assert answers - {None} == set(YES_NO[lang])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_opportunities_value_score_reads_the_number_or_says_why_not(books, lang):
    ws = openpyxl.load_workbook(books[(lang, True)], data_only=True).worksheets[0]
    place = plan(FUNNEL, lang, default_config(), {})["Opportunities"]
    header = [c.value for c in ws[place.header_row + 1]]
    column = header.index(FUNNEL.table("Opportunities").column("value_score").header(lang)) + 1
    values = [ws.cell(r, column).value for r in range(place.header_row + 2, ws.max_row + 1)]
    words = {"zh": {"未评估", "未完成"}, "en": {"not assessed", "incomplete"}}[lang]
    assert {v for v in values if isinstance(v, str) and v} == words
    assert all(isinstance(v, (int, float)) and 0 <= v <= 20 for v in values if v not in words and v not in (None, ""))


@pytest.mark.skipif(not soffice_available() and not os.environ.get("CI"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_two_pages_wide_split_between_two_dimensions(books, lang, tmp_path):
    """LibreOffice prints the questionnaire on two pages wide: D1-D3 on the first, D4, the
    subtotals and the result on the second, the ID repeated on both."""
    pdf = convert(books[(lang, True)], tmp_path, "pdf", recalc=False)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    # the pages of the first rows (a longer sheet goes on below them, its header repeated)
    sheet = "· 价值评估" if lang == "zh" else "· Assessment"   # its title line, not the instructions' pages
    printed = [p for p in pages if ("Q01" in p or "Q20" in p) and "OPP-2026-0001" in p
               and sheet in p.lstrip().split("\n", 1)[0]]
    assert len(printed) == 2
    first, second = printed
    assert "Q15" in first and "Q16" not in first
    assert "Q16" in second and "Q15" not in second
