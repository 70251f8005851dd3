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

from app.engine.running import nan_to_num

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
    padded = np.empty((m, h + longest + 1))
    padded[:, :h] = gross
    padded[:, h:] = gross[:, -1:]
    cum = np.zeros((m, h + longest + 2))  # cum[:, k]: the first k periods' requirements
    np.add.accumulate(padded, axis=1, out=cum[:, 1:])
    if whole.min() < 0 or m <= _GATHER_ROWS:  # (negative days: an index before t; or a
        # few rows) gathered cell by cell
        end_whole = np.arange(1, h + 1) + whole[:, None]
        cover = _row_take(cum, end_whole) - cum[:, 1:h + 1]
        cover += frac[:, None] * _row_take(padded, end_whole)
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


def _row_take(values: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``values[i, columns[i, j]]``: by flat positions (one ``take``) when no column is
    negative, else by numpy's indexing (a negative column counts from the row's end)."""
    if columns.min() < 0:
        return np.take_along_axis(values, columns, axis=1)
    width = values.shape[1]
    return values.take(columns + np.arange(0, width * len(values), width)[:, None])


def safety_stock_targets(model: np.ndarray, ss_qty: np.ndarray, ss_days: np.ndarray,
                         override: np.ndarray | None, gross: np.ndarray,
                         days_per_period: float, out: np.ndarray | None = None) -> np.ndarray:
    """(m, H) target for a group of SKUs whose gross requirements are known.

    ``override``: (m,) or (m, H) targets for the optimised models (NaN: none).
    ``out``: the (m, H) array to fill, all zeros, else a new one.
    """
    m, h = gross.shape
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
        np.copyto(out, nan_to_num(ss_qty)[:, None], where=flat[:, None])
    return out
