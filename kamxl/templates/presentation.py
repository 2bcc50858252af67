"""How a workbook reads on screen and on paper: header wrap and fit, print setup, footers,
readable validation messages. The builder applies it to every sheet a schema declares
(templates and roll-ups alike); tests measure workbooks against the same estimates.

Widths are in Excel's column-width unit (the width of a '0' in the default font, Calibri
11: 7 pixels); heights in points.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kamxl.i18n import Lang, Text

# A bold 10 pt Latin character is about as wide as a '0' of Calibri 11 on average; 1.1 leaves
# room for capitals and for the fonts LibreOffice substitutes. A CJK character counts double.
LATIN = 1.1
CJK = 2.1
CELL_PADDING = 1.0          # the cell's inner margins and the filter button's edge
NUMBER_PADDING = 1.5        # a number's margins: narrower, a spreadsheet shows ### instead of it
HEADER_PADDING = 2.2        # a table header also holds the autofilter button
LINE_HEIGHT = {"zh": 17.0, "en": 13.5}   # one line of 10 pt text (YaHei sets taller lines than Calibri)
ROW_PADDING = 4.0
PIXELS_PER_UNIT = 7         # Calibri 11's '0'
PAGE_PIXELS = 1045          # A4 landscape less 0.4-inch margins, at 96 dpi (portrait: 720)
PORTRAIT_PIXELS = 720
PRINT_SAFETY = 0.85         # LibreOffice needs room beyond its 6 % wider columns (measured: tests/test_print.py)
MIN_SCALE = 45              # below this a printed page is unreadable: better a page more

_WIDE = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"   # CJK characters and full-width forms
_CJK = re.compile(f"[{_WIDE}]")
_TOKEN = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+")   # one CJK character, or a run of anything else but spaces


def char_width(ch: str) -> float:
    return CJK if _CJK.match(ch) else LATIN


def text_width(text: str) -> float:
    """The width a bold 10 pt text needs on one line (column-width units, no padding)."""
    return sum(char_width(ch) for ch in text)


def tokens(text: str) -> list[str]:
    """Where a wrapped text may break: between words, and between any two CJK characters."""
    return _TOKEN.findall(text)


def longest_token(text: str) -> float:
    return max((text_width(t) for t in tokens(text)), default=0.0)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in ``width`` (greedy, as Excel wraps)."""
    lines, used = 1, 0.0
    space = text_width(" ")
    for token in tokens(text):
        w = text_width(token)
        gap = 0.0 if used == 0 or _CJK.match(token) else space
        if used and used + gap + w > width:
            lines, used = lines + 1, w
        else:
            used += gap + w
    return lines


def header_fit(text: str, width: float, *, table: bool) -> tuple[float, int]:
    """(column width, lines): the column widened only when one word cannot fit on a line."""
    padding = HEADER_PADDING if table else CELL_PADDING
    width = max(width, math.ceil(longest_token(text) + padding))
    return width, wrapped_lines(text, width - padding)


def row_height(lines: int, lang: Lang) -> float:
    return lines * LINE_HEIGHT[lang] + ROW_PADDING


NOTE_SIZE = 0.9   # a printed note's 9 pt against the 10 pt the widths above are measured at


def note_lines(text: str, width: float) -> int:
    """Lines a 9 pt note (the questionnaire's questions) takes wrapped in a column ``width`` wide."""
    return wrapped_lines(text, (width - CELL_PADDING) / NOTE_SIZE)


def note_height(lines: int, lang: Lang) -> float:
    return row_height(lines, lang) * NOTE_SIZE


# --- print --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageColumns:
    """How a long table prints across: the scale and the column breaks (after these columns)."""

    scale: int
    breaks: tuple[int, ...]


def column_pixels(width: float) -> int:
    """Excel's column width in pixels (XlsxWriter and Excel both round so)."""
    return int(width * PIXELS_PER_UNIT + 5) if width >= 1 else int(width * (PIXELS_PER_UNIT + 5) + 0.5)


