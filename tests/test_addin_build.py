"""The add-in as built: reproducible to the byte, committed copy current, and read back by
readers that are not ours (oletools' olevba for the VBA, LibreOffice for the whole file):
every ribbon button's callback and Tag, one wrapper per KAM_* function, the xlwings
configuration sheet and the texts the VBA reads."""
from __future__ import annotations

import inspect
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser

from kamxl.addin import build
from kamxl.cli import main
from kamxl.excel import macros
from tests.libreoffice import LibreOfficeError, convert, soffice_available
from kamxl.excel.udfs import CATEGORY, FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbooks" / "kamxl.xlam"
UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
MODULES = {"ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "KamStrings", "KamErrors", "KamRibbon", "KamFunctions",
           "KamTags"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("addin") / "kamxl.xlam"
    result = CliRunner().invoke(main, ["addin", "build", "-o", str(path)], catch_exceptions=False)
    assert result.exit_code == 0 and path.is_file()
    return path


@pytest.fixture(scope="module")
def vba(built) -> dict[str, str]:
    """Every VBA module's source as olevba reads it, by module name."""
    parser = VBA_Parser(str(built))
    try:
        return {Path(name).stem: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_all_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def ribbon(built) -> ElementTree.Element:
    with zipfile.ZipFile(built) as z:
        return ElementTree.fromstring(z.read("customUI/customUI.xml"))


def _buttons(ui: ElementTree.Element) -> list[ElementTree.Element]:
    return list(ui.iter(f"{UI}button"))


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "again.xlam"
    assert CliRunner().invoke(main, ["addin", "build", "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == built.read_bytes()
    with zipfile.ZipFile(built) as z:
        assert {i.date_time for i in z.infolist()} == {build.ZIP_DATE}


def test_committed_addin_is_a_fresh_build(built):
    with zipfile.ZipFile(COMMITTED) as old, zipfile.ZipFile(built) as new:
        assert old.namelist() == new.namelist(), "run `kamxl addin build` and commit workbooks/kamxl.xlam"
        drifted = [name for name in new.namelist() if old.read(name) != new.read(name)]
    assert drifted == [], "these parts differ: run `kamxl addin build` and commit workbooks/kamxl.xlam"
    assert COMMITTED.read_bytes() == built.read_bytes()


def test_olevba_finds_our_modules_and_xlwings_set_up_for_kamxl(vba):
    assert set(vba) == MODULES
    assert 'Public Const PROJECT_NAME As String = "kamxl"' in vba["xlwings"]
    assert f"'Version: {build.XLWINGS_VERSION}" in vba["xlwings"]
    assert "KamRegisterFunctions" in vba["ThisWorkbook"] and "Sub Workbook_Open()" in vba["ThisWorkbook"]


def _procedures(code: str) -> dict[str, str]:
    """Procedure name -> its parameter list, for every Sub and Function of a module."""
    return dict(re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(([^)]*)\)", code, re.M))


def test_every_ribbon_callback_is_a_sub_of_the_add_in(ribbon, vba):
    callbacks = {(attr, value) for element in ribbon.iter() for attr, value in element.attrib.items()
                 if attr in ("onAction", "getLabel", "getSupertip", "getScreentip")}
    assert {attr for attr, _ in callbacks} == {"onAction", "getLabel", "getSupertip"}
    for attr, value in callbacks:
        module, procedure = value.split(".")
        params = _procedures(vba[module]).get(procedure)
        assert params is not None, value
        assert params.startswith("control As IRibbonControl")
        assert ("ByRef returnedVal" in params) == attr.startswith("get"), value
    for button in _buttons(ribbon):
        assert button.get("onAction") == "KamRibbon.OnAction", button.get("id")


def test_every_button_has_a_tag_the_vba_knows_and_a_python_macro(ribbon, vba):
    tags = [b.get("tag") for b in _buttons(ribbon)]
    assert len(tags) == len(set(tags)) and None not in tags
    assert sorted(tags) == sorted(macros.BUTTONS), "customUI.xml and BUTTONS list the same buttons"
    known = dict(re.findall(r'Case "(\w+)": KamNeeds = "(\w*)"', vba["KamTags"]))
    assert known == {tag: b.needs for tag, b in macros.BUTTONS.items()}
    for tag in tags:
        macro = macros.BUTTONS[tag].macro
        target = getattr(macro, "func", macro)       # the New buttons: one function, two keywords
        assert inspect.isfunction(target) and target.__module__ == "kamxl.excel.macros", tag
        assert getattr(macros, target.__name__) is target
    assert re.search(r"If need = \"\?\" Then Exit Sub", vba["KamRibbon"]), "an unknown Tag never reaches Python"


def test_one_wrapper_per_kam_function_with_its_arguments(vba):
    code = vba["KamFunctions"]
    wrappers = dict(re.findall(r"^Function (KAM_\w+)\(([^)]*)\)$", code, re.M))
    assert set(wrappers) == set(FUNCTIONS)
    for name, fn in FUNCTIONS.items():
        meta = fn.kam
        expected = [("Optional " if arg in meta.optional else "") + arg.rstrip("_") for arg, _ in meta.args]
        assert wrappers[name].split(", ") == expected, name
        plain = ", ".join(arg.rstrip("_") for arg, _ in meta.args)
        assert (f'{name} = KamResult(XLPy.CallUDF("{build.UDF_MODULE}", "{name}", Array({plain}), ActiveWorkbook, '
                "Application.Caller), Application.Caller)") in code or name == "KAM_WHY"
        assert f'KamDescribe "{name}", {len(meta.args)}' in code
    assert "KamReasonOf(value, answer)" in code
    assert f'Category:="{CATEGORY}"' in code


def test_config_sheet_sets_the_udf_module_and_holds_every_text(built):
    with zipfile.ZipFile(built) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        names = z.namelist()
    assert [s.get("name") for s in book.iter(f"{MAIN}sheet")] == ["kamxl.conf"]
    assert b"felix" not in Path(built).read_bytes().lower()
    cells = {c.get("r"): "".join(t.text or "" for t in c.iter(f"{MAIN}t")) for c in sheet.iter(f"{MAIN}c")}
    assert (cells["A1"], cells["B1"]) == ("UDF Modules", "kamxl.excel.udfs") and "A2" not in cells
    keys = {cells[f"D{r}"]: (cells.get(f"E{r}"), cells.get(f"F{r}")) for r in range(2, 400) if f"D{r}" in cells}
    for tag in macros.BUTTONS:
        assert keys[f"label.{tag}"] == (macros.BUTTONS[tag].label.zh, macros.BUTTONS[tag].label.en)
        assert f"tip.{tag}" in keys
    for control in macros.CONTROLS:
        assert f"label.{control}" in keys
    for name, fn in FUNCTIONS.items():
        assert keys[f"fn.{name}"][1] in fn.kam.doc
        for i, _ in enumerate(fn.kam.args, start=1):
            assert all(0 < len(t.encode("utf-16-le")) // 2 <= 255 for t in keys[f"arg.{name}.{i}"])
    assert "xl/sharedStrings.xml" not in names


def test_every_control_label_has_a_text(ribbon):
    ids = [e.get("id") for e in ribbon.iter() if e.get("getLabel")]
    texts = {key for key, _, _ in build.texts()}
    assert [i for i in ids if f"label.{i}" not in texts] == []


def test_our_vba_is_ascii_and_names_no_module_as_a_procedure(vba):
    procedures = {p.casefold() for name in MODULES - {"xlwings", "Dictionary"} for p in _procedures(vba[name])}
    assert procedures.isdisjoint(m.casefold() for m in MODULES)
    for name in MODULES - {"Dictionary", "xlwings"}:
        assert vba[name].isascii(), name


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_loads_the_add_in_and_lists_its_modules(built, vba, tmp_path):
    try:
        ods = convert(built, tmp_path, "ods", recalc=False, infilter="Calc MS Excel 2007 VBA XML")
    except LibreOfficeError as exc:  # pragma: no cover - shows soffice's own words
        pytest.fail(str(exc))
    with zipfile.ZipFile(ods) as z:
        library = ElementTree.fromstring(z.read("Basic/kamxl/script-lb.xml"))
        listed = {e.get("{http://openoffice.org/2000/library}name") for e in library}
        functions = z.read("Basic/kamxl/KamFunctions.xml").decode("utf-8")
        content = z.read("content.xml").decode("utf-8")
    assert listed == set(vba)
    assert all(f"Function {name}(" in functions for name in FUNCTIONS)
    assert "kamxl.conf" in content and "kamxl.excel.udfs" in content


def test_build_refuses_another_xlwings(monkeypatch):
    from kamxl.errors import SetupError

    monkeypatch.setattr(build, "version", lambda name: "0.1.0")
    with pytest.raises(SetupError) as caught:
        build.template_bytes()
    assert build.XLWINGS_VERSION in caught.value.message("en")


def test_project_is_renamed_in_both_places(built):
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import decompress

    with zipfile.ZipFile(built) as z:
        cfb = CFB.from_bytes(z.read("xl/vbaProject.bin"))
    assert b'Name="kamxl"' in cfb.get_stream("PROJECT")
    raw = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    at = build._record(raw, 0x0004)
    assert raw[at + 6:at + 11] == b"kamxl" and int.from_bytes(raw[at + 2:at + 6], "little") == 5


def test_package_keeps_the_part_order_and_fixes_the_zip_attributes():
    parts = {"b.xml": b"<b/>", "a.xml": b"<a/>"}
    assert build.package(parts) == build.package(dict(parts))
    with zipfile.ZipFile(io.BytesIO(build.package(parts))) as z:
        assert z.namelist() == ["b.xml", "a.xml"]
        assert {(i.create_system, i.external_attr) for i in z.infolist()} == {(0, 0o600 << 16)}


def test_sources_ship_with_the_package():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]["kamxl"]
    shipped = {p.name for pattern in data if pattern.startswith("addin/")
               for p in (ROOT / "kamxl").glob(pattern)}
    assert shipped == {p.name for p in build.SRC.iterdir() if p.is_file()}
