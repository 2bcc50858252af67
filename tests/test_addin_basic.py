"""The add-in's own VBA, run by an interpreter that is not Excel: LibreOffice Basic in VBA
mode loads the built add-in and executes the functions that need no Excel object
(error texts to error values, the path encoding, the Tag list). Excel-only parts (the
reason cache's dictionary, ribbon callbacks, xlwings' bridge) are for the smoke test
in docs/addin.md."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kamxl.cells import ERROR_CODES
from kamxl.excel.macros import BUTTONS, decode_arg
from tests.libreoffice import soffice_available
from tests.test_addin_vba import EXCEL_ERRORS

ROOT = Path(__file__).resolve().parent.parent
HELPER = Path(__file__).resolve().parent / "lo_basic.py"
PATH = "C:\\Users\\李伟\\预测 'Q4' \"final\"\\😀"


def _uno_python() -> str | None:
    """A Python with LibreOffice's UNO bridge (the system one, with python3-uno)."""
    for candidate in ("/usr/bin/python3", sys.executable):
        if Path(candidate).exists() and subprocess.run([candidate, "-c", "import uno"],
                                                       capture_output=True).returncode == 0:
            return candidate
    return None


UNO = _uno_python() if soffice_available() else None
pytestmark = pytest.mark.skipif(UNO is None, reason="needs LibreOffice and a Python with its UNO bridge")


def run_basic(addin: Path, tmp_path: Path, body: str) -> str:
    driver = tmp_path / "driver.bas"
    driver.write_text("Function Main()\n    Dim out As String, r As Variant, a(0 To 1, 0 To 0) As Variant\n"
                      f"{body}\n    Main = out\nEnd Function\n", encoding="utf-8")
    done = subprocess.run([UNO, str(HELPER), str(addin), str(driver)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _vba_string(text: str) -> str:
    """A Basic expression for any text: Chr of each UTF-16 unit (the driver is StarBasic,
    whose Chr takes any unit; ChrW is VBA mode's)."""
    units = text.encode("utf-16-le", errors="surrogatepass")
    return " & ".join(f"Chr({int.from_bytes(units[i:i + 2], 'little')})" for i in range(0, len(units), 2))


@pytest.fixture(scope="module")
def addin() -> Path:
    return ROOT / "workbooks" / "kamxl.xlam"


def test_error_texts_become_excel_error_numbers(addin, tmp_path):
    texts = [f"{code} some reason [M-X-1]" for code in ERROR_CODES] + [*ERROR_CODES, "#VALUE!x", "text", "", "#"]
    body = "\n".join(f'    out = out & KamErrorNumber("{t}") & ","' for t in texts) + \
        '\n    out = out & KamErrorNumber(5) & "," & KamErrorNumber(Empty)'
    numbers = [int(n) for n in run_basic(addin, tmp_path, body).split(",")]
    expected = [EXCEL_ERRORS[c] for c in ERROR_CODES] * 2 + [0, 0, 0, 0, 0, 0]
    assert numbers == expected


def test_results_turn_into_native_errors_cell_by_cell(addin, tmp_path):
    body = """
    r = KamResult("#DIV/0! no benchmark", Nothing)
    out = IsError(r) & ":" & CLng(r)
    r = KamResult("incomplete (3 of 20 answered)", Nothing)
    out = out & "|" & IsError(r) & ":" & r
    a(0, 0) = 1.5: a(1, 0) = "#NUM! too big"
    r = KamResult(a, Nothing)
    out = out & "|" & r(0, 0) & ":" & IsError(r(1, 0)) & ":" & CLng(r(1, 0))
    r = KamResult(Array("x", "#N/A y"), Nothing)
    out = out & "|" & r(0, 0) & ":" & IsError(r(0, 1)) & ":" & CLng(r(0, 1))"""
    assert run_basic(addin, tmp_path, body) == \
        "True:2007|False:incomplete (3 of 20 answered)|1.5:True:2036|x:True:2042"


def test_paths_cross_to_python_unchanged(addin, tmp_path):
    encoded = run_basic(addin, tmp_path, f"    out = KamHex({_vba_string(PATH)})")
    assert decode_arg(encoded) == PATH


def test_only_the_tables_tags_are_known(addin, tmp_path):
    tags = [*BUTTONS, "evil", "Rollup", "rollup'); import os; ('"]
    body = "\n".join(f'    out = out & KamNeeds("{t}") & ","' for t in tags)
    needs = run_basic(addin, tmp_path, body).split(",")[:-1]
    assert needs == [b.needs for b in BUTTONS.values()] + ["?", "?", "?"]


def test_a_failure_before_python_is_an_error_value_and_its_message_is_kept(addin, tmp_path):
    body = """
    out = KamLastFailure() & "|"
    r = KamFailed("Could not load xlwings64-0.37.8.dll", Nothing)
    out = out & IsError(r) & ":" & CLng(r) & "|" & KamLastFailure()"""
    assert run_basic(addin, tmp_path, body) == "|True:2015|Could not load xlwings64-0.37.8.dll"
