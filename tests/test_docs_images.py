"""The pictures in docs/images are of the workbooks kamxl writes today (issue 17)."""
from __future__ import annotations

import json

from tests.render_docs import DOCS, MANIFEST, check, sources


def test_every_picture_set_is_rendered_from_the_current_workbook():
    assert check() == [], "run `python -m tests.render_docs` and commit docs/images"


def test_the_manifest_names_every_picture_and_nothing_else():
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    assert set(manifest) == {s.stem for s in sources()}
    listed = {page for entry in manifest.values() for page in entry["pages"]}
    on_disk = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.png")}
    assert listed == on_disk
