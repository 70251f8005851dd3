"""Time-phased netting across the network, level by level (multi-echelon DRP + multi-level MRP).

One pass over low-level codes, demand-facing SKUs first. For the SKUs of one level (all at
once, as (m, H) arrays):

1. gross requirements = independent demand + dependent demand (already complete: every SKU
   that draws from this level sits on a lower code and was planned before);
2. expiry of lots (FEFO, ``shelf_life``) and the safety-stock target (``safety_stock``);
3. ``base`` = on hand + cumulated (scheduled receipts - gross - expired); the shortfall
   against the target; planned receipts by the lot rules (``lot_sizing``);
4. planned releases = receipts shifted back by the lead time;
5. dependent demand of the suppliers: for each arc supplier j -> customer i with quantity a
   (BOM ``qty_per / (1 - scrap)``, 1 for a transfer), ``dependent[j, t] += a * release[i, t]``,
   one sparse product per level.

Projected on hand = base + cumulated planned receipts. Pure numpy/scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from app.engine.lot_sizing import LotRules, economic_order_quantity, plan_receipts
from app.engine.result import PlanArrays
from app.engine.safety_stock import safety_stock_targets
from app.engine.shelf_life import LotTable


@dataclass
class NettingInput:
    """Per-SKU arrays of the whole network (n SKUs, H periods)."""

    codes: np.ndarray  # low-level code per SKU
    arc_src: np.ndarray
    arc_dst: np.ndarray
    arc_qty: np.ndarray
    on_hand: np.ndarray
    independent_demand: np.ndarray  # (n, H)
    scheduled_receipts: np.ndarray  # (n, H)
    rules: LotRules
    ss_model: np.ndarray
    ss_qty: np.ndarray
    ss_days: np.ndarray
    ss_override: np.ndarray | None
    days_per_period: float
    lots: LotTable | None
    ordering_cost: np.ndarray  # per order, currency (NaN = unknown)
    unit_cost: np.ndarray
    holding_rate_per_year: float
    periods_per_year: float


@dataclass
class NettingOutput:
    arrays: PlanArrays
    past_due: np.ndarray  # (n, H) bool: the planned receipt in that period is past due


def net(data: NettingInput, progress: Callable[[float], None] | None = None) -> NettingOutput:
    """Plan every SKU of the network; see the module notes for the steps."""
    n, h = data.independent_demand.shape
    dependent = np.zeros((n, h))
    gross = np.zeros((n, h))
    expired = np.zeros((n, h))
    safety = np.zeros((n, h))
    receipts = np.zeros((n, h))
    releases = np.zeros((n, h))
    past_due = np.zeros((n, h), dtype=bool)
    on_hand_path = np.zeros((n, h))
    # W[j, i] = units of supplier j per unit released by customer i
    weights = sparse.csc_matrix((data.arc_qty, (data.arc_src, data.arc_dst)), shape=(n, n))
    lot_skus = data.lots.skus if data.lots is not None else np.array([], dtype=np.int64)
    order = np.argsort(data.codes, kind="stable")
    bounds = np.flatnonzero(np.diff(data.codes[order])) + 1
    levels = np.split(order, bounds) if n else []
    for done, rows in enumerate(levels):
        rows = np.sort(rows)
        gross[rows] = data.independent_demand[rows] + dependent[rows]
        perishable = rows[np.isin(rows, lot_skus)]
        if perishable.size and data.lots is not None:
            expired[perishable] = data.lots.expiry(gross, perishable)
        override = data.ss_override[rows] if data.ss_override is not None else None
        safety[rows] = safety_stock_targets(
            data.ss_model[rows], data.ss_qty[rows], data.ss_days[rows], override, gross[rows],
            data.days_per_period,
        )
        base = data.on_hand[rows, None] + np.cumsum(
            data.scheduled_receipts[rows] - gross[rows] - expired[rows], axis=1)
        shortfall = safety[rows] - base
        level_rules = LotRules(*(getattr(data.rules, f)[rows]
                                 for f in data.rules.__dataclass_fields__))
        _size_economic_lots(level_rules, gross[rows], data.ordering_cost[rows],
                            data.unit_cost[rows], data.holding_rate_per_year,
                            data.periods_per_year)
        got, late = plan_receipts(shortfall, base, safety[rows], level_rules)
        receipts[rows] = got
        past_due[rows] = late
        on_hand_path[rows] = base + np.cumsum(got, axis=1)
        releases[rows] = _shift_back(got, data.rules.lead_time[rows])
        if weights.nnz:
            dependent += np.asarray(weights[:, rows] @ releases[rows])
        if progress is not None:
            progress((done + 1) / len(levels))
    arrays = PlanArrays(
        on_hand=data.on_hand.astype(float),
        independent_demand=data.independent_demand,
        dependent_demand=dependent,
        gross_requirements=gross,
        scheduled_receipts=data.scheduled_receipts,
        planned_receipts=receipts,
        planned_releases=releases,
        projected_on_hand=on_hand_path,
        safety_stock=safety,
        expired=expired,
    )
    return NettingOutput(arrays, past_due)


def _size_economic_lots(rules: LotRules, gross: np.ndarray, ordering_cost: np.ndarray,
                        unit_cost: np.ndarray, holding_rate: float, periods_per_year: float
                        ) -> None:
    """Fill EOQ and POQ periods from the level's requirements (known only now).

    A = mean gross requirement per period x periods per year; POQ periods
    P = max(1, round(Q* / mean requirement)), 1 when Q* is unknown.
    """
    mean = gross.mean(axis=1) if gross.shape[1] else np.zeros(len(gross))
    rules.eoq = economic_order_quantity(mean * periods_per_year, ordering_cost, holding_rate,
                                        unit_cost)
    with np.errstate(divide="ignore", invalid="ignore"):
        periods = np.round(rules.eoq / mean)
    rules.poq_periods = np.where(np.isfinite(periods), np.maximum(periods, 1), 1).astype(
        np.int64)


def _shift_back(receipts: np.ndarray, lead_time: np.ndarray) -> np.ndarray:
    """releases[i, t - L_i] = receipts[i, t]; receipts never sit before L, so t - L >= 0."""
    m, h = receipts.shape
    out = np.zeros((m, h))
    if m == 0:
        return out
    t = np.arange(h)[None, :]
    source = t + lead_time[:, None]
    valid = source < h
    rows = np.broadcast_to(np.arange(m)[:, None], (m, h))
    out[valid] = receipts[rows[valid], source[valid]]
    return out
