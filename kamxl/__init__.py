"""kamxl: a key-account (大客户) sales methodology for Excel workbooks.

The pure methodology core is :mod:`kamxl.methodology`; the command line is
:mod:`kamxl.cli`. Only ``kamxl.excel`` and the ``udfs`` package import xlwings.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kamxl.errors import ConfigError, InputError, KamxlError, Location, OutOfRangeError, SetupError
from kamxl.i18n import Lang, Text

try:
    __version__ = version("kamxl")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["ConfigError", "InputError", "KamxlError", "Lang", "Location", "OutOfRangeError", "SetupError", "Text", "__version__"]
