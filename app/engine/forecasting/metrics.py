r"""Scaled forecast errors: MASE, RMSSE and bias.

For a series with training data y_s..y_{o-1} (o: the first holdout origin) and holdout
errors e_j = ŷ_j − y_j (forecast minus actual, units; j over all holdout origins and leads):

- MASE (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy", IJF 22(4);
  FPP3 sec. 5.8): MASE = mean_j |e_j| / Q₁,  Q₁ = mean_{t=s+1..o-1} |y_t − y_{t-1}|.
- RMSSE (M5 competition, Makridakis, Spiliotis & Assimakopoulos 2022, IJF 38(4);
  FPP3 sec. 5.8): RMSSE = sqrt(mean_j e_j² / Q₂),  Q₂ = mean_{t=s+1..o-1} (y_t − y_{t-1})².
- bias = mean_j e_j (units per period; positive = over-forecast).

The scales use lag-1 (naive) differences for seasonal series too, as the M5 does, so that
scores of different series average on one footing. A scale of 0 (a constant training series)
falls back to mean |y| (resp. mean y²) over the training data, and to 1 when that is 0 too.

>>> mase(np.array([[1.0, -1.0]]), np.array([2.0]))
array([0.5])
>>> rmsse(np.array([[3.0, 4.0]]), np.array([12.5]))
array([1.])
"""

from __future__ import annotations

import numpy as np


def naive_scales(y: np.ndarray, start: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray]:
    """(Q₁, Q₂) per series over periods [start, end) (see module notes)."""
    y = np.asarray(y, dtype=float)[:, :end]
    t = np.arange(y.shape[1])
    inside = t[None, :] >= start[:, None]
    pairs = inside[:, 1:] & inside[:, :-1]
    diff = np.where(pairs, np.diff(y, axis=1), 0.0)
    n_pairs = pairs.sum(axis=1)
    n_obs = inside.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        q1 = np.abs(diff).sum(axis=1) / n_pairs
        q2 = (diff**2).sum(axis=1) / n_pairs
        level1 = np.where(inside, np.abs(y), 0.0).sum(axis=1) / n_obs
        level2 = np.where(inside, y**2, 0.0).sum(axis=1) / n_obs
    q1 = _fallback(q1, level1)
    q2 = _fallback(q2, level2)
    return q1, q2


def _fallback(scale: np.ndarray, level: np.ndarray) -> np.ndarray:
    good = np.isfinite(scale) & (scale > 0)
    level_ok = np.isfinite(level) & (level > 0)
    return np.where(good, scale, np.where(level_ok, level, 1.0))


def mase(err: np.ndarray, q1: np.ndarray) -> np.ndarray:
    """Mean absolute scaled error per series; ``err`` is (n, k)."""
    return np.abs(err).mean(axis=1) / q1


def rmsse(err: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """Root mean squared scaled error per series; ``err`` is (n, k)."""
    return np.sqrt((err**2).mean(axis=1) / q2)


def bias(err: np.ndarray) -> np.ndarray:
    """Mean error (forecast − actual) per series, units per period."""
    return err.mean(axis=1)
