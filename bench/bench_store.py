"""Store benchmark: import, fork, read and edit a scenario on a large workspace.

    python bench/bench_store.py [--skus 50000] [--changes 1000] [--runs 5]

Prints median seconds over ``--runs`` repetitions and peak memory. Figures for the README.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.models.demo import generate_demo
from app.models.overlay import Change
from app.models.store import Store


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median seconds over ``runs`` calls, and the peak traced memory (MB) of one call."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(seconds), peak


def random_changes(frames: dict, n: int, rng: np.random.Generator) -> list[Change]:
    skus = frames["skus"]
    rows = rng.choice(len(skus), size=n, replace=True)
    changes = []
    for i, row in enumerate(rows):
        key = {"item_id": skus["item_id"].iat[row], "site_id": skus["site_id"].iat[row]}
        field = ("lead_time", "on_hand", "ss_qty", "service_target")[i % 4]
        value = {"lead_time": 3.0, "on_hand": float(i), "ss_qty": 10.0 + i,
                 "service_target": 0.97}[field]
        changes.append(Change.make("skus", key, {field: value}))
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=50_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}")

    start = time.perf_counter()
    frames = generate_demo(skus=args.skus)
    print(f"generate demo: {time.perf_counter() - start:.2f} s "
          f"({len(frames['skus']):,} SKUs, {len(frames['demand_history']):,} history rows)")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.echelon"
        start = time.perf_counter()
        store = Store.create(db)
        store.import_baseline(frames)
        print(f"import (one transaction): {time.perf_counter() - start:.2f} s, "
              f"file {db.stat().st_size / 1e6:.0f} MB")

        counter = iter(range(10**9))
        fork_s, _ = timed(lambda: store.fork("Baseline", f"F{next(counter)}"), args.runs)
        print(f"fork: {fork_s * 1000:.1f} ms")

        store.fork("Baseline", "What-if")
        changes = random_changes(frames, args.changes, rng)
        step = max(1, len(changes) // 10)
        start = time.perf_counter()
        for i in range(0, len(changes), step):
            store.edit("What-if", changes[i:i + step])
        print(f"write {len(changes)} changes in {len(range(0, len(changes), step))} steps: "
              f"{time.perf_counter() - start:.2f} s")

        cold_s, cold_mb = timed(lambda: Store.open(db).read("What-if"), max(1, args.runs // 2))
        print(f"read scenario, cold (new process state, all tables): {cold_s:.3f} s, "
              f"peak {cold_mb:.0f} MB")
        store.read("What-if")
        after_edit = []
        for _ in range(args.runs):
            store.edit("What-if", [random_changes(frames, 1, rng)[0]])
            start = time.perf_counter()
            store.read("What-if")
            after_edit.append(time.perf_counter() - start)
        print(f"read scenario with {args.changes} changes after an edit (Baseline in memory, "
              f"changes re-applied): {statistics.median(after_edit):.3f} s")
        warm_s, _ = timed(lambda: store.read("What-if"), args.runs)
        print(f"read scenario again, unchanged (cached): {warm_s * 1000:.1f} ms")

        one = random_changes(frames, 1, rng)
        edit_s, _ = timed(lambda: store.edit("What-if", one), args.runs)
        print(f"one edit (checked against the whole scenario, one transaction): "
              f"{edit_s * 1000:.0f} ms")
        undo_s, _ = timed(lambda: (store.undo("What-if"), store.redo("What-if")), args.runs)
        print(f"undo + redo: {undo_s * 1000:.1f} ms")
        store.close()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the whole run: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
