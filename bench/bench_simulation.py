"""Monte Carlo safety-stock check benchmark: seconds and peak memory by demand mix.

    python bench/bench_simulation.py [--skus 1000] [--runs 500] [--periods 52] [--repeat 5]
                                     [--workers 1,2]

SKUs: mean demand 1-400 units/period (log-uniform), lead times 0-12 periods reviewed every
period (exposure τ = L + 1), base stock for a 95 % cycle service from the single-echelon
formula S = d·(L + 1) + z·σ·sqrt(L + 1). Mixes:

- normal: every SKU normal, CV 0.1-0.5;
- mixed: 60 % normal (CV 0.1-0.5), 25 % gamma (CV 0.6-2.0), 15 % negative binomial
  (slow movers, mean 0.3-8 units/period, CV 0.6-2.0);
- auto: the mixed SKUs with ``distribution="auto"`` (the CV rule picks per SKU).

Prints the median seconds of ``simulate_base_stock`` over ``--repeat`` runs (after one
warm-up; the spread is min-max; CPU seconds too, less sensitive to a busy machine), the peak
memory traced (tracemalloc, numpy buffers included) during one run and the process's peak
resident set size, plus the achieved service: the normal SKUs reach the 95 % target, the
lumpy ones fall short of it under the normal formula (what the simulation is for).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from scipy import special

from app.engine.inventory.simulation import network_service, simulate_base_stock


def skus(n: int, mix: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Demand, exposure and a 95 % base stock per SKU for a demand mix."""
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(np.log(1.0), np.log(400.0), n))
    cv = rng.uniform(0.1, 0.5, n)
    kind = np.full(n, "normal", dtype="<U17")
    if mix != "normal":
        draw = rng.random(n)
        kind[draw >= 0.60] = "gamma"
        kind[draw >= 0.85] = "negative_binomial"
        lumpy = kind != "normal"
        cv = np.where(lumpy, rng.uniform(0.6, 2.0, n), cv)
        mean = np.where(kind == "negative_binomial", rng.uniform(0.3, 8.0, n), mean)
    sigma = cv * mean
    exposure = rng.integers(0, 13, n) + 1
    base_stock = mean * exposure + special.ndtri(0.95) * sigma * np.sqrt(exposure)
    return {"mean": mean, "sigma": sigma, "exposure": exposure, "base_stock": base_stock,
            "distribution": np.array(["auto"] * n) if mix == "auto" else kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}, numpy {np.__version__}; "
          f"{args.skus:,} SKUs x {args.runs} runs x {args.periods} periods")
    for mix in ("normal", "mixed", "auto"):
        data = skus(args.skus, mix)
        for workers in (int(w) for w in args.workers.split(",")):

            def run(data: dict[str, np.ndarray] = data, workers: int = workers):
                return simulate_base_stock(data["mean"], data["sigma"], data["exposure"],
                                           data["base_stock"], periods=args.periods,
                                           runs=args.runs, distribution=data["distribution"],
                                           seed=1, workers=workers)

            run()  # warm-up
            seconds, cpu = [], []
            for _ in range(args.repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                result = run()
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            tracemalloc.start()
            run()
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux
            print(f"{mix:>6}, {workers} worker{'s' if workers > 1 else ''}: "
                  f"median {statistics.median(seconds):.3f} s "
                  f"(min {min(seconds):.3f}, max {max(seconds):.3f}; CPU "
                  f"{statistics.median(cpu):.3f} s), peak traced {peak:.0f} MB, "
                  f"process peak RSS {rss:.0f} MB")
        by_kind = ", ".join(
            f"{kind} {np.sum(result.distribution == kind)} SKUs "
            f"{result.cycle_service[result.distribution == kind].mean():.4f}"
            for kind in np.unique(result.distribution))
        print(f"        achieved with the normal-formula base stock for 95 %: cycle service "
              f"{network_service(result):.4f} demand-weighted ({by_kind} on average), "
              f"fill rate {network_service(result, 'fill_rate'):.4f}")


if __name__ == "__main__":
    main()
