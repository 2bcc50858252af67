"""Test helpers over :mod:`kamxl.engine` (the formula engine with KAM_* registered)."""
from __future__ import annotations

from pathlib import Path

from kamxl import engine


def evaluate(path: Path, workdir: Path | None = None) -> dict[str, object]:
    """{'SHEET!A1': value}; errors come back as their text ('#VALUE!')."""
    return engine.evaluate(path)


def is_error(value: object, code: str | None = None) -> bool:
    return engine.is_error(value) and (code is None or value == code)
