"""Shared machinery of the forecasters: emits, fits and the recursion driver.

Every method sees the whole panel at once: ``y`` is an (n, T) array of demand per SKU and
period (units per period; periods before a SKU's ``start`` index are not data) and the
per-series recursions run over time only, vectorised over the n series and over a grid of
G smoothing-parameter sets (state arrays are (G, n)).

One pass over time serves every forecast origin. Because a recursive method's state at time
o depends only on y[:, :o], the state reached when the pass arrives at an origin o *is* the
model fitted on the first o periods. The driver therefore records, at each requested
``Emit(time=o, horizon=h)``:

- the parameter set chosen per series by in-sample one-step squared error up to o,
  ``g*(o) = argmin_g Σ_{t=r..o-1} (y_t - ŷ_{t|t-1}(g))²`` (r: the series' restart time,
  where its state is initialised), and
- the h-step forecast from the state at o with that parameter set.

It also returns the one-step errors accumulated from ``stats_from`` (the first holdout
origin) to T with the parameter set chosen at ``stats_from`` — genuinely out-of-sample
one-step errors, used for the forecast-error sigma and bias (see ``selection``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: Periods (at most) whose data set a recursive method's initial state.
INIT_PERIODS = 8


@dataclass(frozen=True)
class Emit:
    """Request a forecast of ``horizon`` periods from origin ``time`` (after y[:, :time])."""

    time: int
    horizon: int


@dataclass(frozen=True)
class Fit:
    """A method's forecasts at each emit, and its out-of-sample one-step error sums.

    ``forecasts[k]`` is (n, emits[k].horizon), the mean forecast (not clipped);
    ``chosen[k]`` the grid index chosen per series at that emit. ``sse``/``se``/``count``
    are Σe², Σe and the number of one-step errors e_t = y_t - ŷ_{t|t-1} for t in
    [stats_from, T) (from the restart time when that is later).
    """

    forecasts: list[np.ndarray]
    chosen: list[np.ndarray]
    sse: np.ndarray
    se: np.ndarray
    count: np.ndarray


class Recursion(Protocol):
    """A recursive method over a parameter grid, state arrays of shape (G, n)."""

    grid_size: int

    def restart_time(self, start: np.ndarray) -> np.ndarray:
        """Per series, the period at which its state is initialised (errors count from it)."""
        ...

    def reset(self, rows: np.ndarray) -> None:
        """Initialise the state of ``rows`` (their restart time is the current period)."""
        ...

    def step(self, t: int, y_t: np.ndarray, err: np.ndarray) -> None:
        """Write the one-step errors y_t - ŷ_{t|t-1} into ``err`` (G, n); update the state."""
        ...

    def forecast(self, t: int, g: np.ndarray, horizon: int) -> np.ndarray:
        """(n, horizon) forecast from the current state (origin t), grid index g per series."""
        ...


def as_panel(y: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Validate and return (y as float (n, T), start as int (n,) clipped to [0, T])."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 2:
        raise ValueError("history must be a 2-D (series, periods) array")
    if not np.isfinite(y).all():
        raise ValueError("history must be finite (use 0 for periods without demand)")
    n, t = y.shape
    if start is None:
        s = np.zeros(n, dtype=np.int64)
    else:
        s = np.asarray(start, dtype=np.int64).reshape(-1)
        if len(s) != n:
            raise ValueError("start must have one entry per series")
        s = np.clip(s, 0, t)
    return y, s


def run_recursion(kernel: Recursion, y: np.ndarray, start: np.ndarray, emits: list[Emit],
                  stats_from: int) -> Fit:
    """Drive ``kernel`` over y once, recording forecasts at ``emits`` (see module notes)."""
    n, periods = y.shape
    grid = kernel.grid_size
    restart = kernel.restart_time(start)
    restarts: dict[int, np.ndarray] = {}
    for time in np.unique(restart[restart <= periods]):
        restarts[int(time)] = np.flatnonzero(restart == time)
    emit_at: dict[int, list[int]] = {}
    for k, emit in enumerate(emits):
        emit_at.setdefault(emit.time, []).append(k)
    forecasts: list[np.ndarray] = [np.empty(0)] * len(emits)
    chosen: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(emits)
    sse = np.zeros((grid, n))
    se = np.zeros((grid, n))
    err = np.empty((grid, n))
    sq = np.empty((grid, n))
    snap_sse = np.zeros((grid, n))
    snap_se = np.zeros((grid, n))
    for t in range(periods + 1):
        rows = restarts.get(t)
        if rows is not None:
            kernel.reset(rows)
            sse[:, rows] = 0.0
            se[:, rows] = 0.0
        if t == stats_from:
            snap_sse[:] = sse
            snap_se[:] = se
        for k in emit_at.get(t, ()):
            g = np.argmin(sse, axis=0)
            chosen[k] = g
            forecasts[k] = kernel.forecast(t, g, emits[k].horizon)
        if t == periods:
            break
        kernel.step(t, y[:, t], err)
        np.multiply(err, err, out=sq)
        sse += sq
        se += err
    g1 = np.argmin(snap_sse, axis=0) if stats_from <= periods else np.zeros(n, dtype=np.int64)
    cols = np.arange(n)
    late = restart > stats_from  # snapshot taken before their reset: count from restart
    base_sse = np.where(late, 0.0, snap_sse[g1, cols])
    base_se = np.where(late, 0.0, snap_se[g1, cols])
    count = np.clip(periods - np.maximum(restart, stats_from), 0, None)
    return Fit(forecasts, chosen, sse[g1, cols] - base_sse, se[g1, cols] - base_se,
               count.astype(float))


def init_window(start: np.ndarray, first_origin: int, periods: int) -> np.ndarray:
    """Periods k per series that initial states average: min(periods, first_origin − s), ≥ 1.

    Initial states use only data before the first holdout origin, so one pass over time
    serves every origin without looking ahead.
    """
    return np.clip(first_origin - start, 1, max(periods, 1)).astype(np.int64)


def window_totals(y: np.ndarray, start: np.ndarray, k: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per series over y[s : s+k]: (periods inside the data, sum, periods with demand > 0)."""
    n, periods = y.shape
    end = np.minimum(start + k, periods)
    cum = np.zeros((n, periods + 1))
    np.cumsum(y, axis=1, out=cum[:, 1:])
    hits = np.zeros((n, periods + 1))
    np.cumsum(y > 0, axis=1, out=hits[:, 1:])
    rows = np.arange(n)
    return ((end - start).astype(float), cum[rows, end] - cum[rows, start],
            hits[rows, end] - hits[rows, start])


def grid_column(values: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """A parameter grid as a (G, 1) column, to broadcast against (G, n) states."""
    return np.asarray(values, dtype=float).reshape(-1, 1)
