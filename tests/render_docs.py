"""Render the filled examples to PNG pages for docs/images (run: python -m tests.render_docs).

Pages come from LibreOffice, headless. The KAM_* edition's array formulas are written as
values for the render (LibreOffice recomputes them on load and cannot run KAM_* functions),
so those pages show what a user with the kamxl add-in sees. docs/images/editions/ holds
the forecast example twice more, both recalculated on load: the portable edition (what
someone without the add-in sees), and the KAM_* edition (what they would see instead).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kamxl.templates import EXAMPLES, write_template
from tests.libreoffice import render_pngs

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
SUMMARY_PAGE = 2   # the forecast prints its lines on two pages, then the Summary sheet


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
        editions = DOCS / "editions"
        editions.mkdir(exist_ok=True)
        for old in editions.glob("*.png"):
            old.unlink()
        for lang in ("zh", "en"):
            for edition in ("portable", "kam"):
                source = write_template("forecast", Path(tmp) / f"forecast-{edition}.{lang}.xlsx", lang=lang,
                                        filled=True, edition=edition)
                summary = render_pngs(source, Path(tmp) / "editions", recalc=True, dpi=70)[SUMMARY_PAGE]
                target = editions / f"forecast-summary-{edition}.{lang}.png"
                shutil.copyfile(summary, target)
                print(target.relative_to(DOCS.parent.parent))


if __name__ == "__main__":
    main()
