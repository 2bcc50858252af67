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
    columns: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # table -> key -> typed column
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)         # form prefix -> values
    memo: dict[object, Any] = field(default_factory=dict)                  # recomputations by their inputs
    _typed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def at(self, record: Record, key: str, rule: str, severity: Severity, message: Text, hint: Text,
           **params: object) -> Finding:
        """A finding at the cell ``key`` of ``record`` (the record's row if it has no such cell)."""
        cell = record.cells.get(key) or (f"A{record.row}" if record.row else "")
        return finding(rule, severity, message, hint, file=self.file, sheet=record.sheet, cell=cell, **params)

    def here(self, rule: str, severity: Severity, message: Text, hint: Text, *, sheet: str = "", cell: str = "",
             **params: object) -> Finding:
        return finding(rule, severity, message, hint, file=self.file, sheet=sheet, cell=cell, **params)

    def typed(self, table: str) -> list[dict[str, Any]]:
        """The typed values of a table's rows by key, built on first use from its columns
        (the big funnel checks work on columns and never need them)."""
        rows = self._typed.get(table)
        if rows is None:
            columns = self.columns.get(table, {})
            count = len(self.data.tables[table].rows) if table in self.data.tables else 0
            keys = list(columns)
            rows = [dict(zip(keys, row)) for row in zip(*columns.values())] if keys else [{} for _ in range(count)]
            self._typed[table] = rows
        return rows

    def column(self, table: str, key: str) -> list[Any]:
        """One typed column of a table (Nones when the column is missing)."""
        columns = self.columns.get(table, {})
        if key in columns:
            return columns[key]
        data = self.data.tables.get(table)
        return [None] * (len(data.rows) if data else 0)

    def rows(self, table: str) -> list[tuple[Record, dict[str, Any]]]:
        """(record, typed values) pairs of a table, in file order."""
        data = self.data.tables.get(table)
        return list(zip(data.records, self.typed(table))) if data else []
