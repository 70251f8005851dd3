"""Forecasting benchmark: per-SKU method selection time and peak memory.

    python bench/bench_forecast.py [--series 10000] [--periods 104] [--season 52] [--runs 5]

Synthetic weekly demand (seeded): 40 % smooth (level + noise), 20 % seasonal (a yearly
sine), 10 % trending, 30 % intermittent (Bernoulli occurrence × Poisson sizes); one SKU in
ten starts later (a per-SKU start index). Times ``forecast_skus`` (profiling, rolling-origin
holdout of every candidate, selection, final forecast of ``--horizon`` periods and sigma)
and prints the median of ``--runs`` runs after one warm-up, the peak memory traced by
tracemalloc during one more run (numpy reports its buffers to it), and how often each method
was chosen. Target (issue): 10,000 series × 104 periods in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from app.engine.forecasting import SEARCH, forecast_skus


def synthetic(n: int, periods: int, season: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """(n, periods) demand and per-series start indices (see module notes)."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)[None, :]
    kind = rng.choice(4, size=n, p=[0.4, 0.2, 0.1, 0.3])
    level = rng.uniform(5, 200, size=(n, 1))
    noise = rng.normal(0, 1, size=(n, periods)) * level * rng.uniform(0.1, 0.4, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    seasonal = level * 0.5 * np.sin(2 * np.pi * t / max(season, 1) + phase)
    trend = level * rng.uniform(-0.005, 0.01, size=(n, 1)) * t
    occurs = rng.random((n, periods)) < rng.uniform(0.1, 0.6, size=(n, 1))
    sparse = occurs * rng.poisson(rng.uniform(1, 10, size=(n, 1)), size=(n, periods))
    y = np.select([kind[:, None] == 0, kind[:, None] == 1, kind[:, None] == 2],
                  [level + noise, level + seasonal + noise, level + trend + noise], sparse)
    y = np.round(np.clip(y, 0, None))
    start = np.where(rng.random(n) < 0.1, rng.integers(0, periods // 2, size=n), 0)
    y[t < start[:, None]] = 0
    return y, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=104)
    parser.add_argument("--season", type=int, default=52)
    parser.add_argument("--horizon", type=int, default=104)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--search", action="store_true", help="search parameter grids")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}")
    y, start = synthetic(args.series, args.periods, args.season)
    kwargs = {"parameters": SEARCH} if args.search else {}

    def run() -> object:
        return forecast_skus(y, args.horizon, args.season, start, **kwargs)

    run()
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    chosen = dict(zip(*np.unique(result.method, return_counts=True), strict=True))
    print(f"{args.series} series x {args.periods} periods, m={args.season}, "
          f"horizon {args.horizon}, {'searched grids' if args.search else 'fixed parameters'}")
    print(f"median {statistics.median(times):.3f} s over {args.runs} runs "
          f"(min {min(times):.3f}, max {max(times):.3f}); peak traced memory "
          f"{peak / 2**20:.0f} MiB")
    print("chosen:", ", ".join(f"{k} {v}" for k, v in sorted(chosen.items())))


if __name__ == "__main__":
    main()
