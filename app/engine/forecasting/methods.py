r"""Benchmark methods (naive, seasonal naive, moving average) and the method registry.

Notation as in FPP3 (Hyndman & Athanasopoulos, 3rd ed., sec. 5.2 "Some simple forecasting
methods"): y_t demand (units per period), m season length, s the series' first period.

- naive: ŷ_{T+h|T} = y_T.
- seasonal naive: ŷ_{T+h|T} = y_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋ (the same period last season).
- moving average of window w: ŷ_{T+h|T} = (1/w') Σ_{j=0..w'−1} y_{T−j}, w' = min(w, T−s+1)
  (a shorter history averages what it has). w is fixed (13) or chosen per series from a
  tuple of windows by in-sample one-step squared error, like the smoothing parameters.

``METHODS`` lists every method with the history it needs before the first holdout origin
and whether it serves smooth and/or intermittent series (see ``selection``).

>>> moving_average(np.array([[1.0, 2.0, 3.0, 6.0]]), 2, window=3)
array([[3.66666667, 3.66666667]])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.forecasting.core import (
    INIT_PERIODS,
    Emit,
    Fit,
    Recursion,
    as_panel,
    init_window,
    run_recursion,
)
from app.engine.forecasting.intermittent import CrostonSbaKernel, TsbKernel
from app.engine.forecasting.parameters import FIXED, Parameters
from app.engine.forecasting.smoothing import HoltKernel, HoltWintersKernel, SesKernel


def _lag_fit(y: np.ndarray, start: np.ndarray, lag: int, emits: list[Emit],
             stats_from: int) -> Fit:
    """Naive (lag 1) or seasonal naive (lag m): repeat the last ``lag`` observations."""
    n, periods = y.shape
    forecasts = []
    for emit in emits:
        k = np.arange(emit.horizon)
        cols = emit.time - lag + (k % lag)
        forecasts.append(y[:, np.clip(cols, 0, periods - 1)])
    t = np.arange(periods)[None, :]
    err = np.zeros_like(y)
    err[:, lag:] = y[:, lag:] - y[:, :-lag]
    counted = (t >= start[:, None] + lag) & (t >= stats_from)
    err = np.where(counted, err, 0.0)
    zeros = np.zeros(n, dtype=np.int64)
    return Fit(forecasts, [zeros] * len(emits), (err**2).sum(axis=1), err.sum(axis=1),
               counted.sum(axis=1).astype(float))


def _window_means(cum: np.ndarray, start: np.ndarray, time: np.ndarray, window: int
                  ) -> np.ndarray:
    """Mean of y[max(s, t-w) : t] per series for each t in ``time`` ((n, len(time)))."""
    lo = np.maximum(start[:, None], time[None, :] - window)
    width = np.maximum(time[None, :] - lo, 1)
    rows = np.arange(len(start))[:, None]
    return (cum[rows, time[None, :]] - cum[rows, lo]) / width


def moving_average_fit(y: np.ndarray, start: np.ndarray, emits: list[Emit],
                       stats_from: int, windows: tuple[int, ...] = FIXED.ma_window) -> Fit:
    """Moving average with the window chosen per series by one-step SSE (see module notes)."""
    n, periods = y.shape
    cum = np.zeros((n, periods + 1))
    np.cumsum(y, axis=1, out=cum[:, 1:])
    time = np.arange(periods)
    counted = time[None, :] >= start[:, None] + 1
    sse_to = np.zeros((len(windows), n, periods + 1))   # Σ e² over [s+1, t) per window
    se_to = np.zeros_like(sse_to)
    for i, w in enumerate(windows):
        err = np.where(counted, y - _window_means(cum, start, time, w), 0.0)
        np.cumsum(err**2, axis=1, out=sse_to[i, :, 1:])
        np.cumsum(err, axis=1, out=se_to[i, :, 1:])
    cols = np.arange(n)
    forecasts, chosen = [], []
    for emit in emits:
        g = np.argmin(sse_to[:, :, emit.time], axis=0)
        mean = np.zeros(n)
        for i, w in enumerate(windows):
            pick = g == i
            if pick.any():
                mean[pick] = _window_means(cum[pick], start[pick], np.array([emit.time]), w)[:, 0]
        forecasts.append(np.repeat(mean[:, None], emit.horizon, axis=1))
        chosen.append(g)
    frm = min(stats_from, periods)
    g1 = np.argmin(sse_to[:, :, frm], axis=0)
    sse = sse_to[g1, cols, periods] - sse_to[g1, cols, frm]
    se = se_to[g1, cols, periods] - se_to[g1, cols, frm]
    count = np.clip(periods - np.maximum(start + 1, frm), 0, None).astype(float)
    return Fit(forecasts, chosen, sse, se, count)


FitFunction = Callable[[np.ndarray, np.ndarray, int, list[Emit], int, Parameters], Fit]
KernelMaker = Callable[[np.ndarray, np.ndarray, np.ndarray, int, Parameters], Recursion]


@dataclass(frozen=True)
class Method:
    """A forecasting method as the selection sees it.

    ``fit(y, start, m, emits, stats_from, parameters)``; ``min_periods(m)``: periods of
    history a series needs before the first holdout origin; ``smooth``/``intermittent``:
    whether it is a candidate for that kind of series; ``seasonal``: whether it models a
    season (a candidate only for series that test seasonal).
    """

    name: str
    fit: FitFunction
    min_periods: Callable[[int], int]
    smooth: bool
    intermittent: bool
    seasonal: bool = False


def _recursive(make: KernelMaker) -> FitFunction:
    """Fit function of a recursive kernel; initial states from ≤ INIT_PERIODS periods."""
    def fit(y: np.ndarray, start: np.ndarray, m: int, emits: list[Emit], stats_from: int,
            p: Parameters) -> Fit:
        init = init_window(start, stats_from, INIT_PERIODS)
        return run_recursion(make(y, start, init, m, p), y, start, emits, stats_from)
    return fit


NEVER = 10**9

METHODS: tuple[Method, ...] = (
    Method("naive", lambda y, s, m, e, f, p: _lag_fit(y, s, 1, e, f), lambda m: 1,
           True, False),
    Method("seasonal_naive", lambda y, s, m, e, f, p: _lag_fit(y, s, m, e, f),
           lambda m: m if m >= 2 else NEVER, True, False, seasonal=True),
    Method("moving_average",
           lambda y, s, m, e, f, p: moving_average_fit(y, s, e, f, p.ma_window),
           lambda m: 1, True, True),
    Method("ses", _recursive(lambda y, s, k, m, p: SesKernel(y, s, k, p.ses_alpha)),
           lambda m: 2, True, True),
    Method("holt_damped", _recursive(lambda y, s, k, m, p: HoltKernel(
        y, s, k, p.holt_alpha, p.holt_beta_star, p.holt_phi)), lambda m: 6, True, False),
    Method("holt_winters", _recursive(lambda y, s, k, m, p: HoltWintersKernel(
        y, s, m, p.hw_alpha, p.hw_beta_star, p.hw_gamma, p.hw_phi)),
        lambda m: m + 4 if m >= 2 else NEVER, True, False, seasonal=True),
    Method("croston_sba", _recursive(
        lambda y, s, k, m, p: CrostonSbaKernel(y, s, k, p.sba_alpha)), lambda m: 2,
        False, True),
    Method("tsb", _recursive(
        lambda y, s, k, m, p: TsbKernel(y, s, k, p.tsb_alpha, p.tsb_beta)), lambda m: 2,
        False, True),
)
METHOD_NAMES: tuple[str, ...] = tuple(method.name for method in METHODS)
#: The candidates of the automatic selection: all but naive, which on real weekly demand
#: extrapolates one noisy period (with it, the UCI mean test RMSSE over four splits is
#: 0.795 instead of 0.789); pass ``methods=METHOD_NAMES`` to include it.
DEFAULT_CANDIDATES: tuple[str, ...] = tuple(n for n in METHOD_NAMES if n != "naive")


def _lagged(y: np.ndarray, s: np.ndarray, lag: int, horizon: int) -> np.ndarray:
    periods = y.shape[1]
    fc = _lag_fit(y, s, lag, [Emit(periods, horizon)], periods).forecasts[0]
    fc[periods - s < lag] = np.nan          # less than one lag of history
    return fc


def naive(y: np.ndarray, horizon: int, start: np.ndarray | None = None) -> np.ndarray:
    """(n, horizon) naive forecast: the last observation (NaN without history)."""
    y, s = as_panel(y, start)
    return _lagged(y, s, 1, horizon)


def seasonal_naive(y: np.ndarray, m: int, horizon: int, start: np.ndarray | None = None
                   ) -> np.ndarray:
    """(n, horizon) seasonal naive forecast: the same period of the last season.

    NaN for series with less than a season of history.
    """
    y, s = as_panel(y, start)
    if not 1 <= m <= y.shape[1]:
        raise ValueError("seasonal naive needs 1 <= m <= number of periods")
    return _lagged(y, s, m, horizon)


def moving_average(y: np.ndarray, horizon: int, window: int | tuple[int, ...] = 13,
                   start: np.ndarray | None = None) -> np.ndarray:
    """(n, horizon) moving-average forecast (a tuple of windows is searched per series)."""
    y, s = as_panel(y, start)
    windows = tuple(int(w) for w in window) if isinstance(window, tuple) else (int(window),)
    if min(windows, default=0) < 1:
        raise ValueError("moving-average windows must be >= 1")
    return moving_average_fit(y, s, [Emit(y.shape[1], horizon)], y.shape[1], windows
                              ).forecasts[0]
