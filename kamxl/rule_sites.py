"""Where the code cites each rule id, found by looking at the code, never typed by hand.

The kinds of place a reader of the rule reference (``docs/methodology.md``) asks about:

- worksheet functions: the ``KAM_*`` functions whose description cites the id;
- template cells: every column, table, grid, chart and flag of a workbook's schema that
  carries the id (``rules=``, ``Flag(rule, …)``), roll-up sheets included;
- dropdown lists: every vocabulary of the methodology, by the rule it serves;
- code: every string literal of the package's source that is an id — the rule of a
  finding (with its severity and message when the call names them), of an error that
  stops a command, of a vocabulary or a parser.

:func:`mentioned` is wider: every id written anywhere in the package, comments and
docstrings included, so that a test can ask that each one is in the rule table.
"""
from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kamxl.errors import KamxlError
from kamxl.i18n import Text
from kamxl.methodology.rules import ID, cited

PACKAGE = Path(__file__).resolve().parent
#: the rule table and what is generated from it cite every id: they are not places of use
_NOT_USES = ("methodology/rules.py", "rule_sites.py", "rules_doc.py")
ROLLUP = Text("汇总工作簿", "Roll-up workbook")


@dataclass(frozen=True)
class Function:
    name: str
    doc: Text


@dataclass(frozen=True)
class Choice:
    name: Text
    terms: tuple[Text, ...]
    path: str                            # the module that declares it


@dataclass(frozen=True)
class Cell:
    workbook: Text
    path: tuple[Text, ...]               # sheet, block, column (as far as the id goes)
    legend: Text | None = None           # a flag: what its colour means


@dataclass(frozen=True)
class Code:
    path: str                            # relative to the package's folder, e.g. 'kamxl/checks/funnel.py'
    function: str
    kind: str                            # 'finding', 'rollup', 'error' (a KamxlError raised) or 'code'
    severity: str | None = None
    message: Text | None = None


@dataclass
class Sites:
    functions: list[Function] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    code: list[Code] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.functions or self.cells or self.choices or self.code)


@cache
def sites() -> dict[str, Sites]:
    """Each cited id and the places that cite it, each place once, in the code's order
    (looked for once per process: the code does not change under it)."""
    found: dict[str, Sites] = {}
    choices = list(_choices())
    declared = {(rule, c.path) for rule, c in choices}     # a vocabulary's rule literal: the list says more
    for rule, place in (*_functions(), *_cells(), *choices, *_code()):
        if isinstance(place, Code) and (rule, place.path) in declared and not (place.message or place.severity):
            continue
        bucket = found.setdefault(rule, Sites())
        kept = {Function: bucket.functions, Cell: bucket.cells, Choice: bucket.choices, Code: bucket.code}[type(place)]
        if place not in kept:
            kept.append(place)
    return found


