r"""Intermittent demand: demand profile (ADI, CV²), Croston-SBA and TSB.

Notation: y_t demand in period t (units), I_t = 1 if y_t > 0 else 0, z the smoothed
non-zero demand size (units), p the smoothed inter-demand interval (periods, Croston) or the
smoothed demand probability (TSB), q the periods since the last demand (inclusive), α, β
smoothing parameters.

- **Croston-SBA** (Croston 1972; bias correction of Syntetos & Boylan 2005, "The accuracy
  of intermittent demand estimates", Int. J. Forecasting 21(2)): only in periods with
  demand, z ← z + α (y_t − z) and p ← p + α (q_t − p); the forecast per period is
  ŷ = (1 − α/2) z / p.
- **TSB** (Teunter, Syntetos & Babai 2011, "Intermittent demand: linking forecasting to
  inventory obsolescence", EJOR 214(3)): every period p ← p + β (I_t − p); in periods with
  demand z ← z + α (y_t − z); ŷ = p z. Unlike Croston, p decays through runs of zeros, so
  the forecast of a dying item falls.

Initial states come from the series' first k periods (k = ``INIT_PERIODS`` = 8, fewer when
the history before the first holdout origin is shorter; errors count after them): with d
demands there, z = their mean size, p = k / d (Croston) or d / k (TSB), q = periods since
the last of them. Without demand in the window the state waits for the first demand, which
sets z = its size and p = its position from the start s (Croston, 1-based) or
1 / that position (TSB); until then ŷ = 0.

Both forecasts are flat over the horizon (a mean demand per period). Parameters are fixed
or searched per series by in-sample one-step squared error (``parameters``), a mean
criterion: absolute error would reward forecasting zero.

Demand profile (Syntetos, Boylan & Croston 2005, "On the categorization of demand
patterns", JORS 56(5)): ADI = periods / periods with demand (average inter-demand interval),
CV² = squared coefficient of variation of the non-zero sizes; cut-offs ADI 1.32, CV² 0.49.
A series is *intermittent* here when ADI > 1.32 or its share of zero periods exceeds
``zero_share`` (0.3); since ADI = 1 / (1 − zero share), the ADI test is the binding one at
the defaults (ADI > 1.32 ⇔ more than 24.2 % zero periods); both thresholds are parameters.

>>> croston_sba(np.array([[0.0, 4.0, 0.0, 0.0, 6.0]]), 1, alpha=0.5, init_periods=1)
array([[1.5]])

(k = 1 sees no demand; the first demand sets z = 4, p = 2; then z → 5, p → 2.5.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.forecasting.core import (
    INIT_PERIODS,
    as_panel,
    grid_column,
    init_window,
    window_totals,
)
from app.engine.forecasting.parameters import FIXED, as_grid
from app.engine.forecasting.smoothing import Value, final_forecast

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
ZERO_SHARE_CUTOFF = 0.3


@dataclass(frozen=True)
class DemandProfile:
    """Per series: ADI (periods), CV² of non-zero sizes, zero share, intermittent flag."""

    adi: np.ndarray
    cv2: np.ndarray
    zero_share: np.ndarray
    intermittent: np.ndarray


def demand_profile(y: np.ndarray, start: np.ndarray | None = None,
                   adi_cutoff: float = ADI_CUTOFF, zero_share_cutoff: float = ZERO_SHARE_CUTOFF
                   ) -> DemandProfile:
    """ADI, CV², zero share and the intermittent flag over each series' periods from start.

    A series without any demand has ADI = inf and CV² = 0 and counts as intermittent.

    >>> demand_profile(np.array([[0.0, 2.0, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]])).adi
    array([2., 1.])
    """
    y, s = as_panel(y, start)
    inside = np.arange(y.shape[1])[None, :] >= s[:, None]
    periods = inside.sum(axis=1).astype(float)
    nonzero = (y > 0) & inside
    hits = nonzero.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(hits > 0, periods / hits, np.inf)
        size_mean = np.where(nonzero, y, 0.0).sum(axis=1) / hits
        size_var = np.where(nonzero, (y - size_mean[:, None]) ** 2, 0.0).sum(axis=1) / hits
        cv2 = np.where(hits > 0, size_var / size_mean**2, 0.0)
        zero_share = np.where(periods > 0, 1.0 - hits / periods, 1.0)
    intermittent = (adi > adi_cutoff) | (zero_share > zero_share_cutoff)
    return DemandProfile(adi, cv2, zero_share, intermittent)


class CrostonSbaKernel:
    """Croston with the SBA correction over an α grid (states z, p: (G, n))."""

    def __init__(self, y: np.ndarray, start: np.ndarray, init: np.ndarray,
                 alphas: tuple[float, ...]) -> None:
        self.start, self.init = start, init
        self.first = _first_window(y, start, init)
        self.alpha = grid_column(alphas)
        self.factor = 1.0 - self.alpha / 2.0
        self.grid_size = len(alphas)
        shape = (self.grid_size, len(y))
        self.size, self.interval = np.zeros(shape), np.ones(shape)
        self.since = np.zeros(len(y))
        self.seen = np.zeros(len(y), dtype=bool)
        self.tmp = np.empty(shape)

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        return start + self.init

    def reset(self, rows: np.ndarray) -> None:
        count, total, hits, since = (a[rows] for a in self.first)
        seen = hits > 0
        safe = np.maximum(hits, 1.0)
        self.size[:, rows] = np.where(seen, total / safe, 0.0)
        self.interval[:, rows] = np.where(seen, count / safe, 1.0)
        self.since[rows] = since
        self.seen[rows] = seen

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        np.divide(self.size, self.interval, out=err)
        err *= self.factor
        np.subtract(y_t, err, out=err)
        self.since += 1.0
        demand = y_t > 0
        update = (demand & self.seen).astype(float)
        tmp = np.subtract(y_t, self.size, out=self.tmp)
        tmp *= update
        tmp *= self.alpha
        self.size += tmp
        np.subtract(self.since, self.interval, out=tmp)
        tmp *= update
        tmp *= self.alpha
        self.interval += tmp
        first = np.flatnonzero(demand & ~self.seen)
        if len(first):
            self.size[:, first] = y_t[first]
            self.interval[:, first] = self.since[first]
        self.seen |= demand
        self.since[demand] = 0.0

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        cols = np.arange(len(g))
        mean = self.factor[g, 0] * self.size[g, cols] / self.interval[g, cols]
        return np.repeat(mean[:, None], horizon, axis=1)


class TsbKernel:
    """TSB over an (α, β) grid (states z, p: (G, n))."""

    def __init__(self, y: np.ndarray, start: np.ndarray, init: np.ndarray,
                 alphas: tuple[float, ...], betas: tuple[float, ...]) -> None:
        a, b = (g.ravel() for g in np.meshgrid(alphas, betas, indexing="ij"))
        self.start, self.init = start, init
        self.first = _first_window(y, start, init)
        self.alpha, self.beta = grid_column(a), grid_column(b)
        self.grid_size = len(a)
        shape = (self.grid_size, len(y))
        self.size, self.prob = np.zeros(shape), np.zeros(shape)
        self.seen = np.zeros(len(y), dtype=bool)
        self.tmp = np.empty(shape)

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        return start + self.init

    def reset(self, rows: np.ndarray) -> None:
        count, total, hits, _ = (a[rows] for a in self.first)
        seen = hits > 0
        self.size[:, rows] = np.where(seen, total / np.maximum(hits, 1.0), 0.0)
        self.prob[:, rows] = hits / np.maximum(count, 1.0)
        self.seen[rows] = seen

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        np.multiply(self.prob, self.size, out=err)
        np.subtract(y_t, err, out=err)
        demand = y_t > 0
        hit = demand.astype(float)
        tmp = np.subtract(hit, self.prob, out=self.tmp)
        tmp *= self.beta
        self.prob += tmp
        np.subtract(y_t, self.size, out=tmp)
        tmp *= hit
        tmp *= self.alpha
        self.size += tmp
        first = np.flatnonzero(demand & ~self.seen)
        if len(first):
            self.size[:, first] = y_t[first]
            self.prob[:, first] = 1.0 / (t - self.start[first] + 1.0)
        self.seen |= demand

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        cols = np.arange(len(g))
        mean = self.prob[g, cols] * self.size[g, cols]
        return np.repeat(mean[:, None], horizon, axis=1)


def _first_window(y: np.ndarray, start: np.ndarray, init: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Over y[s : s+k]: periods, total, periods with demand, periods since the last demand.

    Without demand in the window, "since" is the window length (periods since the start).
    """
    count, total, hits = window_totals(y, start, init)
    t = np.arange(y.shape[1])[None, :]
    inside = (t >= start[:, None]) & (t < (start + init)[:, None]) & (y > 0)
    last = np.where(inside, t, -1).max(axis=1, initial=-1)
    since = np.where(hits > 0, start + count - 1 - last, count)
    return count, total, hits, since.astype(float)


def croston_sba(y: np.ndarray, horizon: int, alpha: Value = FIXED.sba_alpha,
                start: np.ndarray | None = None, init_periods: int = INIT_PERIODS
                ) -> np.ndarray:
    """(n, horizon) Croston-SBA forecast (a tuple ``alpha`` is searched per series)."""
    y, s = as_panel(y, start)
    init = init_window(s, y.shape[1], init_periods)
    return final_forecast(CrostonSbaKernel(y, s, init, as_grid(alpha)), y, s, horizon)


def tsb(y: np.ndarray, horizon: int, alpha: Value = FIXED.tsb_alpha,
        beta: Value = FIXED.tsb_beta, start: np.ndarray | None = None,
        init_periods: int = INIT_PERIODS) -> np.ndarray:
    """(n, horizon) TSB forecast (tuples ``alpha``, ``beta`` are searched per series)."""
    y, s = as_panel(y, start)
    init = init_window(s, y.shape[1], init_periods)
    return final_forecast(TsbKernel(y, s, init, as_grid(alpha), as_grid(beta)), y, s, horizon)
