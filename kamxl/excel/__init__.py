"""The Excel layer: what the kamxl add-in's ribbon buttons run (RunPython).

This is the only place that may import xlwings, and even here only the
entry point :func:`kamxl.excel.macros.run` does, lazily: every macro works on a small
part of xlwings' book object (``name``, ``app.books.open``, ``app.alert``,
``app.calculate``) so tests drive it with a thin stand-in and the same core the CLI uses.
"""
