"""Writing the standard workbooks: blank templates and filled examples, atomically."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kamxl.i18n import Lang
from kamxl.io.atomic import atomic_path
from kamxl.methodology import Config, default_config
from kamxl.schema import TEMPLATES
from kamxl.templates.examples import account_plan_example, forecast_example, funnel_example, register_example

EXAMPLES: dict[str, Callable[..., dict[str, Any]]] = {
    "funnel": funnel_example, "forecast": forecast_example, "account-plan": account_plan_example,
    "register": register_example}


def write_template(name: str, target: Path, *, lang: Lang, config: Config | None = None,
                   filled: bool = False, edition: str = "kam", snapshot: bool = False) -> Path:
    """Write template ``name`` (blank, or the filled example) to ``target``, in the ``edition``
    'kam' (KAM_* functions, for the add-in) or 'portable' (plain Excel functions).

    Every formula stores its value (:mod:`kamxl.templates.stored`), so any reader — and
    Excel before it recalculates — shows numbers. ``snapshot``: the KAM_FUNNEL block as
    values, for rendering the KAM_* edition (see ``build_workbook``).
    """
    cfg = config or default_config()
    template = TEMPLATES[name]
    content: dict[str, Any] = EXAMPLES[name](template, lang, cfg) if filled else {}
    rows = {k: v for k, v in content.items() if isinstance(v, list)}
    forms = {k: v for k, v in content.items() if isinstance(v, dict)}
    from kamxl.templates.builder import build_workbook   # (XlsxWriter: not for the readers of kamxl.templates.*)

    with atomic_path(target) as tmp:
        build_workbook(template, tmp, lang=lang, config=cfg, rows=rows, forms=forms, edition=edition,
                       snapshot=snapshot)
    return target


WORKBOOKS = Path("workbooks")


def committed_files(folder: Path = WORKBOOKS) -> dict[Path, tuple[str, Lang, bool]]:
    """The committed copies: blank templates and filled examples, in both languages."""
    files: dict[Path, tuple[str, Lang, bool]] = {}
    for name in TEMPLATES:
        for lang in ("zh", "en"):
            files[folder / f"{name}.{lang}.xlsx"] = (name, lang, False)
            if name in EXAMPLES:
                files[folder / "examples" / f"{name}-example.{lang}.xlsx"] = (name, lang, True)
    return files


def build_all(folder: Path = WORKBOOKS) -> list[Path]:
    """Regenerate every committed template and example from the schemas (default config),
    making the folders they go in (this command owns them)."""
    for path in committed_files(folder):
        path.parent.mkdir(parents=True, exist_ok=True)
    return [write_template(name, path, lang=lang, filled=filled)
            for path, (name, lang, filled) in committed_files(folder).items()]