def mentioned() -> dict[str, list[str]]:
    """Every id written anywhere in the package (code, comments, data, the add-in's
    sources) -> the files."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:                # not text
            continue
        for rule in cited(text):
            found.setdefault(rule, []).append(_name(path))
    return found


# --- worksheet functions ---------------------------------------------------------------------------

def _functions() -> Iterator[tuple[str, Function]]:
    from kamxl.excel import udfs

    for obj in vars(udfs).values():
        meta = getattr(obj, "kam", None)
        if meta is not None:
            zh, _, en = meta.doc.partition(" · ")
            for rule in cited(meta.doc):
                yield rule, Function(meta.name, Text(zh.strip(), en.strip()))


# --- template cells --------------------------------------------------------------------------------

def _workbooks() -> Iterator[tuple[Text, tuple[object, ...], tuple[str, ...]]]:
    from kamxl.schema import TEMPLATES
    from kamxl.schema.rollup import REPORT_SHEETS, overview_sheet

    for template in TEMPLATES.values():
        yield template.title, template.sheets, template.rules
    yield ROLLUP, (overview_sheet(True), *REPORT_SHEETS), ()


def _cells() -> Iterator[tuple[str, Cell]]:
    from kamxl.schema.model import Grid, Table

    for workbook, sheets, whole in _workbooks():
        seen: set[str] = set()
        for sheet in sheets:
            for block in sheet.blocks:                               # type: ignore[attr-defined]
                title = block.title or sheet.name
                columns = block.fields if not isinstance(block, (Table, Grid)) else block.columns
                for column in columns:
                    for rule in column.rules:
                        seen.add(rule)
                        yield rule, Cell(workbook, (sheet.name, title, column.header))
                for rule in getattr(block, "rules", ()):
                    if rule not in {r for c in columns for r in c.rules}:
                        seen.add(rule)
                        yield rule, Cell(workbook, (sheet.name, title))
                for flag in getattr(block, "flags", ()):
                    seen.add(flag.rule)
                    for key in flag.columns:
                        header = next(c.header for c in columns if c.key == key)
                        yield flag.rule, Cell(workbook, (sheet.name, title, header), flag.legend)
            for chart in sheet.charts:                               # type: ignore[attr-defined]
                for rule in chart.rules:
                    seen.add(rule)
                    yield rule, Cell(workbook, (sheet.name, chart.title))
        for rule in whole:
            if rule not in seen:
                yield rule, Cell(workbook, ())


# --- dropdown lists ------------------------------------------------------------------------------

def _choices() -> Iterator[tuple[str, Choice]]:
    from kamxl.methodology.vocabulary import Vocabulary

    for path in sorted(PACKAGE.rglob("*.py")):
        name, source = _name(path), path.read_text(encoding="utf-8")
        if "Vocabulary" not in source or name.endswith(_NOT_USES):
            continue
        module = importlib.import_module(name[:-3].replace("/", ".").removesuffix(".__init__"))
        for var, obj in vars(module).items():
            if isinstance(obj, Vocabulary) and re.search(rf"^{var}\b[^=\n]*=", source, re.M):  # declared here
                yield obj.rule, Choice(obj.name, tuple(t.text for t in obj.terms), name)


# --- code ------------------------------------------------------------------------------------------

def _code() -> Iterator[tuple[str, Code]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _name(path)
        if name.startswith("kamxl/schema/") or name.endswith(_NOT_USES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = None
        for rule, node, parents, function in _literals(tree):
            if module is None:
                module = importlib.import_module(name[:-3].replace("/", ".").removesuffix(".__init__"))
            yield rule, _place(name, function, node, parents, vars(module))


def _literals(tree: ast.Module) -> Iterator[tuple[str, ast.expr, tuple[ast.AST, ...], str]]:
    """Each string literal that is exactly an id, and each use of a module constant that
    holds one (``CODE = "S-OUTPUT"``) in place of its definition: the id, the node, the
    nodes it is in (innermost first) and its function's name."""
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                 and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                 and ID.fullmatch(n.value.value) for t in n.targets if isinstance(t, ast.Name)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    defined = {id(n.value) for n in tree.body if isinstance(n, ast.Assign)
               and any(isinstance(t, ast.Name) and t.id in constants and t.id in used for t in n.targets)}

    def walk(node: ast.AST, parents: tuple[ast.AST, ...], function: str) -> Iterator[
            tuple[str, ast.expr, tuple[ast.AST, ...], str]]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.fullmatch(node.value):
            if id(node) not in defined:      # a constant's definition: its uses say more
                yield node.value, node, parents, function
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in constants:
            yield constants[node.id], node, parents, function
        for child in ast.iter_child_nodes(node):
            yield from walk(child, (node, *parents), function)

    return walk(tree, (), "")


def _place(path: str, function: str, node: ast.expr, parents: tuple[ast.AST, ...], scope: dict[str, object]) -> Code:
    """A literal's place: the call (or tuple) it is in names the severity and the message."""
    parent = parents[1] if isinstance(parents[0], ast.keyword) and len(parents) > 1 else parents[0]
    siblings = parent.args if isinstance(parent, ast.Call) else getattr(parent, "elts", [])
    after = siblings[siblings.index(node) + 1:] if node in siblings else siblings
    severity = next((s.attr.lower() for s in siblings if isinstance(s, ast.Attribute)
                     and isinstance(s.value, ast.Name) and s.value.id == "Severity"), None)
    # the message is the first argument after the id that is not the severity nor a local name (a
    # file name, a severity variable): a module-level Text; an expression there (exc.text) has no
    # fixed message, and the Text after it is the hint
    rest = [s for s in after if not (isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name)
                                     and s.value.id == "Severity")
            and not (isinstance(s, ast.Name) and s.id not in scope)]
    first = rest[0] if rest else None
    message = scope.get(first.id) if isinstance(first, ast.Name) else None
    callee = parent.func if isinstance(parent, ast.Call) else None
    called = getattr(callee, "id", None) or getattr(callee, "attr", None)
    if isinstance(scope.get(called or ""), type) and issubclass(scope[called], KamxlError):   # type: ignore[arg-type]
        kind = "error"
    elif severity or path.startswith("kamxl/checks/") or path == "kamxl/validate.py":
        kind = "finding"
    elif path.startswith("kamxl/rollup/"):
        kind = "rollup"
    else:
        kind = "code"
    return Code(path, function, kind, severity, message if isinstance(message, Text) else None)


def _name(path: Path) -> str:
    return f"kamxl/{path.relative_to(PACKAGE).as_posix()}"
