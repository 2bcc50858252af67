"""Customers: uniqueness (M-ACC-2) and periodic key-account evaluation (M-ACC-6).

M-ACC-2  a customer is created once. Two spellings of one company must meet on one
         key: full/half width, spaces, brackets, legal-form suffixes (zh and en),
         traditional vs simplified script. A valid 18-character unified social credit
         code (统一社会信用代码, GB 32100-2015) is an exact key and wins over the name.
M-ACC-6  weighted score of contribution, potential and satisfaction (0-100) and the
         class A/B/C/D with its consequence keep / develop / downgrade / exit.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import opencc
from stdnum.cn import uscc

from kamxl.errors import InputError, OutOfRangeError
from kamxl.i18n import Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.values import is_blank, parse_number

BAD_CREDIT_CODE = Text(
    zh="{value!r} 不是有效的统一社会信用代码（应为 18 位且校验位正确）",
    en="{value!r} is not a valid unified social credit code (18 characters with a correct check digit)",
)
NO_NAME = Text(zh="客户名称为空或不含任何文字、数字：{value!r}",
               en="the customer name is empty or has no letters or digits: {value!r}")
OUT_OF_RANGE = Text(zh="{name_zh} 应在 0 到 100 之间，实际为 {value!r}",
                    en="{name_en} must be from 0 to 100, got {value!r}")

# Legal forms, longest first. Chinese ones are stripped from the end of the folded name;
# English ones only as whole trailing words, so 'Costco' keeps its 'co'.
_ZH_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司")
_EN_LEGAL = frozenset({
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
    "llc", "plc", "gmbh", "ag", "sa", "bv", "pte", "pty", "lp", "llp", "kk",
})
_MEASURES = {"contribution": Text("贡献度", "contribution"), "potential": Text("合作潜力", "potential"),
             "satisfaction": Text("满意度与忠诚度", "satisfaction and loyalty")}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional -> simplified until nothing changes: OpenCC maps some variants in two
    steps (薴 -> 苧 -> 苎), and a key must not depend on how many steps were taken."""
    for _ in range(4):
        converted = _t2s().convert(text)
        if converted == text:
            break
        text = converted
    return text


def _words(text: str) -> list[str]:
    """Runs of letters and digits; everything else (spaces, brackets, dots) separates."""
    words, current = [], []
    for char in text:
        if unicodedata.category(char)[0] in "LN":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def name_key(name: object) -> str:
    """M-ACC-2: the comparison key of a company name (idempotent: key(key(x)) == key(x))."""
    if is_blank(name):
        raise InputError("M-ACC-2", NO_NAME, {"value": name})
    folded = _simplified(unicodedata.normalize("NFKC", str(name)).casefold())
    words = _words(folded)
    if not words:
        raise InputError("M-ACC-2", NO_NAME, {"value": name})
    while len(words) > 1 and words[-1] in _EN_LEGAL:
        words.pop()
    key = "".join(words)
    stripped = key not in _ZH_LEGAL  # a name that is only a legal form stays as it is
    while stripped:
        stripped = False
        for suffix in _ZH_LEGAL:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    return key


_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")  # GB 32100: no I, O, S, V, Z


def credit_code(value: object) -> str | None:
    """M-ACC-2: the normalised unified social credit code, None if blank; checks the digit.

    GB 32100-2015: 18 characters of its 31-letter alphabet; character 1 is the
    registration authority (digits and letters such as A, N, Y), 3-8 the region code
    (digits), 18 the check digit. python-stdnum computes the check digit; its validator
    is not used because it wrongly requires the first eight characters to be digits.
    """
    if is_blank(value):
        return None
    code = "".join(_words(unicodedata.normalize("NFKC", str(value)).upper()))
    if (len(code) != 18 or not set(code) <= _USCC_ALPHABET or not code[2:8].isdigit()
            or code[-1] != uscc.calc_check_digit(code[:17])):
        raise InputError("M-ACC-2", BAD_CREDIT_CODE, {"value": value})
    return code


def customer_key(name: object, code: object = None) -> str:
    """M-ACC-2: one key per customer: 'USCC:<code>' when a valid code is given, else the name key."""
    checked = credit_code(code)
    return f"USCC:{checked}" if checked else name_key(name)


@dataclass(frozen=True)
class Customer:
    name: str
    code: str | None = None
    ref: object = None  # where it came from (file/row), carried through untouched


def group_customers(customers: Iterable[Customer]) -> list[list[Customer]]:
    """M-ACC-2: customers that are one company: same valid credit code OR same name key.

    Union-find over both keys, so a row with a code and a row without one still meet
    through their names. Groups keep input order; singletons are included.
    """
    items = list(customers)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[str, int] = {}
    for index, customer in enumerate(items):
        code = credit_code(customer.code)
        for key in (name_key(customer.name), code and f"USCC:{code}"):
            if key:
                other = first_seen.setdefault(key, index)
                parent[root(index)] = root(other)
    groups: dict[int, list[Customer]] = {}
    for index, customer in enumerate(items):
        groups.setdefault(root(index), []).append(customer)
    return list(groups.values())


@dataclass(frozen=True)
class Evaluation:
    """M-ACC-6: the weighted score (0-100) and the class A/B/C/D."""

    score: float
    account_class: str


def evaluate_account(contribution: object, potential: object, satisfaction: object,
                     *, config: Config | None = None) -> Evaluation:
    """M-ACC-6: weighted score with the configured weights; class by the configured cut-offs."""
    cfg = config or default_config()
    values = {}
    for key, raw in zip(_MEASURES, (contribution, potential, satisfaction)):
        number = parse_number(raw, code="M-ACC-6")
        if number is not None and isinstance(raw, str) and "%" in raw:
            number *= 100  # '80%' on a 0-100 scale means 80, not 0.8
        if number is None or not 0 <= number <= 100:
            raise (InputError if number is None else OutOfRangeError)("M-ACC-6", OUT_OF_RANGE,
                             {"value": raw, "name_zh": _MEASURES[key].zh, "name_en": _MEASURES[key].en})
        values[key] = number
    score = round(sum(cfg.evaluation.weights[k] * v for k, v in values.items()), 9)
    return Evaluation(score, account_class(score, config=cfg))


def account_class(score: float, *, config: Config | None = None) -> str:
    """M-ACC-6: A at or above the A cut-off, then B, then C; below C is D."""
    cutoffs = (config or default_config()).evaluation.classes
    return next((name for name in ("A", "B", "C") if score >= cutoffs[name]), "D")
