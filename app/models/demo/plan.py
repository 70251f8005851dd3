"""Capacity, annual-plan targets and settings of the demo company.

Resources are the plant's bottleneck work centres: surface-mount lines (SMT-LINE-n) placing
the main PCB assemblies, lamination cells (LAMINATION-n) bonding cover glass to panels and
final assembly lines (FINAL-ASSY-n) building tablets and keyboards. Each line serves a group
of platforms, and its weekly hours are set so that average demand loads it to 80-92 %:
the holiday peak pushes some weeks to or past 100 %.

Targets are the annual plan the inventory manager is measured against: inventory value per
part class, per ABC class and in total gliding 10 % down over the year from today's value,
a total service level rising from 95 % to 97 %, and inventory turns rising by 15 %.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from app.models.demo.network import PLANT

#: Work centre of each made kind: (resource prefix, platforms per line, target load,
#: hours-per-unit range).
_WORK_CENTRES = {
    "PCBA": ("SMT-LINE", 10, 0.92, (0.03, 0.06)),
    "LAM": ("LAMINATION", 15, 0.80, (0.04, 0.07)),
    "TAB": ("FINAL-ASSY", 8, 0.88, (0.18, 0.30)),
    "KBD": ("FINAL-ASSY", 8, 0.88, (0.08, 0.12)),
}


def resources_and_routings(rng: np.random.Generator, sku: pd.DataFrame,
                           n_platforms: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """resources and routings rows; ``sku`` needs kind, platform, site_id and usage."""
    made = sku[(sku["site_id"] == PLANT) & sku["kind"].isin(_WORK_CENTRES)].reset_index(drop=True)
    centre = made["kind"].map(lambda k: _WORK_CENTRES[k])
    lines = centre.map(lambda c: max(1, round(n_platforms / c[1])))
    number = made["platform"].to_numpy() % lines.to_numpy() + 1
    resource = centre.map(lambda c: c[0]) + "-" + pd.Series(number).astype(str)
    lo, hi = np.array([c[3] for c in centre]).reshape(-1, 2).T
    hours = np.round(lo + (hi - lo) * rng.random(len(made)), 3)
    routings = pd.DataFrame({"item_id": made["item_id"], "site_id": PLANT,
                             "resource_id": resource, "hours_per_unit": hours})
    load = pd.Series(hours * made["usage"].to_numpy()).groupby(resource.to_numpy()).sum()
    util = pd.Series([c[2] for c in centre]).groupby(resource.to_numpy()).first()
    capacity = [max(8.0, math.ceil(load[r] / util[r] / 8.0) * 8.0) for r in load.index]
    resources = pd.DataFrame({"resource_id": load.index.to_numpy(), "site_id": PLANT,
                              "capacity_per_period": capacity})
    return resources, routings


def plan_months(start: pd.Timestamp, horizon_weeks: int) -> pd.DatetimeIndex:
    """First day of every calendar month the plan horizon touches."""
    end = start + pd.Timedelta(weeks=horizon_weeks - 1)
    return pd.date_range(start.replace(day=1), end, freq="MS")


def targets(sku: pd.DataFrame, start: pd.Timestamp, horizon_weeks: int) -> pd.DataFrame:
    """targets rows; ``sku`` needs part_class, abc, on_hand, unit_cost, usage and site_id."""
    months = plan_months(start, horizon_weeks)
    step = np.arange(len(months)) / 12.0
    value = sku["on_hand"].to_numpy() * sku["unit_cost"].to_numpy()
    frames = []

    def add(measure: str, dimension: str, key: str, values: np.ndarray) -> None:
        frames.append(pd.DataFrame({"measure": measure, "dimension": dimension, "key": key,
                                    "period": months, "value": values}))

    def money(now: float) -> np.ndarray:
        return np.round(now * (1.0 - 0.10 * step), -2)

    add("inventory_value", "total", "total", money(value.sum()))
    for dimension, column in (("part_class", "part_class"), ("abc", "abc")):
        by_key = pd.Series(value).groupby(sku[column].to_numpy()).sum()
        for key, now in by_key.items():
            add("inventory_value", dimension, str(key), money(float(now)))
    add("service_level", "total", "total", np.round(0.95 + 0.02 * step, 3))
    customer = sku["supply_type"].to_numpy() == "transfer"
    cogs = 52.0 * float((sku["usage"].to_numpy() * sku["unit_cost"].to_numpy())[customer].sum())
    turns = cogs / max(float(value.sum()), 1.0)
    add("turns", "total", "total", np.round(turns * (1.0 + 0.15 * step), 2))
    return pd.concat(frames, ignore_index=True)


def settings(start: pd.Timestamp, horizon_weeks: int) -> pd.DataFrame:
    """settings rows (values as text)."""
    rows = {
        "period": "week",
        "start_date": start.strftime("%Y-%m-%d"),
        "horizon_periods": str(horizon_weeks),
        "currency": "USD",
        "dso_days": "45",
        "dpo_days": "60",
        "holding_rate_per_year": "0.25",
    }
    return pd.DataFrame({"name": list(rows), "value": list(rows.values())})
