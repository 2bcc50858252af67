"""What the per-file ceilings (issue 8) cost validation: single-process per-file figures,
interleaved with a python-calamine read of the same file (the stable ratio on a shared
machine), then whole batches with the ceilings on and off.

Per file, in one loop over the sample (after one untimed pass): (1) python-calamine reads
every sheet; (2) ``validate_file`` in this process; (3) the same file validated by a
warm one-worker pool under the ceilings (``run_guarded``: intake checks, RLIMIT_AS,
timeout supervision, the result pickled back). Then ``validate_paths`` over the sample
with --jobs 1 and 2, ceilings on (the defaults) and off, interleaved in rounds.

    python benchmarks/ceilings_speed.py --corpus /tmp/kamxl-bench/funnel-1000x500 [--files 200] [--rounds 3]
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

import python_calamine as pc

DAY = date(2026, 11, 23)


def calamine(path: Path) -> int:
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
    book.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a folder of funnels (benchmarks/funnel_corpus.py)")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import pebble

    from kamxl.io.guard import NO_LIMITS, _call, _start_worker
    from kamxl.methodology import default_config
    from kamxl.validate import _worker, limits_of, validate_file, validate_paths

    files = sorted(args.corpus.glob("*.xlsx"))
    sample = files[:: max(1, len(files) // args.files)][: args.files]
    cfg = default_config()
    limits = limits_of(cfg)
    for path in sample:
        calamine(path)
        validate_file(path, today=DAY)
    times: dict[str, list[float]] = {"calamine": [], "in-process": [], "guarded": []}
    pool = pebble.ProcessPool(max_workers=1, initializer=_start_worker, initargs=((cfg, DAY), limits.memory_mb))
    try:
        pool.schedule(_call, (_worker, (sample[0], str(sample[0])))).result()     # warm
        for _ in range(args.rounds):
            for path in sample:
                t0 = time.perf_counter()
                calamine(path)
                t1 = time.perf_counter()
                validate_file(path, config=cfg, today=DAY)
                t2 = time.perf_counter()
                pool.schedule(_call, (_worker, (path, str(path))), timeout=limits.seconds).result()
                t3 = time.perf_counter()
                times["calamine"].append(t1 - t0)
                times["in-process"].append(t2 - t1)
                times["guarded"].append(t3 - t2)
    finally:
        pool.close()
        pool.join()
    n = len(times["calamine"])
    print(f"{len(sample)} files x {args.rounds} rounds, single process, ms per file (mean):")
    for key, values in times.items():
        print(f"  {key:12} {sum(values) / n * 1e3:7.2f}   x calamine {sum(values) / sum(times['calamine']):.2f}")
    ratio = [g / v for g, v in zip(times["guarded"], times["in-process"])]
    print(f"  guarded / in-process: ratio of sums {sum(times['guarded']) / sum(times['in-process']):.3f}, "
          f"median per file {statistics.median(ratio):.3f}")

    batches: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for jobs in (1, 2):
            for name, ceilings in (("on", limits), ("off", NO_LIMITS)):
                t = time.perf_counter()
                validate_paths(sample, jobs=jobs, config=cfg, today=DAY, limits=ceilings)
                batches.setdefault(f"jobs={jobs} ceilings {name}", []).append(time.perf_counter() - t)
    print(f"validate_paths over {len(sample)} files, seconds (median of {args.rounds}):")
    for key, values in batches.items():
        print(f"  {key:22} {statistics.median(values):6.2f}   {[round(v, 2) for v in values]}")


if __name__ == "__main__":
    main()
