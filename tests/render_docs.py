"""Render the pictures in docs/images (run: python -m tests.render_docs).

Each picture set comes from one workbook kamxl writes: the filled examples, a team's and a
region's roll-up of the sample organisation (kamxl.rollup.sample), and the forecast example
in both editions recalculated on load (docs/editions.md). Pages come from LibreOffice,
headless. The KAM_* edition's array formulas are written as values for the examples' render
(LibreOffice recomputes them on load and cannot run KAM_* functions), so those pages show
what a user with the kamxl add-in sees.

Builds are reproducible (fixed document dates), so ``docs/images/manifest.json`` records the
SHA-256 of each source workbook: ``check()`` (tests/test_docs_images.py, in CI) rebuilds them
and names the pictures whose workbook has changed since they were rendered.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kamxl.i18n import Lang
from kamxl.templates import EXAMPLES, write_template

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
MANIFEST = DOCS / "manifest.json"
TODAY = date(2026, 11, 20)      # the sample organisation's week


@dataclass(frozen=True)
class Source:
    """One workbook and how its pages are rendered: ``stem`` names the pictures
    (``<stem>-<page>.png`` under ``folder``); ``sheet`` renders only that sheet."""

    stem: str
    make: Callable[[Path], Path]
    folder: str = ""
    recalc: bool = False
    sheet: str | None = None


def _example(name: str, lang: Lang) -> Callable[[Path], Path]:
    return lambda tmp: write_template(name, tmp / f"{name}-example.{lang}.xlsx", lang=lang, filled=True,
                                      snapshot=True)


def _edition(edition: str, lang: Lang) -> Callable[[Path], Path]:
    return lambda tmp: write_template("forecast", tmp / f"forecast-{edition}.{lang}.xlsx", lang=lang, filled=True,
                                      edition=edition)


def _rollup(level: str, lang: Lang) -> Callable[[Path], Path]:
    """A team's roll-up of its reps, or a region's roll-up of its teams' roll-ups."""
    from kamxl.rollup import rollup_files
    from kamxl.rollup.sample import organisation

    def make(tmp: Path) -> Path:
        org = organisation(tmp / "org", today=TODAY)
        week = tmp / "org" / "this-week"
        region = next(iter(org.regions))
        teams = [team for team, (_manager, r) in org.teams.items() if r == region]
        team_files = []
        for team in teams:
            out = tmp / f"{team.replace('/', '-')}.{lang}.xlsx"
            rollup_files([week / team], out, owner=org.teams[team][0], level="team", lang=lang, today=TODAY,
                         manager=org.regions[region], base=tmp / "org")
            team_files.append(out)
            if level == "team":
                return out
        out = tmp / f"{region}.{lang}.xlsx"
        rollup_files(team_files, out, owner=org.regions[region], level="region", lang=lang, today=TODAY,
                     manager=org.bu, base=tmp)
        return out

    return make


def sources() -> Iterator[Source]:
    for lang in ("zh", "en"):
        for name in EXAMPLES:
            yield Source(f"{name}-example.{lang}", _example(name, lang))
        for level in ("team", "region"):
            yield Source(f"rollup-{level}.{lang}", _rollup(level, lang))
        for edition in ("portable", "kam"):
            yield Source(f"forecast-summary-{edition}.{lang}", _edition(edition, lang), folder="editions",
                         recalc=True, sheet="Summary" if lang == "en" else "汇总")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def built(tmp: Path) -> Iterator[tuple[Source, Path]]:
    for source in sources():
        where = tmp / source.stem
        where.mkdir(parents=True)
        yield source, source.make(where)


def main() -> None:
    from tests.libreoffice import render_pngs

    manifest: dict[str, dict[str, object]] = {}
    for old in [*DOCS.glob("*.png"), *DOCS.glob("*/*.png")]:   # pages that no longer exist must not linger
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for source, workbook in built(Path(tmp)):
            target = DOCS / source.folder
            target.mkdir(parents=True, exist_ok=True)
            pages = render_pngs(_only(workbook, source.sheet) if source.sheet else workbook,
                                Path(tmp) / "pages" / source.stem, recalc=source.recalc, dpi=70)
            names = []
            for n, page in enumerate(pages, start=1):
                name = f"{source.stem}-{n:02d}.png" if len(pages) > 1 else f"{source.stem}.png"
                shutil.copyfile(page, target / name)
                names.append(str((target / name).relative_to(DOCS)))
            manifest[source.stem] = {"workbook_sha256": _digest(workbook), "pages": names}
            print(f"{source.stem}: {len(names)} page(s)")
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")


def _only(workbook: Path, sheet: str) -> Path:
    """A copy of ``workbook`` that prints ``sheet`` only: the others hidden, not removed, so
    every formula keeps its references; rewritten in the zip (openpyxl would drop the charts)."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    copy = workbook.with_name(f"{workbook.stem}-only.xlsx")
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                xml = data.decode("utf-8")
                tags = re.findall(r"<sheet [^>]*/>", xml)
                names = [re.search(r'name="([^"]*)"', t).group(1) for t in tags]  # type: ignore[union-attr]
                for tag, name in zip(tags, names):
                    bare = re.sub(r' state="[^"]*"', "", tag)
                    xml = xml.replace(tag, bare if name == escape(sheet) else bare.replace("<sheet ", '<sheet state="hidden" '))
                index = names.index(escape(sheet))
                xml = re.sub(r' (activeTab|firstSheet)="\d+"', "", xml).replace("<workbookView ", f'<workbookView activeTab="{index}" firstSheet="{index}" ')
                data = xml.encode("utf-8")
            dst.writestr(item, data)
    return copy


def check() -> list[str]:
    """The picture sets whose workbook is not the one they were rendered from (or that are missing)."""
    manifest = json.loads(MANIFEST.read_text("utf-8")) if MANIFEST.exists() else {}
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for source, workbook in built(Path(tmp)):
            seen = manifest.get(source.stem)
            if (seen is None or seen["workbook_sha256"] != _digest(workbook)
                    or not all((DOCS / page).exists() for page in seen["pages"])):
                stale.append(source.stem)
    return stale


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        stale = check()
        print("\n".join(stale) or "docs/images are current")
        sys.exit(1 if stale else 0)
    main()
