"""Small submissions and memory: the figures ``validate_speed.py --rows 40`` and ``--memory`` print.

Start to exit: a new process running the command line, as a user runs it, timed from
outside (``subprocess``), one warm-up then the median of ``runs``:
  - ``kamxl validate`` of the funnel example ``kamxl demo`` writes (en and zh);
  - for scale, the same process reading every sheet of that file with python-calamine
    (``python -c``, the interpreter's start and calamine's import included);
  - ``kamxl rollup`` of 1 and of 30 small rep forecasts (``--forecast-lines`` lines each).

Per file after start-up, with the same processes (``--jobs``): the slope between two batch
sizes of the same files, ``(T(n2) - T(n1)) / (n2 - n1)``, n1 = n2 / 3, each T a whole call
in this process (the worker pool's start and stop included), in interleaved rounds; the
ratio is the median of the rounds' ratios. Both sizes are above the guard's few-items limit
(kamxl.io.guard.FORK_UP_TO), so both run in the same kind of pool and its fixed cost cancels
out, as the interpreter's start and imports do. Contestants:
  - validation: ``kamxl.validate.validate_paths`` against calamine reading every sheet of the
    same funnels (``ProcessPoolExecutor`` with the same number of processes);
  - roll-up: ``kamxl.rollup.rollup_files`` (reading, rolling up, writing the output) of the
    first 100 and all 300 small forecasts, against calamine reading every sheet of them.
Targets (issue 19): one file start to exit <= 0.4 s; per file <= 1.5x calamine, for both.

Memory (``--memory``): peak resident memory of ``validate_paths`` over the first 250, 500,
1,000 files, each in a fresh process: the parent's (it keeps every file's findings and the
facts the across-files checks need) and the largest worker's (VmHWM, Linux); and, from a
second run traced by tracemalloc, what the report holds at the end, facts included.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from rollup_speed import read_all   # calamine reading every sheet, as the roll-up's floor does (this folder is on sys.path)

START_TARGET = 0.4            # seconds, start to exit: one file validated; 30 small forecasts rolled up
PER_FILE_TARGET = 1.5         # x calamine's read, per file after start-up
ROLLUP_FILES = 30
ROLLUP_BATCH = 300            # forecasts for the per-file slope (100 and 300: fewer give more noise than signal)
MEMORY_SIZES = (250, 500, 1000)


def start_to_exit(argv: list[str], runs: int, cwd: Path) -> float:
    """Median wall seconds of ``argv`` as a new process (after one warm-up run)."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if i:
            times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{argv[:4]}… exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def _slopes(calls: dict[str, Callable[[int], object]], n2: int, repeat: int) -> list[dict[str, float]]:
    """Per round, each contestant's seconds per file between n2 / 3 and n2 files."""
    n1 = max(1, n2 // 3)
    rounds = []
    for _ in range(repeat):
        slope = {}
        for name, call in calls.items():
            t1 = _timed(lambda: call(n1))
            t2 = _timed(lambda: call(n2))
            slope[name] = (t2 - t1) / (n2 - n1)
        rounds.append(slope)
    return rounds


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _verdict(value: float, target: float) -> str:
    return f"<= {target:g}  {'met' if value <= target else 'MISSED'}"


def examples(folder: Path) -> dict[str, Path]:
    """The funnel example ``kamxl demo`` writes, en and zh (written once into ``folder``)."""
    from kamxl.templates import write_template

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for lang in ("en", "zh"):
        path = folder / f"funnel-example.{lang}.xlsx"
        if not path.exists():
            write_template("funnel", path, lang=lang, filled=True)  # type: ignore[arg-type]
        out[lang] = path
    return out


def forecasts(folder: Path, files: int, lines: int) -> list[Path]:
    from rollup_speed import generate   # its forecast generator

    return generate(folder, files, lines)


def small_files(funnels: list[str], *, jobs: int, runs: int, repeat: int, forecast_lines: int,
                as_of: date) -> None:
    """Print the small-file figures beside their targets."""
    from kamxl.rollup import rollup_files
    from kamxl.validate import validate_paths

    py = [sys.executable]
    bench = Path(tempfile.gettempdir()) / "kamxl-bench"
    demo = examples(bench / "demo-examples")
    reps = [str(p) for p in forecasts(bench / f"forecast-{ROLLUP_BATCH}x{forecast_lines}", ROLLUP_BATCH,
                                      forecast_lines)]
    today = as_of.isoformat()
    print(f"\nsmall files: start to exit (a new process, median of {runs} runs after a warm-up)")
    print(f"{'':<58}{'seconds':>8}  target")
    for lang, path in demo.items():
        seconds = start_to_exit([*py, "-m", "kamxl.cli", "validate", str(path), "-q", "--today", today], runs,
                                path.parent)
        print(f"{'kamxl validate ' + path.name:<58}{seconds:>8.3f}  {_verdict(seconds, START_TARGET)}")
    reader = f"import python_calamine as pc; b = pc.CalamineWorkbook.from_path({str(demo['en'])!r}); " \
             "[b.get_sheet_by_name(n).to_python() for n in b.sheet_names]"
    print(f"{'  for scale: python + calamine reading it, every sheet':<58}"
          f"{start_to_exit([*py, '-c', reader], runs, bench):>8.3f}")
    print(f"{'  for scale: python -c pass':<58}{start_to_exit([*py, '-c', 'pass'], runs, bench):>8.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, ROLLUP_FILES):
            argv = [*py, "-m", "kamxl.cli", "rollup", *reps[:n], "-o", str(Path(tmp) / f"team-{n}.xlsx"), "--force",
                    "--owner", "Team lead", "--level", "team", "--today", today, "--jobs", str(jobs)]
            seconds = start_to_exit(argv, runs, Path(tmp))
            target = _verdict(seconds, START_TARGET) if n == ROLLUP_FILES else "(information)"
            print(f"{f'kamxl rollup of {n} forecast(s) x {forecast_lines} lines, {jobs} jobs':<58}{seconds:>8.3f}  {target}")

        n2 = len(funnels)
        print(f"\nsmall files: per file after start-up, {jobs} processes: (T(n2) - T(n2/3)) / (n2 - n2/3), "
              f"median of {repeat} interleaved round(s)")
        rounds = _slopes({"calamine": lambda n: read_all(funnels[:n], jobs),
                          "kamxl": lambda n: validate_paths(funnels[:n], jobs=jobs, today=as_of)}, n2, repeat)
        _print_slopes(f"{n2} funnels x 40 rows", "validate_paths", rounds)
        out = Path(tmp) / "team.xlsx"
        rounds = _slopes({"calamine": lambda n: read_all(reps[:n], jobs),
                          "kamxl": lambda n: rollup_files([Path(p) for p in reps[:n]], out, owner="Team lead",
                                                          level="team", lang="en", jobs=jobs, force=True,
                                                          today=as_of)}, len(reps), repeat)
        _print_slopes(f"{len(reps)} forecasts x {forecast_lines} lines", "rollup_files", rounds)


def _print_slopes(what: str, name: str, rounds: list[dict[str, float]]) -> None:
    ratio = statistics.median(r["kamxl"] / r["calamine"] for r in rounds)
    cal = statistics.median(r["calamine"] for r in rounds) * 1e3
    kam = statistics.median(r["kamxl"] for r in rounds) * 1e3
    print(f"{what}: calamine every sheet {cal:.2f} ms/file, {name} {kam:.2f} ms/file; "
          f"ratio {ratio:.2f}  {_verdict(ratio, PER_FILE_TARGET)}"
          + ("  (rounds: " + ", ".join(f"{r['kamxl'] / r['calamine']:.2f}" for r in rounds) + ")"
             if len(rounds) > 1 else ""))


MEMORY_SCRIPT = """
import os, resource, sys, threading, time, tracemalloc
from datetime import date
from pathlib import Path
from kamxl.validate import validate_paths

def hwm(pid):   # a process's peak resident set (VmHWM), kB
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM"))
    except (OSError, StopIteration):
        return 0

workers, done = {}, threading.Event()
def watch():    # the workers end with the pool: their peaks are read while they live
    while not done.wait(0.05):
        for tasks in Path("/proc/self/task").glob("*/children"):
            for pid in tasks.read_text().split():
                workers[pid] = max(workers.get(pid, 0), hwm(pid))

paths = sorted(Path(sys.argv[1]).glob("*.xlsx"))[:int(sys.argv[2])]
threading.Thread(target=watch, daemon=True).start()
tracemalloc.start() if sys.argv[5] == "1" else None
report = validate_paths(paths, jobs=int(sys.argv[3]), today=date.fromisoformat(sys.argv[4]))
done.set()
held = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
facts = 0
if held:
    for result in report.files:
        result.claims = None
    facts = held - tracemalloc.get_traced_memory()[0]
print(len(report.files), len(report.findings), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      max(workers.values(), default=0), held, facts)
"""


def memory(folder: Path, *, jobs: int, as_of: date, sizes: Sequence[int] = MEMORY_SIZES) -> None:
    """Peak resident memory of validating the first N files, each N in a fresh process; then,
    traced by tracemalloc in another run (slower, so not the peak's run), what the report
    holds at the end and how much of it is the facts the across-files checks read."""
    print(f"\nmemory: validate_paths of the first N files of {folder}, {jobs} processes, each N in a fresh process")
    print(f"{'files':>7}{'findings':>10}{'parent peak MB':>16}{'largest worker peak MB':>24}"
          f"{'report MB':>11}{'of it facts MB':>16}")
    for n in sizes:
        runs = [subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(folder), str(n), str(jobs), as_of.isoformat(),
                                trace], capture_output=True, text=True, check=True).stdout.split() for trace in "01"]
        files, findings, mine, workers, _, _ = map(int, runs[0])
        held, facts = map(int, runs[1][4:])
        print(f"{files:>7,}{findings:>10,}{mine / 1024:>16.1f}{workers / 1024:>24.1f}"
              f"{held / 2**20:>11.1f}{facts / 2**20:>16.1f}")
