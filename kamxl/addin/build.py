"""``kamxl addin build``: workbooks/kamxl.xlam from text sources, byte for byte the same
every time.

What goes in
    * xlwings' own BSD add-in template, ``quickstart_addin_ribbon.xlam`` in the installed
      xlwings package: the workbook skeleton (theme, styles), the VBA project container
      with its references (Office, for the ribbon), and xlwings' VBA modules (``xlwings``:
      RunPython and the UDF bridge, whose DLL names carry the xlwings version; the Mac's
      ``Dictionary``). The build refuses any xlwings but :data:`XLWINGS_VERSION`, the one
      ``pyproject.toml`` pins, because those VBA modules must match the xlwings the reps
      run.
    * ``kamxl/addin/src/``: the ribbon (``customUI.xml``) and our VBA modules as ``.bas``
      text (ribbon callbacks, error conversion, texts, ThisWorkbook's Workbook_Open).
    * Generated from the Python tables (:mod:`kamxl.addin.vba`): a VBA wrapper for every
      ``KAM_*`` function of ``kamxl/excel/udfs.py``, the list of ribbon Tags, and the texts.
    * The xlwings configuration sheet ``kamxl.conf``: *UDF Modules* = ``kamxl.excel.udfs``. The
      per-machine settings (interpreter, conda) are left to the admin: an entry on this
      sheet would override every rep's own ``kamxl.conf`` file (docs/addin.md).

How it stays reproducible
    pyopenvba rewrites the VBA project (it drops the compiled p-code so Excel compiles the
    new source, and adds no timestamps; the template's are fixed). The package is then
    written here: fixed part order, fixed zip dates and attributes, document properties
    with a fixed date, inline strings instead of a shared-strings table.
"""
from __future__ import annotations

import importlib.util
import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from kamxl.errors import SetupError
from kamxl.i18n import Text
from kamxl.io.atomic import atomic_path

XLWINGS_VERSION = "0.37.8"
TEMPLATE = "quickstart_addin_ribbon.xlam"
SRC = Path(__file__).resolve().parent / "src"
ADDIN = Path("workbooks") / "kamxl.xlam"
PROJECT = "kamxl"              # VBA project name, xlwings' PROJECT_NAME, the config sheet's kamxl.conf
CONF_SHEET = f"{PROJECT}.conf"
OUR_MODULES = ("KamStrings", "KamErrors", "KamRibbon")      # src/*.bas, committed
GENERATED_MODULES = ("KamFunctions", "KamTags")               # from kamxl/excel/udfs.py and the ribbon table
DROPPED_MODULES = ("RibbonMyAddin",)                           # the template's sample callback
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FIXED_DATE = "2026-01-01T00:00:00Z"

WRONG_XLWINGS = Text("加载项基于 xlwings {want} 构建，但已安装的是 {have}：请安装 xlwings=={want}",
                     "the add-in is built on xlwings {want}, but {have} is installed: pip install xlwings=={want}")
NO_TEMPLATE = Text("在 xlwings 包中找不到加载项模板 {name}", "xlwings' add-in template {name} is not in the xlwings package")

#: The module of the KAM_* functions the wrappers call: inside the kamxl package, so that a
#: rep's own ``udfs.py`` or ``udfs/`` beside a workbook (first on xlwings' sys.path) cannot
#: shadow it, as it would ``udfs.kam``.
UDF_MODULE = "kamxl.excel.udfs"
#: The xlwings configuration sheet: settings xlwings reads (A:B, down to the first blank row).
CONFIG = (("UDF Modules", UDF_MODULE),)
#: Below the blank row, so xlwings does not read them: the admin's per-machine settings.
ADMIN_NOTE = (
    ("Per-machine settings go into %USERPROFILE%\\.kamxl\\kamxl.conf (Windows) or "
     "~/Library/Containers/com.microsoft.Excel/Data/kamxl.conf (macOS); `kamxl addin install` writes the interpreter. "
     "Set them here (in the block above) only if every machine has the same paths. See docs/addin.md.", ""),
    ("Interpreter_Win", ""), ("Interpreter_Mac", ""), ("Conda Path", ""), ("Conda Env", ""), ("PYTHONPATH", ""),
    ("Show Console", ""), ("Use UDF Server", ""),
)


