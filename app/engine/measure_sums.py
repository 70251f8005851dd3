"""Block-wise sums behind ``app.engine.measures``: one pass over the SKU x period arrays.

The SKUs are taken in blocks of at most ``BLOCK_ROWS`` rows (a loop over blocks, each block
fully vectorised): the temporaries of a block stay in cache and are reused, instead of a dozen
fresh n x H arrays. Every sum here is over SKUs (per period) or over periods (per SKU), so
blocks add up (the order of the additions is fixed by the blocks).

Blocks may follow the network's levels (``bounds``): then a session keeps each block's sums
(``BlockMemo``), and a block whose rows netting copied from the last plan (``same_levels``),
with the same costs and groups, takes its sums from there instead of summing again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import numpy as np

from app.engine.breakdown import (
    StockBreakdown,
    periods_of_supply,
    stock_breakdown,
    units_short,
)
from app.engine.lookup import GroupIndicator
from app.engine.result import PlanArrays
from app.engine.same_values import bits_equal

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


class BlockVisitor(Protocol):
    """Sees each block of the pass while its arrays and stock breakdown are at hand."""

    def visit(self, lo: int, blk: PlanArrays, split: StockBreakdown) -> Any:
        """Called after block ``lo ..``; what it returns is kept with the block's sums."""

    def again(self, found: Any) -> None:
        """Called instead of ``visit`` for a block taken from the memo, with what ``visit``
        returned for it then."""


@dataclass
class _Block:
    """One block's inputs (per-SKU attributes) and results, as the memo keeps them."""

    attributes: tuple[np.ndarray, ...]
    sums: dict[str, Any]
    per_sku: dict[str, np.ndarray]
    found: Any


@dataclass
class BlockMemo:
    """The block sums of one plan, for the next plan of the session.

    ``netting``: the kept netting of this plan (``same_levels.keep``); ``copied``: per row,
    whether netting copied it from ``last``'s netting; ``last``: the memo of the plan before
    (its blocks are reused only when it belongs to the netting this plan copied from).
    """

    netting: object
    copied: np.ndarray
    last: BlockMemo | None = None
    groups: GroupIndicator | None = None
    blocks: dict[tuple[int, int], _Block] = field(default_factory=dict)

    def reusable(self, lo: int, hi: int, attributes: tuple[np.ndarray, ...],
                 groups: GroupIndicator) -> _Block | None:
        """The last plan's block lo..hi when its rows and attributes read the same."""
        last = self.last
        if last is None or last.groups is not groups or not self.copied[lo:hi].all():
            return None
        block = last.blocks.get((lo, hi))
        if block is None or not all(bits_equal(a, b) for a, b in zip(
                block.attributes, attributes, strict=True)):
            return None
        return block

    def forget_last(self) -> None:
        """Drop the plan before (this memo now serves the next plan)."""
        self.last = None


def level_blocks(codes: np.ndarray, block_rows: int = BLOCK_ROWS) -> list[tuple[int, int]]:
    """Row blocks that follow the levels (``codes`` sorted), each at most ``block_rows``."""
    n = len(codes)
    starts = np.flatnonzero(np.diff(codes, prepend=-1)).tolist() if n else []
    bounds = []
    for a, b in zip(starts, [*starts[1:], n], strict=True):
        bounds += [(lo, min(lo + block_rows, b)) for lo in range(a, b, block_rows)]
    return bounds


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
    """``total += part``, key by key (nested dicts alike); the first part's arrays are
    copied (a memo may keep them)."""
    for key, value in part.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif key in total:
            total[key] += value
        else:
            total[key] = np.array(value)


def plan_sums(arrays: PlanArrays, attrs: SkuAttributes, block_rows: int = BLOCK_ROWS,
              visit: BlockVisitor | None = None, bounds: list[tuple[int, int]] | None = None,
              memo: BlockMemo | None = None) -> tuple[PeriodSums, SkuSums]:
    """All SKU sums of the measures in one blockwise pass (see ``app.engine.measures``).

    ``visit``, when given, sees every block and its stock breakdown while they are at hand
    (the plan scans them for exceptions in the same pass). ``bounds``: the blocks (row
    ranges in order, covering every row; default: ``block_rows`` at a time); ``memo`` keeps
    their sums and takes those of unchanged blocks from the last plan (see the module
    notes).
    """
    n = arrays.projected_on_hand.shape[0]
    if bounds is None or not bounds:
        bounds = [(lo, min(lo + block_rows, n)) for lo in range(0, max(n, 1), block_rows)]
    if memo is not None:
        memo.groups = attrs.groups
    totals: dict = {}
    per_sku: dict[str, list[np.ndarray]] = {}
    for lo, hi in bounds:
        kept = (attrs.cost[lo:hi], attrs.price[lo:hi], attrs.margin[lo:hi],
                attrs.lead_time[lo:hi])
        block = memo.reusable(lo, hi, kept, attrs.groups) if memo is not None else None
        if block is not None:
            if visit is not None and hi > lo:
                visit.again(block.found)
        else:
            blk = block_arrays(arrays, lo, hi)
            split = stock_breakdown(blk, attrs.lead_time[lo:hi])
            sums, skus = _block(blk, split, attrs, lo, hi)
            found = visit.visit(lo, blk, split) if visit is not None and hi > lo else None
            block = _Block(kept, sums, skus, found)
        if memo is not None:
            memo.blocks[(lo, hi)] = block
        _add(totals, block.sums)
        for key, value in block.per_sku.items():
            per_sku.setdefault(key, []).append(value)
    if memo is not None:
        memo.forget_last()
    return (PeriodSums(**totals),
            SkuSums(**{k: np.array(v[0]) if len(v) == 1 else np.concatenate(v)
                       for k, v in per_sku.items()}))

