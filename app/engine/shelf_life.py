"""Shelf life: lots consumed first-expiring-first-out (FEFO), the rest expiring unused.

For a SKU with lots k = 0..K-1 sorted by expiry (quantity q_k, expiry period e_k: the period
holding its expiry date; a lot is usable in periods t < e_k), requirements are served from the
lots first, earliest expiry first, and then from other stock and receipts:

    U_0[t] = gross[t]
    c_k[t] = consumption of lot k = diff over t of min(Σ_{s<=t, s<e_k} U_k[s], q_k)
    U_{k+1}[t] = U_k[t] - c_k[t]
    expired[e_k] += q_k - Σ_t c_k[t]        (when e_k falls inside the horizon)

A lot already expired at the start expires in period 0. Lots are taken in expiry order only
up to the SKU's on hand (lot quantities beyond it are ignored). Vectorised over SKUs; one step
per lot rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar


class LotTable:
    """Lots of a set of SKUs as (SKU row, lot rank) arrays, ready for ``expiry``."""

    def __init__(self, calendar: Calendar, rows: np.ndarray, lots: pd.DataFrame,
                 on_hand: np.ndarray) -> None:
        keep = rows >= 0
        row = rows[keep]
        quantity = lots["quantity"].to_numpy(dtype=float)[keep]
        expires = np.clip(calendar.bucket(lots["expiry_date"])[keep], 0, None)
        order = np.lexsort((expires, row))  # by SKU, then expiry (stable)
        row, quantity, expires = row[order], quantity[order], expires[order]
        first = np.flatnonzero(np.diff(row, prepend=-1)) if len(row) else row
        rank = np.arange(len(row)) - np.repeat(first, np.diff(np.append(first, len(row))))
        # only as much lot stock as the SKU has on hand, earliest expiry first:
        # clip(on hand - lot stock before, 0, quantity), missing values as pandas treats them
        with np.errstate(invalid="ignore"):
            wanted = on_hand[row] - (_running_sums(quantity, rank) - quantity)
        left = np.where(np.isnan(wanted) | (wanted >= 0), wanted, 0.0)
        if not np.isnan(quantity).all():  # a missing quantity caps nothing
            cap = np.where(np.isnan(quantity), np.inf, quantity)
            left = np.where((wanted <= cap) | np.isnan(left), left, quantity)
        self.rows = row
        self.quantity = left
        self.expires = expires
        self.rank = rank

    def subset(self, rows: np.ndarray) -> LotTable:
        """The lots of SKU rows ``rows`` (sorted), renumbered 0.. in that order."""
        at = np.searchsorted(rows, self.rows)
        mine = (at < len(rows)) & (rows[np.minimum(at, max(len(rows) - 1, 0))] == self.rows) \
            if len(rows) else np.zeros(len(self.rows), dtype=bool)
        out = LotTable.__new__(LotTable)
        out.rows, out.quantity = at[mine], self.quantity[mine]
        out.expires, out.rank = self.expires[mine], self.rank[mine]
        return out

    @property
    def skus(self) -> np.ndarray:
        """SKU rows that have lots."""
        return np.unique(self.rows)

    def expiry(self, gross: np.ndarray, skus: np.ndarray) -> np.ndarray:
        """(len(skus), H) quantity expiring per period for the SKU rows ``skus``."""
        m, h = len(skus), gross.shape[1]
        expired = np.zeros((m, h))
        if not m:
            return expired
        position = np.searchsorted(skus, self.rows)  # (``skus`` sorted)
        mine = skus[np.minimum(position, m - 1)] == self.rows
        if not mine.any():
            return expired
        # the lots by rank (stable: within a rank, in their order), each rank one stretch
        by_rank = np.flatnonzero(mine)
        by_rank = by_rank[np.argsort(self.rank[by_rank], kind="stable")]
        position = position[by_rank]
        quantity, expires = self.quantity[by_rank], self.expires[by_rank]
        ends = np.cumsum(np.bincount(self.rank[by_rank])).tolist()
        left = gross[skus]  # requirements not yet served by earlier lots (a copy)
        periods = np.arange(h)[None, :]
        for lo, hi in zip([0, *ends[:-1]], ends, strict=True):
            pos, q, e = position[lo:hi], quantity[lo:hi], expires[lo:hi]
            usable = periods < e[:, None]
            served = np.add.accumulate(np.where(usable, left[pos], 0.0), axis=1)
            np.minimum(served, q[:, None], out=served)
            used = np.empty_like(served)  # the rise of ``served`` (from 0 before t = 0)
            np.subtract(served[:, 0], 0.0, out=used[:, 0])
            np.subtract(served[:, 1:], served[:, :-1], out=used[:, 1:])
            left[pos] -= used
            rest = q - served[:, -1]
            inside = (e < h) & (rest > 1e-12)
            # (one lot of each SKU per rank: the cells are distinct, a plain += adds once)
            expired[pos[inside], e[inside]] += rest[inside]
        return expired


def _running_sums(values: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` within each group (rows sorted by group; ``rank``: the
    position in its group), as pandas' grouped ``cumsum`` computes it: Kahan-compensated,
    missing values skipped (and left missing). One step per rank, vectorised over groups.
    """
    out = np.empty(len(values))
    group = np.cumsum(rank == 0) - 1
    total = np.zeros(group[-1] + 1 if len(group) else 0)
    compensation = np.zeros_like(total)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        at = np.flatnonzero(rank == k)
        g, value = group[at], values[at]
        with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in pandas
            y = value - compensation[g]
            t = total[g] + y
            step = (t - total[g]) - y
        known = ~np.isnan(value)
        compensation[g[known]] = step[known]
        total[g[known]] = t[known]
        out[at] = np.where(known, t, np.nan)
    return out
