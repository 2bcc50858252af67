"""kamxl addin install / uninstall / status: Excel's start-up folder on Windows and macOS
(driven here with a stand-in home folder), and a clear word where there is no Excel."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kamxl.addin import install as inst
from kamxl.cli import main
from kamxl.errors import SetupError


def windows(tmp_path: Path) -> dict:
    return {"system": "win32", "environ": {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path)},
            "home": tmp_path}


def test_excel_folders_on_each_system(tmp_path):
    win = inst.excel_places(**windows(tmp_path))
    assert win.addin == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "kamxl.xlam"
    assert win.settings == tmp_path / ".kamxl" / "kamxl.conf" and win.scripts is None
    mac = inst.excel_places(system="darwin", environ={}, home=tmp_path)
    assert mac.startup == tmp_path / inst.MAC_OFFICE
    assert mac.settings == tmp_path / "Library/Containers/com.microsoft.Excel/Data/kamxl.conf"
    assert inst.excel_places(system="linux", environ={}, home=tmp_path) is None


def test_install_status_uninstall_on_windows(tmp_path):
    where = windows(tmp_path)
    places = inst.install(source=b"ADDIN", python=r"C:\Python311\python.exe", **where)
    assert places.addin.read_bytes() == b"ADDIN"
    assert places.settings.read_text("utf-8") == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'
    assert inst.status(fresh=b"ADDIN", **where).current is True
    stale = inst.status(fresh=b"NEWER", **where)
    assert (stale.installed, stale.current) == (True, False)
    assert "kamxl addin install" in inst.describe(stale, "en")
    assert inst.uninstall(**where) == places.addin and not places.addin.exists()
    assert inst.uninstall(**where) is None
    assert places.settings.exists(), "the settings file is the admin's too: uninstall keeps it"
    assert "not installed" in inst.describe(inst.status(**where), "en")


def test_install_keeps_the_admins_settings_for_this_python(tmp_path):
    where = windows(tmp_path)
    settings = tmp_path / ".kamxl" / "kamxl.conf"
    settings.parent.mkdir(parents=True)
    admin = '"CONDA PATH","C:\\conda"\n"CONDA ENV","kam"\n"PYTHONPATH","C:\\shared"\n'
    settings.write_text(admin, encoding="utf-8")
    inst.install(source=b"A", python=r"C:\conda\envs\kam\python.exe", **where)
    assert settings.read_text("utf-8") == admin, "the admin's conda environment is this Python: kept as it is"


def test_install_updates_settings_that_name_another_python(tmp_path):
    where = windows(tmp_path)
    settings = tmp_path / ".kamxl" / "kamxl.conf"
    settings.parent.mkdir(parents=True)
    settings.write_text('"INTERPRETER_WIN","C:\\Python39\\python.exe"\n"PYTHONPATH","C:\\shared"\n', encoding="utf-8")
    inst.install(source=b"A", python=r"C:\Python311\python.exe", **where)
    assert settings.read_text("utf-8") == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n"PYTHONPATH","C:\\shared"\n'


# --- kamxl.conf as Excel's VBA reads it: Input # in the system's ANSI code page -------------------
CHINESE_PYTHON = r"C:\Users\李伟\AppData\Local\Programs\Python\Python311\python.exe"


def vba_reads(path: Path, code_page: str) -> dict[str, str]:
    """What xlwings' GetConfigFromFile gets: the file's bytes decoded in the code page."""
    return dict(inst.read_settings(path.read_bytes(), code_page))


def test_a_chinese_user_name_is_read_back_by_vba_on_chinese_windows(tmp_path):
    conf = tmp_path / "kamxl.conf"
    assert inst.write_settings(conf, system="win32", python=CHINESE_PYTHON, environ={}, encoding="cp936",
                               short_path=lambda p: None) == "written"
    assert vba_reads(conf, "cp936") == {"INTERPRETER_WIN": CHINESE_PYTHON}


def test_a_western_path_is_read_back_by_vba_on_western_windows(tmp_path):
    conf, python = tmp_path / "kamxl.conf", r"C:\Users\José Müller\AppData\Local\Programs\Python\Python311\python.exe"
    inst.write_settings(conf, system="win32", python=python, environ={}, encoding="cp1252", short_path=lambda p: None)
    assert vba_reads(conf, "cp1252") == {"INTERPRETER_WIN": python}


def test_a_path_the_code_page_cannot_hold_is_shortened_or_refused(tmp_path):
    conf = tmp_path / "kamxl.conf"
    short = r"C:\Users\5F7E~1\AppData\Local\Programs\Python\Python311\python.exe"
    inst.write_settings(conf, system="win32", python=CHINESE_PYTHON, environ={}, encoding="cp1252",
                        short_path={CHINESE_PYTHON: short}.get)
    assert vba_reads(conf, "cp1252") == {"INTERPRETER_WIN": short}
    with pytest.raises(SetupError) as caught:
        inst.write_settings(tmp_path / "other.conf", system="win32", python=CHINESE_PYTHON, environ={},
                            encoding="cp1252", short_path=lambda p: None)
    assert CHINESE_PYTHON in caught.value.message("en") and "cp1252" in caught.value.message("en")
    assert CHINESE_PYTHON in caught.value.message("zh") and "代码页" in caught.value.message("zh")
    assert not (tmp_path / "other.conf").exists()


def test_a_utf8_conf_from_an_earlier_kamxl_is_rewritten_in_the_code_page(tmp_path):
    conf = tmp_path / "kamxl.conf"
    conf.write_text(f'"INTERPRETER_WIN","{CHINESE_PYTHON}"\n', encoding="utf-8")
    assert vba_reads(conf, "cp936") != {"INTERPRETER_WIN": CHINESE_PYTHON}, "VBA reads 鏉庝紵 for 李伟"
    assert inst.write_settings(conf, system="win32", python=CHINESE_PYTHON, environ={}, encoding="cp936") == "updated"
    assert vba_reads(conf, "cp936") == {"INTERPRETER_WIN": CHINESE_PYTHON}
    assert inst.write_settings(conf, system="win32", python=CHINESE_PYTHON, environ={}, encoding="cp936") == "kept"


def test_the_code_page_is_windows_ansi_code_page_or_the_locales():
    import locale

    assert inst.conf_encoding("linux") == locale.getpreferredencoding(False)
    assert inst.conf_encoding("win32") in ("mbcs", locale.getpreferredencoding(False))


def test_install_on_macos_adds_runpythons_applescript(tmp_path):
    places = inst.install(source=b"A", system="darwin", environ={}, home=tmp_path, python="/usr/bin/python3")
    assert places.settings.read_text("utf-8") == '"INTERPRETER_MAC","/usr/bin/python3"\n'
    assert sorted(p.name for p in places.scripts.iterdir()) == ["kamxl.applescript", "xlwings-0.37.8.applescript"]


def test_install_builds_the_add_in_by_default(tmp_path):
    places = inst.install(**windows(tmp_path))
    assert places.addin.read_bytes()[:2] == b"PK"
    assert inst.status(**windows(tmp_path)).current is True


def test_without_excel_install_says_so_and_where_the_file_is(tmp_path):
    with pytest.raises(SetupError) as caught:
        inst.install(source=b"A", system="linux", environ={}, home=tmp_path, built=tmp_path / "kamxl.xlam")
    message = caught.value.message("en")
    assert "Excel is not present" in message and str(tmp_path / "kamxl.xlam") in message
    assert "没有 Excel" in caught.value.message("zh")
    assert "Excel is not present" in inst.describe(inst.status(system="linux", environ={}, home=tmp_path), "en")


@pytest.mark.skipif(inst.excel_places() is not None, reason="this machine could have Excel")
def test_cli_on_a_machine_without_excel():
    runner = CliRunner()
    result = runner.invoke(main, ["addin", "install", "--lang", "en"])
    assert result.exit_code == 2 and "Excel is not present" in result.output and "kamxl.xlam" in result.output
    result = runner.invoke(main, ["addin", "status", "--lang", "zh"])
    assert result.exit_code == 0 and "没有 Excel" in result.output and "kamxl.xlam" in result.output
    assert runner.invoke(main, ["addin", "uninstall"]).exit_code == 2


def test_a_missing_file_to_install_is_named(tmp_path):
    with pytest.raises(SetupError) as caught:
        inst.install(source=tmp_path / "nope.xlam", **windows(tmp_path))
    assert "nope.xlam" in caught.value.message("en")


def test_status_says_when_the_add_in_file_does_not_exist(tmp_path, monkeypatch):
    """Issue 16 item 6: `addin status` named workbooks/kamxl.xlam even where there is none."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for lang, missing, build in (("en", "does not exist", "kamxl addin build"), ("zh", "不存在", "kamxl addin build")):
        result = runner.invoke(main, ["addin", "status", "--lang", lang])
        assert result.exit_code == 0, result.output
        assert missing in result.output and build in result.output
        assert str(tmp_path / "workbooks" / "kamxl.xlam") in result.output
    (tmp_path / "workbooks").mkdir()
    (tmp_path / "workbooks" / "kamxl.xlam").write_bytes(b"PK")
    result = runner.invoke(main, ["addin", "status", "--lang", "en"])
    assert "does not exist" not in result.output and str(tmp_path / "workbooks" / "kamxl.xlam") in result.output
