"""The rows of a big table (a business unit's roll-up: hundreds of thousands of forecast
lines) written straight into the sheet's XML, after XlsxWriter has written everything
else. XlsxWriter spends about 10 µs on a cell; this spends well under one.

XlsxWriter still writes the table (its definition, header, formats, validation and the
first data row); that first row is the pattern: each column's style, and the formula of
each calculated column, are copied from it to every other row, each formula with its own
row's stored value (:mod:`kamxl.templates.stored`). Values become numbers, booleans,
dates (serial numbers in the date style) or inline strings — never formulas: text from an
input is text, whatever it starts with. Such a table's calculated columns
hold their formula in every row but are not declared as calculated columns, so Excel does
not extend them to rows typed below (a roll-up of this size is a report, not a form).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from isal import isal_zlib
from xlsxwriter.utility import xl_col_to_name

from kamxl.io import forking

#: What spreadsheets read as the start of a formula (or of a DDE payload). Text from a
#: submission that starts with one is written as a string with Excel's quote prefix, so
#: it stays text even when someone edits the cell (formula injection).
FORMULA_LIKE = ("=", "+", "-", "@", "\t", "\r")
EPOCH = dt.date(1899, 12, 30)       # Excel's 1900 date system, as XlsxWriter writes it
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(r"<f>(.*?)</f>", re.S)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class BulkRows:
    """Rows for one table, to be written after the workbook is closed."""

    part: str                    # e.g. 'xl/worksheets/sheet1.xml'
    first_row: int               # 1-based row of the first data row (the pattern)
    first_col: int               # 0-based
    keys: list[str]              # column keys, in column order
    rows: Sequence[dict[str, Any]]   # every data row, the first included (or Columns)
    results: dict[str, Sequence[object]] = field(default_factory=dict)   # formula column -> each row's value


def _escape(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL.search(text):    # as Excel encodes control characters
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _pattern(xml: str, row: int) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """The attributes of the pattern row, and per column letter its style and formula."""
    match = next(m for m in _ROW.finditer(xml) if int(m.group(1)) == row)
    head = re.match(r"<row ([^>]*?)/?>", match.group()).group(1)  # type: ignore[union-attr]
    attrs = re.sub(r'r="\d+"\s*', "", head).strip()
    cells = {}
    for c in _CELL.finditer(match.group()):
        formula = _FORMULA.search(c.group(3) or "")
        cells[c.group(1)] = (f' s="{c.group(2)}"' if c.group(2) else "", formula.group(1) if formula else None)
    return attrs, cells


def _rest(style: str, value: object, quoted: str = "") -> str:
    """A cell's XML after its ``<c r="…"``: the same for every cell of a column holding the
    same value, so each is made once per distinct value (see :func:`_rows_xml`)."""
    kind = type(value)                       # the common types first
    if kind is str:
        if not value:
            return f"{style}/>"
        if quoted and value.startswith(FORMULA_LIKE):  # type: ignore[union-attr]
            style = quoted                   # the same look with Excel's quote prefix
        space = ' xml:space="preserve"' if value[0] in " \t\n" or value[-1] in " \t\n" else ""  # type: ignore[index]
        return f'{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'  # type: ignore[arg-type]
    if kind is float or kind is int:
        return f"{style}><v>{value!r}</v></c>"
    if value is None:
        return f"{style}/>"
    if kind is bool:
        return f'{style} t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f"{style}><v>{(day - EPOCH).days}</v></c>"
    return _rest(style, str(value), quoted)


_NUMBERS = {bool, int, float}
ERRORS = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


def _result(style: str, formula: str, value: object) -> str:
    """A formula cell's XML (after its reference) with the value it gives stored."""
    if isinstance(value, bool):
        return f'{style} t="b"><f>{formula}</f><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f"{style}><f>{formula}</f><v>{value!r}</v></c>"
    text = "" if value is None else str(value)
    kind = "e" if text in ERRORS else "str"
    return f'{style} t="{kind}"><f>{formula}</f><v>{_escape(text)}</v></c>'


def _formula_column(values: Sequence[object], style: str, formula: str) -> list[bytes]:
    """Each row's formula cell, made once per distinct value (and type)."""
    made: dict[tuple[type, object], bytes] = {}
    out = []
    for value in values:
        key = (value.__class__, value)
        rest = made.get(key)
        if rest is None:
            rest = made[key] = _result(style, formula, value).encode()
        out.append(rest)
    return out


