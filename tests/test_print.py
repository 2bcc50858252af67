"""Printed as LibreOffice prints them: each sheet of every template (zh, en) and of a roll-up
is as many pages across as its schema declares (Sheet.pages_wide): a summary one page wide,
a long table over its few declared pages with the ID column repeated, never a stray column
on a page of its own. Pages are counted in the PDF LibreOffice prints (tests/lo_pages.py).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from kamxl.schema import TEMPLATES
from kamxl.schema.rollup import ROLLUP
from kamxl.templates import write_template
from kamxl.templates.instructions import NAME as INSTRUCTIONS
from tests import presented
from tests.libreoffice import soffice_available

UNO_PYTHON = "/usr/bin/python3"
PAGES = Path(__file__).with_name("lo_pages.py")


def _uno() -> bool:
    try:
        return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# CI installs LibreOffice and its Python bridge (.ci/run): there, a missing one fails
pytestmark = pytest.mark.skipif(not (soffice_available() and _uno()) and not os.environ.get("CI"),
                                reason="needs LibreOffice and a Python with its UNO bridge")


def _pages_across(paths: list[Path]) -> dict[str, dict[str, int]]:
    done = subprocess.run([UNO_PYTHON, str(PAGES), *map(str, paths)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(a["file"]).name: a["sheets"] for a in answers}


def test_every_sheet_prints_as_many_pages_across_as_declared(tmp_path):
    books = presented.templates(tmp_path, editions=("kam",), filled=(True,))
    declared = {path.name: (TEMPLATES[name], lang) for path, (name, lang, _e, _ed) in books.items()}
    for lang in presented.LANGS:
        declared[presented.rollup(tmp_path, lang).name] = (ROLLUP, lang)
    measured = _pages_across([tmp_path / name for name in declared])
    wrong = []
    for name, (template, lang) in declared.items():
        declared_pages = {s.name(lang): s.pages_wide for s in template.sheets} | {INSTRUCTIONS(lang): 1}
        # what prints: the visible sheets (a rep's copy hides the manager's; a roll-up leaves out
        # the sheets of options not given), each one declared
        visible = [ws.title for ws in openpyxl.load_workbook(tmp_path / name, read_only=True).worksheets
                   if ws.sheet_state == "visible"]
        expected = {sheet: declared_pages[sheet] for sheet in visible}
        assert set(measured[name]) == set(expected), (name, measured[name])
        wrong += [f"{name} {sheet}: {measured[name][sheet]} pages across, declared {pages}"
                  for sheet, pages in expected.items() if measured[name][sheet] != pages]
    assert not wrong, "\n".join(wrong)


def test_a_summary_two_pages_wide_is_caught(tmp_path):
    """The measure can fail: a summary sheet's columns made twice too wide print on two pages."""
    source = write_template("funnel", tmp_path / "funnel.xlsx", lang="en", filled=True)
    wb = openpyxl.load_workbook(source)
    ws = wb[TEMPLATES["funnel"].sheets[2].name("en")]      # Funnel health: a summary
    ws.sheet_properties.pageSetUpPr.fitToPage = False       # no longer fitted to a page across
    ws.page_setup.scale = 100
    for letter in "ABCDEFGH":
        ws.column_dimensions[letter].width = 30
    wb.save(tmp_path / "wide.xlsx")
    assert _pages_across([tmp_path / "wide.xlsx"])["wide.xlsx"][ws.title] >= 2
