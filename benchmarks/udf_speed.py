"""Python-side cost of KAM_WEIGHTED and KAM_SCORE over 100,000 rows, against numpy.

Inputs are what xlwings hands a UDF for whole columns (rows of cells, ``ndim=2``):
stage labels as reps pick them from the dropdown, amounts as floats, answers as Y/N.
Two numpy baselines are printed: the bare expression on arrays prepared beforehand, and
the same expression including the conversion from and back to Excel's lists, which any
UDF must pay. The target (issue 4) is within 3x of numpy.

    python benchmarks/udf_speed.py [--rows 100000] [--repeat 7]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("KAMXL_CONFIG", os.devnull + ".absent")  # defaults, not a developer's company file

from kamxl.methodology import default_config  # noqa: E402
from udfs.kam import KAM_SCORE, KAM_WEIGHTED  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(fns: tuple[Callable[[], object], ...], repeat: int) -> tuple[list[float], list[list[float]]]:
    """Best time of each, and per-round ratios of the first against the others.

    The rounds interleave the contestants, so a noisy neighbour on a shared machine
    slows both sides of a ratio alike; the median ratio is the figure to trust.
    """
    rounds = [[timed(fn) for fn in fns] for _ in range(repeat)]
    best = [min(r[i] for r in rounds) for i in range(len(fns))]
    ratios = [[r[0] / r[i] for r in rounds] for i in range(1, len(fns))]
    return best, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(20261123)
    cfg = default_config()
    labels = [s.label(rng.choice(["zh", "en"])) for s in cfg.stages[:7]]
    stages = [[rng.choice(labels)] for _ in range(args.rows)]
    amounts = [[float(rng.randrange(100_000, 20_000_000, 1000))] for _ in range(args.rows)]
    answers = [[rng.choice("YN") for _ in range(20)] for _ in range(args.rows)]

    probs = np.array([s.probability for s in cfg.stages[:7]])
    index = {label: i for i, label in enumerate(labels)}
    stage_idx = np.array([index[r[0]] for r in stages])
    amount_arr = np.array([r[0] for r in amounts])
    answer_arr = np.array(answers) == "Y"

    def numpy_weighted_with_io() -> object:
        idx = np.fromiter((index[r[0]] for r in stages), dtype=np.int64, count=len(stages))
        return (np.array(amounts)[:, 0] * probs[idx])[:, None].tolist()

    def numpy_score_with_io() -> object:
        return (np.array(answers) == "Y").sum(axis=1)[:, None].tolist()

    rows = [
        ("KAM_WEIGHTED", lambda: KAM_WEIGHTED(amounts, stages), lambda: amount_arr * probs[stage_idx],
         numpy_weighted_with_io),
        ("KAM_SCORE", lambda: KAM_SCORE(answers), lambda: answer_arr.sum(axis=1), numpy_score_with_io),
    ]
    # Same answers before timing anything: a fast wrong result is no result.
    assert KAM_WEIGHTED(amounts, stages) == numpy_weighted_with_io()
    assert KAM_SCORE(answers) == numpy_score_with_io()
    print(f"{args.rows:,} rows; best of {args.repeat} interleaved rounds; ratios are medians of the rounds")
    print(f"{'function':<14}{'kamxl ms':>10}{'numpy ms':>10}{'numpy+io ms':>13}{'x numpy':>9}{'x numpy+io':>12}")
    for name, ours, bare, with_io in rows:
        (t_ours, t_bare, t_io), (r_bare, r_io) = compare((ours, bare, with_io), args.repeat)
        print(f"{name:<14}{t_ours * 1e3:>10.1f}{t_bare * 1e3:>10.1f}{t_io * 1e3:>13.1f}"
              f"{statistics.median(r_bare):>9.0f}{statistics.median(r_io):>12.2f}")


if __name__ == "__main__":
    main()
