"""Batch validation speed: kamxl against reading the same files with python-calamine and pandas.

The corpus is benchmarks/funnel_corpus.py's (generated once, then reused from --corpus).
In one run, in interleaved rounds, it times:
  (a) python-calamine reading every file's Opportunities table, in one process;
  (e) python-calamine reading every sheet of every file (the issue's "just to read the
      same files": validation must read all of it), with the same processes as (d);
  (b) the same with --jobs worker processes (the pool's start-up is counted, as it is in
      any batch run);
  (c) a naive ``pandas.read_excel(path, sheet_name=None)`` loop (openpyxl, one process),
      on an evenly spaced sample of at most 100 files, extrapolated linearly to all;
  (d) ``kamxl.validate.validate_paths(paths, jobs=N)``, when it exists.
Targets on 2 cores: validation within 1.5x of the calamine read with the same number of
processes, and at least 10x faster than the naive loop. Files are read once before timing,
so every contestant reads from the page cache.

Small files (``--rows`` up to 100, 300 files unless ``--files`` says otherwise; issue 19):
then also one file validated start to exit, the per-file cost after start-up against
calamine's, and the same for a roll-up of 30 small forecasts (``small_files.py`` says how
each is measured). ``--memory``: peak resident memory of validating 250, 500 and 1,000
files (the parent's and the largest worker's), each in a fresh process.

    python benchmarks/validate_speed.py [--files 1000] [--rows 500] [--jobs 2] [--corpus DIR] [--repeat 1]
    python benchmarks/validate_speed.py --rows 40 [--runs 20] [--forecast-lines 40] [--repeat 3]
    python benchmarks/validate_speed.py --memory [--corpus DIR]
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

import python_calamine as pc

NAIVE_SAMPLE = 100
SMALL_ROWS = 100        # up to this many rows a file is a small submission: its own figures too
TABLE = "Opportunities"


def read_table(path: str) -> int:
    """(a)/(b): the Opportunities table's rows, as python-calamine gives them."""
    return len(pc.CalamineWorkbook.from_path(path, load_tables=True).get_table_by_name(TABLE).to_python())


