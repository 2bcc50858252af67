"""The generated VBA: xlwings' own wrappers plus the error conversion, argument names VBA
accepts, texts cut to what Application.MacroOptions takes, and the committed VBA modules
in step with the Python side (error codes, snapshot names, the hex encoding)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.addin import vba
from kamxl.addin.build import SRC, read_source
from kamxl.cells import ERROR_CODES, error_text
from kamxl.excel.macros import SNAPSHOT_PREFIX, decode_arg
from kamxl.i18n import Text
from udfs.kam import CATEGORY, FUNCTIONS, Arg, Meta

#: Excel's numbers for its error values (the xlErr… constants), which CVErr takes.
EXCEL_ERRORS = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029, "#NUM!": 2036,
                "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045, "#CONNECT!": 2046, "#BLOCKED!": 2047,
                "#UNKNOWN!": 2048, "#FIELD!": 2049, "#CALC!": 2050}

XLWINGS_WRAPPERS = textwrap.dedent("""
    import io, json, sys, types
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):   # xlwings.udfs imports pywin32
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pywintypes"].com_error = Exception
    sys.modules["win32com.client"].Dispatch = None
    import xlwings.udfs as udfs
    out = {}
    for name, params in json.loads(sys.argv[1]).items():
        namespace = {}
        exec(f"def {name}({', '.join(params)}): pass", namespace)
        module = types.ModuleType("udfs.kam")
        setattr(module, name, udfs.xlfunc(namespace[name]))
        text = io.StringIO()
        udfs.generate_vba_wrapper("udfs.kam", module, text, types.SimpleNamespace(Name="kamxl.xlam"))
        out[name] = text.getvalue()
    print(json.dumps(out))
