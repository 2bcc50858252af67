"""Turning what people type into cells into values: text folding, yes/no, numbers, dates.

Excel hands us str, float, int, bool, datetime or None; people type full-width
characters, stray spaces and Chinese words. These parsers accept all reasonable
spellings and raise :class:`InputError` naming the value for anything else.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from kamxl.errors import InputError
from kamxl.i18n import Text

_YES = frozenset({"1", "y", "yes", "true", "t", "是", "√", "✓", "✔", "☑", "对", "有"})
_NO = frozenset({"0", "n", "no", "false", "f", "否", "×", "✗", "✘", "☐", "错", "无"})

NOT_YES_NO = Text(
    zh="无法识别的是/否值 {value!r}：请填 是/否、Y/N、yes/no、1/0、TRUE/FALSE 或 √/×，未回答请留空",
    en="Unrecognised yes/no value {value!r}: use Y/N, yes/no, 1/0, TRUE/FALSE or √/×; leave blank if not answered",
)
NOT_A_NUMBER = Text(zh="{value!r} 不是数字", en="{value!r} is not a number")
NOT_A_DATE = Text(zh="{value!r} 不是日期（请用 YYYY-MM-DD）", en="{value!r} is not a date (use YYYY-MM-DD)")

_EXCEL_EPOCH_1900 = datetime(1899, 12, 30)  # serial 1 = 1900-01-01, with Lotus' leap-day bug
_EXCEL_EPOCH_1904 = datetime(1904, 1, 1)


def fold(value: object) -> str:
    """Canonical comparison form: NFKC (full width -> half width), trimmed, case-folded."""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split()).casefold()


def is_blank(value: object) -> bool:
    """None, '' and whitespace-only text (including the ideographic space) are blank."""
    return value is None or (isinstance(value, str) and not value.strip())


# The spellings cells hold most of the time, looked up as they are before any folding
# (public so hot loops can map over it and fall back to parse_yes_no for the rest):
# scoring a 100,000-row assessment must not NFKC-normalise two million 'Y's.
AS_TYPED: dict[object, bool | None] = {
    None: None, "": None, True: True, False: False, 1: True, 0: False,
    **{s: True for y in _YES for s in (y, y.upper(), y.capitalize())},
    **{s: False for n in _NO for s in (n, n.upper(), n.capitalize())},
}


def parse_yes_no(value: object, *, code: str = "S-VALUE-YESNO") -> bool | None:
    """True / False, or None for a blank cell. ``code`` is the rule the caller enforces."""
    try:
        return AS_TYPED[value]
    except (KeyError, TypeError):
        pass
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise InputError(code, NOT_YES_NO, {"value": value})


_NUMBER_NOISE = re.compile(r"[,\s¥￥$€£]|(?:rmb|cny|元)$")


def parse_number(value: object, *, code: str = "S-VALUE-NUMBER") -> float | None:
    """A finite float, or None for blank. Accepts '1,200,000', '¥ 35万' is NOT accepted."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise InputError(code, NOT_A_NUMBER, {"value": value})
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _NUMBER_NOISE.sub("", fold(value))
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%")) / (100 if percent else 1)
        except ValueError:
            raise InputError(code, NOT_A_NUMBER, {"value": value}) from None
    if not math.isfinite(number):
        raise InputError(code, NOT_A_NUMBER, {"value": value})
    return number


def parse_date(value: object, *, date1904: bool = False, code: str = "S-VALUE-DATE") -> date | None:
    """A date from a datetime, an Excel serial number or ISO-like text; None for blank."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return ((_EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH_1900) + timedelta(days=int(value))).date()
    if isinstance(value, str):
        text = fold(value).replace("/", "-").replace(".", "-")
        text = re.sub(r"(\d+)年(\d+)月(\d+)日?", r"\1-\2-\3", text)
        try:
            return datetime.strptime(text.split(" ")[0].split("t")[0], "%Y-%m-%d").date()
        except ValueError:
            pass
    raise InputError(code, NOT_A_DATE, {"value": value})
