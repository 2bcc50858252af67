"""The LibreOffice harness really recalculates, keeps cached values on request, renders
pages, and never touches the source workbook."""
from __future__ import annotations

import os

import hashlib
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.libreoffice import (
    LibreOfficeError,
    cached_values,
    convert,
    recalculated_errors,
    recalculated_values,
    registry_xml,
    render_pngs,
    soffice_available,
)

pytestmark = pytest.mark.skipif(  # never skipped in CI, which installs LibreOffice
    not soffice_available() and not os.environ.get("CI"),
    reason="LibreOffice is not installed (no soffice on PATH; Debian: apt-get install libreoffice-calc-nogui)",
)

ERROR_TEXTS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def formulas_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openpyxl writes formulas with no cached results at all."""
    path = tmp_path_factory.mktemp("src") / "formulas.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3.5
    ws["B1"] = "=SUM(A1:A3)"
    ws["B2"] = "=1/0"
    ws["B3"] = "=KAM_SCORE(A1:A20)"
    ws["B4"] = '="#N/A"'  # text that only looks like an error
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def recalculated(formulas_xlsx: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, object]]:
    before = sha256(formulas_xlsx)
    work = tmp_path_factory.mktemp("work")
    errors = recalculated_errors(formulas_xlsx, work)
    assert sha256(formulas_xlsx) == before
    values = recalculated_values(formulas_xlsx, work)
    assert sha256(formulas_xlsx) == before
    return errors, values


def test_division_by_zero_is_an_error_after_recalc(recalculated: tuple[dict[str, str], dict[str, object]]) -> None:
    errors, _ = recalculated
    assert errors["Data!B2"] == "#DIV/0!"


def test_sum_is_computed_although_openpyxl_wrote_no_cached_value(
    formulas_xlsx: Path, recalculated: tuple[dict[str, str], dict[str, object]]
) -> None:
    assert openpyxl.load_workbook(formulas_xlsx, data_only=True)["Data"]["B1"].value is None
    _, values = recalculated
    assert values["Data!B1"] == pytest.approx(6.5)


def test_unknown_function_is_an_error_after_recalc(recalculated: tuple[dict[str, str], dict[str, object]]) -> None:
    errors, _ = recalculated
    assert errors["Data!B3"] in ERROR_TEXTS  # #NAME? in LibreOffice 7.4


def test_only_error_cells_are_reported(recalculated: tuple[dict[str, str], dict[str, object]]) -> None:
    errors, values = recalculated
    assert set(errors) == {"Data!B2", "Data!B3"}
    assert values["Data!B4"] == "#N/A"  # a text result, not an error


def test_cached_value_is_kept_without_recalc_and_replaced_with_it(tmp_path: Path) -> None:
    import xlsxwriter  # writes cached results, as Excel does

    source = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(str(source))
    wb.add_worksheet("S").write_formula("A1", "=KAM_SCORE(B1:B20)", None, 12)
    wb.close()
    before = sha256(source)

    kept = cached_values(convert(source, tmp_path / "never", "xlsx", recalc=False))
    assert sha256(source) == before
    assert kept["S!A1"] == 12

    recalculated = recalculated_errors(source, tmp_path / "always")
    assert sha256(source) == before
    assert recalculated["S!A1"] in ERROR_TEXTS


def test_render_pngs(formulas_xlsx: Path, tmp_path: Path) -> None:
    before = sha256(formulas_xlsx)
    pages = render_pngs(formulas_xlsx, tmp_path / "png", first_pages=1)
    assert sha256(formulas_xlsx) == before
    assert len(pages) == 1
    assert pages[0].name.startswith("formulas-")
    assert pages[0].stat().st_size > 0
    assert pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unreadable_source_raises_with_libreoffice_output(tmp_path: Path) -> None:
    source = tmp_path / "garbage.xlsx"
    source.write_bytes(b"not a workbook")
    with pytest.raises(LibreOfficeError, match="could not be loaded"):
        convert(source, tmp_path / "out", "xlsx", recalc=True)
    assert source.read_bytes() == b"not a workbook"


def test_refuses_to_convert_over_the_source(formulas_xlsx: Path) -> None:
    with pytest.raises(ValueError, match="overwrite"):
        convert(formulas_xlsx, formulas_xlsx.parent, "xlsx", recalc=True)


@pytest.mark.parametrize(("recalc", "mode"), [(True, "0"), (False, "1")])
def test_registry_sets_both_recalc_modes(recalc: bool, mode: str) -> None:
    oor = "{http://openoffice.org/2001/registry}"
    root = ElementTree.fromstring(registry_xml(recalc))
    props = {
        prop.get(f"{oor}name"): prop.findtext("value")
        for item in root
        if item.get(f"{oor}path") == "/org.openoffice.Office.Calc/Formula/Load"
        for prop in item
    }
    assert props == {"OOXMLRecalcMode": mode, "ODFRecalcMode": mode}
