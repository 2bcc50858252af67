"""Is a text wholly in its language? One checker for every test that asks.

A Chinese text may hold codes, ids, names, numbers and file paths, but no English word;
an English text holds no Chinese character. :func:`foreign` says what does not belong,
:func:`templates` collects every bilingual template of the package (each
:class:`kamxl.i18n.Text` reachable from a module of ``kamxl`` or ``udfs``, every literal
``Text(…)`` and ``{"zh": …, "en": …}`` in their source), so a test can check them all::

    from tests.language import foreign, templates
    bad = [(where, lang, word) for where, text in templates() for lang in ("zh", "en")
           for word in foreign(getattr(text, lang), lang)]
"""
from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

from kamxl.i18n import Text

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kamxl", "udfs")

#: Latin words a Chinese text may hold: product and format names, and words that are codes
ALLOWED = frozenset({
    "Excel", "WPS", "LibreOffice", "Office", "Windows", "macOS", "Mac", "Linux", "Python", "xlwings", "kamxl", "conda",
    "pebble", "calamine", "xlsx", "xlsm", "xlsb", "xls", "xlam", "csv", "json", "toml", "TOML", "zip", "pdf", "bas",
    "Ctrl", "Alt", "Shift", "Enter", "End", "Home", "Mark-of-the-Web", "ISO", "UTF", "zh", "en", "Y", "N", "x",
})
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FIELD = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdr]")   # a format field (str.format or %): filled in by the caller
_CHUNK = re.compile(r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’'\"()（）,;，；、：:]+")
_WORD = re.compile(r"[A-Za-z]+")
_MARKUP = re.compile(r"\[/?(?:bold|italic|dim|red|green|yellow|cyan|magenta)?\]")   # rich's console markup
_COMMAND = re.compile(r"\bkamxl(?:\s+[a-z][a-z-]*)+")   # a command line to type: code
_OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*(?:[ =][a-z][\w-]*\b)?")  # an option, and a word value after it


def foreign(text: str, lang: str, *, data: Iterable[str] = (), codes: Iterable[str] = ()) -> list[str]:
    """What in ``text`` is not in ``lang``: English words of a zh text (codes, names,
    file names, option names and command lines allowed), Chinese characters of an en text.

    ``data``: strings that came from the user's files (names, values as typed), allowed
    in either language; ``codes``: words to take as codes (command names, choices).
    ``{fields}`` of a template are left out: the caller fills them in."""
    body = _FIELD.sub(" ", text.replace("{{", "").replace("}}", ""))
    for value in sorted({str(d) for d in data if str(d).strip()}, key=len, reverse=True):
        body = body.replace(value, " ")
    body = _MARKUP.sub(" ", body)
    if lang == "en":
        return _CJK.findall(body)
    body = _OPTION.sub(" ", _COMMAND.sub(" ", body))
    allowed = ALLOWED | set(codes)
    return [chunk for chunk in _CHUNK.findall(body) if _WORD.search(chunk) and not _is_code(chunk, allowed)]


def _is_code(chunk: str, allowed: frozenset[str] | set[str] = ALLOWED) -> bool:
    """A chunk without spaces is a code, id, name or path when it has a digit, an
    underscore, a dot, a slash, a hyphenated capital (M-FC-3), is all capitals (CNY,
    TOP-10, A/B/C/D), or is an allowed word."""
    chunk = chunk.strip(".。!！?？[]【】<>《》=+*#|·…-")
    if not chunk or not _WORD.search(chunk):
        return True
    if chunk in allowed or any(c.isdigit() or c in "_./\\~@$%&=" for c in chunk):
        return True
    words = _WORD.findall(chunk)
    return all(w.isupper() or w in allowed for w in words)


# --- collecting every template --------------------------------------------------------------------

def modules() -> list[ModuleType]:
    """Every module of the packages (xlwings, which udfs and kamxl.excel import, imports anywhere)."""
    found = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            found.append(importlib.import_module(info.name))
    return found


def templates() -> list[tuple[str, Text]]:
    """(where, text) for every bilingual template: reachable objects, then source literals."""
    seen: dict[tuple[str, str], str] = {}
    for where, text in _reachable():
        seen.setdefault((text.zh, text.en), where)
    for where, text in _literals():
        seen.setdefault((text.zh, text.en), where)
    return [(where, Text(zh, en)) for (zh, en), where in seen.items()]


def _reachable() -> Iterator[tuple[str, Text]]:
    from kamxl.methodology import default_config
    from kamxl.methodology.checklist import checklist

    visited: set[int] = set()
    roots: list[tuple[str, object]] = [("default_config()", default_config()), ("checklist()", checklist())]
    for module in modules():
        roots += [(f"{module.__name__}.{k}", v) for k, v in vars(module).items() if not k.startswith("__")]
    stack = list(reversed(roots))
    while stack:
        where, obj = stack.pop()
        if id(obj) in visited or isinstance(obj, (str, bytes, int, float, bool, type(None), ModuleType)):
            continue
        visited.add(id(obj))
        if isinstance(obj, Text):
            yield where, obj
            continue
        stack += _children(where, obj)


def _ours(obj: object) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module.split(".")[0] in PACKAGES


def _children(where: str, obj: object) -> list[tuple[str, object]]:
    if isinstance(obj, dict):
        return [(f"{where}[{k!r}]", v) for k, v in obj.items()] + [(f"{where} key", k) for k in obj]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [(f"{where}[{i}]", v) for i, v in enumerate(obj)]
    if isinstance(obj, type):
        if not _ours(obj):
            return []
        out = [(f"{where}.{k}", v) for k, v in vars(obj).items() if not k.startswith("__")]
        if issubclass(obj, enum.Enum):     # properties of members (Severity.label)
            out += [(f"{where}.{m.name}.{k}", getattr(m, k)) for m in obj
                    for k, v in vars(obj).items() if isinstance(v, property)]
        return out
    if callable(obj) and not _ours(type(obj)):
        inner = getattr(obj, "__wrapped__", None)
        return [(f"{where}.kam", getattr(obj, "kam"))] if hasattr(obj, "kam") else \
            ([(where, inner)] if inner is not None else [])
    if not _ours(type(obj)):
        return []
    if dataclasses.is_dataclass(obj):
        return [(f"{where}.{f.name}", getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    state = getattr(obj, "__dict__", None)
    slots = [s for c in type(obj).__mro__ for s in getattr(c, "__slots__", ())]
    out = [(f"{where}.{k}", v) for k, v in (state or {}).items()]
    return out + [(f"{where}.{s}", getattr(obj, s)) for s in slots if hasattr(obj, s)]


def _sources() -> Iterator[Path]:
    for name in PACKAGES:
        yield from sorted((ROOT / name).rglob("*.py"))


def _literals() -> Iterator[tuple[str, Text]]:
    """``Text("…", "…")`` / ``T(zh=…, en=…)`` calls and ``{"zh": …, "en": …}`` dicts with
    literal strings (an f-string counts by its literal parts), wherever they are written:
    inside functions too, where no walk of objects reaches."""
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            pair = _pair(node)
            if pair is not None:
                yield f"{rel}:{node.lineno}", Text(*pair)


def _text_of(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.IfExp):              # {"zh": "a" if x else "b"}: both branches
        a, b = _text_of(node.body), _text_of(node.orelse)
        return None if a is None or b is None else f"{a} {b}"
    return None


def _pair(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Text", "T"):
        args = {**dict(zip(("zh", "en"), node.args)), **{k.arg: k.value for k in node.keywords if k.arg}}
        zh, en = _text_of(args.get("zh")), _text_of(args.get("en"))
    elif isinstance(node, ast.Dict) and {_text_of(k) for k in node.keys if k is not None} == {"zh", "en"}:
        values = {_text_of(k): v for k, v in zip(node.keys, node.values)}
        zh, en = _text_of(values["zh"]), _text_of(values["en"])
    else:
        return None
    return None if zh is None or en is None else (zh, en)
