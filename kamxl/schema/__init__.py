"""Template schemas: each standard workbook declared once (see :mod:`kamxl.schema.model`)."""
from __future__ import annotations

from kamxl.schema.account_plan import ACCOUNT_PLAN
from kamxl.schema.forecast import FORECAST
from kamxl.schema.funnel import FUNNEL
from kamxl.schema.register import REGISTER
from kamxl.schema.model import Chart, Column, Form, Grid, Kind, Sheet, Table, Template

TEMPLATES: dict[str, Template] = {"funnel": FUNNEL, "forecast": FORECAST, "account-plan": ACCOUNT_PLAN,
                               "register": REGISTER}

__all__ = ["ACCOUNT_PLAN", "Chart", "Column", "FORECAST", "FUNNEL", "Form", "Grid", "Kind", "REGISTER", "Sheet", "TEMPLATES", "Table", "Template"]
