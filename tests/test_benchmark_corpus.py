"""benchmarks/funnel_corpus.py: readable, varied, reproducible files whose manifest names every defect."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
import python_calamine as pc
from openpyxl.utils import get_column_letter

from kamxl.errors import InputError
from kamxl.methodology import default_config, parse_stage
from kamxl.methodology.values import is_blank, parse_date, parse_number, parse_yes_no
from kamxl.methodology.vocabulary import BUDGET_STATUS, FORECAST_CATEGORY, STATUS
from kamxl.schema.funnel import FUNNEL
from kamxl.templates.builder import CURRENCIES

N, ROWS = 6, 30


def _load() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "funnel_corpus.py"
    spec = importlib.util.spec_from_file_location("funnel_corpus", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("funnel_corpus", module)
    spec.loader.exec_module(module)
    return module


corpus = _load()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # defect_rate=1: every file seeded, so all twelve kinds occur in six files
    out = tmp_path_factory.mktemp("corpus")
    corpus.generate(out, N, ROWS, defect_rate=1.0, jobs=1)
    return out


def _manifest(folder: Path) -> dict:
    return json.loads((folder / corpus.MANIFEST).read_text("utf-8"))


def test_files_are_readable_funnels_in_both_languages(folder: Path) -> None:
    manifest = _manifest(folder)
    assert manifest["params"] == {"n": N, "rows": ROWS, "seed": 20261123, "defect_rate": 1.0,
                                  "template_version": FUNNEL.version}   # a corpus of an older template is not reused
    assert len(manifest["files"]) == N
    for entry in manifest["files"]:
        book = pc.CalamineWorkbook.from_path(str(folder / entry["file"]), load_tables=True)
        assert len(book.get_table_by_name("Opportunities").to_python()) == ROWS == entry["opportunities"]
        assert len(book.get_table_by_name("Assessment").to_python()) == entry["assessments"] > 0
    assert Counter(f["lang"] for f in manifest["files"]) == {"zh": N // 2, "en": N // 2}
    assert len({f["owner"] for f in manifest["files"]}) > 1


def test_every_seeded_defect_is_in_the_manifest_with_sheet_and_cell(folder: Path) -> None:
    manifest = _manifest(folder)
    defects = [d for f in manifest["files"] for d in f["defects"]]
    assert {d["kind"] for d in defects} == set(corpus.KINDS)
    assert all(1 <= len(f["defects"]) <= 5 for f in manifest["files"])
    sheets = {sheet.name(lang) for sheet in FUNNEL.sheets[:2] for lang in ("zh", "en")}
    for d in defects:
        assert d["sheet"] in sheets and re.fullmatch(r"[A-Z]{1,2}[1-9]\d*", d["cell"]), d
    (duplicate,) = manifest["cross_file_duplicates"]
    first, second = duplicate["occurrences"]
    assert first["file"] != second["file"] and first["owner"] != second["owner"]


def test_the_manifest_names_exactly_what_is_wrong(folder: Path) -> None:
    """An independent reading of every file finds the seeded defects, at their cells, and nothing else."""
    manifest = _manifest(folder)
    as_of = dt.date.fromisoformat(manifest["as_of"])
    for entry in manifest["files"]:
        expected = {(d["kind"], d["sheet"], d["cell"]) for d in entry["defects"]}
        assert _defects_found(folder / entry["file"], as_of) == expected, entry["file"]
    (duplicate,) = manifest["cross_file_duplicates"]
    for place in duplicate["occurrences"]:
        sheet = openpyxl.load_workbook(folder / place["file"])[place["sheet"]]
        assert sheet[place["cell"]].value == duplicate["id"]
        owner = get_column_letter([c.key for c in FUNNEL.table("Opportunities").columns].index("owner") + 1)
        assert sheet[f"{owner}{place['cell'][1:]}"].value == place["owner"]


def test_typed_over_probability_is_a_number_not_a_formula(folder: Path) -> None:
    typed = [(f["file"], d) for f in _manifest(folder)["files"] for d in f["defects"]
             if d["kind"] == "probability_overwritten"]
    assert typed
    for name, d in typed:
        book = openpyxl.load_workbook(folder / name)  # formulas as text: not data_only
        value = book[d["sheet"]][d["cell"]].value
        assert isinstance(value, float) and value == d["value"]
        column, row = d["cell"][0], int(d["cell"][1:])
        other = book[d["sheet"]][f"{column}{6 if row != 6 else 7}"].value  # first data rows
        assert isinstance(other, str) and other.startswith("=")  # the rest of the column keeps the formula


def test_same_seed_same_bytes_and_a_second_call_reuses_the_corpus(folder: Path, tmp_path: Path) -> None:
    again = corpus.generate(tmp_path / "again", N, ROWS, defect_rate=1.0, jobs=1)
    for path in again:
        assert path.read_bytes() == (folder / path.name).read_bytes(), path.name
    mtimes = {p: p.stat().st_mtime_ns for p in [*again, tmp_path / "again" / corpus.MANIFEST]}
    assert corpus.generate(tmp_path / "again", N, ROWS, defect_rate=1.0, jobs=1) == again
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    other = corpus.generate(tmp_path / "again", N, ROWS, seed=7, defect_rate=1.0, jobs=1)  # other params: rebuilt
    assert _manifest(tmp_path / "again")["params"]["seed"] == 7
    assert sorted((tmp_path / "again").glob("*.xlsx")) == sorted(other)  # the old corpus's files are gone
    assert any(p.read_bytes() != (folder / p.name).read_bytes() for p in other if (folder / p.name).exists())


# --- the independent reading ---------------------------------------------------------------------
def _defects_found(path: Path, as_of: dt.date) -> set[tuple[str, str, str]]:
    cfg = default_config()
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    found: set[tuple[str, str, str]] = set()

    def rows(name: str) -> Iterator[tuple[Callable[[str], str], dict[str, object]]]:
        """Per table row: the cell of a column key, and the values by key."""
        table = book.get_table_by_name(name)
        (first, left), keys = table.start, [c.key for c in FUNNEL.table(name).columns]
        for r, values in enumerate(table.to_python(), start=first + 1):
            yield (lambda key, r=r: f"{get_column_letter(left + keys.index(key) + 1)}{r}"), dict(zip(keys, values))

    def fails(parse: Callable[[object], object], value: object) -> bool:
        try:
            parse(value)
        except InputError:
            return True
        return False

    sheet = book.get_table_by_name("Opportunities").sheet
    probability_column = get_column_letter([c.key for c in FUNNEL.table("Opportunities").columns].index("probability")
                                           + book.get_table_by_name("Opportunities").start[1] + 1)
    formulas = openpyxl.load_workbook(path)[sheet]        # formulas as text (every formula stores its value)
    typed = {f"{probability_column}{c.row}" for c in formulas[probability_column]
             if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)}
    seen: set[str] = set()
    scores: dict[str, tuple[int, int, bool]] = {}   # id -> (yes answers, blanks, any invalid answer)
    for cell, a in rows("Assessment"):
        answers = [a[f"q{q:02d}"] for q in range(1, 21)]
        invalid = [q for q, value in enumerate(answers, start=1) if fails(parse_yes_no, value)]
        for q in invalid:
            found.add(("invalid_answer", book.get_table_by_name("Assessment").sheet, cell(f"q{q:02d}")))
        parsed = [parse_yes_no(v) for q, v in enumerate(answers, start=1) if q not in invalid]
        scores[a["id"]] = (parsed.count(True), parsed.count(None), bool(invalid))
    for cell, o in rows("Opportunities"):
        if o["id"] in seen:
            found.add(("duplicate_id", sheet, cell("id")))
        seen.add(o["id"])
        for key in ("customer", "owner"):
            if is_blank(o[key]):
                found.add(("missing_required", sheet, cell(key)))
        stage = None if fails(lambda v: parse_stage(v, config=cfg), o["stage"]) else parse_stage(o["stage"], config=cfg)
        if stage is None:
            found.add(("invalid_stage", sheet, cell("stage")))
        status = STATUS.parse(o["status"]).key
        if stage is not None and stage.number == 8 and status == "open":
            found.add(("open_at_stage_08", sheet, cell("status")))
        if fails(parse_number, o["amount"]):
            found.add(("unparseable_amount", sheet, cell("amount")))
        elif parse_number(o["amount"]) < 0:
            found.add(("negative_amount", sheet, cell("amount")))
        if o["currency"] not in CURRENCIES:
            found.add(("unknown_currency", sheet, cell("currency")))
        if fails(parse_date, o["close_date"]):
            found.add(("bad_date", sheet, cell("close_date")))
        elif status == "open" and parse_date(o["close_date"]) < as_of:
            found.add(("close_date_in_past", sheet, cell("close_date")))
        if cell("probability") in typed:     # a number where the formula was
            found.add(("probability_overwritten", sheet, cell("probability")))
        if FORECAST_CATEGORY.parse(o["category"]).key == "commit" and not parse_yes_no(o["confirmed"]):
            found.add(("unconfirmed_commit", sheet, cell("confirmed")))
        # Clean lines meet every stage rule, so a validator's other findings are false alarms.
        if stage is not None and ("duplicate_id", sheet, cell("id")) not in found:
            assert stage.number < 2 or (BUDGET_STATUS.parse(o["budget_status"]).key != "unknown"
                                        and not is_blank(o["sponsor"])), cell("id")
            assert stage.number < 3 or not is_blank(o["coach"]), cell("id")
            if stage.number >= 5:  # assessed completely, a high score (unless an answer was seeded invalid)
                yes, blanks, invalid = scores[o["id"]]
                assert blanks == 0 and (invalid or yes > cfg.scoring.threshold), cell("id")
    return found


def test_a_corpus_of_another_template_version_is_not_reused(folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    params = _manifest(copy)["params"]
    assert corpus._reusable(copy, params) is not None
    manifest = _manifest(copy)
    manifest["params"]["template_version"] = FUNNEL.version - 1
    (copy / corpus.MANIFEST).write_text(json.dumps(manifest), "utf-8")
    assert corpus._reusable(copy, params) is None
