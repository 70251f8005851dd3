r"""Exponential smoothing: simple (SES), Holt's damped trend, additive Holt-Winters.

Notation (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed. (FPP3),
ch. 8, error-correction form of the ETS models, sec. 8.5): y_t demand in period t (units),
ℓ_t level (units), b_t trend (units/period), s_t seasonal term (units), m season length
(periods), e_t = y_t − ŷ_{t|t−1} the one-step error, α, β, γ smoothing parameters, φ damping.

- SES (FPP3 eq. 8.1–8.3, ETS(A,N,N)): ŷ_{t+h|t} = ℓ_t;  ℓ_t = ℓ_{t−1} + α e_t.
- Holt damped (FPP3 sec. 8.2, ETS(A,Ad,N)): ŷ_{t+h|t} = ℓ_t + (φ + φ² + … + φ^h) b_t;
  ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t;  b_t = φ b_{t−1} + β e_t, with β = α β* (β* is the
  trend parameter of FPP3's component form).
- Additive Holt-Winters (FPP3 sec. 8.3, damped trend, ETS(A,Ad,A)):
  ŷ_{t+h|t} = ℓ_t + (φ + … + φ^h) b_t + s_{t+h−m(k+1)}, k = ⌊(h−1)/m⌋;
  ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t;  b_t = φ b_{t−1} + β e_t;  s_t = s_{t−m} + γ e_t.
  φ = 1 gives the classic (undamped) additive method.

Initial states are heuristic (FPP3 estimates them by likelihood; we do not): SES and Holt
take ℓ = the mean of the series' first k periods (k = ``INIT_PERIODS`` = 8, fewer when the
history before the first holdout origin is shorter) and b = 0, and errors count from period
s + k; Holt-Winters takes its first full season, ℓ = mean(y_s..y_{s+m−1}), b = 0,
s_j = y_j − ℓ there, and errors count from s + m. Seasonal terms are stored by calendar
phase t mod m, so series that start in different periods stay aligned.

Parameters are fixed or searched per series (``parameters``): pass one value to fix a
parameter, a tuple to search it.

>>> y = np.array([[10.0, 12.0, 11.0, 13.0]])
>>> ses(y, 2, alpha=0.5, init_periods=1)   # ℓ: 10 -> 11 -> 11 -> 12
array([[12., 12.]])
"""

from __future__ import annotations

import numpy as np

from app.engine.forecasting.core import (
    INIT_PERIODS,
    Emit,
    Recursion,
    as_panel,
    grid_column,
    init_window,
    run_recursion,
    window_totals,
)
from app.engine.forecasting.parameters import FIXED, as_grid


def damped_sums(phi: np.ndarray, horizon: int) -> np.ndarray:
    """(len(phi), horizon) array of φ + φ² + … + φ^h for h = 1..horizon."""
    powers = np.asarray(phi, dtype=float)[:, None] ** np.arange(1, horizon + 1)[None, :]
    return np.cumsum(powers, axis=1)


def _window_mean(y: np.ndarray, start: np.ndarray, init: np.ndarray) -> np.ndarray:
    count, total, _ = window_totals(y, start, init)
    return total / np.maximum(count, 1.0)


class SesKernel:
    """SES over an α grid (state ℓ: (G, n)); the first ``init`` periods set ℓ."""

    def __init__(self, y: np.ndarray, start: np.ndarray, init: np.ndarray,
                 alphas: tuple[float, ...]) -> None:
        self.init = init
        self.first_mean = _window_mean(y, start, init)
        self.alpha = grid_column(alphas)
        self.grid_size = len(alphas)
        self.level = np.zeros((self.grid_size, len(y)))
        self.tmp = np.empty_like(self.level)

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        return start + self.init

    def reset(self, rows: np.ndarray) -> None:
        self.level[:, rows] = self.first_mean[rows]

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        np.subtract(y_t, self.level, out=err)
        self.level += np.multiply(self.alpha, err, out=self.tmp)

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        level = self.level[g, np.arange(len(g))]
        return np.repeat(level[:, None], horizon, axis=1)


class HoltKernel:
    """Holt's damped trend over an (α, β*, φ) grid (states ℓ, b: (G, n))."""

    def __init__(self, y: np.ndarray, start: np.ndarray, init: np.ndarray,
                 alphas: tuple[float, ...], beta_stars: tuple[float, ...],
                 phis: tuple[float, ...]) -> None:
        a, bs, p = (g.ravel() for g in np.meshgrid(alphas, beta_stars, phis, indexing="ij"))
        self.init = init
        self.first_mean = _window_mean(y, start, init)
        self.alpha, self.beta, self.phi = grid_column(a), grid_column(a * bs), grid_column(p)
        self.grid_size = len(a)
        shape = (self.grid_size, len(y))
        self.level, self.trend = np.zeros(shape), np.zeros(shape)
        self.tmp, self.tmp2 = np.empty(shape), np.empty(shape)

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        return start + self.init

    def reset(self, rows: np.ndarray) -> None:
        self.level[:, rows] = self.first_mean[rows]
        self.trend[:, rows] = 0.0

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        damped = np.multiply(self.phi, self.trend, out=self.tmp)     # φ b_{t−1}
        self.level += damped                                          # ℓ_{t−1} + φ b_{t−1}
        np.subtract(y_t, self.level, out=err)
        self.level += np.multiply(self.alpha, err, out=self.tmp2)
        np.multiply(self.beta, err, out=self.trend)
        self.trend += damped

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        cols = np.arange(len(g))
        sums = damped_sums(self.phi[g, 0], horizon)
        return self.level[g, cols][:, None] + sums * self.trend[g, cols][:, None]


