"""Checks: pure functions from a read workbook to findings; they never raise for bad data.

One module per rule family: ``structure`` (template, sheets, tables, columns), ``values``
(types, required, vocabularies, dates, amounts, currencies — and the typed values the
other checks use), ``funnel``/``forecast``/``account_plan`` (the methodology), ``formulas``
(overwritten formulas, cached values that disagree with a recomputation) and ``across``
(findings that need several files: one opportunity, two owners; one customer, two
account managers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kamxl.findings import Finding, Severity, finding
from kamxl.i18n import Text
from kamxl.io.reader import Record, WorkbookData
from kamxl.io.structure import Structure
from kamxl.methodology import Config


@dataclass
class Context:
    """One workbook under validation, and the typed values the value checks produced."""

    data: WorkbookData
    structure: Structure | None
    config: Config
    today: date
    file: str
    typed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)   # table -> rows by key
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)         # form prefix -> values

    def at(self, record: Record, key: str, rule: str, severity: Severity, message: Text, hint: Text,
           **params: object) -> Finding:
        """A finding at the cell ``key`` of ``record`` (the record's row if it has no such cell)."""
        cell = record.cells.get(key) or (f"A{record.row}" if record.row else "")
        return finding(rule, severity, message, hint, file=self.file, sheet=record.sheet, cell=cell, **params)

    def here(self, rule: str, severity: Severity, message: Text, hint: Text, *, sheet: str = "", cell: str = "",
             **params: object) -> Finding:
        return finding(rule, severity, message, hint, file=self.file, sheet=sheet, cell=cell, **params)

    def rows(self, table: str) -> list[tuple[Record, dict[str, Any]]]:
        """(record, typed values) pairs of a table, in file order."""
        data = self.data.tables.get(table)
        return list(zip(data.records, self.typed.get(table, []))) if data else []
