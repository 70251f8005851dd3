"""Block-wise sums behind ``app.engine.measures``: one pass over the SKU x period arrays.

The SKUs are taken in blocks of ``BLOCK_ROWS`` rows (a loop over blocks, each block fully
vectorised): the temporaries of a block stay in cache and are reused, instead of a dozen fresh
n x H arrays. Every sum here is over SKUs (per period) or over periods (per SKU), so blocks
add up exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from app.engine.breakdown import (
    StockBreakdown,
    periods_of_supply,
    stock_breakdown,
    units_short,
)
from app.engine.lookup import GroupIndicator
from app.engine.result import PlanArrays

#: SKUs per block (a few MB per temporary array).
BLOCK_ROWS = 2048
#: A SKU-period with fewer units short than this met its demand (cycle service).
SHORT_TOLERANCE = 1e-9


@dataclass
class SkuAttributes:
    """Per-SKU inputs of the measures, (n,) each."""

    cost: np.ndarray  # unit cost (currency/unit), NaN -> 0
    price: np.ndarray  # unit price (currency/unit), NaN -> 0
    margin: np.ndarray  # shortage penalty per unit short (currency/unit)
    lead_time: np.ndarray  # lead time in periods (int)
    #: the SKUs' groups by dimension (part_class, abc, category)
    groups: GroupIndicator


@dataclass
class PeriodSums:
    """Sums over SKUs, per period ((H,) arrays; grouped ones (k, H) per dimension)."""

    value: np.ndarray  # Σ P⁺ c
    safety: np.ndarray  # Σ S c
    cycle: np.ndarray  # Σ C c
    excess: np.ndarray  # Σ E c
    obsolete: np.ndarray  # Σ O c
    expired: np.ndarray  # Σ X c
    weighted_pos: np.ndarray  # Σ P⁺ c PoS
    demand: np.ndarray  # Σ D (units)
    short: np.ndarray  # Σ u (units)
    cogs: np.ndarray  # Σ (D - u) c
    revenue: np.ndarray  # Σ (D - u) p
    shortage_cost: np.ndarray  # Σ u m
    has_demand: np.ndarray  # count of SKUs with D > 0
    met: np.ndarray  # count of SKUs with D > 0 and u <= tolerance
    has_ss: np.ndarray  # count of SKUs with SS > 0
    ss_ok: np.ndarray  # count of SKUs with SS > 0 and P >= SS
    value_by: dict[str, np.ndarray]  # dimension -> Σ P⁺ c by group (k, H)
    weighted_by: dict[str, np.ndarray]  # dimension -> Σ P⁺ c PoS by group
    demand_by: dict[str, np.ndarray]
    short_by: dict[str, np.ndarray]


@dataclass
class SkuSums:
    """Per-SKU figures over the horizon, (n,) each."""

    mean_on_hand: np.ndarray  # (1/H) Σ_t P⁺ (units)
    mean_pos: np.ndarray  # (1/H) Σ_t PoS (periods)
    mean_excess: np.ndarray  # (1/H) Σ_t E (units)
    mean_obsolete: np.ndarray  # (1/H) Σ_t O (units)
    demand: np.ndarray  # Σ_t D (units)
    short: np.ndarray  # Σ_t u (units)


def block_arrays(arrays: PlanArrays, lo: int, hi: int) -> PlanArrays:
    """Rows lo..hi-1 of every array (views, no copy; all rows: ``arrays`` itself)."""
    if lo == 0 and hi == arrays.projected_on_hand.shape[0]:
        return arrays
    return PlanArrays(**{f.name: getattr(arrays, f.name)[lo:hi] for f in fields(PlanArrays)})


#: Called with (first row, the block's arrays, its stock breakdown) after each block.
BlockVisitor = Callable[[int, PlanArrays, StockBreakdown], None]


def _block(blk: PlanArrays, split: StockBreakdown, attrs: SkuAttributes, lo: int, hi: int
           ) -> tuple[dict[str, np.ndarray | dict[str, np.ndarray]], dict[str, np.ndarray]]:
    cost, price = attrs.cost[lo:hi], attrs.price[lo:hi]
    pos = periods_of_supply(split.on_hand, blk.gross_requirements)
    stock_value = split.on_hand * cost[:, None]
    weighted = stock_value * pos
    short = units_short(blk)
    demand = blk.independent_demand
    has_demand = demand > 0
    with np.errstate(invalid="ignore"):
        has_ss = blk.safety_stock > 0
        ss_ok = has_ss & (blk.projected_on_hand >= blk.safety_stock - 1e-9)
    sums: dict[str, np.ndarray | dict[str, np.ndarray]] = {
        "value": stock_value.sum(axis=0),
        "safety": cost @ split.safety,
        "cycle": cost @ split.cycle,
        "excess": cost @ split.excess,
        "obsolete": cost @ split.obsolete,
        "expired": cost @ blk.expired,
        "weighted_pos": weighted.sum(axis=0),
        "demand": demand.sum(axis=0),
        "short": short.sum(axis=0),
        "cogs": cost @ demand - cost @ short,
        "revenue": price @ demand - price @ short,
        "shortage_cost": attrs.margin[lo:hi] @ short,
        "has_demand": has_demand.sum(axis=0, dtype=float),
        "met": (has_demand & (short <= SHORT_TOLERANCE)).sum(axis=0, dtype=float),
        "has_ss": has_ss.sum(axis=0, dtype=float),
        "ss_ok": ss_ok.sum(axis=0, dtype=float),
    }
    for name, grouped in zip(("value_by", "weighted_by", "demand_by", "short_by"),
                             attrs.groups.sums(lo, hi, [stock_value, weighted, demand, short]),
                             strict=True):
        sums[name] = grouped
    per_sku = {
        "mean_on_hand": split.on_hand.mean(axis=1),
        "mean_pos": pos.mean(axis=1),
        "mean_excess": split.excess.mean(axis=1),
        "mean_obsolete": split.obsolete.mean(axis=1),
        "demand": demand.sum(axis=1),
        "short": short.sum(axis=1),
    }
    return sums, per_sku


def _add(total: dict, part: dict) -> None:
    """``total += part``, key by key (nested dicts alike); the first part's arrays are taken
    as they are (``_block`` makes them afresh, and nothing else holds them)."""
    for key, value in part.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif key in total:
            total[key] += value
        else:
            total[key] = value


def plan_sums(arrays: PlanArrays, attrs: SkuAttributes, block_rows: int = BLOCK_ROWS,
              visit: BlockVisitor | None = None) -> tuple[PeriodSums, SkuSums]:
    """All SKU sums of the measures in one blockwise pass (see ``app.engine.measures``).

    ``visit``, when given, sees every block and its stock breakdown while they are at hand
    (the plan scans them for exceptions in the same pass).
    """
    n = arrays.projected_on_hand.shape[0]
    totals: dict = {}
    per_sku: dict[str, list[np.ndarray]] = {}
    for lo in range(0, max(n, 1), block_rows):
        hi = min(lo + block_rows, n)
        blk = block_arrays(arrays, lo, hi)
        split = stock_breakdown(blk, attrs.lead_time[lo:hi])
        sums, skus = _block(blk, split, attrs, lo, hi)
        if visit is not None and hi > lo:
            visit(lo, blk, split)
        _add(totals, sums)
        for key, value in skus.items():
            per_sku.setdefault(key, []).append(value)
    return (PeriodSums(**totals),
            SkuSums(**{k: v[0] if len(v) == 1 else np.concatenate(v)
                       for k, v in per_sku.items()}))

