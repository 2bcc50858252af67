"""The ``KAM_*`` worksheet functions under their first module name, ``udfs.kam``, for
workbooks whose xlwings *UDF Modules* still say so. They live in :mod:`kamxl.excel.udfs`,
which the add-in calls: a rep's own ``udfs.py`` beside a workbook cannot shadow it."""
from __future__ import annotations

from typing import Any

from kamxl.excel import udfs as _udfs
from kamxl.excel.udfs import CATEGORY, FUNCTIONS, TOP10_DIFF, TOP10_OK, Arg, Meta

#: Every KAM_* function bound here too, for xlwings' import of this module.
globals().update(_udfs.FUNCTIONS)
__all__ = [*_udfs.FUNCTIONS, "CATEGORY", "FUNCTIONS", "TOP10_DIFF", "TOP10_OK", "Arg", "Meta"]


def __getattr__(name: str) -> Any:
    """Everything else of :mod:`kamxl.excel.udfs` (its tables, texts and helpers)."""
    return getattr(_udfs, name)
