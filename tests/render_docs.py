"""Render the filled examples to PNG pages for docs/images (run: python -m tests.render_docs).

Pages come from LibreOffice, headless. Array formulas are written as values for the
render (LibreOffice recomputes them on load and cannot run KAM_* functions), so the pages
show what a user with the kamxl add-in sees.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kamxl.templates import EXAMPLES, write_template
from tests.libreoffice import render_pngs

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.glob("*.png"):  # pages that no longer exist must not linger
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for name in EXAMPLES:
            for lang in ("zh", "en"):
                source = write_template(name, Path(tmp) / f"{name}-example.{lang}.xlsx", lang=lang, filled=True,
                                        snapshot=True)
                for page in render_pngs(source, Path(tmp) / "pages", dpi=70):
                    target = DOCS / page.name
                    shutil.copyfile(page, target)
                    print(target.relative_to(DOCS.parent.parent))


if __name__ == "__main__":
    main()