def _column(values: Sequence[object], style: str, quoted: str) -> list[bytes]:
    """Each value's cell XML (after the reference), made once per distinct value and type
    (1, 1.0 and True are different cells)."""
    if len(set(map(type, values)) & _NUMBERS) <= 1:   # no two types whose values compare equal
        try:
            made = {value: _rest(style, value, quoted).encode() for value in set(values)}
            return list(map(made.__getitem__, values))
        except TypeError:                    # something unhashable: one by one
            pass
    made: dict[object, bytes] = {}
    out = []
    for value in values:
        try:
            key = (value.__class__, value)
            rest = made.get(key)
            if rest is None:
                rest = made[key] = _rest(style, value, quoted).encode()
        except TypeError:                    # unhashable: made each time
            rest = _rest(style, value, quoted).encode()
        out.append(rest)
    return out


class Columns(Sequence[dict[str, Any]]):
    """A table's rows held column by column (key -> every row's value): how a roll-up hands
    over its 200,000 lines without a dict per line; a row's dict is made only when asked for."""

    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self.columns = columns
        self._len = len(next(iter(columns.values()), []))

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        return {k: v[i] for k, v in self.columns.items()}

    def column(self, key: str) -> Sequence[Any]:
        return self.columns.get(key) or [None] * self._len


def _values(rows: Sequence[dict[str, Any]], key: str) -> Sequence[Any]:
    return rows.column(key) if isinstance(rows, Columns) else list(map(dict.get, rows, repeat(key)))


CHUNK = 4096   # rows rendered, compressed and written at a time: no string of the whole sheet is ever built


def _rows_xml(job: BulkRows, attrs: str, pattern: dict[str, tuple[str, str | None]],
              quoted: dict[str, str], lo: int = 0, hi: int | None = None) -> Iterator[bytes]:
    """Rows ``lo`` to ``hi`` (0-based, of the job's rows) as XML in chunks of CHUNK rows.
    Column by column, then one bytes ``%`` per row (its arguments zipped at C speed): the
    row number is all a row's cells do not share with the other rows of their column."""
    hi = len(job.rows) if hi is None else hi
    letters = [xl_col_to_name(job.first_col + i) for i in range(len(job.keys))]
    head = f'<row r="%d" {attrs.replace("%", "%%")}>' if attrs else '<row r="%d">'
    template = (head + "".join(f'<c r="{letter}%d"%b' for letter in letters) + "</row>").encode()
    columns: list[Iterator[bytes]] = []
    for key, letter in zip(job.keys, letters):
        style, formula = pattern.get(letter, ("", None))
        if formula is not None and key in job.results:
            columns.append(iter(_formula_column(job.results[key][lo:hi], style, formula)))
        elif formula is not None:
            columns.append(repeat(f"{style}><f>{formula}</f></c>".encode()))
        else:
            columns.append(iter(_column(_values(job.rows, key)[lo:hi], style, quoted.get(style, ""))))
    first, end = job.first_row + lo, job.first_row + hi
    for start in range(first, end, CHUNK):
        numbers = range(start, min(start + CHUNK, end))
        # each range argument is its own iterator; the first one ends the zip before a column is read past it
        args = zip(numbers, *(x for column in columns for x in (numbers, column)))
        yield b"".join(map(template.__mod__, args))


