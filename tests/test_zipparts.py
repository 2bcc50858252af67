"""kamxl.io.zipparts: a part's bytes read straight from the package equal zipfile's, and
anything it does not handle plainly is left to zipfile (None)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamxl.io.zipparts import part_bytes

WORKBOOKS = sorted((Path(__file__).resolve().parents[1] / "workbooks").rglob("*.xlsx"))


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_every_part_of_every_template_reads_as_zipfile_reads_it(path: Path) -> None:
    raw = memoryview(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            whole = archive.read(info)
            assert part_bytes(raw, info) == whole
            assert part_bytes(raw, info, 4096) == whole[:4096]


@settings(max_examples=50)
@given(st.binary(max_size=20_000), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       st.integers(min_value=0, max_value=30_000))
def test_any_content_stored_or_deflated(data: bytes, method: int, limit: int) -> None:
    raw = _zip({"a.xml": data}, method)
    info = zipfile.ZipFile(io.BytesIO(raw)).infolist()[0]
    assert part_bytes(memoryview(raw), info) == data
    assert part_bytes(memoryview(raw), info, limit) == data[:limit]


def test_left_to_zipfile() -> None:
    raw = _zip({"a.xml": b"<a/>" * 1000})
    info = zipfile.ZipFile(io.BytesIO(raw)).infolist()[0]
    truncated = memoryview(raw[: info.header_offset + 40])
    assert part_bytes(truncated, info) is None                        # the bytes end inside the part
    corrupt = bytearray(raw)
    corrupt[info.header_offset + 35: info.header_offset + 43] = b"\xff" * 8
    assert part_bytes(memoryview(bytes(corrupt)), info) is None         # does not inflate
    info.flag_bits |= 0x1                                               # encrypted
    assert part_bytes(memoryview(raw), info) is None
    info.flag_bits &= ~0x1
    info.compress_type = zipfile.ZIP_BZIP2
    assert part_bytes(memoryview(raw), info) is None
    lying = zipfile.ZipFile(io.BytesIO(raw)).infolist()[0]
    lying.file_size += 10                                              # says more than it holds
    assert part_bytes(memoryview(raw), lying) is None
