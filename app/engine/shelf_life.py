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
        frame = pd.DataFrame({
            "row": rows[keep],
            "quantity": lots["quantity"].to_numpy(dtype=float)[keep],
            "expires": np.clip(calendar.bucket(lots["expiry_date"])[keep], 0, None),
        }).sort_values(["row", "expires"], kind="stable")
        # only as much lot stock as the SKU has on hand, earliest expiry first
        before = frame.groupby("row")["quantity"].cumsum() - frame["quantity"]
        frame["quantity"] = np.clip(on_hand[frame["row"].to_numpy()] - before, 0,
                                    frame["quantity"])
        frame["rank"] = frame.groupby("row").cumcount()
        self.rows = frame["row"].to_numpy()
        self.quantity = frame["quantity"].to_numpy()
        self.expires = frame["expires"].to_numpy()
        self.rank = frame["rank"].to_numpy()

    @property
    def skus(self) -> np.ndarray:
        """SKU rows that have lots."""
        return np.unique(self.rows)

    def expiry(self, gross: np.ndarray, skus: np.ndarray) -> np.ndarray:
        """(len(skus), H) quantity expiring per period for the SKU rows ``skus``."""
        m, h = len(skus), gross.shape[1]
        expired = np.zeros((m, h))
        mine = np.isin(self.rows, skus)
        if not mine.any():
            return expired
        position = np.searchsorted(skus, self.rows[mine])
        quantity, expires, rank = self.quantity[mine], self.expires[mine], self.rank[mine]
        left = gross[skus].copy()  # requirements not yet served by earlier lots
        periods = np.arange(h)[None, :]
        for k in range(int(rank.max()) + 1):
            at = rank == k
            pos, q, e = position[at], quantity[at], expires[at]
            usable = periods < e[:, None]
            served = np.minimum(np.cumsum(np.where(usable, left[pos], 0.0), axis=1), q[:, None])
            used = np.diff(served, axis=1, prepend=0.0)
            left[pos] -= used
            rest = q - served[:, -1]
            inside = (e < h) & (rest > 1e-12)
            np.add.at(expired, (pos[inside], e[inside]), rest[inside])
        return expired
