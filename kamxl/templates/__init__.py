"""Writing the standard workbooks: blank templates and filled examples, atomically."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kamxl.i18n import Lang
from kamxl.methodology import Config, default_config
from kamxl.schema import TEMPLATES
from kamxl.templates.builder import build_workbook
from kamxl.templates.examples import forecast_example, funnel_example

EXAMPLES: dict[str, Callable[..., dict[str, Any]]] = {"funnel": funnel_example, "forecast": forecast_example}


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only once fully written:
    an interrupted write leaves the old file (or none), never a truncated one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_template(name: str, target: Path, *, lang: Lang, config: Config | None = None,
                   filled: bool = False) -> Path:
    """Write template ``name`` (blank, or the filled example) to ``target``."""
    cfg = config or default_config()
    template = TEMPLATES[name]
    content: dict[str, Any] = EXAMPLES[name](template, lang, cfg) if filled else {}
    rows = {k: v for k, v in content.items() if isinstance(v, list)}
    forms = {k: v for k, v in content.items() if isinstance(v, dict)}
    with atomic_path(target) as tmp:
        build_workbook(template, tmp, lang=lang, config=cfg, rows=rows, forms=forms)
        if filled or any(template.grids()):
            # Second pass: store every formula's value, computed by a real engine with the
            # KAM_* functions, so any reader (and Excel before recalculating) sees numbers.
            from kamxl.engine import evaluate

            build_workbook(template, tmp, lang=lang, config=cfg, rows=rows, forms=forms, cached=evaluate(tmp))
    return target
