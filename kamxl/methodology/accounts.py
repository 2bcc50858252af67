"""Customers: uniqueness (M-ACC-2) and periodic key-account evaluation (M-ACC-6).

M-ACC-2  a customer is created once. Two spellings of one company must meet on one
         key: full/half width, spaces, brackets, legal-form suffixes (zh and en),
         traditional vs simplified script, English word order, and the region written
         first, in brackets or last (kamxl/data/regions.toml: provinces and prefecture-
         level cities, zh and pinyin). A valid 18-character unified social credit code
         (统一社会信用代码, GB 32100-2015) is an exact key and wins over the name: two
         valid codes are two customers whatever their names (identify_customers).
M-ACC-6  weighted score of contribution, potential and satisfaction (0-100) and the
         class A/B/C/D with its consequence keep / develop / downgrade / exit.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import opencc

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
# Words an English region name may carry ('Guangdong Province'); 'city' is not one of them:
# 'Beijing City Gas' may be a trade name.
_EN_REGION_WORDS = frozenset({"province", "municipality", "sar", "prefecture", "autonomous", "special",
                              "administrative", "region"})
# 北京市政 is 北京 + 市政 (municipal works), not 北京市 + 政: after a full name ending in
# 市, these words keep their 市.
_MUNICIPAL_WORDS = ("市政", "市场")
_BRACKETS = re.compile(r"[(\[{<【〔〖《]([^()\[\]{}<>【】〔〕〖〗《》]*)[)\]}>】〕〗》]")
_AMPERSAND = re.compile(r"(?<=\w)\s*&\s*(?=\w)")
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


def _fold(text: str) -> str:
    """Width, case and script folded; '&' between words is 'and'; apostrophes join (Xi'an,
    McDonald's)."""
    text = _simplified(unicodedata.normalize("NFKC", text).casefold())
    return _AMPERSAND.sub(" and ", text).replace("'", "").replace("\u2019", "")


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


@dataclass(frozen=True)
class _Regions:
    """M-ACC-2: the regions of kamxl/data/regions.toml, by every spelling, to their canonical
    form (the short Chinese name; the first pinyin spelling, without spaces)."""

    zh: dict[str, str]                  # 北京市, 北京 -> 北京
    en: dict[tuple[str, ...], str]      # ('inner', 'mongolia'), ('neimenggu',) -> neimenggu
    zh_lengths: tuple[int, ...]         # the lengths of the Chinese spellings, longest first
    en_lengths: tuple[int, ...]


@lru_cache(maxsize=1)
def _regions() -> _Regions:
    data = tomllib.loads(resources.files("kamxl").joinpath("data/regions.toml").read_text("utf-8"))
    zh: dict[str, str] = {}
    en: dict[tuple[str, ...], str] = {}
    for entry in (data["national"], *data["provinces"], *data["prefectures"]):
        short = _fold(entry["short"])
        for spelling in (entry["zh"], entry["short"]):
            zh.setdefault(_fold(spelling), short)
        canonical = "".join(_words(_fold(entry["en"][0])))
        for spelling in entry["en"]:
            en.setdefault(tuple(_words(_fold(spelling))), canonical)
            en.setdefault((canonical,), canonical)
    return _Regions(zh, en, tuple(sorted({len(k) for k in zh}, reverse=True)),
                    tuple(sorted({len(k) for k in en}, reverse=True)))


def _en_region(words: list[str]) -> str | None:
    """The region ``words`` are, as a whole ('Guangdong Province', 'Hong Kong SAR'), or None."""
    while len(words) > 1 and words[-1] in _EN_REGION_WORDS:
        words = words[:-1]
    return _regions().en.get(tuple(words))


def _bracketed_region(text: str) -> tuple[str | None, str]:
    """The first bracketed region (华信科技（北京）有限公司) and the text without it."""
    for match in _BRACKETS.finditer(text):
        inner = _words(match.group(1))
        region = _en_region(inner) or _regions().zh.get("".join(inner))
        rest = text[:match.start()] + " " + text[match.end():]
        if region and _words(rest):
            return region, rest
    return None, text


def _edge_en_region(words: list[str]) -> tuple[str | None, list[str]]:
    """An English region as the first or the last words (Beijing Huaxin / Huaxin Beijing)."""
    for size in range(min(len(words) - 1, 5), 0, -1):   # a region and its words: five at most
        region = _en_region(words[:size])
        if region:
            return region, words[size:]
    for size in range(min(len(words) - 1, 5), 0, -1):
        region = _en_region(words[-size:])
        if region:
            return region, words[:-size]
    return None, words


def _edge_zh_region(key: str) -> tuple[str | None, str]:
    """A Chinese region at the start (北京华信科技), else at the end (华信科技北京), longest first."""
    regions = _regions().zh
    for size in _regions().zh_lengths:
        head = key[:size]
        if size < len(key) and head in regions:
            if head.endswith("市") and key[size - 1:].startswith(_MUNICIPAL_WORDS):
                continue
            return regions[head], key[size:]
    for size in _regions().zh_lengths:
        tail = key[-size:]
        if size < len(key) and tail in regions:
            return regions[tail], key[:-size]
    return None, key


def _strip_en_legal(words: list[str]) -> list[str]:
    while len(words) > 1 and words[-1] in _EN_LEGAL:
        words = words[:-1]
        if len(words) > 1 and words[-1] == "and":     # Smith & Co.
            words = words[:-1]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def _strip_zh_legal(key: str) -> str:
    stripped = key not in _ZH_LEGAL  # a name that is only a legal form stays as it is
    while stripped:
        stripped = False
        for suffix in _ZH_LEGAL:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    return key


def name_key(name: object) -> str:
    """M-ACC-2: the comparison key of a company name (idempotent: key(key(x)) == key(x)).

    A Chinese company name is region + trade name + industry + legal form, and the region
    may come first (北京华信科技有限公司), in brackets (华信科技（北京）有限公司,
    Huaxin Technology (Beijing) Co., Ltd.) or last (华信科技有限公司北京, Huaxin Technology
    Co., Ltd., Beijing). The key is the rest, folded (width, case, script, spaces,
    punctuation, legal forms zh and en, a leading 'The'), with the region in canonical
    brackets at its end: ``华信科技(北京)``, ``huaxintechnology(beijing)``. 北京 and 北京市
    are one region; different regions stay different keys. A name without a region keeps
    a key without one: 华信科技 is not merged with 华信科技(北京), which may be another
    company. A region inside the trade name without brackets (华信北京科技) is not looked
    for: too many trade names hold a city's name (平安康复 holds 安康).
    """
    if is_blank(name):
        raise InputError("M-ACC-2", NO_NAME, {"value": name})
    region, text = _bracketed_region(_fold(str(name)))
    words = _words(text)
    if not words:
        raise InputError("M-ACC-2", NO_NAME, {"value": name})
    words = _strip_en_legal(words)
    if region is None:
        region, words = _edge_en_region(words)
        words = _strip_en_legal(words)
    key = _strip_zh_legal("".join(words))
    if region is None:
        region, key = _edge_zh_region(key)
        key = _strip_zh_legal(key)
    return f"{key}({region})" if region else key


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
    from stdnum.cn import uscc   # here: its package import (ssl among it) is ~15 ms of every start-up

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


@dataclass(frozen=True)
class Identity:
    """M-ACC-2: which rows are one customer.

    ``groups``: the customers, each a list of rows in input order (singletons included).
    ``ambiguous``: the groups of rows without a credit code whose name matches two or
    more companies with different codes; each is its own customer here (it glues no one
    together), and asks for its credit code.
    """

    groups: list[list[Customer]]
    ambiguous: list[list[Customer]]


def identify_customers(customers: Iterable[Customer], *, keys: dict[str, str] | None = None) -> Identity:
    """M-ACC-2: the credit code decides, the name only where a code is missing.

    Rows with one valid code are one customer, whatever their names. Rows with two
    different codes are two customers, even when their names fold alike (华信科技有限公司
    and 华信科技股份有限公司 with their own codes). A row without a code joins the company
    whose rows carry its name key; when that is no company, it joins the other rows of
    its name; when that is two or more companies, it is ambiguous and joins none of them.
    ``keys`` caches name keys by raw name (a batch names one customer on many rows).
    Raises InputError for a blank name or an invalid code.
    """
    cache = {} if keys is None else keys
    items = list(customers)
    codes: dict[object, str | None] = {}
    rows = [(c, codes[c.code] if c.code in codes else codes.setdefault(c.code, credit_code(c.code)),
             _cached_key(c.name, cache)) for c in items]
    codes_of_name: dict[str, list[str]] = {}
    for _c, code, key in rows:
        if code and code not in codes_of_name.setdefault(key, []):
            codes_of_name[key].append(code)
    groups: dict[str, list[Customer]] = {}
    ambiguous: set[str] = set()
    for customer, code, key in rows:
        codes = codes_of_name.get(key, [])
        if code:
            group = f"USCC:{code}"
        elif len(codes) == 1:
            group = f"USCC:{codes[0]}"
        else:
            group = f"NAME:{key}"
            if codes:
                ambiguous.add(group)
        groups.setdefault(group, []).append(customer)
    return Identity(list(groups.values()), [groups[g] for g in groups if g in ambiguous])


def _cached_key(name: object, cache: dict[str, str]) -> str:
    raw = name if isinstance(name, str) else str(name)
    if raw not in cache:
        cache[raw] = name_key(name)
    return cache[raw]


def group_customers(customers: Iterable[Customer]) -> list[list[Customer]]:
    """M-ACC-2: customers that are one company (:func:`identify_customers`): the same valid
    credit code; or, for a row without a code, the same name key as the rows of one
    company (or of no company). Groups keep input order; singletons are included."""
    return identify_customers(customers).groups


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