def xlwings_folder() -> Path:
    """The installed xlwings package's folder (found without importing xlwings)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError("S-SETUP", WRONG_XLWINGS, {"want": XLWINGS_VERSION, "have": "-"})
    return Path(next(iter(spec.submodule_search_locations)))


def template_bytes() -> bytes:
    """xlwings' ribbon add-in template, from the pinned xlwings."""
    try:
        have = version("xlwings")
    except PackageNotFoundError:
        have = "-"
    if have != XLWINGS_VERSION:
        raise SetupError("S-SETUP", WRONG_XLWINGS, {"want": XLWINGS_VERSION, "have": have})
    path = xlwings_folder() / TEMPLATE
    if not path.is_file():
        raise SetupError("S-SETUP", NO_TEMPLATE, {"name": TEMPLATE})
    return path.read_bytes()


# --- sources -------------------------------------------------------------------------------------
def read_source(name: str) -> str:
    """A committed source file of the add-in, with Windows line ends for VBA."""
    text = (SRC / name).read_text("utf-8")
    return text.replace("\r\n", "\n").replace("\n", "\r\n") if name.endswith(".bas") else text


def _tables() -> tuple[Mapping[str, Callable[..., Any]], Mapping[str, Any], Mapping[str, Text], str]:
    from kamxl.excel.macros import BUTTONS, CONTROLS
    from kamxl.excel.udfs import CATEGORY, FUNCTIONS

    return FUNCTIONS, BUTTONS, CONTROLS, CATEGORY


def modules() -> dict[str, str]:
    """Every VBA module we put into the template's project, by name (source text, CRLF)."""
    from kamxl.addin.vba import functions_module, tags_module

    functions, buttons, _, category = _tables()
    found = {name: read_source(f"{name}.bas") for name in OUR_MODULES}
    found["KamFunctions"] = functions_module(functions, category=category)
    found["KamTags"] = tags_module({tag: b.needs for tag, b in buttons.items()})
    return found


def texts() -> list[tuple[str, str, str]]:
    from kamxl.addin.vba import text_rows

    functions, buttons, controls, _ = _tables()
    return text_rows(functions, buttons.values(), controls)


# --- the VBA project -------------------------------------------------------------------------------
def vba_project(template: bytes) -> bytes:
    """The template's vbaProject.bin with our modules in, theirs patched, the sample dropped
    and the project renamed, written by pyopenvba."""
    from pyopenvba import ExcelFile

    with tempfile.TemporaryDirectory(prefix="kamxl-addin-") as tmp:
        source, target = Path(tmp, "template.xlam"), Path(tmp, "built.xlam")
        source.write_bytes(template)
        with ExcelFile(source) as book:
            project = book.vba_project()
            for name in DROPPED_MODULES:
                project.delete_module(name)
            book.set_module("xlwings", patch_xlwings_module(book.get_module("xlwings")))
            book.set_module("ThisWorkbook", read_source("ThisWorkbook.bas"))
            for name, code in modules().items():
                project.add_module(name, code)
            book.save(target)
        with zipfile.ZipFile(target) as built:
            return rename_project(built.read("xl/vbaProject.bin"), PROJECT)


def patch_xlwings_module(code: str) -> str:
    """xlwings' module with our project name (its config sheet and config file names)."""
    old = 'Public Const PROJECT_NAME As String = "myaddin"'
    if code.count(old) != 1 or f"'Version: {XLWINGS_VERSION}" not in code:
        raise SetupError("S-SETUP", WRONG_XLWINGS, {"want": XLWINGS_VERSION, "have": "template"})
    return code.replace(old, f'Public Const PROJECT_NAME As String = "{PROJECT}"')


def rename_project(vba_bin: bytes, name: str) -> bytes:
    """The VBA project named ``name``: the PROJECTNAME record of the dir stream and the
    PROJECT stream's Name= line ([MS-OVBA] 2.3.4.2.1.6, 2.3.1.2)."""
    import struct

    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    cfb = CFB.from_bytes(vba_bin)
    project_text = cfb.get_stream("PROJECT")
    old_line = next(line for line in project_text.split(b"\r\n") if line.startswith(b"Name="))
    cfb.write_stream("PROJECT", project_text.replace(old_line, b'Name="' + name.encode("ascii") + b'"', 1))
    raw = decompress(cfb.get_stream_in_storage("VBA", "dir"), stream_name="dir")
    at = _record(raw, 0x0004)
    size = struct.unpack_from("<I", raw, at + 2)[0]
    encoded = name.encode("ascii")
    raw = raw[:at] + struct.pack("<HI", 0x0004, len(encoded)) + encoded + raw[at + 6 + size:]
    cfb.write_stream_in_storage("VBA", "dir", compress(raw))
    return cfb.to_bytes()


