"""Template schemas: each standard workbook declared once (see :mod:`kamxl.schema.model`)."""
from __future__ import annotations

from kamxl.schema.forecast import FORECAST
from kamxl.schema.funnel import FUNNEL
from kamxl.schema.model import Chart, Column, Form, Grid, Kind, Sheet, Table, Template

TEMPLATES: dict[str, Template] = {"funnel": FUNNEL, "forecast": FORECAST}

__all__ = ["Chart", "Column", "FORECAST", "FUNNEL", "Form", "Grid", "Kind", "Sheet", "TEMPLATES", "Table", "Template"]
