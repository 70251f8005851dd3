"""Planned order receipts for a group of SKUs: net requirements and lot sizing.

Notation (per SKU, periods t = 0..H-1, units):

- ``base[t]``: projected on hand at the end of t without planned orders,
  ``on_hand + Σ_{s<=t} (scheduled_receipts[s] - gross[s] - expired[s])``;
- ``shortfall[t] = safety_stock[t] - base[t]``: how much planned receipts must have brought in
  by the end of t; the cumulative receipts ``C[t]`` must satisfy ``C[t] >= shortfall[t]``;
- ``L``: lead time in whole periods. A receipt can arrive in period t >= L at the earliest
  (released in period t - L >= 0). Requirements before L that stock cannot cover stay a
  backlog until period L, whose receipt then carries them; its release is *past due*.

Rules (``order_policy``):

- lot_for_lot: ``C[t] = R[t]`` with ``R[t] = max(0, max_{L<=s<=t} shortfall[s])`` for
  t >= L (0 before), a closed form by running maxima (APICS "lot-for-lot"). With
  ``order_multiple`` m: ``C[t] = m * ceil(R[t] / m)``.
- fixed: orders are whole multiples of ``lot_size`` Q: ``C[t] = Q * ceil(R[t] / Q)``.
- eoq: each order is at least Q* = sqrt(2 A S / (h c)) (A annual demand, S ordering_cost, h
  holding rate per year, c unit cost), rounded up to ``order_multiple``.
- poq: each order covers the net requirements of P = max(1, round(Q* / mean demand)) periods.
- min_max: when projected on hand would drop below max(``min_order``, safety stock), order up
  to ``lot_size`` (the maximum), at least the net requirement.
- ``min_order`` (lot_for_lot, fixed, eoq, poq): an order is never below it.

The closed forms are vectorised over SKUs; rules that depend on earlier orders (minimums,
EOQ, POQ, min/max) loop over periods, still vectorised over SKUs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.engine.running import accumulate, nan_to_num


@dataclass
class LotRules:
    """Lot-sizing parameters of a group of m SKUs (arrays of length m; NaN = not set)."""

    policy: np.ndarray  # object array of policy names
    lead_time: np.ndarray  # int periods
    lot_size: np.ndarray
    min_order: np.ndarray
    order_multiple: np.ndarray
    eoq: np.ndarray  # Q* per SKU (NaN when it cannot be computed)
    poq_periods: np.ndarray  # int >= 1


def economic_order_quantity(annual_demand: np.ndarray, ordering_cost: np.ndarray,
                            holding_rate: float, unit_cost: np.ndarray) -> np.ndarray:
    """Q* = sqrt(2 A S / (h c)) (Harris 1913), units; NaN where any input is missing or 0.

    >>> float(economic_order_quantity(np.array([1200.0]), np.array([50.0]), 0.25,
    ...                               np.array([12.0]))[0])
    200.0
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.sqrt(2.0 * annual_demand * ordering_cost / (holding_rate * unit_cost))
    bad = ~np.isfinite(q) | (q <= 0)
    return np.where(bad, np.nan, q)


def _round_up(quantity: np.ndarray, multiple: np.ndarray) -> np.ndarray:
    """Round up to a whole multiple where ``multiple`` > 0 (with a tolerance of 1e-9)."""
    has = np.isfinite(multiple) & (multiple > 0)
    safe = np.where(has, multiple, 1.0)
    rounded = np.ceil(quantity / safe - 1e-9) * safe
    return np.where(has, np.maximum(rounded, 0.0), quantity)


def _round_rows_up(quantity: np.ndarray, multiple: np.ndarray) -> np.ndarray:
    """``_round_up(quantity, multiple[:, None])`` row by row, in place: only the rows that
    have a multiple change."""
    rows = np.flatnonzero(np.isfinite(multiple) & (multiple > 0))
    if rows.size:
        quantity[rows] = _round_up(quantity[rows], multiple[rows, None])
    return quantity


