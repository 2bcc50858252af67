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


# --- conda: the keys xlwings' config create writes ------------------------------------------------
CONDA = r"C:\Users\li.wei\miniconda3"


@pytest.mark.parametrize(("python", "environ", "expected"), [
    (CONDA + r"\envs\kam\python.exe", {"CONDA_PREFIX": CONDA + r"\envs\kam", "CONDA_EXE": CONDA + r"\Scripts\conda.exe"},
     [("CONDA PATH", CONDA), ("CONDA ENV", "kam")]),
    (CONDA + r"\python.exe", {"CONDA_PREFIX": CONDA, "CONDA_EXE": CONDA + r"\Scripts\conda.exe"},
     [("CONDA PATH", CONDA), ("CONDA ENV", "base")]),
    (r"D:\envs\kam\python.exe", {"CONDA_PREFIX": r"D:\envs\kam", "CONDA_EXE": CONDA + r"\Scripts\conda.exe"},
     [("CONDA PATH", CONDA), ("CONDA ENV", r"D:\envs\kam")]),
    (r"C:\Python311\python.exe", {"CONDA_PREFIX": CONDA, "CONDA_EXE": CONDA + r"\Scripts\conda.exe"},
     [("INTERPRETER_WIN", r"C:\Python311\python.exe")]),
])
def test_a_conda_python_gets_xlwings_conda_keys(tmp_path, python, environ, expected):
    conf = tmp_path / "kamxl.conf"
    inst.write_settings(conf, system="win32", python=python, environ=environ, encoding="cp1252")
    assert inst.read_settings(conf.read_bytes(), "cp1252") == expected
    assert inst.configured_python(expected, "win32").casefold() == python.casefold()


def test_conda_is_detected_by_its_conda_meta_folder_too():
    python = CONDA + r"\envs\kam\python.exe"
    seen = lambda path: path.name == "conda-meta"  # noqa: E731
    assert inst.settings_lines(system="win32", python=python, environ={}, exists=seen) == [
        ("CONDA PATH", CONDA), ("CONDA ENV", "kam")]
    assert inst.settings_lines(system="win32", python=python, environ={}, exists=lambda p: False) == [
        ("INTERPRETER_WIN", python)]


# --- the DLL: where pip puts it (the Windows wheel's RECORD, as pip rewrites it on install) -------
# xlwings-0.37.8-cp311-cp311-win_amd64.whl holds xlwings-0.37.8.data/data/xlwings{64,32}-0.37.8.dll;
# pip installs data files into the scheme's data folder and records them relative to site-packages:
WINDOWS_RECORD = ["../../xlwings32-0.37.8.dll,sha256=2ulusNBrlOB84ZdVLIhS6rDP35a7D8HoncNCZCRpJNE,308224",
                  "../../xlwings64-0.37.8.dll,sha256=l4Xpxdvp05p6WuKQWxTF_HRHL_IpKa3TwV1axxh-vCQ,362496",
                  "xlwings/__init__.py,sha256=FIFZc19hZuevu7VZrTzJ-f9hPtctFaMgdmkwlq-2MAk,14831"]


def test_the_dll_of_a_per_user_install_is_not_where_the_add_in_looks():
    from kamxl.addin import doctor

    place = doctor.dll_place(r"C:\Program Files\Python311\python.exe",
                             r"C:\Users\li\AppData\Roaming\Python\Python311\site-packages", WINDOWS_RECORD, "0.37.8")
    assert place.folder == r"C:\Users\li\AppData\Roaming\Python" and not place.found
    assert place.looks == (r"C:\Program Files\Python311", r"C:\Program Files")
    venv = doctor.dll_place(r"C:\kam\venv\Scripts\python.exe", r"C:\kam\venv\Lib\site-packages", WINDOWS_RECORD, "0.37.8")
    assert venv.folder == r"C:\kam\venv" and venv.found
    system = doctor.dll_place(r"C:\Python311\python.exe", r"C:\Python311\Lib\site-packages", WINDOWS_RECORD, "0.37.8")
    assert system.folder == r"C:\Python311" and system.found


def test_the_dll_check_reads_the_record_and_names_the_fix():
    from kamxl.addin import doctor

    user = (Path(r"C:\Users\li\AppData\Roaming\Python\Python311\site-packages"), WINDOWS_RECORD)
    check = doctor.check_dll(r"C:\Program Files\Python311\python.exe", system="win32", version="0.37.8", record=user)
    assert check.ok is False and "venv" in check.line("en") and r"AppData\Roaming\Python" in check.line("en")
    assert "虚拟环境" in check.line("zh")
    venv = (Path(r"C:\kam\venv\Lib\site-packages"), WINDOWS_RECORD)
    assert doctor.check_dll(r"C:\kam\venv\Scripts\python.exe", system="win32", version="0.37.8", record=venv).ok


