"""Roll-up speed: ``kamxl rollup`` of N rep forecasts against reading the same files with
python-calamine.

The corpus (generated once, then reused from --corpus): N rep forecast workbooks of the
standard template, each with --lines lines (zh and en, varied stages, categories,
amounts and dates; some lines unconfirmed, some opportunities in two files). In one run,
in interleaved rounds, it times:
  (a) python-calamine reading every sheet of every file, one process;
  (b) the same with --jobs worker processes;
  (c) ``kamxl.rollup.rollup_files`` of all files into one team roll-up, reading with
      --jobs processes, writing the output workbook (every line, the adjustment layer and
      the report sheets) — the whole job a manager waits for.
Target: the roll-up within 2x of the calamine read with the same number of processes.

    python benchmarks/rollup_speed.py [--files 1000] [--lines 200] [--jobs 2] [--corpus DIR] [--repeat 1]
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from importlib.metadata import version
from pathlib import Path

import python_calamine as pc

from kamxl.methodology import default_config
from kamxl.rollup import rollup_files
from kamxl.rollup.sample import _line, _names, write_forecast

TODAY = date(2026, 11, 20)


def generate(folder: Path, files: int, lines: int) -> list[Path]:
    """N rep forecasts; every 10th opportunity id also appears in a neighbour's file."""
    cfg, rng = default_config(), random.Random(1000)
    folder.mkdir(parents=True, exist_ok=True)
    reps = _names(rng, files)
    paths = []
    for i, rep in enumerate(reps):
        path = folder / f"rep-{i:04d}.xlsx"
        paths.append(path)
        if path.exists():
            continue
        lang = "zh" if i % 2 == 0 else "en"
        rows = [_line(rng, f"OPP-{i:04d}-{n:03d}", rep, lang, cfg, TODAY) for n in range(lines)]
        for n in range(0, lines, 10):   # shared with the next rep (claimed by both: M-FC-3)
            rows[n]["opportunity_id"] = f"OPP-{(i + 1) % files:04d}-{n:03d}"
        tmp = path.with_suffix(".tmp.xlsx")
        write_forecast(tmp, owner=rep, manager="经理", lines=rows, lang=lang, submitted=TODAY,  # type: ignore[arg-type]
                       quota=float(rng.randrange(50, 200) * 100_000), config=cfg)
        tmp.rename(path)
        if i % 100 == 99:
            print(f"  generated {i + 1} files", file=sys.stderr)
    return paths


def read_file(path: Path) -> int:
    book = pc.CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def read_all(paths: list[Path], jobs: int) -> int:
    if jobs <= 1:
        return sum(map(read_file, paths))
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(read_file, paths, chunksize=max(1, len(paths) // (jobs * 16))))


PHASES: dict[str, float] = {}


def roll(paths: list[Path], out: Path, jobs: int) -> int:
    result = rollup_files(paths, out, owner="经理", level="team", lang="zh", jobs=jobs, today=TODAY)
    PHASES.update(result.seconds)
    return len(result.rollup.lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    folder = args.corpus or Path(tempfile.gettempdir()) / "kamxl-bench" / f"forecast-{args.files}x{args.lines}"
    paths = generate(folder, args.files, args.lines)
    print(f"corpus: {len(paths):,} rep forecasts x {args.lines} lines in {folder}")
    print(f"Python {platform.python_version()}, python-calamine {version('python-calamine')}, "
          f"XlsxWriter {version('xlsxwriter')}; best of {args.repeat} interleaved round(s)")
    read_all(paths, 1)   # warm the page cache: every contestant reads from memory
    out = Path(tempfile.mkdtemp()) / "rollup.xlsx"
    times: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    counted = 0
    for _ in range(args.repeat):
        for key, job in (("a", lambda: read_all(paths, 1)), ("b", lambda: read_all(paths, args.jobs)),
                         ("c", lambda: roll(paths, out, args.jobs))):
            start = time.perf_counter()
            value = job()
            times[key].append(time.perf_counter() - start)
            counted = value if key == "c" else counted
    best = {k: min(v) for k, v in times.items()}
    rows = [("(a) calamine: every sheet of every file", 1, best["a"]),
            ("(b) calamine: every sheet of every file", args.jobs, best["b"]),
            ("(c) kamxl rollup_files (read, roll up, write)", args.jobs, best["c"])]
    print(f"{'':48}{'jobs':>5}{'seconds':>10}{'ms/file':>10}")
    for label, jobs, seconds in rows:
        print(f"{label:48}{jobs:>5}{seconds:>10.2f}{seconds / len(paths) * 1000:>10.1f}")
    ratio = statistics.median(c / b for c, b in zip(times["c"], times["b"]))
    verdict = "met" if ratio <= 2 else "MISSED"
    print(f"roll-up / calamine read, {args.jobs} processes: {ratio:.2f}  (target <= 2: {verdict})")
    print(f"lines counted: {counted:,}; output {out.stat().st_size / 2**20:.1f} MB; last round's roll-up: "
          + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in PHASES.items()))


if __name__ == "__main__":
    main()
