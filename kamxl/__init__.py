"""kamxl: a key-account (大客户) sales methodology for Excel workbooks.

The pure methodology core is :mod:`kamxl.methodology`; the command line is
:mod:`kamxl.cli`. Only ``kamxl.excel`` and the ``udfs`` package import xlwings.
"""
from __future__ import annotations

from kamxl.errors import ConfigError, InputError, KamxlError, Location, OutOfRangeError, SetupError
from kamxl.i18n import Lang, Text


def __getattr__(name: str) -> str:
    """``__version__``, looked up when asked for: importlib.metadata costs ~40 ms of every
    command's start-up, and only ``--version`` and the add-in need it."""
    if name != "__version__":
        raise AttributeError(f"module 'kamxl' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("kamxl")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found

__all__ = ["ConfigError", "InputError", "KamxlError", "Lang", "Location", "OutOfRangeError", "SetupError", "Text", "__version__"]