@pytest.mark.parametrize(("scheme", "ok"), [("user", False), ("venv", True), ("system", True), ("conda", True)])
def test_off_windows_the_dll_is_worked_out_for_this_kind_of_install(scheme, ok):
    from kamxl.addin import doctor

    linux = (Path("/x/site-packages"), ["xlwings/__init__.py,sha256=x,1"])       # a Linux wheel: no DLL
    check = doctor.check_dll(sys.executable, system="linux", version="0.37.8", record=linux, scheme=scheme)
    assert check.ok is ok and "on Windows" in check.line("en")


# --- kamxl addin doctor ---------------------------------------------------------------------------
def windows(tmp_path: Path) -> dict:
    return {"system": "win32", "environ": {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path)},
            "home": tmp_path}


@pytest.mark.skipif(inst.excel_places() is not None, reason="this machine could have Excel")
def test_doctor_on_this_machine_says_excel_is_absent_and_checks_the_rest():
    from click.testing import CliRunner

    from kamxl.cli import main

    result = CliRunner().invoke(main, ["addin", "doctor", "--lang", "en"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0].startswith("·") and "Excel is not present" in lines[0]
    for said in ("interpreter runs", "xlwings 0.37.8", "xlwings64-0.37.8.dll: on Windows", "kamxl.conf would be written",
                 f"UDF module {build.UDF_MODULE} imports"):
        assert any(said in line and line.startswith("✓") for line in lines), said
    zh = CliRunner().invoke(main, ["addin", "doctor", "--lang", "zh"])
    assert zh.exit_code == 0 and "没有 Excel" in zh.output and "可导入" in zh.output


def test_doctor_exits_1_and_names_the_fix_when_a_check_fails(monkeypatch):
    from click.testing import CliRunner

    from kamxl.addin import doctor
    from kamxl.cli import main

    real = doctor.check_xlwings
    monkeypatch.setattr(doctor, "check_xlwings", lambda: real("0.36.1"))
    result = CliRunner().invoke(main, ["addin", "doctor", "--lang", "en"])
    assert result.exit_code == 1
    assert "✗ xlwings is 0.36.1, the add-in needs 0.37.8 (fix: pip install xlwings==0.37.8)" in result.output


def test_doctor_reads_kamxl_conf_as_vba_would(tmp_path):
    from kamxl.addin import doctor

    conf, python = tmp_path / "kamxl.conf", r"C:\Users\李伟\AppData\Local\Programs\Python\Python311\python.exe"
    assert doctor.check_conf(conf, python, system="win32", environ={}, encoding="cp936").ok is False  # missing
    conf.write_text(f'"INTERPRETER_WIN","{python}"\n', encoding="utf-8")                          # kamxl 1.x
    wrong = doctor.check_conf(conf, python, system="win32", environ={}, encoding="cp936")
    assert wrong.ok is False and "run kamxl addin install" in wrong.line("en")
    inst.write_settings(conf, system="win32", python=python, environ={}, encoding="cp936")
    assert doctor.check_conf(conf, python, system="win32", environ={}, encoding="cp936").ok is True
    unheld = doctor.check_conf(None, python, system="win32", environ={}, encoding="cp1252")
    assert unheld.ok is False and "cp1252" in unheld.line("en") and "代码页" in unheld.line("zh")


def test_doctor_on_a_stand_in_windows_uses_the_interpreter_kamxl_conf_names(tmp_path):
    from kamxl.addin import doctor

    ran = []

    def run(command, **_):
        ran.append(command[0])
        raise FileNotFoundError(command[0])

    checks = doctor.diagnose(python=r"C:\Python311\python.exe", run=run, **windows(tmp_path))
    by_key = {c.key: c for c in checks}
    assert "excel" not in by_key and ran == [r"C:\Python311\python.exe"]
    assert by_key["python"].ok is False and by_key["conf"].ok is False      # no kamxl.conf yet
    assert "kamxl addin install" in by_key["conf"].line("en")


def test_install_refuses_a_setup_that_cannot_work_and_writes_nothing(tmp_path):
    from kamxl.addin import doctor
    from kamxl.errors import SetupError

    user = (Path(r"C:\Users\li\AppData\Roaming\Python\Python311\site-packages"), WINDOWS_RECORD)
    bad = lambda: [doctor.check_xlwings(), doctor.check_dll(r"C:\Program Files\Python311\python.exe",  # noqa: E731
                                                            system="win32", version="0.37.8", record=user)]
    with pytest.raises(SetupError) as caught:
        inst.install(source=b"A", checks=bad, **windows(tmp_path))
    assert "cannot work" in caught.value.message("en") and r"AppData\Roaming\Python" in caught.value.message("en")
    assert "无法工作" in caught.value.message("zh") and "xlwings 0.37.8" not in caught.value.message("en")
    assert not (tmp_path / "Roaming").exists() and not (tmp_path / ".kamxl").exists()
    places = inst.install(source=b"A", checks=lambda: [doctor.check_xlwings()], **windows(tmp_path))
    assert places.addin.read_bytes() == b"A"