def read_file(path: str) -> int:
    """(e): the whole file, every sheet, as python-calamine gives it: 'just reading the same files'."""
    book = pc.CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def read_files_parallel(paths: list[str], jobs: int) -> int:
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(read_file, paths, chunksize=max(1, len(paths) // (jobs * 16))))


def read_serial(paths: list[str]) -> int:
    return sum(map(read_table, paths))


def read_parallel(paths: list[str], jobs: int) -> int:
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(read_table, paths, chunksize=max(1, len(paths) // (jobs * 16))))


def read_naive(paths: list[str]) -> int:
    import pandas as pd  # imported before timing (see main): 0.5 s that no round should pay

    # engine="openpyxl" is pandas' default for .xlsx today; spelled out so the baseline stays put
    # when the default changes (pandas 3 warns that it will become calamine).
    return sum(len(pd.read_excel(p, sheet_name=None, engine="openpyxl")) for p in paths)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def default_corpus(files: int, rows: int) -> Path:
    return Path(tempfile.gettempdir()) / "kamxl-bench" / f"funnel-{files}x{rows}"


def load_validator() -> tuple[Callable[..., Any] | None, str]:
    try:
        from kamxl.validate import validate_paths
    except Exception as exc:  # noqa: BLE001 - being written elsewhere: any failure means "not yet"
        return None, f"{type(exc).__name__}: {exc}"
    return validate_paths, ""


def findings_of(result: object) -> set[tuple[str, str, str]] | None:
    """(file name, sheet, cell) of every finding of a kamxl ``Report``; None for anything else."""
    try:
        return {(Path(f.file).name, f.sheet, f.cell) for f in result.findings}  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help=f"default 1000; 300 up to {SMALL_ROWS} rows")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus folder (default: kamxl-bench/funnel-FILESxROWS in the system temp dir)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="small files: runs of each start-to-exit command")
    parser.add_argument("--forecast-lines", type=int, default=40, help="small files: lines of each rep forecast")
    parser.add_argument("--memory", action="store_true",
                        help="only the peak resident memory of validating 250, 500 and 1,000 files")
    args = parser.parse_args()
    small = args.rows <= SMALL_ROWS
    args.files = args.files or (300 if small else 1000)
    folder = args.corpus or default_corpus(args.files, args.rows)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from funnel_corpus import AS_OF, MANIFEST, generate
    if args.memory:
        from small_files import memory

        generate(folder, args.files, args.rows, jobs=args.jobs)
        memory(folder, jobs=args.jobs, as_of=AS_OF, sizes=[n for n in (250, 500, 1000) if n <= args.files])
        return

    def stamp() -> int | None:
        return (folder / MANIFEST).stat().st_mtime_ns if (folder / MANIFEST).exists() else None

    before = stamp()
    seconds, paths = timed(lambda: generate(folder, args.files, args.rows, jobs=args.jobs))
    assert isinstance(paths, list)
    files = [str(p) for p in paths]
    print(f"corpus: {len(files):,} files x {args.rows:,} rows in {folder} "
          f"({'reused' if stamp() == before else 'generated in %.0f s' % seconds})")
    for p in paths:  # into the page cache: every contestant reads from memory
        p.read_bytes()
    step = max(1, math.ceil(len(files) / NAIVE_SAMPLE))
    sample = files[::step][:NAIVE_SAMPLE]
    validate, why = load_validator()
    t0 = time.perf_counter()
    import pandas  # noqa: F401  (for the naive loop; its import is not part of any round)
    pandas_import = time.perf_counter() - t0

    # A fast wrong result is no result: every reader must see every row.
    assert read_serial(files[:3]) == 3 * args.rows, "the Opportunities tables do not hold --rows rows"

    contestants: dict[str, Callable[[], float]] = {}

    def add(name: str, fn: Callable[[], object], scale: float = 1.0) -> None:
        contestants[name] = lambda: timed(fn)[0] * scale

    add("cal1", lambda: read_serial(files))
    if args.jobs > 1:
        add("calN", lambda: read_parallel(files, args.jobs))
    add("all", lambda: read_files_parallel(files, args.jobs) if args.jobs > 1 else sum(map(read_file, files)))
    add("naive", lambda: read_naive(sample), len(files) / len(sample))
    results: dict[str, object] = {}
    if validate is not None:
        # The corpus's dates are relative to AS_OF: validate as of that day, so that clean
        # lines do not turn stale as the calendar moves on.
        extra = {"today": AS_OF} if "today" in inspect.signature(validate).parameters else {}

        def run_validation() -> object:
            results["validation"] = validate(paths, jobs=args.jobs, **extra)
            return results["validation"]
        add("val", run_validation)

    rounds = [{name: fn() for name, fn in contestants.items()} for _ in range(args.repeat)]
    best = {name: min(r[name] for r in rounds) for name in contestants}
    read_n = "calN" if args.jobs > 1 else "cal1"

    def ratio(a: str, b: str) -> float:
        return statistics.median(r[a] / r[b] for r in rounds)

    print(f"Python {platform.python_version()}, python-calamine {version('python-calamine')}, "
          f"pandas {pandas.__version__} (import {pandas_import:.2f} s, not timed); "
          f"best of {args.repeat} interleaved round(s); ratios are medians of the rounds")
    labels = {
        "cal1": ("(a) calamine: Opportunities table", 1),
        "calN": ("(b) calamine: Opportunities table", args.jobs),
        "all": ("(e) calamine: every sheet of the file", args.jobs),
        "naive": ("(c) pandas.read_excel(sheet_name=None) *", 1),
        "val": ("(d) kamxl validate_paths", args.jobs),
    }
    print(f"{'':<42}{'jobs':>5}{'seconds':>10}{'files/s':>10}{'ms/file':>10}")
    for name, seconds in best.items():
        label, jobs = labels[name]
        print(f"{label:<42}{jobs:>5}{seconds:>10.2f}{len(files) / seconds:>10.1f}{seconds / len(files) * 1e3:>10.1f}")
    print(f"* timed on {len(sample)} of {len(files):,} files ({'every %dth file' % step if step > 1 else 'all'})"
          f", extrapolated linearly to all {len(files):,}")
    if validate is None:
        print(f"kamxl validation: not available yet ({why})")
    print(f"{'ratio':<42}{'':>5}{'value':>10}  target")
    if args.jobs > 1:
        print(f"{'calamine read: speed-up with %d processes' % args.jobs:<47}{ratio('cal1', 'calN'):>10.2f}")
    procs = f"{args.jobs} process{'es' if args.jobs > 1 else ''}"
    print(f"{'naive loop / calamine read, %s' % procs:<47}{ratio('naive', read_n):>10.1f}")
    if validate is not None:
        slow, fast, whole = ratio("val", read_n), ratio("naive", "val"), ratio("val", "all")
        print(f"{'validation / calamine one-table read, %s' % procs:<47}{slow:>10.2f}")
        print(f"{'validation / calamine reading the same files, %s' % procs:<47}{whole:>10.2f}  <= 1.5  "
              f"{'met' if whole <= 1.5 else 'MISSED'}")
        print(f"{'naive loop / validation':<47}{fast:>10.1f}  >= 10   {'met' if fast >= 10 else 'MISSED'}")
        if len(rounds) > 1:   # the spread behind the medians, and the same ratio of best times
            print("validation / every-sheet read, each round: " + ", ".join(f"{r['val'] / r['all']:.2f}" for r in rounds)
                  + f"; of the best times: {best['val'] / best['all']:.2f}")
        report_recall(results.get("validation"), folder / MANIFEST)
    if small:
        from small_files import small_files

        small_files([str(p) for p in paths], jobs=args.jobs, runs=args.runs, repeat=args.repeat,
                    forecast_lines=args.forecast_lines, as_of=AS_OF)


def report_recall(result: object, manifest_path: Path) -> None:
    """How many of the manifest's seeded defects the validation named at their cell, by kind.

    A duplicate id counts at either of its two rows; a cross-file duplicate when both
    files are named at the id's cell.
    """
    cells = findings_of(result)
    if cells is None:
        print(f"seeded defects found: cannot tell from a {type(result).__name__}")
        return
    manifest = json.loads(manifest_path.read_text("utf-8"))
    seeded: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    for entry in manifest["files"]:
        for d in entry["defects"]:
            seeded[d["kind"]] += 1
            at = {(entry["file"], d["sheet"], d[key]) for key in ("cell", "first_cell") if key in d}
            missed[d["kind"]] += not at & cells
    for dup in manifest["cross_file_duplicates"]:
        seeded["cross_file_duplicate"] += 1
        missed["cross_file_duplicate"] += not all((o["file"], o["sheet"], o["cell"]) in cells
                                                  for o in dup["occurrences"])
    total, lost = sum(seeded.values()), sum(missed.values())
    print(f"seeded defects found at their cell: {total - lost}/{total}; "
          f"findings in all: {len(result.findings):,}")  # type: ignore[attr-defined]
    if lost:
        print("missed: " + ", ".join(f"{kind} {missed[kind]}/{seeded[kind]}" for kind in sorted(missed) if missed[kind]))


if __name__ == "__main__":
    main()
