"""A package part's bytes straight from the file's bytes, for the parts our own code
reads (the intake's prolog checks, the formula-cell scan): stored or deflated and not
encrypted, inflated by ISA-L (python-isal: about five times zlib's speed on a sheet).
Anything else returns None, and the caller goes through :mod:`zipfile`, which says what
is wrong with it. Never more than the part's declared size is unpacked (the intake has
already checked the declared sizes against the caps).
"""
from __future__ import annotations

import os
import struct
import zipfile
from typing import BinaryIO

from isal import isal_zlib

RAW_READ = 64 * 1024 * 1024   # bytes: a package up to this size is read into memory once

_LOCAL = struct.Struct("<4s2B4HL2L2H")   # a zip's local file header (zipfile.structFileHeader)
_SIGNATURE = b"PK\x03\x04"


def package_bytes(handle: BinaryIO) -> memoryview | None:
    """The whole package from an open file, when it is small enough to hold (else None:
    the caller reads its parts through zipfile)."""
    if os.fstat(handle.fileno()).st_size > RAW_READ:
        return None
    handle.seek(0)
    return memoryview(handle.read())


def part_bytes(raw: memoryview, info: zipfile.ZipInfo, limit: int | None = None) -> bytes | None:
    """The part's first ``limit`` bytes (all of it when None), or None when it is not a plain
    stored or deflated part whose bytes are all in ``raw``, or does not inflate."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    header = raw[at:at + _LOCAL.size]
    if len(header) < _LOCAL.size:
        return None
    fields = _LOCAL.unpack(header)
    if fields[0] != _SIGNATURE:
        return None
    begin = at + _LOCAL.size + fields[10] + fields[11]       # past the name and the extra field
    body = raw[begin:begin + info.compress_size]
    if len(body) < info.compress_size:
        return None
    wanted = info.file_size if limit is None else min(limit, info.file_size)
    if info.compress_type == zipfile.ZIP_STORED or not wanted:   # (to inflate, 0 would mean "no limit")
        return bytes(body[:wanted])
    try:
        data = isal_zlib.decompressobj(-15).decompress(body, wanted)
    except isal_zlib.error:
        return None
    return data if len(data) == wanted else None   # shorter than it says: let zipfile name the damage