def fill(path: Path, jobs: list[BulkRows]) -> None:
    """Rewrite ``path`` (a closed XlsxWriter workbook) with every job's rows in place."""
    if not jobs:
        return
    by_part: dict[str, list[BulkRows]] = {}
    for job in jobs:
        by_part.setdefault(job.part, []).append(job)
    tmp = path.with_name(path.name + ".bulk")
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
        infos = src.infolist()
    styles = parts["xl/styles.xml"].decode("utf-8")
    pieces: dict[str, list[bytes | _Rows]] = {}
    for part, part_jobs in by_part.items():
        pieces[part], styles = _fill_part(parts[part].decode("utf-8"), part_jobs, styles)
    parts["xl/styles.xml"] = styles.encode("utf-8")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in infos:
            if info.filename not in pieces:
                dst.writestr(info, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                continue
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type, entry._compresslevel = zipfile.ZIP_DEFLATED, 1  # as writestr sets them
            rows = sum(len(job.rows) for job in by_part[info.filename])
            with dst.open(entry, "w", force_zip64=rows > 500_000) as out:   # over ~2 GB unpacked
                _faster_deflate(out)
                first, second = _halves(pieces[info.filename])
                if second is None or not _can_splice(out):
                    _write_behind(out, chain(first, second or ()))
                else:
                    _write_forked(out, first, second)
    shutil.move(tmp, path)


#: A part with a table of at least this many rows is rendered in two processes (a second one
#: forked for the second half of the rows) where it can be forked safely (:func:`kamxl.io.forking.can_fork`);
#: in one otherwise.
SPLIT_ROWS = 20_000


@dataclass
class _Rows:
    """A job's rows, rendered when iterated: all of them, or a range (:func:`_halves`)."""

    job: BulkRows
    attrs: str
    pattern: dict[str, tuple[str, str | None]]
    quoted: dict[str, str]

    def render(self, lo: int = 0, hi: int | None = None) -> Iterator[bytes]:
        return _rows_xml(self.job, self.attrs, self.pattern, self.quoted, lo, hi)


def _rendered(segments: Sequence[bytes | _Rows]) -> Iterator[bytes]:
    for segment in segments:
        if isinstance(segment, _Rows):
            yield from segment.render()
        else:
            yield segment


def _halves(segments: list[bytes | _Rows]) -> tuple[Iterator[bytes], Iterator[bytes] | None]:
    """The part's XML as two lazy halves, split in the middle of its biggest job's rows
    (None as the second when no job reaches SPLIT_ROWS or the platform cannot fork)."""
    jobs = [i for i, s in enumerate(segments) if isinstance(s, _Rows)]
    big = max(jobs, key=lambda i: len(segments[i].job.rows), default=None)  # type: ignore[union-attr]
    if big is None or len(segments[big].job.rows) < SPLIT_ROWS:  # type: ignore[union-attr]
        return _rendered(segments), None
    if not forking.can_fork():
        return _rendered(segments), None
    rows = segments[big]
    assert isinstance(rows, _Rows)
    mid = len(rows.job.rows) // 2
    return (chain(_rendered(segments[:big]), rows.render(0, mid)),
            chain(rows.render(mid), _rendered(segments[big + 1:])))


def _can_splice(out: IO[bytes]) -> bool:
    """Whether zipfile's entry writer has what :func:`_splice` sets (CPython's, 3.11-3.13)."""
    return all(hasattr(out, a) for a in ("_compressor", "_crc", "_file_size", "_compress_size", "_fileobj")) \
        and getattr(out, "_compressor", None) is not None


def _write_forked(out: IO[bytes], first: Iterator[bytes], second: Iterator[bytes]) -> None:
    """Write ``first`` here while a forked process renders and deflates ``second`` into a
    spill file; then append its deflate blocks to the entry (both halves end on a block
    boundary without the final bit, and the second starts without references back, so the
    entry is one valid deflate stream) and combine the checksums. If the fork fails or the
    child does, the second half is rendered here; whatever this call raises, the child is
    killed and reaped before it returns (a parent killed outright leaves it to finish alone)."""
    with tempfile.TemporaryFile() as spill:
        reader, writer = os.pipe()
        pid = forking.fork()
        if pid == 0:                                      # the child: render, deflate, report, leave
            status = 1
            try:
                forking.child_started()
                os.close(reader)
                deflated = _Deflated(spill)
                _write_behind(deflated, second)
                deflated.finish()
                os.write(writer, f"{deflated.crc} {deflated.size}".encode())
                status = 0
            finally:
                os._exit(status)                         # no clean-up of the parent's (locks, temp files)
        os.close(writer)
        try:
            _write_behind(out, first)
            said = b""
            if pid > 0:
                while chunk := os.read(reader, 64):
                    said += chunk
                code = forking.reap(pid)
                pid = 0
                if code == 0 and said:
                    crc, size = map(int, said.split())
                    _splice(out, spill, crc, size)
                    return
            _write_behind(out, second)                    # no child, or it failed: this process does it
        finally:
            os.close(reader)
            if pid > 0:                                   # an error here: the child goes too
                forking.reap(pid, kill=True)


class _Deflated:
    """A raw deflate stream into ``spill`` with its checksum and size: the second half of a
    part (``finish`` ends it on a block boundary, without the final bit)."""

    def __init__(self, spill: IO[bytes]) -> None:
        self.spill, self.crc, self.size = spill, 0, 0
        self.compressor = _deflater()

    def write(self, piece: bytes) -> None:
        self.crc = isal_zlib.crc32(piece, self.crc)
        self.size += len(piece)
        self.spill.write(self.compressor.compress(piece))

    def finish(self) -> None:
        self.spill.write(self.compressor.flush(isal_zlib.Z_SYNC_FLUSH))
        self.spill.flush()


def _splice(out: Any, spill: IO[bytes], crc: int, size: int) -> None:
    """Append the deflated second half to the zip entry being written: the first half's
    compressor flushed to a block boundary, the spilled blocks copied, the entry's CRC and
    sizes made those of both halves (zipfile writes them into the headers on close; its
    compressor's final flush then adds only the empty last block)."""
    head = out._compressor.flush(isal_zlib.Z_SYNC_FLUSH)
    out._fileobj.write(head)
    out._compress_size += len(head)
    spill.seek(0)
    while block := spill.read(1 << 20):
        out._fileobj.write(block)
        out._compress_size += len(block)
    out._crc = isal_zlib.crc32_combine(out._crc, crc, size)
    out._file_size += size


def _deflater() -> Any:
    """A raw deflate stream at level 1, as zipfile writes a part (both halves of a split one)."""
    return isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)


