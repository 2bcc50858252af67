"""Findings are data: what a check found, where, how bad, and how to fix it.

A check returns findings and never raises for bad data. Every finding names a stable
rule id (an ``M-…`` methodology rule or an ``S-…`` structure/value rule), the file, the
sheet and the cell, and carries its message and fix hint in both languages; the report
picks the language when it is written.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from kamxl.i18n import Lang, Text, check_lang


class Severity(IntEnum):
    """Ordered, so ``--fail-on warning`` means warning or worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> Text:
        return {Severity.INFO: Text("提示", "info"), Severity.WARNING: Text("警告", "warning"),
                Severity.ERROR: Text("错误", "error")}[self]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    file: str
    sheet: str
    cell: str
    message: Text
    hint: Text
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: Lang) -> str:
        return self.message(lang, **self._params(lang))

    def fix(self, lang: Lang) -> str:
        return self.hint(lang, **self._params(lang))

    def _params(self, lang: Lang) -> dict[str, object]:
        """The parameters in ``lang``: a :class:`Text` parameter (a list capped with "and N
        more", :func:`kamxl.i18n.listing`) is shown in the finding's language, as is."""
        code = check_lang(lang)
        return {k: getattr(v, code) if isinstance(v, Text) else v for k, v in self.params}


def finding(rule: str, severity: Severity, message: Text, hint: Text, *, file: str = "", sheet: str = "",
            cell: str = "", **params: object) -> Finding:
    """A finding with its message parameters (values shown as typed, e.g. 'maybe')."""
    return Finding(rule, severity, file, sheet, cell, message, hint, tuple(sorted(params.items())))


COLUMNS = ("file", "sheet", "cell", "rule", "severity", "message", "hint")


@dataclass
class FileResult:
    """What validating one file gave: its template (if known) and its findings."""

    file: str
    template: str = ""
    readable: bool = True
    findings: list[Finding] = field(default_factory=list)
    claims: list[object] = field(default_factory=list)   # facts for the across-files checks
    #: whom to chase about it, as the workbook names them: a forecast's owner, an account
    #: plan's account manager, a funnel's primary owners (kamxl.validate.owners_of)
    owners: tuple[str, ...] = ()

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    across: list[Finding] = field(default_factory=list)   # findings that span files (M-FC-3, M-ACC-3)
    notes: list[Finding] = field(default_factory=list)    # paths passed over (S-SKIPPED, INFO)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings] + self.across + self.notes

    def by_file(self) -> dict[str, list[Finding]]:
        """Each file's findings: its own, then the across-files findings that name it. What
        the per-file counts (JSON ``files``, the Files sheet) and the summary both count."""
        mine = {r.file: list(r.findings) for r in self.files}
        for f in self.across:
            if f.file in mine:
                mine[f.file].append(f)
        return mine

    def worst_by_file(self) -> dict[str, Severity | None]:
        """Each file's worst finding, counting the across-files findings that name it."""
        return {file: max((f.severity for f in found), default=None) for file, found in self.by_file().items()}

    def counts(self) -> dict[str, int]:
        readable = {r.file for r in self.files if r.readable}     # the categories partition the files
        worst = [w for file, w in self.worst_by_file().items() if file in readable]
        return {
            "files": len(self.files),
            "clean": sum(w is None or w < Severity.WARNING for w in worst),
            "with_errors": sum(w == Severity.ERROR for w in worst),
            "with_warnings": sum(w == Severity.WARNING for w in worst),
            "unreadable": sum(not r.readable for r in self.files),
        }

    def by_rule(self) -> Counter[str]:
        return Counter(f.rule for f in self.findings)

    def at_or_above(self, level: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= level]

    def rows(self, lang: Lang) -> list[dict[str, str]]:
        """One row per finding with the fixed columns of :data:`COLUMNS`."""
        return [{"file": f.file, "sheet": f.sheet, "cell": f.cell, "rule": f.rule,
                 "severity": f.severity.label(lang), "message": f.text(lang), "hint": f.fix(lang)}
                for f in sorted(self.findings, key=sort_key)]

    def to_frame(self, lang: Lang) -> object:
        import pandas as pd

        return pd.DataFrame(self.rows(lang), columns=list(COLUMNS))


def sort_key(f: Finding) -> tuple[object, ...]:
    """Report order: file, sheet, cell (row by row), rule."""
    return (f.file, f.sheet, _cell_order(f.cell), f.rule)


def _cell_order(cell: str) -> tuple[int, str]:
    digits = "".join(c for c in cell if c.isdigit())
    return (int(digits) if digits else 0, cell)


def merge(results: Iterable[FileResult]) -> Report:
    return Report(list(results))