""")


def test_wrappers_are_xlwings_own_plus_the_error_conversion():
    """xlwings' generate_vba_wrapper, run on functions with the same VBA signatures, writes
    our wrappers but for KamResult(…, Application.Caller) around the call."""
    signatures = {name: [vba.vba_arg(a) + ("=None" if a in fn.kam.optional else "") for a, _ in fn.kam.args]
                  for name, fn in FUNCTIONS.items() if name != vba.WHY}
    done = subprocess.run([sys.executable, "-c", XLWINGS_WRAPPERS, json.dumps(signatures)],
                          capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout)
    for name in signatures:
        ours = vba.wrapper(FUNCTIONS[name].kam, "udfs.kam")
        unwrapped = re.sub(r"KamResult\((XLPy\.CallUDF\(.*\)), Application\.Caller\)", r"\1", ours)
        assert unwrapped != ours, name
        unwrapped = unwrapped.replace(f"{name} = KamFailed(Err.Description, Application.Caller)",
                                      f"{name} = Err.Description")
        assert unwrapped.strip() == theirs[name].strip(), name


def test_kam_why_answers_from_remembered_reasons_before_python():
    text = vba.wrapper(FUNCTIONS["KAM_WHY"].kam, "udfs.kam")
    assert text.index("KamReasonOf(value, answer)") < text.index('XLPy.CallUDF("udfs.kam", "KAM_WHY"')
    assert 'KamText("why.recalculate")' in text


def test_python_kam_why_still_reads_the_convention_text():
    """Without the add-in (plain xlwings) the error text is in the cell, and KAM_WHY reads it."""
    assert FUNCTIONS["KAM_WHY"](error_text("#N/A", "the required argument stage is blank")) == \
        "the required argument stage is blank"


@pytest.mark.parametrize("name", ["score_", "lang", "chain_names", "value"])
def test_argument_names_vba_accepts(name):
    assert vba.VBA_NAME.match(vba.vba_arg(name)) and not vba.vba_arg(name).endswith("_")


@pytest.mark.parametrize("name", ["type", "Date", "end", "_x", "1a", "a-b"])
def test_argument_names_vba_refuses(name):
    with pytest.raises(ValueError):
        vba.vba_arg(name)


def test_a_module_too_long_or_not_ascii_is_refused():
    meta = Meta("KAM_X", "doc", (("a" * 300, Arg("d")),), ())
    with pytest.raises(ValueError):
        vba.functions_module({"KAM_X": _fake(meta)}, category=CATEGORY)
    with pytest.raises(ValueError):
        vba.tags_module({"bad tag'); import os; ('": ""})
    with pytest.raises(ValueError):
        vba.tags_module({"ok": "shell"})


def _fake(meta: Meta):
    def fn():
        return None

    fn.kam = meta  # type: ignore[attr-defined]
    fn.__module__ = "udfs.kam"
    return fn


@given(st.text(min_size=0, max_size=400))
def test_fit_keeps_texts_within_macro_options_limit(text):
    cut = vba.fit(text)
    assert len(cut.encode("utf-16-le")) // 2 <= vba.MACRO_OPTIONS_LIMIT
    assert cut == text or cut.endswith("…")
    cut.encode("utf-16-le")  # a lone surrogate from a split pair would raise here


def test_fit_never_splits_a_surrogate_pair():
    text = "a" * 253 + "😀😀"
    assert vba.fit(text) in ("a" * 253 + "…", "a" * 254 + "…")


def test_docs_split_into_the_two_languages():
    assert vba.split_doc("中文 · English") == Text("中文", "English")
    assert vba.split_doc("only one") == Text("only one", "only one")
    for fn in FUNCTIONS.values():
        doc = vba.split_doc(fn.kam.doc)
        assert doc.zh != doc.en and doc.en in fn.kam.doc, fn.kam.name


def test_every_error_code_becomes_its_excel_error():
    code = read_source("KamErrors.bas")
    mapped = {k: int(v) for k, v in re.findall(r'Case "([^"]+)": KamErrorNumber = (\d+)', code)}
    assert mapped == EXCEL_ERRORS
    assert set(mapped) == set(ERROR_CODES)


def test_the_snapshot_name_is_the_same_on_both_sides():
    assert f'"{SNAPSHOT_PREFIX}"' in read_source("KamRibbon.bas")


def _kam_hex(text: str) -> str:
    """KamRibbon.KamHex, transcribed: 4 hex digits (upper case, as VBA's Hex$) per UTF-16 unit."""
    units = text.encode("utf-16-be", errors="surrogatepass")
    return "".join(f"{int.from_bytes(units[i:i + 2], 'big'):X}".rjust(4, "0") for i in range(0, len(units), 2))


@given(st.text(max_size=80))
def test_paths_cross_from_vba_to_python_unchanged(path):
    assert decode_arg(_kam_hex(path)) == path


@pytest.mark.parametrize("sent", ["'); import os; os.system('x'); ('", "12G4", "ABC"])
def test_anything_but_hex_is_refused(sent):
    with pytest.raises(ValueError):
        decode_arg(sent)


def test_committed_vba_is_ascii_with_short_lines():
    for path in SRC.glob("*.bas"):
        text = path.read_text("utf-8")
        assert text.isascii(), path.name
        assert max(len(line) for line in text.splitlines()) <= vba.VBA_LINE_LIMIT, path.name
        assert path.name == "ThisWorkbook.bas" or f'Attribute VB_Name = "{path.stem}"' in text


def test_text_rows_are_sorted_unique_and_bilingual():
    from kamxl.addin.build import texts

    rows = texts()
    keys = [k for k, _, _ in rows]
    assert keys == sorted(set(keys))
    assert all(zh and en for _, zh, en in rows)
    assert all(key in keys for key in vba.VBA_TEXTS)


def test_a_call_failing_before_python_is_an_error_value_not_text():
    """Issue 16 item 6: xlwings' "Could not load xlwings64-….dll" (raised before Python runs)
    must not land in the cell as text, which ISERROR does not see: every wrapper's handler
    returns KamFailed's #VALUE! and the message stays for KAM_WHY and the About button."""
    module = vba.functions_module(FUNCTIONS, category=CATEGORY)
    for name in FUNCTIONS:
        body = re.search(rf"^Function {name}\(.*?^End Function", module, re.S | re.M).group(0)
        handler = body.split("\r\nfailed:\r\n", 1)[1]
        assert handler.strip().splitlines()[0].strip() == f"{name} = KamFailed(Err.Description, Application.Caller)"
        assert not re.search(r"=\s*Err\.Description", body), name
    errors = read_source("KamErrors.bas")
    failed = re.search(r"Public Function KamFailed\(.*?End Function", errors, re.S).group(0)
    assert "KamFailed = CVErr(2015)" in failed and "lastFailure = message" in failed
    assert "KamRemember caller, message" in failed                  # =KAM_WHY(cell) shows it
    ribbon = read_source("KamRibbon.bas")
    assert re.search(r'If \(tag = "about" Or tag = "settings"\) And KamLastFailure\(\) <> "" Then[^\n]*\n\s*'
                     r'MsgBox KamText\("error\.python"\) & vbCrLf & KamLastFailure\(\)', ribbon)
    assert ribbon.index("KamLastFailure()") < ribbon.index("RunPython")   # before Python is asked


#: Members of Excel's object model that Excel 2016 (and 2019) lacks: early-bound on a typed
#: variable (Range, Worksheet…) they stop the whole module compiling there, so every KAM_*
#: cell fails. Each with its source (Microsoft's VBA reference, learn.microsoft.com/office/vba/api/…).
NEWER_MEMBERS = {
    "SpillParent": "excel.range.spillparent: 'This property exists in Excel with dynamic arrays'",
    "HasSpill": "excel.range.hasspill: dynamic arrays (Excel for Microsoft 365)",
    "SpillingToRange": "excel.range.spillingtorange: dynamic arrays (Excel for Microsoft 365)",
    "Formula2": "excel.range.formula2: the dynamic-array formula (Excel for Microsoft 365)",
    "Formula2R1C1": "excel.range.formula2r1c1: the dynamic-array formula (Excel for Microsoft 365)",
    "Formula2Local": "excel.range.formula2local: the dynamic-array formula (Excel for Microsoft 365)",
    "Formula2R1C1Local": "excel.range.formula2r1c1local: the dynamic-array formula (Excel for Microsoft 365)",
    "SavedAsArray": "excel.range.savedasarray: whether a formula was saved as an array (Excel for Microsoft 365)",
    "LinkedDataTypeState": "excel.range.linkeddatatypestate: linked data types (Excel for Microsoft 365)",
    "HasRichDataType": "excel.range.hasrichdatatype: rich data types (Excel for Microsoft 365)",
}


def _all_vba() -> dict[str, str]:
    """Every VBA module of the add-in: the hand-written sources and the generated ones."""
    from kamxl.addin.build import modules
    return {**{path.name: path.read_text("utf-8") for path in SRC.glob("*.bas")}, **modules()}


def early_bound_newer_members(source: str) -> list[str]:
    """Uses of a NEWER_MEMBERS member in VBA ``source`` that are early-bound: anything but
    ``variable.Member`` where the variable is declared ``As Object`` (or the member's name as
    a string, for CallByName). Strings and comments are left out; a ``With`` block's ``.Member`` counts."""
    found = []
    code = "\n".join(re.sub(r'"[^"]*"', '""', line).split("'", 1)[0] for line in source.splitlines())
    objects = {m.casefold() for m in re.findall(r"\b(\w+)(?:\(\))?\s+As\s+Object\b", code, re.I)}
    for member in NEWER_MEMBERS:
        for match in re.finditer(rf"(\w*)\s*\.\s*{member}\b", code, re.I):
            if match.group(1).casefold() not in objects:
                found.append(match.group(0).strip())
    return found


def test_no_member_excel_2016_lacks_is_early_bound():
    """Issue 16 item 2: KamErrors early-bound cell.SpillParent on a Range."""
    for name, source in _all_vba().items():
        assert early_bound_newer_members(source) == [], name
    assert 'CallByName(cell, "SpillParent", VbGet)' in read_source("KamErrors.bas")
    # the scan itself: the old line is found, late-bound forms are not
    assert early_bound_newer_members("Dim cell As Range\nSet anchor = cell.SpillParent") == ["cell.SpillParent"]
    assert early_bound_newer_members("With cell\nx = .Formula2\nEnd With") == [".Formula2"]
    assert early_bound_newer_members("Dim late As Object\nSet anchor = late.SpillParent\n"
                                     "x = CallByName(c, \"HasSpill\", VbGet) ' c.HasSpill") == []


#: VBA calls that open a dialog or name a file or folder the Windows way: Excel for Mac has no
#: FileDialog and no Scripting runtime, and neither Windows' folders nor its "\" separator.
WINDOWS_WAYS = {
    "FileDialog": r"\bFileDialog\s*\(",
    "GetOpenFilename / GetSaveAsFilename": r"\bGet(Open|SaveAs)Filename\b",
    "Application.Dialogs": r"\bDialogs\s*\(",
    "Windows folders": r'\bEnviron\$?\s*\(\s*"(TEMP|TMP|APPDATA|LOCALAPPDATA|USERPROFILE|PROGRAMFILES)"',
    "Scripting runtime": r'CreateObject\s*\(\s*"Scripting\.',
    "Shell": r"\bShell\s*\(",
    "a \\ in a path": r'"[^"\r\n]*\\[^"\r\n]*"',
}
#: Their Mac counterparts, which belong in the Mac branch only.
MAC_WAYS = {"AppleScriptTask": r"\bAppleScriptTask\s*\(", "MacScript": r"\bMacScript\s*\(",
            "TMPDIR": r'Environ\$?\s*\(\s*"TMPDIR"', "VBA-Dictionary": r"\bNew\s+Dictionary\b"}


def mac_branches(source: str) -> tuple[list[tuple[str, str | None, int | None]], dict[int, int]]:
    """Each code line of VBA ``source`` with the side of the innermost ``#If Mac`` it is in
    ('mac', 'windows' for the #Else, or None) and that block's number; and for each block,
    how many code lines its Mac branch has."""
    stack: list[list] = []
    lines, mac_lines, blocks = [], {}, 0
    for line in source.splitlines():
        code = line.split("'", 1)[0].strip() if '"' not in line else line.strip()
        if re.match(r"#If\s+Mac\s+Then\b", code, re.I):
            blocks += 1
            stack.append(["mac", False, blocks])
            mac_lines[blocks] = 0
        elif re.match(r"#If\b", code, re.I):
            stack.append(["other", False, None])
        elif re.match(r"#Else\b", code, re.I):
            stack[-1][1] = True
        elif re.match(r"#ElseIf\b", code, re.I):
            stack[-1] = ["other", True, None]
        elif re.match(r"#End\s+If\b", code, re.I):
            stack.pop()
        elif code:
            side, block = None, None
            for kind, in_else, number in stack:
                if kind == "mac":
                    side, block = ("windows" if in_else else "mac"), number
            if side == "mac":
                mac_lines[block] += 1
            lines.append((line, side, block))
    assert not stack, "unbalanced #If"
    return lines, mac_lines


def test_every_dialog_and_file_path_has_a_mac_branch():
    """Issue 16 item 4: KamPickFolder used FileDialog(4) with no #If Mac branch."""
    for name, source in _all_vba().items():
        lines, mac_lines = mac_branches(source)
        for line, side, block in lines:
            for what, pattern in WINDOWS_WAYS.items():
                if re.search(pattern, line, re.I):
                    assert side == "windows" and mac_lines[block] > 0, f"{name}: {what} without a Mac branch: {line}"
            for what, pattern in MAC_WAYS.items():
                if re.search(pattern, line, re.I):
                    assert side == "mac", f"{name}: {what} outside a Mac branch: {line}"
    # the scan itself: the old KamPickFolder is refused, an #If Mac with both branches is not
    old = 'Set dialog = Application.FileDialog(4)'
    assert mac_branches(old)[0] == [(old, None, None)]
    lines, mac_lines = mac_branches('#If Mac Then\nx = MacScript("a")\n#Else\n' + old + "\n#End If")
    assert lines[1] == (old, "windows", 1) and mac_lines == {1: 1}


def test_the_mac_folder_picker_calls_the_installed_applescript():
    from kamxl.addin.install import MAC_SCRIPT
    ribbon = read_source("KamRibbon.bas")
    script = (SRC / MAC_SCRIPT).read_text("utf-8")
    (handler,) = re.findall(rf'AppleScriptTask\("{re.escape(MAC_SCRIPT)}", "(\w+)", title\)', ribbon)
    assert re.search(rf"^on {handler}\(prompt\)$.*choose folder with prompt prompt.*on error number -128\s+"
                     rf'return "".*^end {handler}$', script, re.S | re.M)
