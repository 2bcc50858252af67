"""Roll-up speed: ``kamxl rollup`` of N rep forecasts against a floor that does the same
work with the fastest libraries measured: python-calamine reading every sheet of the
inputs, plus rustpy-xlsxwriter writing the same lines sheet (issue 19).

The corpus (generated once, then reused from --corpus): N rep forecast workbooks of the
standard template, each with --lines lines (zh and en, varied stages, categories,
amounts and dates; some lines unconfirmed, some opportunities in two files). In one run,
in interleaved rounds, it times:
  (a) python-calamine reading every sheet of every file, one process (information);
  (b) the same with --jobs worker processes: the floor's reading part;
  (f) rustpy-xlsxwriter (rust_xlsxwriter underneath) writing the roll-up's lines sheet:
      the same lines, columns and values as the roll-up's Lines sheet (taken from a first,
      untimed roll-up, as records), its header on the same row, column widths, fonts and
      number formats like ours, frozen panes and a filter: the floor's writing part.
      What it does not do that the roll-up must: an Excel table (ListObject) over the
      lines, the formulas of the calculated columns with their stored values (it writes
      their values only), the quote prefix on formula-like text, the header form above
      the lines and every other sheet (overview, adjustment layer, reports, lineage,
      the hidden _keys) with their own stored values;
  (c) ``kamxl.rollup.rollup_files`` of all files into one team roll-up, reading with
      --jobs processes, writing the output workbook (every line, the adjustment layer and
      the report sheets) — the whole job a manager waits for. Each round runs in a fresh
      child process, so that its peak resident memory can be told apart: the roll-up's
      own (the parent: ru_maxrss of RUSAGE_SELF in the child) and the largest of its
      reading workers (RUSAGE_CHILDREN in the child: the biggest waited-for worker).
Target: (c) within 1.5x the floor (b) + (f), as the median of the rounds' ratios. For
information it also prints the CPU seconds of every process of (b), (f) and (c) (medians):
on a machine shared with other work they vary less than wall times do.

    python benchmarks/rollup_speed.py [--files 1000] [--lines 200] [--jobs 2] [--corpus DIR] [--repeat 3]

Needs the ``bench`` extra (``pip install -e '.[bench]'``) for rustpy-xlsxwriter.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import python_calamine as pc

from kamxl.methodology import default_config
from kamxl.rollup.sample import _line, _names, write_forecast

TODAY = date(2026, 11, 20)
TARGET = 1.5
LINES_SHEET = "ForecastLines"


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


def cpu_seconds() -> float:
    """User and system time of this process and of its children waited for (0 without the
    ``resource`` module: Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0
    return sum(t for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for t in resource.getrusage(who)[:2])


def read_file(path: Path) -> int:
    book = pc.CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def read_all(paths: list[Path], jobs: int) -> int:
    if jobs <= 1:
        return sum(map(read_file, paths))
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(read_file, paths, chunksize=max(1, len(paths) // (jobs * 16))))


# --- (c): the roll-up, one round in a child process ---------------------------------------------
def child(corpus: Path, files: int, out: Path, jobs: int) -> None:
    """One roll-up round (run as ``--child``): prints its time, phases, lines and peak RSS
    (0 where there is no ``resource`` module: Windows)."""
    import kamxl.rollup as rollup

    try:
        import resource
    except ImportError:
        resource = None  # type: ignore[assignment]

    def peak(kind: int) -> float:
        return resource.getrusage(kind).ru_maxrss / 1024 if resource else 0.0    # KiB on Linux

    readers: list[float] = []
    read_all = rollup._read_all

    def reading(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return read_all(*args, **kwargs)
        finally:                        # the reading workers have been waited for: theirs alone
            readers.append(peak(resource.RUSAGE_CHILDREN if resource else 0))

    rollup._read_all = reading
    paths = sorted(corpus.glob("rep-*.xlsx"))[:files]
    before, start = cpu_seconds(), time.perf_counter()
    result = rollup.rollup_files(paths, out, owner="经理", level="team", lang="zh", jobs=jobs, today=TODAY, force=True)
    seconds, used = time.perf_counter() - start, cpu_seconds() - before
    # RUSAGE_CHILDREN is the largest waited-for child: after the reading, a reading worker; at the
    # end, that or the process forked to write half the lines (kamxl.templates.bulk), whichever is larger
    rss = {"parent": peak(resource.RUSAGE_SELF if resource else 0), "worker": readers[0],
           "children": peak(resource.RUSAGE_CHILDREN if resource else 0)}
    print(json.dumps({"seconds": seconds, "cpu": used, "phases": result.seconds, "lines": len(result.rollup.lines),
                      "rss": rss}))


def roll(corpus: Path, files: int, out: Path, jobs: int) -> dict[str, Any]:
    """A round of (c) in a fresh interpreter; the time is taken inside it (its start-up and
    imports are not counted, as the floor's imports are not)."""
    done = subprocess.run([sys.executable, __file__, "--child", "--corpus", str(corpus), "--files", str(files),
                           "--jobs", str(jobs), "--out", str(out)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the roll-up round failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- (f): rustpy-xlsxwriter writing the same lines sheet --------------------------------------------
def lines_records(path: Path) -> tuple[str, int, list[dict[str, Any]]]:
    """The roll-up's Lines table as records (header -> value; the calculated columns' stored
    values; empty cells None), with its sheet's name and the header's 0-based row."""
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    table = book.get_table_by_name(LINES_SHEET)
    header = table.columns
    records = [{k: (None if v == "" else v) for k, v in zip(header, row)} for row in table.to_python()]
    return table.sheet, table.start[0] - 1, records     # start: the first data row


def rust_writer(records: list[dict[str, Any]], sheet: str, header_row: int):  # type: ignore[no-untyped-def]
    """A function writing the records as the roll-up's Lines sheet looks, as far as
    rustpy-xlsxwriter's API goes: the same font and widths, money as #,##0, dates as
    yyyy-mm-dd, a bold white-on-blue header on the same row, panes frozen below it and
    right of the first column, Excel's filter over the header."""
    import rustpy_xlsxwriter as rx

    font = "Microsoft YaHei"
    money = rx.Format().set_font_name(font).set_font_size(10).set_num_format("#,##0")
    day = rx.Format().set_font_name(font).set_font_size(10).set_num_format("yyyy-mm-dd")
    text = rx.Format().set_font_name(font).set_font_size(10)
    header = (rx.Format().set_bold().set_font_name(font).set_font_size(10).set_font_color("#FFFFFF")
              .set_background_color("#1F4E78").set_border("thin").set_text_wrap())
    first = records[0]
    formats = {k: money if isinstance(v, float) else day if isinstance(v, date) else text for k, v in first.items()}
    widths = {k: 24.0 if i in (1, 13) else 14.0 for i, k in enumerate(first)}

    def write(path: Path) -> None:
        rx.write_worksheet(records, str(path), sheet_name=sheet, header_row=header_row, freeze_row=header_row + 1,
                           freeze_col=1, column_formats=formats, header_format=header, column_widths=widths,
                           autofilter=True, datetime_format="yyyy-mm-dd")
    return write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.corpus or Path(tempfile.gettempdir()) / "kamxl-bench" / f"forecast-{args.files}x{args.lines}"
    if args.child:
        child(folder, args.files, args.out, args.jobs)
        return
    paths = generate(folder, args.files, args.lines)
    print(f"corpus: {len(paths):,} rep forecasts x {args.lines} lines in {folder}")
    print(f"Python {platform.python_version()}, python-calamine {version('python-calamine')}, "
          f"rustpy-xlsxwriter {version('rustpy-xlsxwriter')}, XlsxWriter {version('xlsxwriter')}; "
          f"{args.repeat} interleaved round(s): best times, ratios are medians of the rounds")
    read_all(paths, 1)   # warm the page cache: every contestant reads from memory
    work = Path(tempfile.mkdtemp())
    out, floor_out = work / "rollup.xlsx", work / "floor.xlsx"
    first = roll(folder, len(paths), out, args.jobs)           # untimed: the records (f) writes
    sheet, header_row, records = lines_records(out)
    write_lines = rust_writer(records, sheet, header_row)
    times: dict[str, list[float]] = {"a": [], "b": [], "f": [], "c": []}
    rounds: list[dict[str, Any]] = []

    cpu: dict[str, list[float]] = {"b": [], "f": [], "c": []}

    def timed(job, key):  # type: ignore[no-untyped-def]
        before, start = cpu_seconds(), time.perf_counter()
        job()
        times[key].append(time.perf_counter() - start)
        if key in cpu:
            cpu[key].append(cpu_seconds() - before)

    for _ in range(args.repeat):
        timed(lambda: read_all(paths, 1), "a")
        timed(lambda: read_all(paths, args.jobs), "b")
        timed(lambda: write_lines(floor_out), "f")
        timed(lambda: rounds.append(roll(folder, len(paths), out, args.jobs)), "c")
        times["c"][-1] = rounds[-1]["seconds"]     # taken inside the child: its start-up not counted
        cpu["c"][-1] = rounds[-1]["cpu"]
    best = {k: min(v) for k, v in times.items()}
    rows = [("(a) calamine: every sheet of every file", 1, best["a"]),
            ("(b) calamine: every sheet of every file", args.jobs, best["b"]),
            (f"(f) rustpy-xlsxwriter: the lines sheet ({len(records):,} rows)", 1, best["f"]),
            ("floor = (b) + (f)", args.jobs, best["b"] + best["f"]),
            ("(c) kamxl rollup_files (read, roll up, write)", args.jobs, best["c"])]
    print(f"{'':56}{'jobs':>5}{'seconds':>10}")
    for label, jobs, seconds in rows:
        print(f"{label:56}{jobs:>5}{seconds:>10.2f}")
    each = [c / (b + f) for c, b, f in zip(times["c"], times["b"], times["f"])]
    ratio = statistics.median(each)
    print(f"roll-up / floor, {args.jobs} processes: {ratio:.2f}  (target <= {TARGET:g}: "
          f"{'met' if ratio <= TARGET else 'MISSED'}); each round: {', '.join(f'{r:.2f}' for r in each)}")
    if all(cpu.values()):   # CPU time of every process, children included: steadier than wall time on a busy machine
        used = {k: statistics.median(v) for k, v in cpu.items()}
        print(f"(information) CPU seconds, all processes (medians): floor {used['b'] + used['f']:.2f} "
              f"(read {used['b']:.2f} + write {used['f']:.2f}), roll-up {used['c']:.2f}: "
              f"{used['c'] / (used['b'] + used['f']):.2f}x")
    read_only = statistics.median(c / b for c, b in zip(times["c"], times["b"]))
    print(f"(information) roll-up / calamine read alone, {args.jobs} processes: {read_only:.2f}")
    phases = {k: statistics.median(r["phases"][k] for r in rounds) for k in rounds[0]["phases"]}
    print("roll-up phases (medians): " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
    rss = {k: max(r["rss"][k] for r in rounds) for k in ("parent", "worker", "children")}
    forked = (f"; the forked lines writer {rss['children']:.0f} MB (most of it the parent's pages, shared "
              "copy-on-write)" if rss["children"] > rss["worker"] else "")
    print(f"roll-up peak RSS (ru_maxrss): parent {rss['parent']:.0f} MB (gets the submissions, rolls up, writes); "
          f"largest reading worker {rss['worker']:.0f} MB{forked}")
    print(f"lines counted: {first['lines']:,}; output {out.stat().st_size / 2**20:.1f} MB; "
          f"floor's lines sheet {floor_out.stat().st_size / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
