"""What a batch keeps until its across-files checks (issue 19): the customers' facts hold
equal texts once, across files too, and their cells as a letter and rows."""
from __future__ import annotations

import pickle
import shutil
from datetime import date

from kamxl.checks.across import Cells, Customers
from kamxl.io.guard import Limits
from kamxl.validate import validate_paths


def test_cells_read_as_the_references_they_stand_for():
    rows = [5, 6, 12]
    cells, none = Cells("C", rows), Cells("", rows)
    assert list(cells) == ["C5", "C6", "C12"] and cells[2] == "C12" and len(cells) == 3
    assert list(none) == ["", "", ""] and none[0] == ""
    assert cells == ["C5", "C6", "C12"] and cells != ["C5"]
    copy = pickle.loads(pickle.dumps((cells, Cells("D", rows))))
    assert copy[0] == cells and copy[0].rows is copy[1].rows      # one list of rows, pickled once


def test_a_batch_holds_the_texts_its_files_share_once(tmp_path):
    from kamxl.templates import write_template

    first = write_template("funnel", tmp_path / "a.xlsx", lang="en", filled=True)
    for name in ("b.xlsx", "c.xlsx", "d.xlsx", "e.xlsx"):
        shutil.copy(first, tmp_path / name)
    paths = sorted(tmp_path.glob("*.xlsx"))
    report = validate_paths(paths, jobs=2, today=date(2026, 11, 23), limits=Limits(seconds=60))   # the pool
    facts = [c for r in report.files for c in r.claims if isinstance(c, Customers)]
    assert len(facts) == 5
    for column in ("names", "owners", "codes"):
        lists = [getattr(f, column) for f in facts]
        assert all(a is b for a, b in zip(lists[0], lists[-1]))       # the same objects in every file
        assert len({id(t) for t in lists[0]}) == len(set(lists[0]))   # and once within a file
    assert isinstance(facts[0].cells, Cells) and facts[0].cells[0].startswith(facts[0].cells.column)
