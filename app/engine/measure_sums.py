"""Block-wise sums behind ``app.engine.measures``: one pass over the SKU x period arrays.

The SKUs are taken in blocks of at most ``BLOCK_ROWS`` rows (a loop over blocks, each block
fully vectorised): the temporaries of a block stay in cache and are reused, instead of a dozen
fresh n x H arrays. Every sum here is over SKUs (per period) or over periods (per SKU), so
blocks add up (the order of the additions is fixed by the blocks).

Blocks may follow the network's levels (``bounds``): then a session keeps each block's sums
(``BlockMemo``), and a block whose rows netting copied from the last plan (``same_levels``),
with the same costs and groups, takes its sums from there instead of summing again.
While the plan is small enough (``ROW_CELLS``) the session also keeps every row's arrays the
sums are made from (``RowArrays``): a block with a few rows planned again then works those
rows out alone, puts them in place and sums the block's rows again (the same additions in
the same order as summing the whole block anew, so the sums read the same bit for bit).
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
from app.engine.same_values import bits_equal, rows_equal

#: SKUs per block (a few MB per temporary array).
BLOCK_ROWS = 2048
#: A SKU-period with fewer units short than this met its demand (cycle service).
SHORT_TOLERANCE = 1e-9
#: Plans of at most this many SKU-periods keep every row's arrays between plans (``RowArrays``:
#: 7 float and 4 bool arrays, 60 bytes a cell: 90 MB at 14,400 SKUs x 104 periods). Kept
#: below 20,000 x 104: there the app holds about 940 MB, and the target is 1 GB.
ROW_CELLS = 1_500_000


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

    def find(self, lo: int, blk: PlanArrays, split: StockBreakdown,
             rows: np.ndarray | None = None) -> Any:
        """What it finds in rows ``lo ..`` (``blk``), kept with the block's sums; ``rows``:
        the plan rows of ``blk``'s rows when they are not consecutive."""

    def again(self, found: Any) -> None:
        """Takes what ``find`` found in a block: called for every block, in row order (with
        what was found now, or in the last plan when the block is taken from the memo)."""

    def renew(self, found: Any, fresh: Any, changed: np.ndarray, lo: int, hi: int) -> Any:
        """Block ``lo..hi``'s findings when only some of its rows changed (``changed``: bool
        per plan row): ``found`` of the last plan, there, with those rows' findings replaced
        by ``fresh`` (``find`` of the changed rows of every block)."""


@dataclass
class RowArrays:
    """Per SKU-period, what the block sums are made from (rows x H; see ``_block``)."""

    stock_value: np.ndarray  # P⁺ c (currency)
    weighted: np.ndarray  # P⁺ c PoS
    safety: np.ndarray  # S (units)
    cycle: np.ndarray  # C
    excess: np.ndarray  # E
    obsolete: np.ndarray  # O
    short: np.ndarray  # u
    has_demand: np.ndarray  # D > 0 (bool)
    met: np.ndarray  # D > 0 and u <= SHORT_TOLERANCE
    has_ss: np.ndarray  # SS > 0
    ss_ok: np.ndarray  # SS > 0 and P >= SS - 1e-9
    #: per SKU (rows,): the SkuSums figures
    per_sku: dict[str, np.ndarray]

    @classmethod
    def of(cls, blk: PlanArrays, split: StockBreakdown, cost: np.ndarray) -> RowArrays:
        """The rows' arrays from their plan arrays and stock breakdown (``cost``: theirs)."""
        pos = periods_of_supply(split.on_hand, blk.gross_requirements)
        stock_value = split.on_hand * cost[:, None]
        weighted = stock_value * pos
        short = units_short(blk)
        demand = blk.independent_demand
        has_demand = demand > 0
        with np.errstate(invalid="ignore"):
            has_ss = blk.safety_stock > 0
            ss_ok = has_ss & (blk.projected_on_hand >= blk.safety_stock - 1e-9)
        per_sku = {
            "mean_on_hand": split.on_hand.mean(axis=1),
            "mean_pos": pos.mean(axis=1),
            "mean_excess": split.excess.mean(axis=1),
            "mean_obsolete": split.obsolete.mean(axis=1),
            "demand": demand.sum(axis=1),
            "short": short.sum(axis=1),
        }
        return cls(stock_value, weighted, split.safety, split.cycle, split.excess,
                   split.obsolete, short, has_demand, has_demand & (short <= SHORT_TOLERANCE),
                   has_ss, ss_ok, per_sku)

    @classmethod
    def empty(cls, n: int, horizon: int) -> RowArrays:
        """Arrays for ``n`` rows, to be filled (``put``)."""
        floats = [np.empty((n, horizon)) for _ in range(7)]
        flags = [np.empty((n, horizon), dtype=bool) for _ in range(4)]
        return cls(*floats, *flags, {k: np.empty(n) for k in _PER_SKU})

    def put(self, rows: slice | np.ndarray, part: RowArrays) -> None:
        """Write ``part``'s rows into ``rows`` of these arrays."""
        for f in _ROW_FIELDS:
            getattr(self, f)[rows] = getattr(part, f)
        for k, values in part.per_sku.items():
            self.per_sku[k][rows] = values

    def rows(self, lo: int, hi: int) -> RowArrays:
        """Rows lo..hi-1 (views)."""
        return RowArrays(*(getattr(self, f)[lo:hi] for f in _ROW_FIELDS),
                         {k: v[lo:hi] for k, v in self.per_sku.items()})


