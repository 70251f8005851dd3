"""Hand-made netting outcomes for the measures and exceptions tests (no netting involved).

``three_skus()`` is the worked case of ``tests/test_measures.py`` and
``tests/test_exceptions.py``: 3 SKUs x 4 weekly periods from Monday 2026-01-05.

=====  =========  =====  ===  ===  =====  ====  ==  ======================================
SKU    class/ABC  cat.   c    p    k      L     SS  story
=====  =========  =====  ===  ===  =====  ====  ==  ======================================
A      FG / A     ELEC   10   15   20     0     5   D = G = 10/period; on hand 25,
                                                    receipt 20 in t3: POH 15, 5, -5, 5
B      WIP / B    ELEC   4    --   --     1     0   G = 0, 20, 0, 0 (dependent); on hand 200,
                                                    5 expire in t3: POH 200, 180, 180, 175
C      RM / C     --     2    1    5      2     2   D = 0, 4, 3, 4; dep. 6, 0, 3, 0 (G = 6, 4,
                                                    6, 4); on hand 10, receipt 10 in t3:
                                                    POH 4, 0, -6, 0
=====  =========  =====  ===  ===  =====  ====  ==  ======================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar
from app.engine.inputs import PlanSettings
from app.engine.result import PlanArrays

START = pd.Timestamp("2026-01-05")


def settings(horizon: int) -> PlanSettings:
    """Weekly calendar from START; DSO 45, DPO 30, holding 25 %/year (the defaults)."""
    return PlanSettings(calendar=Calendar("week", START, horizon))


def periods(horizon: int) -> pd.DatetimeIndex:
    return settings(horizon).calendar.starts[:-1]


def make_arrays(on_hand: list[float], independent: list[list[float]],
                dependent: list[list[float]], receipts: list[list[float]],
                safety: list[list[float]], expired: list[list[float]]) -> PlanArrays:
    """PlanArrays whose projected on hand follows the flow balance of ``result.py``."""
    ind, dep = np.array(independent, float), np.array(dependent, float)
    rec, exp = np.array(receipts, float), np.array(expired, float)
    gross = ind + dep
    start = np.array(on_hand, float)
    poh = start[:, None] + np.cumsum(rec - gross - exp, axis=1)
    zeros = np.zeros_like(gross)
    return PlanArrays(on_hand=start, independent_demand=ind, dependent_demand=dep,
                      gross_requirements=gross, scheduled_receipts=rec,
                      planned_receipts=zeros, planned_releases=zeros.copy(),
                      projected_on_hand=poh, safety_stock=np.array(safety, float),
                      expired=exp)


def sku_frame(rows: list[dict]) -> pd.DataFrame:
    base = {"supply_type": "buy", "part_class": "FG", "category": "", "unit_cost": 1.0,
            "unit_price": np.nan, "ordering_cost": np.nan, "abc": "C",
            "lead_time_periods": 0}
    return pd.DataFrame([{**base, **row} for row in rows])


def three_skus() -> dict:
    """The worked case (see the module docstring) with orders, load, history and targets."""
    skus = sku_frame([
        {"item_id": "FG1", "site_id": "D1", "part_class": "FG", "abc": "A",
         "category": "ELEC", "unit_cost": 10.0, "unit_price": 15.0, "ordering_cost": 20.0,
         "lead_time_periods": 0},
        {"item_id": "WIP1", "site_id": "P1", "supply_type": "make", "part_class": "WIP",
         "abc": "B", "category": "ELEC", "unit_cost": 4.0, "lead_time_periods": 1},
        {"item_id": "RM1", "site_id": "P1", "part_class": "RM", "abc": "C",
         "category": "", "unit_cost": 2.0, "unit_price": 1.0, "ordering_cost": 5.0,
         "lead_time_periods": 2},
    ])
    arrays = make_arrays(
        on_hand=[25, 200, 10],
        independent=[[10, 10, 10, 10], [0, 0, 0, 0], [0, 4, 3, 4]],
        dependent=[[0, 0, 0, 0], [0, 20, 0, 0], [6, 0, 3, 0]],
        receipts=[[0, 0, 0, 20], [0, 0, 0, 0], [0, 0, 0, 10]],
        safety=[[5, 5, 5, 5], [0, 0, 0, 0], [2, 2, 2, 2]],
        expired=[[0, 0, 0, 0], [0, 0, 0, 5], [0, 0, 0, 0]],
    )
    orders = pd.DataFrame({
        "item_id": ["FG1", "RM1", "RM1"], "site_id": ["D1", "P1", "P1"],
        "kind": ["transfer", "po", "po"], "source_site": ["P1", "", ""],
        "release_period": ["2026-01-12", "2025-12-29", "2026-01-19"],
        "receipt_period": ["2026-01-12", "2026-01-12", "2026-02-02"],
        "quantity": [20.0, 10.0, 10.0], "past_due": [False, True, False]})
    labels = [d.date().isoformat() for d in periods(4)]
    load = pd.DataFrame({
        "resource_id": ["R1"] * 4 + ["R2"] * 4, "site_id": "P1", "period": labels * 2,
        "load_hours": [40.0, 90.0, 60.0, 100.0] + [10.0] * 4,
        "capacity_hours": [80.0] * 4 + [20.0] * 4})
    load["utilisation"] = load["load_hours"] / load["capacity_hours"]
    history = pd.DataFrame({
        "item_id": ["FG1", "FG1", "RM1", "WIP1"], "site_id": ["D1", "D1", "P1", "P1"],
        "period": pd.to_datetime(["2025-12-22", "2025-12-29", "2025-12-29", "2025-12-29"]),
        "quantity": [10.0, 10.0, 5.0, 4.0], "shipped": [8.0, 12.0, np.nan, 4.0]})
    targets = pd.DataFrame({
        "measure": ["inventory_value", "inventory_value", "inventory_value",
                    "service_level", "turns"],
        "dimension": ["total", "total", "part_class", "total", "total"],
        "key": ["total", "total", "FG", "total", "total"],
        "period": pd.to_datetime(["2026-01-01", "2026-01-19", "2026-01-12", "2025-12-01",
                                  "2026-01-01"]),
        "value": [1000.0, 800.0, 100.0, 0.95, 6.0]})
    return {"settings": settings(4), "skus": skus, "periods": periods(4), "arrays": arrays,
            "planned_orders": orders, "resource_load": load, "demand_history": history,
            "targets": targets}
