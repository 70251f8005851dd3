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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from app.engine.lot_sizing import LotRules, economic_order_quantity, plan_receipts
from app.engine.result import PlanArrays
from app.engine.running import accumulate
from app.engine.safety_stock import safety_stock_targets
from app.engine.same_values import bits_equal
from app.engine.shelf_life import LotTable

if TYPE_CHECKING:
    from app.engine.same_levels import LastNetting


#: a level whose rows read as in the last netting for at least this share plans only the
#: others (fewer rows, the same per-row work); below it, the whole level at once
SAME_ROWS_SHARE = 0.5


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
class Feeds:
    """The arcs as sparse matrices: ``weights`` (W[j, i] = units of supplier j per unit
    released by customer i, n x n) and, per level (its rows a..b), what its releases feed
    (``_add_dependent``): made once per network, kept by a session with its last netting."""

    arcs: tuple[np.ndarray, np.ndarray, np.ndarray]  # (src, dst, qty), as made from
    weights: sparse.csc_matrix
    levels: dict[tuple[int, int], tuple[int, np.ndarray | None, sparse.csc_matrix] | None] = (
        field(default_factory=dict))

    @classmethod
    def of(cls, data: NettingInput, last: Feeds | None = None) -> Feeds:
        """``data``'s feeds; ``last`` itself when made from the same arcs."""
        arcs = (data.arc_src, data.arc_dst, data.arc_qty)
        n = len(data.independent_demand)
        if last is not None and last.weights.shape == (n, n) and all(
                a is b or bits_equal(a, b) for a, b in zip(last.arcs, arcs, strict=True)):
            return last
        return cls(arcs, sparse.csc_matrix((data.arc_qty, (data.arc_src, data.arc_dst)),
                                           shape=(n, n)))


@dataclass
class NettingOutput:
    arrays: PlanArrays
    past_due: np.ndarray  # (n, H) bool: the planned receipt in that period is past due
    #: (n,) bool: the row was copied from the last netting (``net``'s ``last``)
    copied: np.ndarray
    feeds: Feeds | None = None


def net(data: NettingInput, progress: Callable[[float], None] | None = None,
        last: LastNetting | None = None) -> NettingOutput:
    """Plan every SKU of the network; see the module notes for the steps.

    SKUs must come sorted by low-level code (``prepare`` does it): each level is then one
    contiguous block of rows. ``last``: the session's last netting; a level whose rows read
    as they did there is copied from it (``app.engine.same_levels``), not planned again.
    """
    n, h = data.independent_demand.shape
    codes = data.codes
    if n and (np.diff(codes) < 0).any():
        raise ValueError("net() needs the SKUs sorted by low-level code")
    dependent = np.zeros((n, h))
    gross = np.empty((n, h))  # (written level by level, as is on_hand_path)
    expired = np.zeros((n, h))
    safety = np.zeros((n, h))
    receipts = np.zeros((n, h))
    releases = np.zeros((n, h))
    past_due = np.zeros((n, h), dtype=bool)
    on_hand_path = np.empty((n, h))
    feeds = Feeds.of(data, last.output.feeds if last is not None else None)
    lot_skus = data.lots.skus if data.lots is not None else np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.diff(codes, prepend=-1)) if n else np.array([], dtype=np.int64)
    ends = np.append(starts[1:], n)
    if last is not None and not last.fits(data):
        last = None
    same_inputs = last.same_inputs(data) if last is not None else None
    outputs = {"gross_requirements": gross, "expired": expired, "safety_stock": safety,
               "planned_receipts": receipts, "planned_releases": releases,
               "projected_on_hand": on_hand_path}
    copied = np.zeros(n, dtype=bool)
    for done, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        same = (last.same_rows(data, dependent, a, b, same_inputs)
                if last is not None and same_inputs is not None else None)
        if same is not None and np.count_nonzero(same) >= SAME_ROWS_SHARE * (b - a):
            # the whole level in one copy (contiguous), then the changed rows over it
            last.copy_level(a, b, outputs, past_due)  # type: ignore[union-attr]
            copied[a:b] = same
            if not same.all():
                _plan_rows(data, a + np.flatnonzero(~same), dependent, outputs, past_due)
        else:
            _plan_level(data, slice(a, b), lot_skus[(lot_skus >= a) & (lot_skus < b)],
                        dependent, outputs, past_due)
        if b < n:
            _add_dependent(dependent, feeds, a, b, releases[a:b])
        if progress is not None:
            progress((done + 1) / len(starts))
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
    return NettingOutput(arrays, past_due, copied, feeds)


def _plan_rows(data: NettingInput, rows: np.ndarray, dependent: np.ndarray,
               outputs: dict[str, np.ndarray], past_due: np.ndarray) -> None:
    """``_plan_level`` for some rows of one level (``rows``, sorted): planned as a level of
    their own (every row is planned for itself), then put in place."""
    m, h = len(rows), dependent.shape[1]
    rules = LotRules(*(getattr(data.rules, f)[rows] for f in data.rules.__dataclass_fields__))
    lots = data.lots.subset(rows) if data.lots is not None else None
    part = NettingInput(
        codes=data.codes[rows], arc_src=np.zeros(0, np.int64), arc_dst=np.zeros(0, np.int64),
        arc_qty=np.zeros(0), on_hand=data.on_hand[rows],
        independent_demand=data.independent_demand[rows],
        scheduled_receipts=data.scheduled_receipts[rows], rules=rules,
        ss_model=data.ss_model[rows], ss_qty=data.ss_qty[rows], ss_days=data.ss_days[rows],
        ss_override=None if data.ss_override is None else data.ss_override[rows],
        days_per_period=data.days_per_period, lots=lots,
        ordering_cost=data.ordering_cost[rows], unit_cost=data.unit_cost[rows],
        holding_rate_per_year=data.holding_rate_per_year,
        periods_per_year=data.periods_per_year)
    planned = {name: np.zeros((m, h)) for name in outputs}
    late = np.zeros((m, h), dtype=bool)
    _plan_level(part, slice(0, m), lots.skus if lots is not None else np.zeros(0, np.int64),
                dependent[rows], planned, late)
    for name, out in outputs.items():
        out[rows] = planned[name]
    past_due[rows] = late


