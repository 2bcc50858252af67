"""Start-up of the command line: validating a file imports only what validating needs —
not openpyxl (and its numpy), not XlsxWriter or the roll-up's writers, not pebble's pool for
one file, not importlib.metadata — and column letters (kamxl.io.a1) read as openpyxl's; the
shortcuts taken for it (formulas prepared, the package read once) give what the long way gives."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from kamxl.io.a1 import column_index, column_letter

HEAVY = ("openpyxl", "numpy", "pandas", "xlwings", "xlsxwriter", "pebble", "asyncio", "importlib.metadata",
         "kamxl.templates.builder", "kamxl.rollup.output")


def test_column_letters_are_openpyxls():
    for index in range(1, 18_279):
        letters = get_column_letter(index)
        assert column_letter(index) == letters
        assert column_index(letters) == column_index(letters.lower()) == column_index_from_string(letters) == index
    for bad in (0, 18_279, -1):
        with pytest.raises(ValueError):
            column_letter(bad)
    for bad in ("", "AAAA", "A1", "Ä", "1"):
        with pytest.raises(ValueError):
            column_index(bad)


@pytest.mark.parametrize("name", ["funnel", "forecast", "account-plan", "register"])
def test_validating_one_file_imports_only_what_validating_needs(tmp_path, name):
    from kamxl.templates import write_template

    path = write_template(name, tmp_path / f"{name}.en.xlsx", lang="en", filled=True)
    script = ("import json, sys\n"
              "from kamxl.cli import main\n"
              "try:\n"
              f"    main(['validate', {str(path)!r}, '-q'], standalone_mode=False)\n"
              "except SystemExit:\n"
              "    pass\n"
              f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "Validation summary" in done.stdout
    assert [m for m in loaded if m in HEAVY or m.startswith(tuple(h + "." for h in HEAVY))] == []


def test_formulas_are_prepared_as_xlsxwriter_prepares_them(tmp_path, monkeypatch):
    """The builder skips XlsxWriter's ~150 future-function patterns for a formula calling none
    of those functions: every formula of every template, both editions, comes out the same."""
    from xlsxwriter.worksheet import Worksheet

    from kamxl.templates import builder, write_template

    seen: list[str] = []
    fast = builder._Worksheet._prepare_formula

    def both(self, formula, expand_future_functions=False):
        seen.append(formula)
        ours = fast(self, formula, expand_future_functions)
        assert ours == Worksheet._prepare_formula(self, formula, expand_future_functions), formula
        return ours

    monkeypatch.setattr(builder._Worksheet, "_prepare_formula", both)
    for name in ("funnel", "forecast", "account-plan", "register"):
        for edition in builder.EDITIONS:
            write_template(name, tmp_path / f"{name}-{edition}.xlsx", lang="zh", filled=True, edition=edition)
    assert len(set(seen)) > 100
    ws = builder._Worksheet()
    for formula in ("=XLOOKUP(A1,B:B,C:C)", "=SUM(A1:A3)+SORT(B1:B3)", "{=UNIQUE(A1:A9)}", "=X.SORT(A1)",
                    "=_xlfn.SINGLE(A1)", "=SINGLE(A1)", '="FILTER("&A1', "=IF(A1,1,0)"):
        assert fast(ws, formula) == Worksheet._prepare_formula(ws, formula), formula


@pytest.mark.parametrize("name", ["funnel", "forecast", "account-plan", "register"])
def test_the_structure_read_from_the_intakes_bytes_is_the_files(tmp_path, name):
    """Validation opens a package once: the structure read from what the intake saw equals the
    structure read from the file itself."""
    from kamxl.io.intake import check_input
    from kamxl.io.structure import read_structure
    from kamxl.templates import write_template

    path = write_template(name, tmp_path / f"{name}.xlsx", lang="en", filled=True, edition="portable")
    package = check_input(path)
    assert package.raw is not None
    assert read_structure(path, package=package) == read_structure(path)
    columns = {"Opportunities": frozenset({"A", "P"})}
    assert read_structure(path, columns=columns, package=package) == read_structure(path, columns=columns)


@pytest.mark.parametrize("future", [False, True])
def test_every_function_xlsxwriter_renames_is_renamed_alike(future):
    """Each name XlsxWriter's patterns look for (STDEV.S, NORM.DIST, XLOOKUP, …), called alone
    and inside another call, comes out of the builder's worksheet as out of XlsxWriter's."""
    import inspect
    import re

    from xlsxwriter.worksheet import Worksheet

    from kamxl.templates import builder

    source = inspect.getsource(Worksheet._prepare_formula)   # its patterns: r"\bSTDEV\.S\(" …
    names = {n.replace("\\", "") for n in re.findall(r'"\\b([A-Z][A-Z0-9.\\]*)\\\(', source)}
    assert {"STDEV.S", "XLOOKUP", "NORM.DIST", "FILTER"} <= names and len(names) > 100
    ws = builder._Worksheet()
    ws.use_future_functions = future
    for name in sorted(names):
        for formula in (f"={name}(A1)", f"=IF(A1,{name}(B1:B3),1)+{name}(C1)"):
            assert builder._Worksheet._prepare_formula(ws, formula) == Worksheet._prepare_formula(ws, formula), formula
