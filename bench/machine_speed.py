"""A yardstick for the machine's pace at the moment a benchmark runs.

The development VM shares its cores with other work: the same code runs 1.5-1.8 times slower
in some hours than in others, and a benchmark's figures move with it. ``reference_ms()``
times a fixed piece of work of the kinds a plan and a repaint do (Python calls, numpy
operations on small and on (1,000 x 104) arrays, a pandas group-by), so that figures taken
at different times can be read against the pace of the machine when they were taken.
``bench_plan.py`` and ``bench_gui.py`` print it before and after their runs.

The work runs in a fresh process whose memory allocator keeps what is freed (glibc's
``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` fixed high). Otherwise the reading
depends on the allocator's state more than on the machine: in a fresh process every
temporary (1,000 x 104) array is mapped and zeroed anew, and the work reads about twice as
long as in a process that has run a while (54-58 ms against 21-33 ms, minutes apart).

    python bench/machine_speed.py        # the yardstick alone
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def _work(rng: np.random.Generator) -> float:
    """A fixed mix of work; returns a number so nothing is optimised away."""
    total = 0.0
    grid = rng.random((1000, 104))
    for _ in range(20):  # large arrays: running maxima, sums, products
        total += float(np.maximum.accumulate(grid, axis=1).sum(axis=0)[-1])
        total += float((grid * 1.5 - 0.25).clip(0.0, 1.0).mean())
    small = rng.random(64)
    for _ in range(3000):  # small arrays: per-call overhead, as a period loop pays it
        np.maximum(small, 0.5, out=small)
        small += 1e-9
    total += sum(i * 0.5 for i in range(60_000))  # plain Python
    codes = pd.Series(rng.integers(0, 200, 50_000))
    total += float(codes.groupby(codes).sum().iloc[-1])
    return total


def reference_ms(runs: int = 7) -> float:
    """Median milliseconds of the fixed work over ``runs`` runs (after one warm-up), in a
    fresh process with the allocator settings of the module notes."""
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(64 << 20),
           "MALLOC_TRIM_THRESHOLD_": str(128 << 20)}
    done = subprocess.run([sys.executable, __file__, "--in-process", str(runs)], env=env,
                          capture_output=True, text=True, check=True)
    return float(done.stdout)


def _in_process_ms(runs: int) -> float:
    """Median milliseconds of the fixed work in this process (after one warm-up)."""
    rng = np.random.default_rng(0)
    _work(rng)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _work(rng)
        times.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(times)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--in-process":
        print(_in_process_ms(int(sys.argv[2])))
    else:
        print(f"machine pace: reference work {reference_ms():.1f} ms (lower is faster)")
