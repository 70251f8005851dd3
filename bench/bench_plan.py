"""Planning benchmark: whole-network recompute time and peak memory by network size.

    python bench/bench_plan.py [--sizes 1000,20000,100000] [--runs 5]

Networks come from the demo generator (104 weekly history periods, 4-5 network levels:
DC -> plant FG -> modules -> sub-assemblies -> parts), planned over 104 weekly periods.
Each run is a recompute after an edit, as the workbench makes one: a planner's edit of one
SKU's safety stock writes the skus table anew (the other tables stay as they were read; the
edit itself is made before the clock starts), and the plan is made from the tables
(``PlanInput.from_tables`` and ``plan()``), with the session's plan memo (``PlanInput.memo``:
network, SKU index, look-ups, group codes and the flat safety-stock recommendation kept while
the tables they come from read the same; the levels of the network, and their measure sums,
that read as in the last plan taken from it). Two edits are timed: a sub-assembly's (a SKU
on level 3 of 5: the levels above it keep their plan) and an end item's at a distribution
centre (level 0: every level is planned again, the worst case for the memo). The same
recompute without the memo (every structure made again, as for the first plan of a session)
is timed alongside, run for run.
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

import numpy as np
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


def edited(tables: dict[str, pd.DataFrame], value: float, row: int = 5
           ) -> dict[str, pd.DataFrame]:
    """The tables after a planner sets a fixed safety stock of ``value`` on the SKU of
    ``row`` (the 6th SKU by default: a sub-assembly on level 3 of the demo network)."""
    skus = tables["skus"].copy(deep=False)
    skus.loc[row, ["ss_model", "ss_qty"]] = ["fixed", value]
    return {**tables, "skus": skus}


def end_item_row(inp: PlanInput) -> int:
    """The input row of the first SKU on level 0 (an end item: nothing draws from it)."""
    prepared = prepare(inp)
    return int(np.flatnonzero(prepared.codes[prepared.position] == 0)[0])


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

        end_item = end_item_row(inp)

        def recompute(edit: dict[str, pd.DataFrame], memo: MadeFrom | None,
                      demand: DemandForecast = demand, meio_memo: MeioMemo = meio_memo
                      ) -> tuple[PlanInput, PlanResult, float]:
            """The plan from the tables after an edit, as a session makes it; its seconds."""
            start = time.perf_counter()
            inp = PlanInput.from_tables(edit, memo)
            inp.demand, inp.meio_memo = demand, meio_memo
            result = plan(inp)
            return inp, result, time.perf_counter() - start

        start = time.perf_counter()
        current = edited(tables, 0.0)  # (the session's tables: one edit after another)
        recompute(current, memo)  # warm-up, solving the multi-echelon model once
        warm_s = time.perf_counter() - start
        seconds, end_items, cold, netting = [], [], [], []
        for run in range(args.runs):
            current = edited(current, 10.0 + run)
            inp, result, took = recompute(current, memo)
            seconds.append(took)
            current = edited(current, 10.0 + run, end_item)
            end_items.append(recompute(current, memo)[2])
            cold.append(recompute(edited(current, 10.5 + run), None)[2])
            start = time.perf_counter()
            net(prepare(inp).netting)
            netting.append(time.perf_counter() - start)
        tracemalloc.start()
        recompute(edited(current, 99.0), memo)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        levels = int(pd.Series(result.skus["low_level_code"]).max()) + 1

        def spread(values: list[float]) -> str:
            return (f"{statistics.median(values):.3f} s ({min(values):.3f}-"
                    f"{max(values):.3f})")

        print(f"{inp.n:>7,} SKUs, {levels} levels, {len(result.planned_orders):>9,} planned "
              f"orders: recompute after an edit {spread(seconds)}, of an end item "
              f"{spread(end_items)}; without the plan memo {spread(cold)}; prepare+netting "
              f"from scratch {statistics.median(netting):.3f} s; peak {peak:.0f} MB; demand "
              f"forecast from history (once per history version) {forecast_s:.3f} s; first "
              f"plan with the MEIO solve {warm_s:.3f} s (gap {result.kpis['meio_gap']:.2%})")
    print(f"pace after: reference work {reference_ms():.1f} ms")


if __name__ == "__main__":
    main()
