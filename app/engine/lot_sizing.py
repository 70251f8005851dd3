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

from dataclasses import dataclass

import numpy as np


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
                  rules: LotRules, out: tuple[np.ndarray, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Planned receipts (m, H) and a past-due flag per receipt (m, H) for the SKU group.

    ``shortfall``, ``base`` and ``safety_stock`` are (m, H) as in the module notes. ``out``:
    the (receipts, past_due) arrays to fill, all zeros (False), else new ones.
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
    closed_rows = np.flatnonzero(closed)
    if closed_rows.size:
        multiple = np.where(fixed, rules.lot_size, rules.order_multiple)[closed_rows]
        receipts[closed_rows] = _closed_form(shortfall.take(closed_rows, axis=0),
                                             rules.lead_time[closed_rows], multiple,
                                             overwrite=True)
    loop_rows = np.flatnonzero(~closed)
    if loop_rows.size:  # (take: a faster row copy than fancy indexing)
        receipts[loop_rows] = _period_loop(
            shortfall.take(loop_rows, axis=0), base.take(loop_rows, axis=0),
            safety_stock.take(loop_rows, axis=0),
            _sub(rules, loop_rows), fixed[loop_rows], eoq[loop_rows], poq[loop_rows],
            min_max[loop_rows],
        )
    # a receipt in the first receivable period is past due when it carries earlier needs
    lt = rules.lead_time
    first = np.clip(lt, 0, h - 1)
    earlier_need = np.zeros(m, dtype=bool)
    positive = lt > 0
    if positive.any():  # the largest shortfall before the lead time (only those periods)
        before = min(int(lt.max()), h)
        running = np.maximum.accumulate(shortfall[:, :before], axis=1)
        earlier_need[positive] = running[positive, np.clip(lt[positive] - 1, 0, h - 1)] > 1e-9
    rows = np.flatnonzero(earlier_need & (lt < h))
    past_due[rows, first[rows]] = receipts[rows, first[rows]] > 0
    return receipts, past_due


def _sub(rules: LotRules, rows: np.ndarray) -> LotRules:
    return LotRules(*(getattr(rules, f)[rows] for f in rules.__dataclass_fields__))


def _closed_form(shortfall: np.ndarray, lead_time: np.ndarray, multiple: np.ndarray,
                 overwrite: bool = False) -> np.ndarray:
    """Lot-for-lot (optionally in multiples) by running maxima of the cumulative shortfall.

    ``overwrite``: ``shortfall`` is a scratch copy the computation may reuse.
    """
    _, h = shortfall.shape
    # needs before the lead time cannot be met by planned orders: only t >= L count
    need = shortfall if overwrite else shortfall.copy()
    leads = np.unique(lead_time)
    for lead in leads.tolist():
        need[slice(None) if len(leads) == 1 else lead_time == lead, :max(lead, 0)] = -np.inf
    np.maximum.accumulate(need, axis=1, out=need)
    np.maximum(need, 0.0, out=need)  # 0 before the lead time (so no receipt there)
    cumulative = _round_rows_up(need, multiple)
    out = np.empty_like(cumulative)  # receipts: the rise of the cumulative
    if h:
        out[:, 0] = cumulative[:, 0] - 0.0
        np.subtract(cumulative[:, 1:], cumulative[:, :-1], out=out[:, 1:])
    return np.maximum(out, 0.0, out=out)


def _period_loop(shortfall: np.ndarray, base: np.ndarray, safety_stock: np.ndarray,
                 rules: LotRules, fixed: np.ndarray, eoq: np.ndarray, poq: np.ndarray,
                 min_max: np.ndarray) -> np.ndarray:
    """Rules whose order size depends on what was ordered before: one pass over periods.

    Per SKU, with ``C`` the receipts planned so far and ``need = shortfall[t] - C``: when
    ``need > 1e-9``, order ``max(cover[t] - C, minimum)`` (``cover``: the shortfall, or its
    maximum over the next P periods for POQ), rounded up to whole lots (fixed); min/max SKUs
    instead order up to the maximum when ``base[t] + C`` falls below the reorder point (or
    there is a need), at least the need; then up to the order multiple; nothing before the
    lead time.

    Each period step is a few numpy calls over all the SKUs at once, period-major ((H, m)
    arrays: each step reads contiguous rows). The SKUs are put in an order where the fixed,
    the multiple and the min/max SKUs are each one contiguous slice, so those steps work in
    place on slices (no masks, no temporaries).
    """
    m, h = shortfall.shape
    eps = 1e-9
    has_multiple = np.isfinite(rules.order_multiple) & (rules.order_multiple > 0)
    # groups 0-1 fixed, 1-3 multiple, 3-4 min/max (a SKU is never both fixed and min/max)
    group = np.select([fixed & ~has_multiple, fixed, has_multiple & ~min_max,
                       has_multiple, min_max], [0, 1, 2, 3, 4], 5)
    perm = np.argsort(group, kind="stable")
    edge = np.searchsorted(group[perm], np.arange(6)).tolist()
    fixed_rows, multiple_rows, min_max_rows = (
        slice(edge[0], edge[2]), slice(edge[1], edge[4]), slice(edge[3], edge[5]))
    need_t = np.ascontiguousarray(shortfall.take(perm, axis=0).T)
    cover_t = None
    if poq.any():  # the largest shortfall over the next P periods: cover t .. t+P-1
        ahead = shortfall.copy()
        ahead[poq] = _forward_max(shortfall[poq], rules.poq_periods[poq])
        cover_t = np.ascontiguousarray(ahead.take(perm, axis=0).T)
    minimum = np.where(np.isfinite(rules.min_order), rules.min_order, 0.0)
    minimum = np.where(eoq, np.maximum(minimum, np.nan_to_num(rules.eoq)), minimum)[perm]
    lot = rules.lot_size[perm][fixed_rows]
    multiple = rules.order_multiple[perm][multiple_rows]
    mm = perm[min_max_rows]
    base_t = np.ascontiguousarray(base.take(mm, axis=0).T)
    maximum = np.nan_to_num(rules.lot_size[mm])
    reorder = np.nan_to_num(rules.min_order[mm]) - eps
    lead = rules.lead_time[perm]
    every = int(lead.max(initial=0))  # from this period on, every SKU can receive
    early = lead[None, :] > np.arange(every)[:, None]  # (every, m): before the lead time
    out = np.zeros((h, m))  # row t: the orders received in period t
    cumulative = np.zeros(m)
    need, needed, waiting = np.empty(m), np.empty(m, dtype=bool), np.empty(m, dtype=bool)
    projected, trigger, up_to = np.empty(mm.size), np.empty(mm.size, dtype=bool), \
        np.empty(mm.size)
    mm_cumulative, mm_need, mm_needed = (a[min_max_rows] for a in (cumulative, need, needed))
    for t in range(int(lead.min(initial=0)), h):
        order = out[t]
        np.subtract(need_t[t], cumulative, out=need)
        np.greater(need, eps, out=needed)
        if cover_t is None:
            np.maximum(need, minimum, out=order)
        else:
            np.subtract(cover_t[t], cumulative, out=order)
            np.maximum(order, minimum, out=order)
        if lot.size:  # whole lots
            _ceil_in_place(order[fixed_rows], lot, eps)
        np.logical_not(needed, out=waiting)
        np.copyto(order, 0.0, where=waiting)
        if mm.size:
            # min/max: below the reorder point (or short of the target) -> up to the maximum
            np.add(base_t[t], mm_cumulative, out=projected)
            np.less(projected, reorder, out=trigger)
            trigger |= mm_needed
            np.subtract(maximum, projected, out=up_to)
            np.maximum(up_to, mm_need, out=up_to)
            mine = order[min_max_rows]
            mine[...] = 0.0
            np.copyto(mine, up_to, where=trigger)
        if multiple.size:
            _ceil_in_place(order[multiple_rows], multiple, eps)
        if t < every:
            np.copyto(order, 0.0, where=early[t])
        cumulative += order
    back = np.empty_like(perm)
    back[perm] = np.arange(m)
    return out.T.take(back, axis=0)


def _ceil_in_place(quantity: np.ndarray, step: np.ndarray, eps: float) -> None:
    """``quantity = ceil(quantity / step - eps) * step``: up to a whole number of steps,
    in place."""
    np.divide(quantity, step, out=quantity)
    quantity -= eps
    np.ceil(quantity, out=quantity)
    quantity *= step


def _forward_max(values: np.ndarray, window: np.ndarray) -> np.ndarray:
    """out[i, t] = max(values[i, t : t + window[i]]) (window >= 1; the horizon cuts it).

    Doubling (a sparse table): level j holds maxima over 2**j periods; a window of w
    periods is the max of two overlapping level-k blocks, k = floor(log2 w).
    """
    m, h = values.shape
    if m == 0 or h == 0:
        return values.copy()
    w = np.clip(window, 1, h)
    k = np.floor(np.log2(w)).astype(np.int64)
    tables = np.full((int(k.max()) + 1, m, 2 * h), -np.inf)  # padded past the horizon
    tables[0, :, :h] = values
    for j in range(1, len(tables)):
        step = 1 << (j - 1)
        tables[j] = tables[j - 1]
        np.maximum(tables[j - 1, :, :-step], tables[j - 1, :, step:],
                   out=tables[j, :, :-step])
    # every row at once: its level's block from t and the one ending at t + w - 1
    level, rows, t = k[:, None], np.arange(m)[:, None], np.arange(h)[None, :]
    return np.maximum(tables[level, rows, t], tables[level, rows, t + (w - (1 << k))[:, None]])