def page_columns(widths: list[float], pages: int, *, landscape: bool = True, repeat: int = 1,
                 breaks_at: frozenset[int] | None = None) -> PageColumns:
    """Spread columns over ``pages`` pages across, balanced (no page holds one stray column),
    the first ``repeat`` columns repeated on every page, at the largest scale that fits;
    ``breaks_at``: the only columns a page may start with (a questionnaire's dimensions stay whole)."""
    px = [column_pixels(w) for w in widths]
    first, rest = sum(px[:repeat]), px[repeat:]
    allowed = None if breaks_at is None else frozenset(c - repeat for c in breaks_at)
    groups = _balanced(rest, max(1, min(pages, len(rest))), allowed)
    page = (PAGE_PIXELS if landscape else PORTRAIT_PIXELS) * PRINT_SAFETY
    widest = max(sum(g) for g in groups) + first
    scale = max(MIN_SCALE, min(100, math.floor(100 * page / widest)))
    breaks, col = [], repeat
    for g in groups[:-1]:
        col += len(g)
        breaks.append(col)
    return PageColumns(scale, tuple(breaks))


def _balanced(px: list[int], pages: int, allowed: frozenset[int] | None = None) -> list[list[int]]:
    """Split ``px`` in ``pages`` consecutive groups minimising the widest (linear partition),
    each group after the first starting at an ``allowed`` index (any, when None)."""
    n = len(px)
    prefix = [0]
    for p in px:
        prefix.append(prefix[-1] + p)
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(pages + 1)]
    cut = [[0] * (n + 1) for _ in range(pages + 1)]
    best[0][0] = 0
    for k in range(1, pages + 1):
        for i in range(1, n + 1):
            for j in range(k - 1, i):
                if j and allowed is not None and j not in allowed:
                    continue
                cost = max(best[k - 1][j], prefix[i] - prefix[j])
                if cost < best[k][i]:
                    best[k][i], cut[k][i] = cost, j
    groups, i = [], n
    for k in range(pages, 0, -1):
        j = cut[k][i]
        groups.append(px[j:i])
        i = j
    return [g for g in reversed(groups) if g]


def footer(lang: Lang, title: str, facts: list[str]) -> str:
    """The page footer: the workbook and what it is about (owner, period, customer) on the left,
    the sheet in the middle, the print date and page on the right."""
    left = " · ".join([title, *facts]).replace("&", "&&")
    page = Text("打印于 &D　第 &P 页，共 &N 页", "Printed &D · page &P of &N")(lang)
    return f"&L&8{left}&C&8&A&R&8{page}"


# --- validation messages ------------------------------------------------------------------

UNBOUNDED = 1e9   # an upper bound this large only stops typing slips: the message leaves it out


def bound(value: float, lang: Lang, percent: bool = False) -> str:
    if percent:
        return f"{value * 100:g}%"
    if lang == "zh" and value >= 1e8 and value % 1e8 == 0:
        return f"{value / 1e8:g} 亿"
    if lang == "zh" and value >= 1e4 and value % 1e4 == 0:
        return f"{value / 1e4:g} 万"
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"


def number_message(kind: str, lo: float, hi: float, lang: Lang) -> str:
    """'Enter an amount of 0 or more' / '请输入不小于 0 的金额', '… from 0 to 10'."""
    what = {"money": Text("金额", "an amount"), "integer": Text("整数", "a whole number"),
            "percent": Text("百分比", "a percentage"), "score": Text("分数", "a score")}.get(
        kind, Text("数", "a number"))
    pct = kind == "percent"
    if hi >= UNBOUNDED:
        return Text("请输入不小于 {lo} 的{zh}", "Enter {en} of {lo} or more")(
            lang, lo=bound(lo, lang, pct), zh=what.zh, en=what.en)
    return Text("请输入 {lo} 到 {hi} 之间的{zh}", "Enter {en} from {lo} to {hi}")(
        lang, lo=bound(lo, lang, pct), hi=bound(hi, lang, pct), zh=what.zh, en=what.en)


def periods(kind: str, first_year: int, last_year: int) -> list[str]:
    """The company's forecast periods in M-FC-1's spelling: '2026-Q4' or '2026-11'."""
    if kind == "month":
        return [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]
    return [f"{y}-Q{q}" for y in range(first_year, last_year + 1) for q in range(1, 5)]
