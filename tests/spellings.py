"""Hypothesis strategies for the ways people type a value into a cell (M-SCORE-3)."""
from __future__ import annotations

from hypothesis import strategies as st

YES = ("1", "y", "yes", "true", "是", "√", "✓", 1, 1.0, True)
NO = ("0", "n", "no", "false", "否", "×", 0, 0.0, False)
BLANK = (None, "", "   ", "\u3000", "\t")


def full_width(text: str) -> str:
    """ASCII -> full-width forms, the way a Chinese IME types them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


@st.composite
def typed(draw: st.DrawFn, value: object) -> object:
    """``value`` as a person might type it: case, width and surrounding spaces varied."""
    if not isinstance(value, str):
        return value
    text = draw(st.sampled_from([value, value.upper(), value.capitalize()]))
    if draw(st.booleans()):
        text = full_width(text)
    pad = st.sampled_from(["", " ", "  ", "\u3000", "\t"])
    return draw(pad) + text + draw(pad)


def answer(truth: bool | None) -> st.SearchStrategy[object]:
    """One answer cell meaning yes (True), no (False) or not yet answered (None)."""
    if truth is None:
        return st.sampled_from(BLANK)
    return st.sampled_from(YES if truth else NO).flatmap(typed)
