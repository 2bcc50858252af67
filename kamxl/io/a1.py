"""Column letters <-> numbers in A1 notation (1-based, as openpyxl), without importing openpyxl:
its package import pulls numpy and most of its object model, a third of a one-file
validation's start-up."""
from __future__ import annotations

from functools import lru_cache

MAX_INDEX = 18_278           # ZZZ: what three letters can say (Excel's own last column is XFD, 16,384)


@lru_cache(maxsize=None)
def column_letter(index: int) -> str:
    """``1 -> "A"``, ``27 -> "AA"``; ValueError outside 1..18278 (as openpyxl)."""
    if not 1 <= index <= MAX_INDEX:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    """``"A" -> 1``, ``"aa" -> 27``; ValueError for anything but 1-3 letters (as openpyxl)."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column letter")
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


__all__ = ["MAX_INDEX", "column_index", "column_letter"]