_ROW_FIELDS = ("stock_value", "weighted", "safety", "cycle", "excess", "obsolete", "short",
               "has_demand", "met", "has_ss", "ss_ok")
_PER_SKU = ("mean_on_hand", "mean_pos", "mean_excess", "mean_obsolete", "demand", "short")


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
    ``rows``: every row's arrays (``RowArrays``, plans of at most ``ROW_CELLS``), with the
    per-row attributes and the blocks they were summed in; a plan takes them over from
    ``last`` (``take_rows``) and changes them in place.
    """

    netting: object
    copied: np.ndarray
    last: BlockMemo | None = None
    groups: GroupIndicator | None = None
    blocks: dict[tuple[int, int], _Block] = field(default_factory=dict)
    rows: RowArrays | None = None
    row_attributes: tuple[np.ndarray, ...] = ()
    bounds: list[tuple[int, int]] = field(default_factory=list)

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

    def take_rows(self, attributes: tuple[np.ndarray, ...], bounds: list[tuple[int, int]],
                  shape: tuple[int, int]) -> tuple[RowArrays, np.ndarray] | None:
        """The last plan's row arrays, now this plan's, and per row whether it must be worked
        out again (not copied by netting, or other attributes); None when the last plan kept
        none, or had other blocks or another shape (``shape``: this plan's, n x H). The last
        plan keeps them no longer (they change now)."""
        last = self.last
        if (last is None or last.rows is None or last.bounds != bounds
                or last.rows.stock_value.shape != shape):
            return None
        rows, last.rows = last.rows, None
        redo = ~self.copied
        for now, before in zip(attributes, last.row_attributes, strict=True):
            redo |= ~rows_equal(now, before)
        return rows, redo

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


def _block(blk: PlanArrays, rows: RowArrays, attrs: SkuAttributes, lo: int, hi: int
           ) -> dict[str, np.ndarray | dict[str, np.ndarray]]:
    """Block lo..hi's sums over its SKUs (``blk``, ``rows``: its rows' arrays)."""
    cost, price = attrs.cost[lo:hi], attrs.price[lo:hi]
    demand, short = blk.independent_demand, rows.short
    sums: dict[str, np.ndarray | dict[str, np.ndarray]] = {
        "value": rows.stock_value.sum(axis=0),
        "safety": cost @ rows.safety,
        "cycle": cost @ rows.cycle,
        "excess": cost @ rows.excess,
        "obsolete": cost @ rows.obsolete,
        "expired": cost @ blk.expired,
        "weighted_pos": rows.weighted.sum(axis=0),
        "demand": demand.sum(axis=0),
        "short": short.sum(axis=0),
        "cogs": cost @ demand - cost @ short,
        "revenue": price @ demand - price @ short,
        "shortage_cost": attrs.margin[lo:hi] @ short,
        "has_demand": rows.has_demand.sum(axis=0, dtype=float),
        "met": rows.met.sum(axis=0, dtype=float),
        "has_ss": rows.has_ss.sum(axis=0, dtype=float),
        "ss_ok": rows.ss_ok.sum(axis=0, dtype=float),
    }
    for name, grouped in zip(("value_by", "weighted_by", "demand_by", "short_by"),
                             attrs.groups.sums(lo, hi, [rows.stock_value, rows.weighted,
                                                        demand, short]),
                             strict=True):
        sums[name] = grouped
    return sums


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
    their sums and takes those of unchanged blocks from the last plan, and the rows' arrays
    of a small plan (see the module notes).
    """
    n, horizon = arrays.projected_on_hand.shape
    if bounds is None or not bounds:
        bounds = [(lo, min(lo + block_rows, n)) for lo in range(0, max(n, 1), block_rows)]
    row_attributes = (attrs.cost, attrs.lead_time)  # (what RowArrays read beside the plan)
    keep_rows = memo is not None and n * horizon <= ROW_CELLS
    taken = (memo.take_rows(row_attributes, bounds, (n, horizon))
             if memo is not None and keep_rows else None)
    all_rows: RowArrays | None = None
    redo, fresh = None, None
    if taken is not None:
        all_rows, redo = taken
        changed = np.flatnonzero(redo)
        if 2 * len(changed) > n or len(changed) > block_rows:
            redo = None  # (many rows: block by block, as from scratch)
        elif len(changed):  # the changed rows alone, then in place
            blk = PlanArrays(**{f.name: getattr(arrays, f.name)[changed]
                                for f in fields(PlanArrays)})
            split = stock_breakdown(blk, attrs.lead_time[changed])
            all_rows.put(changed, RowArrays.of(blk, split, attrs.cost[changed]))
            if visit is not None:
                fresh = visit.find(0, blk, split, rows=changed)
    elif keep_rows:  # (every block summed anew, to fill them)
        all_rows = RowArrays.empty(n, horizon)
    if memo is not None:
        memo.groups = attrs.groups
    totals: dict = {}
    per_sku: dict[str, list[np.ndarray]] = {}
    for lo, hi in bounds:
        kept = (attrs.cost[lo:hi], attrs.price[lo:hi], attrs.margin[lo:hi],
                attrs.lead_time[lo:hi])
        block = (memo.reusable(lo, hi, kept, attrs.groups)
                 if memo is not None and not (keep_rows and taken is None) else None)
        last_block = (memo.last.blocks.get((lo, hi)) if redo is not None and memo is not None
                      and memo.last is not None else None)
        if block is not None:
            if visit is not None and hi > lo:
                visit.again(block.found)
        elif last_block is not None and all_rows is not None and redo is not None:
            blk = block_arrays(arrays, lo, hi)  # (its changed rows worked out above)
            rows = all_rows.rows(lo, hi)
            found = last_block.found
            if visit is not None and hi > lo:
                if fresh is not None and redo[lo:hi].any():
                    found = visit.renew(found, fresh, redo, lo, hi)
                visit.again(found)
            block = _Block(kept, _block(blk, rows, attrs, lo, hi), rows.per_sku, found)
        else:
            blk = block_arrays(arrays, lo, hi)
            split = stock_breakdown(blk, attrs.lead_time[lo:hi])
            rows = RowArrays.of(blk, split, attrs.cost[lo:hi])
            if all_rows is not None:
                all_rows.put(slice(lo, hi), rows)
            found = None
            if visit is not None and hi > lo:
                found = visit.find(lo, blk, split)
                visit.again(found)
            block = _Block(kept, _block(blk, rows, attrs, lo, hi), rows.per_sku, found)
        if memo is not None:
            memo.blocks[(lo, hi)] = block
        _add(totals, block.sums)
        for key, value in block.per_sku.items():
            per_sku.setdefault(key, []).append(value)
    out = (PeriodSums(**totals),
           SkuSums(**{k: np.array(v[0]) if len(v) == 1 else np.concatenate(v)
                      for k, v in per_sku.items()}))
    if memo is not None:
        memo.forget_last()
        if all_rows is not None:  # (kept only once every block is summed from them)
            memo.rows, memo.row_attributes, memo.bounds = all_rows, row_attributes, bounds
    return out