class HoltWintersKernel:
    """Additive damped Holt-Winters over an (α, β*, γ, φ) grid; seasonal state (m, G, n)."""

    def __init__(self, y: np.ndarray, start: np.ndarray, m: int, alphas: tuple[float, ...],
                 beta_stars: tuple[float, ...], gammas: tuple[float, ...],
                 phis: tuple[float, ...]) -> None:
        a, bs, c, p = (g.ravel() for g in np.meshgrid(alphas, beta_stars, gammas, phis,
                                                       indexing="ij"))
        self.y, self.start, self.m = y, start, m
        self.alpha, self.beta = grid_column(a), grid_column(a * bs)
        self.gamma, self.phi = grid_column(c), grid_column(p)
        self.grid_size = len(a)
        shape = (self.grid_size, len(y))
        self.level, self.trend = np.zeros(shape), np.zeros(shape)
        self.season = np.zeros((m, *shape))
        self.tmp, self.tmp2 = np.empty(shape), np.empty(shape)

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        return start + self.m

    def reset(self, rows: np.ndarray) -> None:
        offsets = self.start[rows, None] + np.arange(self.m)[None, :]   # (r, m)
        first = self.y[rows[:, None], offsets]
        level = first.mean(axis=1)
        self.level[:, rows] = level
        self.trend[:, rows] = 0.0
        # advanced indices around a slice: the indexed shape is (r, m, G)
        self.season[offsets % self.m, :, rows[:, None]] = (first - level[:, None])[:, :, None]

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        seasonal = self.season[t % self.m]                            # s_{t−m}, a view
        damped = np.multiply(self.phi, self.trend, out=self.tmp)
        self.level += damped
        np.subtract(y_t, self.level, out=err)
        err -= seasonal
        self.level += np.multiply(self.alpha, err, out=self.tmp2)
        np.multiply(self.beta, err, out=self.trend)
        self.trend += damped
        seasonal += np.multiply(self.gamma, err, out=self.tmp2)

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        cols = np.arange(len(g))
        sums = damped_sums(self.phi[g, 0], horizon)
        phases = (t + np.arange(horizon)) % self.m
        seasonal = self.season[phases[:, None], g[None, :], cols[None, :]].T   # (n, h)
        return self.level[g, cols][:, None] + sums * self.trend[g, cols][:, None] + seasonal


def final_forecast(kernel: Recursion, y: np.ndarray, start: np.ndarray, horizon: int
                   ) -> np.ndarray:
    """(n, horizon) forecast from the end of the history (parameters chosen on all of it).

    NaN for series whose history is too short to initialise the method.
    """
    periods = y.shape[1]
    fc = run_recursion(kernel, y, start, [Emit(periods, horizon)], periods).forecasts[0]
    fc[kernel.restart_time(start) > periods] = np.nan
    return fc


Value = float | tuple[float, ...]


def ses(y: np.ndarray, horizon: int, alpha: Value = FIXED.ses_alpha,
        start: np.ndarray | None = None, init_periods: int = INIT_PERIODS) -> np.ndarray:
    """(n, horizon) SES forecast (a tuple ``alpha`` is searched per series)."""
    y, s = as_panel(y, start)
    init = init_window(s, y.shape[1], init_periods)
    return final_forecast(SesKernel(y, s, init, as_grid(alpha)), y, s, horizon)


def holt_damped(y: np.ndarray, horizon: int, alpha: Value = FIXED.holt_alpha,
                beta_star: Value = FIXED.holt_beta_star, phi: Value = FIXED.holt_phi,
                start: np.ndarray | None = None, init_periods: int = INIT_PERIODS
                ) -> np.ndarray:
    """(n, horizon) Holt damped-trend forecast (tuples are searched per series)."""
    y, s = as_panel(y, start)
    init = init_window(s, y.shape[1], init_periods)
    kernel = HoltKernel(y, s, init, as_grid(alpha), as_grid(beta_star), as_grid(phi))
    return final_forecast(kernel, y, s, horizon)


def holt_winters(y: np.ndarray, m: int, horizon: int, alpha: Value = FIXED.hw_alpha,
                 beta_star: Value = FIXED.hw_beta_star, gamma: Value = FIXED.hw_gamma,
                 phi: Value = FIXED.hw_phi, start: np.ndarray | None = None) -> np.ndarray:
    """(n, horizon) additive Holt-Winters forecast; each series needs ≥ m periods."""
    y, s = as_panel(y, start)
    if not 2 <= m <= y.shape[1]:
        raise ValueError("Holt-Winters needs 2 <= m <= number of periods")
    kernel = HoltWintersKernel(y, s, m, as_grid(alpha), as_grid(beta_star), as_grid(gamma),
                               as_grid(phi))
    return final_forecast(kernel, y, s, horizon)