def _record(raw: bytes, wanted: int) -> int:
    """Offset of the first dir-stream record with id ``wanted`` (records: id u16, size u32,
    data; PROJECTVERSION's size field says 4 but 6 bytes follow)."""
    import struct

    at = 0
    while at + 6 <= len(raw):
        rid, size = struct.unpack_from("<HI", raw, at)
        if rid == wanted:
            return at
        at += 6 + (6 if rid == 0x0009 else size)
    raise ValueError(f"dir stream has no record 0x{wanted:04X}")


# --- the package -------------------------------------------------------------------------------
def _cell(ref: str, text: str) -> str:
    if not text:
        return ""
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def config_sheet(rows: list[tuple[str, str, str]]) -> bytes:
    """The ``kamxl.conf`` sheet: xlwings' settings in A:B (then a blank row, then the
    admin's keys, unread), and the texts in D:F (key, zh, en) for KamStrings."""
    left: list[tuple[str, str]] = [*CONFIG, ("", ""), *ADMIN_NOTE]
    right = [("key", "zh", "en"), *rows]
    lines = []
    for r in range(1, max(len(left), len(right)) + 1):
        a, b = left[r - 1] if r <= len(left) else ("", "")
        d, e, f = right[r - 1] if r <= len(right) else ("", "", "")
        cells = "".join(_cell(f"{col}{r}", text) for col, text in zip("ABDEF", (a, b, d, e, f)))
        lines.append(f'<row r="{r}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr codeName="Sheet2"/>'
        f'<dimension ref="A1:F{len(lines)}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15.75"/>'
        '<cols><col min="1" max="1" width="18" customWidth="1"/><col min="2" max="2" width="12" customWidth="1"/>'
        '<col min="4" max="4" width="28" customWidth="1"/><col min="5" max="6" width="60" customWidth="1"/></cols>'
        f'<sheetData>{"".join(lines)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '</worksheet>'
    ).encode("utf-8")


def workbook_xml(template: bytes) -> bytes:
    """The template's workbook part with our sheet name and without its author's path."""
    text = template.decode("utf-8")
    text = _replace_once(text, '<sheet name="_myaddin.conf" sheetId="2" r:id="rId3" />',
                         f'<sheet name="{CONF_SHEET}" sheetId="2" r:id="rId3" />')
    start = text.index("<mc:AlternateContent")
    end = text.index("</mc:AlternateContent>") + len("</mc:AlternateContent>")
    if "absPath" not in text[start:end]:
        raise ValueError("xlwings' template changed: no absPath where expected")
    return (text[:start] + text[end:]).encode("utf-8")


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"xlwings' template changed: {old!r} not found once")
    return text.replace(old, new)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '</Types>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" '
    'Target="theme/theme1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
    'Target="vbaProject.bin"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '</Relationships>'
)
CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:title>kamxl</dc:title><dc:subject>KAM ribbon and KAM_* worksheet functions</dc:subject>'
    '<dc:creator>kamxl</dc:creator><cp:lastModifiedBy>kamxl</cp:lastModifiedBy>'
    f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>'
    f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>'
    '</cp:coreProperties>'
)
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
    '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>'
    '<AppVersion>16.0300</AppVersion></Properties>'
)


def parts() -> dict[str, bytes]:
    """Every part of the add-in package, in the order they are written."""
    template = template_bytes()
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        theme, styles = source.read("xl/theme/theme1.xml"), source.read("xl/styles.xml")
        workbook, root_rels = source.read("xl/workbook.xml"), source.read("_rels/.rels")
    if b"customUI/customUI.xml" not in root_rels:
        raise ValueError("xlwings' template changed: no ribbon relationship")
    return {
        "[Content_Types].xml": CONTENT_TYPES.encode("utf-8"),
        "_rels/.rels": root_rels,
        "docProps/app.xml": APP.encode("utf-8"),
        "docProps/core.xml": CORE.encode("utf-8"),
        "customUI/customUI.xml": read_source("customUI.xml").encode("utf-8"),
        "xl/workbook.xml": workbook_xml(workbook),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode("utf-8"),
        "xl/theme/theme1.xml": theme,
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": config_sheet(texts()),
        "xl/vbaProject.bin": vba_project(template),
    }


def package(content: Mapping[str, bytes]) -> bytes:
    """A zip with fixed dates, attributes and order: the same bytes for the same parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in content.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16     # what zipfile would set anyway, said outright
            out.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def build_bytes() -> bytes:
    """The add-in, in memory."""
    return package(parts())


def build_addin(target: Path = ADDIN) -> Path:
    """Write the add-in to ``target`` (atomically)."""
    data = build_bytes()
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target
