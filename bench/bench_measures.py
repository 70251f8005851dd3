"""Measures and exceptions benchmark on synthetic SKU x period plans (no netting).

    python bench/bench_measures.py [--skus 100000] [--periods 104] [--runs 5]

Two plans: "plan-like" (saw-tooth stock between safety stock and safety stock + lot, with a
few stock-out, below-safety-stock, excess, expiry and end-of-life episodes injected) and
"noise" (every projected on hand drawn independently: the worst case for exceptions, an
episode almost every other period). Prints the median seconds of ``compute_measures`` and
``find_exceptions`` and the number of exception rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.calendar import Calendar
from app.engine.exceptions import find_exceptions
from app.engine.inputs import PlanSettings
from app.engine.measures import compute_measures
from app.engine.result import PlanArrays


def _window(horizon: int, chosen: np.ndarray, start: np.ndarray, length: np.ndarray
            ) -> np.ndarray:
    """n x H mask: True for the chosen SKUs in periods start .. start + length - 1."""
    t = np.arange(horizon)[None, :]
    return chosen[:, None] & (t >= start[:, None]) & (t < (start + length)[:, None])


def plan_like(n: int, horizon: int, seed: int = 0) -> tuple[pd.DataFrame, PlanArrays]:
    """SKUs and arrays shaped like a netted plan, with ~5 % of SKUs in each kind of trouble."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(2.0, 10.0, n)
    gross = rate[:, None] * rng.uniform(0.7, 1.3, (n, horizon))
    eol = rng.random(n) < 0.02  # end of life: no requirements after a random period
    gross[_window(horizon, eol, rng.integers(20, horizon, n), np.full(n, horizon))] = 0.0
    customer = rng.random(n) < 0.4
    independent = gross * customer[:, None]
    ss = (1.5 * rate * (rng.random(n) < 0.7))[:, None] * np.ones(horizon)
    lot = rng.integers(1, 4, n)  # periods of supply per lot, within the cover window
    phase = rng.random(n)
    t = np.arange(horizon)[None, :]
    saw = 1.0 - np.mod(t / lot[:, None] + phase[:, None], 1.0)
    poh = ss + (lot * rate)[:, None] * saw
    length = rng.integers(1, 6, n)
    start = rng.integers(0, horizon, n)
    out = _window(horizon, rng.random(n) < 0.03, start, length)
    poh[out] = -(rate[:, None] * np.ones(horizon))[out]
    low = _window(horizon, rng.random(n) < 0.05, rng.integers(0, horizon, n), length)
    poh[low & ~out] *= 0.0
    poh[low & ~out] += (0.5 * ss)[low & ~out]
    fat = _window(horizon, rng.random(n) < 0.05, rng.integers(0, horizon, n), 2 * length)
    poh[fat] += (20.0 * rate[:, None] * np.ones(horizon))[fat]
    expired = np.where(_window(horizon, rng.random(n) < 0.01, start, np.ones(n, int)),
                       rate[:, None], 0.0)
    zeros = np.zeros((n, horizon))
    arrays = PlanArrays(on_hand=poh[:, 0].copy(), independent_demand=independent,
                        dependent_demand=gross - independent, gross_requirements=gross,
                        scheduled_receipts=zeros, planned_receipts=zeros,
                        planned_releases=zeros, projected_on_hand=poh, safety_stock=ss,
                        expired=expired)
    return _skus(n, rng), arrays


def noise(n: int, horizon: int, seed: int = 0) -> tuple[pd.DataFrame, PlanArrays]:
    """Independent random arrays: stock N(30, 25), demand gamma, expiry 0.1 %."""
    rng = np.random.default_rng(seed)
    independent = rng.gamma(2.0, 5.0, (n, horizon)) * (rng.random((n, 1)) < 0.6)
    dependent = rng.gamma(2.0, 5.0, (n, horizon)) * (rng.random((n, 1)) < 0.5)
    zeros = np.zeros((n, horizon))
    arrays = PlanArrays(
        on_hand=rng.normal(30, 10, n), independent_demand=independent,
        dependent_demand=dependent, gross_requirements=independent + dependent,
        scheduled_receipts=zeros, planned_receipts=zeros, planned_releases=zeros,
        projected_on_hand=rng.normal(30, 25, (n, horizon)),
        safety_stock=np.full((n, horizon), 10.0) * (rng.random((n, 1)) < 0.7),
        expired=np.where(rng.random((n, horizon)) < 0.001, 5.0, 0.0))
    return _skus(n, rng), arrays


def _skus(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": [f"I{i:06d}" for i in range(n)], "site_id": "S1", "supply_type": "buy",
        "part_class": rng.choice(["FG", "WIP", "RM"], n),
        "category": rng.choice(["ELEC", "MECH", "PACK", ""], n),
        "unit_cost": rng.uniform(1.0, 100.0, n),
        "unit_price": np.where(rng.random(n) < 0.5, np.nan, rng.uniform(1.0, 200.0, n)),
        "ordering_cost": 50.0, "abc": rng.choice(["A", "B", "C"], n),
        "lead_time_periods": rng.integers(0, 9, n)})


def _side_tables(skus: pd.DataFrame, calendar: Calendar
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n, labels = len(skus), calendar.labels()
    orders = pd.DataFrame({
        "item_id": skus["item_id"], "site_id": skus["site_id"], "kind": "po",
        "source_site": "", "release_period": labels[1], "receipt_period": labels[2],
        "quantity": 10.0, "past_due": np.arange(n) % 50 == 0})
    load = pd.DataFrame({"resource_id": np.repeat(["R1", "R2", "R3"], len(labels)),
                         "site_id": "S1", "period": labels * 3,
                         "load_hours": np.tile(np.linspace(50.0, 100.0, len(labels)), 3),
                         "capacity_hours": 80.0})
    load["utilisation"] = load["load_hours"] / load["capacity_hours"]
    history = pd.DataFrame({"item_id": skus["item_id"], "site_id": "S1",
                            "period": calendar.start - pd.Timedelta(weeks=1),
                            "quantity": 10.0, "shipped": 9.0})
    targets = pd.DataFrame({"measure": ["inventory_value", "service_level", "turns"],
                            "dimension": "total", "key": "total",
                            "period": calendar.start, "value": [1e6, 0.95, 8.0]})
    return orders, load, history, targets


def timed(fn: Callable[[], object], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=104)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    calendar = Calendar("week", pd.Timestamp("2026-01-05"), args.periods)
    settings = PlanSettings(calendar=calendar)
    periods = calendar.starts[:-1]
    print(f"{args.skus:,} SKUs x {args.periods} periods, median of {args.runs} runs")
    for name, make in (("plan-like", plan_like), ("noise", noise)):
        skus, arrays = make(args.skus, args.periods)
        orders, load, history, targets = _side_tables(skus, calendar)
        measure_args = (settings, skus, periods, arrays, orders, load, history, targets)
        exception_args = (skus, periods, arrays, orders, load)
        measures = timed(lambda a=measure_args: compute_measures(*a), args.runs)
        exceptions = timed(lambda a=exception_args: find_exceptions(*a), args.runs)
        rows = len(find_exceptions(*exception_args))
        print(f"{name:10s} compute_measures {measures:6.3f} s   find_exceptions "
              f"{exceptions:6.3f} s   ({rows:,} exception rows)")

if __name__ == "__main__":
    main()
