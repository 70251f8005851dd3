"""Safety-stock targets per SKU and period, by ``ss_model``.

- ``none``: 0.
- ``fixed``: ``ss_qty`` units in every period.
- ``days_of_supply``: forward coverage of the requirements: with n = ss_days / days per
  period, ``SS[t] = Σ_{k=1..floor(n)} gross[t+k] + frac(n) * gross[t+floor(n)+1]`` (units;
  periods past the horizon count as the last period's requirement).
- ``statistical`` / ``meio``: the recommendation handed over by the plan (``override``:
  per SKU flat, or per SKU and period; ``app.engine.recommend`` makes the SEIO / MEIO one,
  time-phased), where it is a number; else ``ss_qty`` when set, else 0.
"""

from __future__ import annotations

import numpy as np

_GATHER_ROWS = 128  # up to this many rows, gathering cell by cell beats a slice per length


def forward_cover(gross: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """(m, H) requirements of the next ``periods`` (fractional, per row) periods after t."""
    m, h = gross.shape
    if m == 0 or h == 0:
        return np.zeros((m, h))
    whole = np.floor(periods).astype(np.int64)
    frac = periods - whole
    longest = int(whole.max(initial=0)) + 1
    # pad with the last period's requirement so coverage near the end stays meaningful
    padded = np.concatenate([gross, np.repeat(gross[:, -1:], longest + 1, axis=1)], axis=1)
    cum = np.concatenate([np.zeros((m, 1)), np.cumsum(padded, axis=1)], axis=1)
    if whole.min() < 0 or m <= _GATHER_ROWS:  # (negative days: an index before t; or a
        # few rows) gathered cell by cell
        t = np.arange(h)[None, :]
        end_whole = t + 1 + whole[:, None]
        rows = np.arange(m)[:, None]
        cover = cum[rows, end_whole] - cum[rows, t + 1]
        cover += frac[:, None] * padded[rows, end_whole]
        return cover
    # few distinct window lengths: column slices per length instead of cell gathers
    cover = np.empty((m, h))
    for w in np.unique(whole).tolist():
        rows = np.flatnonzero(whole == w)
        c, p = cum.take(rows, axis=0), padded.take(rows, axis=0)
        part = np.subtract(c[:, 1 + w:1 + w + h], c[:, 1:1 + h])
        part += frac[rows, None] * p[:, 1 + w:1 + w + h]
        cover[rows] = part
    return cover


def safety_stock_targets(model: np.ndarray, ss_qty: np.ndarray, ss_days: np.ndarray,
                         override: np.ndarray | None, gross: np.ndarray,
                         days_per_period: float, out: np.ndarray | None = None) -> np.ndarray:
    """(m, H) target for a group of SKUs whose gross requirements are known.

    ``override``: (m,) or (m, H) targets for the optimised models (NaN: none).
    ``out``: the (m, H) array to fill, all zeros, else a new one.
    """
    m, h = gross.shape
    qty = np.nan_to_num(ss_qty)
    if out is None:
        out = np.zeros((m, h))
    # (a copy where the row's model says: one pass, no row gathers)
    flat = model == "fixed"
    days = (model == "days_of_supply") & np.isfinite(ss_days)
    if days.any():
        out[days] = forward_cover(gross[days], ss_days[days] / days_per_period)
    optimised = (model == "statistical") | (model == "meio")
    if override is not None:
        given = np.isfinite(override) if override.ndim == 1 else np.isfinite(override).all(1)
        use = optimised & given
        if use.any():
            np.copyto(out, override[:, None] if override.ndim == 1 else override,
                      where=use[:, None])
        optimised &= ~use
    flat |= optimised
    if flat.any():
        np.copyto(out, qty[:, None], where=flat[:, None])
    return out