def _faster_deflate(out: IO[bytes]) -> None:
    """Deflate the part with ISA-L (python-isal: the same format, about five times zlib's
    speed at level 1) where zipfile lets its compressor be swapped; zlib otherwise."""
    if getattr(out, "_compressor", None) is not None and getattr(out, "_compress_size", None) == 0:
        out._compressor = _deflater()  # type: ignore[attr-defined]


def _write_behind(out: IO[bytes], pieces: Iterable[bytes]) -> None:
    """Write (checksum, compress) each piece in a thread while the next one is rendered:
    ISA-L and zlib let go of the interpreter while they work, so the two run on two cores."""
    with ThreadPoolExecutor(1) as writer:
        pending = None
        for piece in pieces:
            if pending is not None:
                pending.result()             # one piece in flight: memory stays bounded
            pending = writer.submit(out.write, piece)
        if pending is not None:
            pending.result()


def _fill_part(xml: str, jobs: list[BulkRows], styles: str) -> tuple[list[bytes | _Rows], str]:
    """The part's XML as segments in order (XML, or a job's rows: rendered in chunks of
    CHUNK rows as they are written), and the styles with the quote-prefixed twins the rows use."""
    start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
    body = xml[start:end]
    blocks: list[tuple[int, bytes | _Rows]] = []  # (first row, its XML or a job's rows)
    spans = []
    for job in jobs:
        attrs, pattern = _pattern(body, job.first_row)
        styles, quoted = _quoted_styles(styles, {s for s, f in pattern.values() if f is None})
        blocks.append((job.first_row, _Rows(job, attrs, pattern, quoted)))
        spans.append((job.first_row, job.first_row + len(job.rows) - 1))
    blocks += [(int(m.group(1)), m.group().encode()) for m in _ROW.finditer(body)
               if not any(lo <= int(m.group(1)) <= hi for lo, hi in spans)]
    blocks.sort(key=itemgetter(0))
    return [xml[:start].encode(), *(block for _r, block in blocks), xml[end:].encode()], styles


_XF = re.compile(r"<xf [^>]*?(?:/>|>.*?</xf>)", re.S)


def _quoted_styles(styles: str, used: set[str]) -> tuple[str, dict[str, str]]:
    """For each style attribute (' s="7"') a twin with Excel's quote prefix, added to the
    cell formats of styles.xml: text that looks like a formula keeps its column's look."""
    start, end = styles.index("<cellXfs"), styles.index("</cellXfs>")
    block = styles[start:end]
    head = block[:block.index(">") + 1]
    xfs = _XF.findall(block)
    twins: dict[str, str] = {}
    for style in sorted(used):
        base = int(style.split('"')[1]) if style else 0
        twins[style] = f' s="{len(xfs)}"'
        xfs.append(xfs[base].replace("<xf ", '<xf quotePrefix="1" ', 1) if "quotePrefix" not in xfs[base]
                   else xfs[base])
    head = re.sub(r'count="\d+"', f'count="{len(xfs)}"', head)
    return styles[:start] + head + "".join(xfs) + styles[end:], twins