def _plan_level(data: NettingInput, level: slice, perishable: np.ndarray,
                dependent: np.ndarray, outputs: dict[str, np.ndarray], past_due: np.ndarray
                ) -> None:
    """Steps 1-4 of the module notes for the SKUs of one level (rows ``level``), written
    into their rows of ``outputs`` (name -> (n, H) array, as ``PlanArrays`` names them) and
    ``past_due``; ``perishable``: the level's SKU rows with lots."""
    gross, expired, safety = (outputs[k] for k in ("gross_requirements", "expired",
                                                   "safety_stock"))
    np.add(data.independent_demand[level], dependent[level], out=gross[level])
    if perishable.size and data.lots is not None:
        expired[perishable] = data.lots.expiry(gross, perishable)
    override = data.ss_override[level] if data.ss_override is not None else None
    safety_stock_targets(
        data.ss_model[level], data.ss_qty[level], data.ss_days[level], override,
        gross[level], data.days_per_period, out=safety[level],
    )
    base = np.subtract(data.scheduled_receipts[level], gross[level])  # the flow, then
    if perishable.size:
        base -= expired[level]
    accumulate(np.add, base, out=base)  # cumulated, then
    np.add(data.on_hand[level, None], base, out=base)  # plus the stock on hand
    level_rules = LotRules(*(getattr(data.rules, f)[level]
                             for f in data.rules.__dataclass_fields__))
    _size_economic_lots(level_rules, gross[level], data.ordering_cost[level],
                        data.unit_cost[level], data.holding_rate_per_year,
                        data.periods_per_year)
    got = outputs["planned_receipts"][level]
    plan_receipts(safety[level] - base, base, safety[level], level_rules, overwrite=True,
                  out=(got, past_due[level]))
    path = outputs["projected_on_hand"][level]
    accumulate(np.add, got, out=path)
    np.add(base, path, out=path)
    _shift_back(got, data.rules.lead_time[level], out=outputs["planned_releases"][level])


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


def _shift_back(receipts: np.ndarray, lead_time: np.ndarray, out: np.ndarray | None = None
                ) -> np.ndarray:
    """releases[i, t - L_i] = receipts[i, t]; receipts never sit before L, so t - L >= 0.

    ``out``: the releases array to fill (zeros), else a new one. One slice copy per distinct
    lead time.
    """
    m, h = receipts.shape
    if out is None:
        out = np.zeros((m, h))
    leads = np.unique(lead_time)
    for lead in leads.tolist():
        if lead < h:
            if len(leads) == 1:
                out[:, :h - lead] = receipts[:, lead:]
            else:  # row numbers and take: faster than a boolean mask
                rows = np.flatnonzero(lead_time == lead)
                out[rows, :h - lead] = receipts.take(rows, axis=0)[:, lead:]
    return out


def _add_dependent(dependent: np.ndarray, feeds: Feeds, a: int, b: int,
                   releases: np.ndarray) -> None:
    """``dependent[b:] += weights[b:, a:b] @ releases``: what the customers a..b-1 draw from
    their suppliers (rows b..), on the rows reached only.

    Suppliers sit on higher low-level codes, so the columns' entries all lie in rows b..:
    the columns' stretch of the CSC arrays is the block itself, entries in the same order,
    without scipy's general slicing. The product keeps these entries in their order (its
    rows are only renumbered), so every row adds the same terms in the same order as the
    full product. When the rows reached are one stretch (the usual case: the next level's
    SKUs), they are added to in place, through a slice. One sparse matrix per level, made
    once per network (``feeds.levels``).
    """
    if (a, b) not in feeds.levels:
        feeds.levels[(a, b)] = _level_feeds(feeds.weights, a, b)
    feed = feeds.levels[(a, b)]
    if feed is None:
        return
    first, reached, matrix = feed
    if reached is None:  # rows first .. first + m - 1
        dependent[first:first + matrix.shape[0]] += matrix @ releases
    else:
        dependent[reached] += matrix @ releases


def _level_feeds(weights: sparse.csc_matrix, a: int, b: int
                 ) -> tuple[int, np.ndarray | None, sparse.csc_matrix] | None:
    """What the customers a..b-1 feed (see ``_add_dependent``): the first row reached, the
    rows reached (None: every row from the first on, a stretch) and the matrix of their
    draws; None when they draw on nothing."""
    lo, hi = weights.indptr[a], weights.indptr[b]
    rows, data = weights.indices[lo:hi], weights.data[lo:hi]
    starts = weights.indptr[a:b + 1] - lo
    if rows.size and rows.min() < b:  # (not sorted by code: the general slice)
        part = weights[b:, a:b]
        rows, data, starts = part.indices + b, part.data, part.indptr
    if not rows.size:
        return None
    first = int(rows.min())
    reached = np.bincount(rows - first) > 0
    if reached.all():
        return first, None, sparse.csc_matrix((data, rows - first, starts),
                                              shape=(len(reached), b - a))
    renumber = np.cumsum(reached) - 1
    return first, first + np.flatnonzero(reached), sparse.csc_matrix(
        (data, renumber[rows - first], starts), shape=(int(renumber[-1]) + 1, b - a))