def plan_receipts(shortfall: np.ndarray, base: np.ndarray, safety_stock: np.ndarray,
                  rules: LotRules, out: tuple[np.ndarray, np.ndarray] | None = None,
                  overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Planned receipts (m, H) and a past-due flag per receipt (m, H) for the SKU group.

    ``shortfall``, ``base`` and ``safety_stock`` are (m, H) as in the module notes. ``out``:
    the (receipts, past_due) arrays to fill, all zeros (False), else new ones.
    ``overwrite``: ``shortfall`` is a scratch array the computation may reuse (its values
    are then undefined afterwards).
    """
    m, h = shortfall.shape
    if out is None:
        out = (np.zeros((m, h)), np.zeros((m, h), dtype=bool))
    receipts, past_due = out
    if m == 0 or h == 0:
        return receipts, past_due
    policy = rules.policy
    has_min = np.isfinite(rules.min_order) & (rules.min_order > 0)
    fixed = (policy == "fixed") & np.isfinite(rules.lot_size) & (rules.lot_size > 0)
    eoq = (policy == "eoq") & np.isfinite(rules.eoq)
    poq = policy == "poq"
    min_max = (policy == "min_max") & np.isfinite(rules.lot_size)
    closed = ~(eoq | poq | min_max) & ~has_min
    # a receipt in the first receivable period is past due when it carries earlier needs:
    # the largest shortfall before the lead time (only those periods; read before the
    # closed form may reuse ``shortfall``)
    lt = rules.lead_time
    earlier_need = np.zeros(m, dtype=bool)
    positive = lt > 0
    if positive.any():
        before = min(int(lt.max()), h)
        running = np.maximum.accumulate(shortfall[:, :before], axis=1)
        last = np.minimum(np.maximum(lt[positive] - 1, 0), h - 1)
        earlier_need[positive] = running[positive, last] > 1e-9
    loop_rows = np.flatnonzero(~closed)
    if loop_rows.size:
        _period_loop(shortfall, base, rules, loop_rows, fixed, eoq, poq, min_max, receipts)
    multiple = np.where(fixed, rules.lot_size, rules.order_multiple)
    if loop_rows.size == 0:  # every SKU closed: straight into the receipts
        _closed_form(shortfall, lt, multiple, overwrite=overwrite, out=receipts)
    elif overwrite and 2 * loop_rows.size < m:  # mostly closed: every row, kept where closed
        # (rows are independent: the other rows' results are computed and dropped, which
        # costs less than gathering and scattering the closed rows)
        got = _closed_form(shortfall, lt, np.where(closed, multiple, np.nan), overwrite=True)
        np.copyto(receipts, got, where=closed[:, None])
    elif loop_rows.size < m:
        closed_rows = np.flatnonzero(closed)
        receipts[closed_rows] = _closed_form(shortfall.take(closed_rows, axis=0),
                                             lt[closed_rows], multiple[closed_rows],
                                             overwrite=True)
    first = np.minimum(np.maximum(lt, 0), h - 1)  # (np.clip: the same, slower)
    rows = np.flatnonzero(earlier_need & (lt < h))
    past_due[rows, first[rows]] = receipts[rows, first[rows]] > 0
    return receipts, past_due


def _sub(rules: LotRules, rows: np.ndarray) -> LotRules:
    return LotRules(*(getattr(rules, f)[rows] for f in rules.__dataclass_fields__))


def _closed_form(shortfall: np.ndarray, lead_time: np.ndarray, multiple: np.ndarray,
                 overwrite: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """Lot-for-lot (optionally in multiples) by running maxima of the cumulative shortfall.

    ``overwrite``: ``shortfall`` is a scratch copy the computation may reuse. ``out``: the
    (m, H) array for the receipts, else a new one.
    """
    _, h = shortfall.shape
    # needs before the lead time cannot be met by planned orders: only t >= L count
    need = shortfall if overwrite else shortfall.copy()
    np.copyto(need, -np.inf, where=np.arange(h) < lead_time[:, None])
    accumulate(np.maximum, need, out=need)
    np.maximum(need, 0.0, out=need)  # 0 before the lead time (so no receipt there)
    cumulative = _round_rows_up(need, multiple)
    if out is None:
        out = np.empty_like(cumulative)  # receipts: the rise of the cumulative
    if h:
        np.subtract(cumulative[:, 0], 0.0, out=out[:, 0])
        np.subtract(cumulative[:, 1:], cumulative[:, :-1], out=out[:, 1:])
    return np.maximum(out, 0.0, out=out)


#: Up to this many SKUs, the pass over periods runs SKU by SKU on Python floats
#: (``_period_loop_each``): a dozen numpy calls per period cost more for so few.
EACH_ROWS = 4


def _period_loop(shortfall: np.ndarray, base: np.ndarray, rules: LotRules, rows: np.ndarray,
                 fixed: np.ndarray, eoq: np.ndarray, poq: np.ndarray, min_max: np.ndarray,
                 out: np.ndarray) -> None:
    """Rules whose order size depends on what was ordered before: one pass over periods,
    for the SKU rows ``rows`` of the group (their receipts written to ``out``); for a few
    SKUs one by one (``_period_loop_each``), else all at once (``_period_loop_all``): the
    same values, bit for bit."""
    loop = _period_loop_each if len(rows) <= EACH_ROWS else _period_loop_all
    loop(shortfall, base, rules, rows, fixed, eoq, poq, min_max, out)


def _period_loop_all(shortfall: np.ndarray, base: np.ndarray, rules: LotRules,
                     rows: np.ndarray, fixed: np.ndarray, eoq: np.ndarray, poq: np.ndarray,
                     min_max: np.ndarray, out: np.ndarray) -> None:
    """The pass over periods for the SKU rows ``rows``, vectorised over them.

    Per SKU, with ``C`` the receipts planned so far and ``need = shortfall[t] - C``: when
    ``need > 1e-9``, order ``max(cover[t] - C, minimum)`` (``cover``: the shortfall, or its
    maximum over the next P periods for POQ), rounded up to whole lots (fixed); min/max SKUs
    instead order up to the maximum when ``base[t] + C`` falls below the reorder point (or
    there is a need), at least the need; then up to the order multiple; nothing before the
    lead time. A SKU that orders nothing in a period where it could receive, and has an
    order multiple, gets -0.0 there (what rounding 0 up to the multiple gives).

    Each period step is a few numpy calls over all the SKUs at once, period-major ((H, m)
    arrays: each step reads contiguous rows): the order sizes of every SKU straight into
    the period's row of receipts, ``C`` grown where the SKU orders, and the rows of the SKUs
    that did not order set to 0 after the pass. Before its lead time a SKU's need is -inf
    and its base +inf (so it never orders there, without a mask per period). The SKUs are
    put in the order: plain, fixed, fixed with a multiple, multiple, min/max with a
    multiple, min/max; so the rules' steps work on slices (no masks, no temporaries), and
    one rounding pass serves both the fixed lots and the multiples.
    """
    m, h = len(rows), shortfall.shape[1]
    eps = 1e-9
    has_multiple = np.isfinite(rules.order_multiple) & (rules.order_multiple > 0)
    multiple, mm = has_multiple[rows], min_max[rows]
    group = np.where(fixed[rows], 1 + multiple, np.where(mm, 5 - multiple, 3 * multiple))
    rows = rows[np.argsort(group, kind="stable")]
    # ends of the groups: plain, fixed, fixed + multiple, multiple, min/max + multiple
    e0, e1, e2, e3, e4 = np.cumsum(np.bincount(group, minlength=6))[:5].tolist()
    need_t = np.ascontiguousarray(shortfall.take(rows, axis=0).T)
    lead = rules.lead_time[rows]
    # from `every` on, all SKUs can receive (a lead time past the horizon: none ever does)
    start, every = int(lead.min()), min(int(lead.max()), h)
    early = lead[None, :] > np.arange(every)[:, None]  # (every, m): before the lead time
    # plain to multiple (rows :e3): the order size from the need or the POQ cover
    general = rows[:e3]
    cover_t = None
    if poq[general].any():  # the largest shortfall over the next P periods: cover t .. t+P-1
        cover_t = need_t[:, :e3].copy()
        own = np.flatnonzero(poq[general])
        cover_t[:, own] = _forward_max(shortfall.take(general[own], axis=0),
                                       rules.poq_periods[general[own]]).T
    need_t[:every][early] = -np.inf
    minimum = rules.min_order[general]
    minimum = np.where(np.isfinite(minimum), minimum, 0.0)
    own_eoq = eoq[general]
    if own_eoq.any():
        minimum = np.where(own_eoq, np.maximum(minimum, nan_to_num(rules.eoq[general])),
                           minimum)
    # (a cover is at least the shortfall, so an order, where there is a need, is > 0: a
    # minimum <= 0 changes nothing)
    floor = bool((minimum > 0).any())
    # min/max (rows e3:)
    base_t = maximum = reorder = projected = below = None
    if e3 < m:
        base_t = np.ascontiguousarray(base.take(rows[e3:], axis=0).T)
        base_t[:every][early[:, e3:]] = np.inf
        maximum = nan_to_num(rules.lot_size[rows[e3:]])
        reorder = nan_to_num(rules.min_order[rows[e3:]]) - eps
        projected, below = np.empty(m - e3), np.empty(m - e3, dtype=bool)
    # rounding (rows e0:e4): whole lots (fixed, rows e0:e2), else the multiple; then the
    # multiple of the fixed SKUs that have one (rows e1:e2)
    step = np.concatenate((rules.lot_size[rows[e0:e2]], rules.order_multiple[rows[e2:e4]]))
    then_multiple = rules.order_multiple[rows[e1:e2]]
    ordered = np.zeros((h, m), dtype=bool)  # row t: the SKUs ordering in period t
    orders = np.zeros((h, m))  # row t: the order sizes, then the orders received in t
    cumulative, need = np.zeros(m), np.empty(m)
    tolerance = np.full(m, eps)  # (an array: a ufunc converts a float operand on each call)
    general_need, general_cumulative = need[:e3], cumulative[:e3]
    mm_need, mm_cumulative = need[e3:], cumulative[e3:]
    add, subtract, greater, less, larger = np.add, np.subtract, np.greater, np.less, np.maximum
    divide, ceil, multiply, logical_or = np.divide, np.ceil, np.multiply, np.logical_or
    for t in range(start, h):
        now, order = ordered[t], orders[t]
        subtract(need_t[t], cumulative, out=need)
        greater(need, tolerance, out=now)
        if e3 < m:  # below the reorder point (or short of the target) -> up to the maximum
            add(base_t[t], mm_cumulative, out=projected)
            less(projected, reorder, out=below)
            mm_now, mm_order = now[e3:], order[e3:]
            logical_or(mm_now, below, out=mm_now)
            subtract(maximum, projected, out=mm_order)
            larger(mm_order, mm_need, out=mm_order)
        if e3:
            general_order = order[:e3]
            if cover_t is None:
                larger(general_need, minimum, out=general_order)
            else:
                subtract(cover_t[t], general_cumulative, out=general_order)
                if floor:
                    larger(general_order, minimum, out=general_order)
        for lo, hi, size in ((e0, e4, step), (e1, e2, then_multiple)):
            if lo < hi:  # ceil(order / size - eps) * size: up to whole lots / multiples
                lot = order[lo:hi]
                divide(lot, size, out=lot)
                subtract(lot, tolerance[lo:hi], out=lot)
                ceil(lot, out=lot)
                multiply(lot, size, out=lot)
        add(cumulative, order, out=cumulative, where=now)
    idle = ~ordered[start:]
    np.copyto(orders[start:], 0.0, where=idle)
    if e1 < e4:  # rounding 0 up to the multiple: -0.0 (from the lead time on)
        idle = idle[:, e1:e4]
        idle &= lead[e1:e4] <= np.arange(start, h)[:, None]
        np.copyto(orders[start:, e1:e4], -0.0, where=idle)
    out[rows] = orders.T


def _period_loop_each(shortfall: np.ndarray, base: np.ndarray, rules: LotRules,
                      rows: np.ndarray, fixed: np.ndarray, eoq: np.ndarray, poq: np.ndarray,
                      min_max: np.ndarray, out: np.ndarray) -> None:
    """``_period_loop_all``, SKU by SKU on Python floats: the same operations on the same
    doubles in the same order, so the same bits. As numpy's: ``max(a, b)`` is NaN when
    either is and ``b`` on a tie; ``ceil(x)`` is -0.0 for -1 < x <= -0.0 and leaves inf
    and NaN. The rows are independent: each SKU's orders depend on its own cumulative
    receipts alone."""
    eps = 1e-9
    h = shortfall.shape[1]
    has_multiple = np.isfinite(rules.order_multiple) & (rules.order_multiple > 0)
    minimum = np.where(np.isfinite(rules.min_order), rules.min_order, 0.0)
    minimum = np.where(eoq, np.maximum(minimum, nan_to_num(rules.eoq)), minimum)
    maximum, reorder = nan_to_num(rules.lot_size), nan_to_num(rules.min_order) - eps
    for r in rows.tolist():
        lead = int(rules.lead_time[r])
        mm, multiple, is_fixed = bool(min_max[r]), bool(has_multiple[r]), bool(fixed[r])
        # the sizes an order is rounded up to, in turn: whole lots (fixed), the multiple
        sizes = [float(rules.lot_size[r])] if is_fixed else []
        if multiple:
            sizes.append(float(rules.order_multiple[r]))
        signed_idle = multiple  # (rounding 0 up to a multiple gives -0.0)
        need_row = shortfall[r].tolist()
        cover = (_forward_max(shortfall[r:r + 1], rules.poq_periods[r:r + 1])[0].tolist()
                 if poq[r] and not mm else None)
        base_row = base[r].tolist() if mm else None
        low, high = float(minimum[r]), float(maximum[r])
        below_at = float(reorder[r])
        cumulative = 0.0
        orders = [0.0] * h
        for t in range(max(lead, 0), h):  # (max and ceil written out: the hot loop)
            need = need_row[t] - cumulative
            now = need > eps
            if mm:
                projected = base_row[t] + cumulative  # type: ignore[index]
                now = now or projected < below_at
                a = high - projected
                order = a if a > need or a != a else need
            else:
                a = need if cover is None else cover[t] - cumulative
                order = a if a > low or a != a else low
            for size in sizes:
                x = order / size - eps
                up = x if x != x or x in _INFINITE else float(_ceil(x))
                if up == 0.0 and (x < 0.0 or _copysign(1.0, x) < 0.0):
                    up = -0.0
                order = up * size
            if now:
                cumulative += order
                orders[t] = order
            elif signed_idle:
                orders[t] = -0.0
        out[r] = orders


_INFINITE = (math.inf, -math.inf)
_ceil, _copysign = math.ceil, math.copysign


def _forward_max(values: np.ndarray, window: np.ndarray) -> np.ndarray:
    """out[i, t] = max(values[i, t : t + window[i]]) (window >= 1; the horizon cuts it).

    Doubling (a sparse table): level j holds maxima over 2**j periods; a window of w
    periods is the max of two overlapping level-k blocks, k = floor(log2 w).
    """
    m, h = values.shape
    if m == 0 or h == 0:
        return values.copy()
    w = np.minimum(np.maximum(window, 1), h)  # (np.clip: the same, slower)
    k = np.floor(np.log2(w)).astype(np.int64)
    tables = np.full((int(k.max()) + 1, m, 2 * h), -np.inf)  # padded past the horizon
    tables[0, :, :h] = values
    for j in range(1, len(tables)):  # (the last `step` periods: the padding, -inf)
        step = 1 << (j - 1)
        np.maximum(tables[j - 1, :, :-step], tables[j - 1, :, step:],
                   out=tables[j, :, :-step])
    # every row at once: its level's block from t and the one ending at t + w - 1, read by
    # flat positions in the tables
    first = (k * m + np.arange(m))[:, None] * (2 * h) + np.arange(h)
    flat = tables.reshape(-1)
    return np.maximum(flat.take(first), flat.take(first + (w - (1 << k))[:, None]))
