"""Planning benchmark: whole-network recompute time and peak memory by network size.

    python bench/bench_plan.py [--sizes 1000,20000,100000] [--runs 5]

Networks come from the demo generator (104 weekly history periods, 4-5 network levels:
DC -> plant FG -> modules -> sub-assemblies -> parts), planned over 104 weekly periods.
Each run is a recompute after an edit, as the workbench makes one: a planner's edit of one
SKU's safety stock writes the skus table anew (the other tables stay as they were read), and
the plan is made from the tables (``PlanInput.from_tables`` and ``plan()``), with the
session's plan memo (``PlanInput.memo``: network, SKU index, look-ups and group codes kept
while the tables they come from read the same). The same recompute without the memo (every
structure made again, as for the first plan of a session) is timed alongside, run for run.
Prints the medians over ``--runs`` runs (after one warm-up), the range of the runs (the
machine is shared: single runs move by tens of percent), and the peak memory traced during
one recompute. The customer-demand forecast is computed once beforehand, as a session does
(it changes only with the history), and its time is printed apart; so is the multi-echelon
safety-stock solve (a session memoises it by its inputs: edits that do not touch them reuse
it), timed in the warm-up plan. The machine's pace (``bench/machine_speed.py``) is printed
before and after.
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

import pandas as pd

from app.engine.forecast import DemandForecast, demand_forecast
from app.engine.inputs import PlanInput
from app.engine.netting import net
from app.engine.plan import plan
from app.engine.prepare import prepare
from app.engine.recommend import MeioMemo
from app.engine.result import PlanResult
from app.engine.same_values import MadeFrom
from app.models.demo import generate_demo
from bench.machine_speed import reference_ms


def edited(tables: dict[str, pd.DataFrame], value: float) -> dict[str, pd.DataFrame]:
    """The tables after a planner sets a fixed safety stock of ``value`` on the 6th SKU."""
    skus = tables["skus"].copy(deep=False)
    skus.loc[5, ["ss_model", "ss_qty"]] = ["fixed", value]
    return {**tables, "skus": skus}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,20000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--horizon", type=int, default=104)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}; horizon {args.horizon} periods; "
          f"pace: reference work {reference_ms():.1f} ms (bench/machine_speed.py)")
    for size in (int(s) for s in args.sizes.split(",")):
        tables = generate_demo(skus=size)
        settings = tables["settings"].copy()
        settings.loc[settings["name"] == "horizon_periods", "value"] = str(args.horizon)
        tables["settings"] = settings
        inp = PlanInput.from_tables(tables)
        start = time.perf_counter()
        demand = demand_forecast(inp.settings.calendar, inp.demand_history, inp.forecast)
        forecast_s = time.perf_counter() - start
        meio_memo, memo = MeioMemo(), MadeFrom()

        def recompute(value: float, memo: MadeFrom | None,
                      tables: dict[str, pd.DataFrame] = tables, demand: DemandForecast = demand,
                      meio_memo: MeioMemo = meio_memo) -> tuple[PlanInput, PlanResult]:
            """The plan after an edit (``value``), as a session makes it."""
            inp = PlanInput.from_tables(edited(tables, value), memo)
            inp.demand, inp.meio_memo = demand, meio_memo
            return inp, plan(inp)

        start = time.perf_counter()
        recompute(0.0, memo)  # warm-up, solving the multi-echelon model once
        warm_s = time.perf_counter() - start
        seconds, cold, netting = [], [], []
        for run in range(args.runs):
            start = time.perf_counter()
            inp, result = recompute(10.0 + run, memo)
            seconds.append(time.perf_counter() - start)
            start = time.perf_counter()
            recompute(10.5 + run, None)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            net(prepare(inp).netting)
            netting.append(time.perf_counter() - start)
        tracemalloc.start()
        recompute(99.0, memo)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        levels = int(pd.Series(result.skus["low_level_code"]).max()) + 1
        print(f"{inp.n:>7,} SKUs, {levels} levels, {len(result.planned_orders):>9,} planned "
              f"orders: recompute after an edit {statistics.median(seconds):.3f} s "
              f"({min(seconds):.3f}-{max(seconds):.3f}; prepare+netting "
              f"{statistics.median(netting):.3f} s), without the plan memo "
              f"{statistics.median(cold):.3f} s ({min(cold):.3f}-{max(cold):.3f}), "
              f"peak {peak:.0f} MB; demand forecast "
              f"from history (once per history version) {forecast_s:.3f} s; first plan with "
              f"the MEIO solve {warm_s:.3f} s (gap {result.kpis['meio_gap']:.2%})")
    print(f"pace after: reference work {reference_ms():.1f} ms")


if __name__ == "__main__":
    main()
