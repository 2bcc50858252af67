"""What the add-in needs on a rep's machine, checked without Excel: the UDF module the
wrappers call cannot be shadowed, the DLL is where the add-in looks, conda is written as
xlwings writes it, and ``kamxl addin doctor`` says all of it, one line per check."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kamxl.addin import build
from kamxl.addin import install as inst


# --- the UDF module: a rep's udfs.py or udfs/ beside the workbook does not shadow it ------------
@pytest.mark.parametrize("own", ["udfs.py", "udfs/__init__.py"])
def test_a_reps_own_udfs_beside_the_workbook_does_not_shadow_the_functions(tmp_path, own):
    (tmp_path / own).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / own).write_text("def mine():\n    return 1\n", encoding="utf-8")
    # xlwings puts the workbook's folder first on sys.path, then imports the UDF Modules
    probe = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import importlib; "
             f"m = importlib.import_module({build.UDF_MODULE!r}); print(m.KAM_SCORE.__name__)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "KAM_SCORE", result.stderr


def test_the_wrappers_and_the_config_sheet_name_the_module_inside_kamxl():
    from kamxl.excel.udfs import FUNCTIONS

    assert build.UDF_MODULE.startswith("kamxl.") and dict(build.CONFIG)["UDF Modules"] == build.UDF_MODULE
    assert {fn.__module__ for fn in FUNCTIONS.values()} == {build.UDF_MODULE}
    assert f'XLPy.CallUDF("{build.UDF_MODULE}", "KAM_SCORE"' in build.modules()["KamFunctions"]


def test_udfs_kam_still_offers_every_function_for_older_workbooks():
    import udfs.kam as old
    from kamxl.excel import udfs as new

    assert old.FUNCTIONS is new.FUNCTIONS
    assert all(getattr(old, name) is fn for name, fn in new.FUNCTIONS.items())
