"""Independent (customer) demand per SKU and planning period.

Two sources, SKU by SKU:

1. an imported forecast (forecast.csv): its quantities, bucketed into the planning periods;
2. otherwise, from demand history, the moving average of the last ``window`` periods before
   the plan start: ``d = (1 / w) * Σ_{k=1..w} history[start - k]`` units per period, flat
   over the horizon (periods without a history row count as zero demand; w shrinks to the
   periods since the SKU's first history row when that is shorter).

The moving average is the planning engine's own forecast; the SKU-level method selection of
the inventory-optimization work replaces it where it lands.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar, period_starts

MOVING_AVERAGE_PERIODS = 13


def bucket_quantities(calendar: Calendar, rows: np.ndarray, dates: pd.Series,
                      quantities: np.ndarray, n: int, past_due_to_first: bool) -> np.ndarray:
    """Sum quantities into an (n, H) array by SKU row and period.

    Rows with SKU -1 are skipped; dates after the horizon are dropped; dates before it go to
    period 0 when ``past_due_to_first`` (else they are dropped).
    """
    h = calendar.horizon
    out = np.zeros((n, h))
    if len(rows) == 0 or h == 0:
        return out
    period = calendar.bucket(dates)
    if past_due_to_first:
        period = np.where(period < 0, 0, period)
    keep = (rows >= 0) & (period >= 0) & (period < h)
    np.add.at(out, (rows[keep], period[keep]), np.asarray(quantities, dtype=float)[keep])
    return out


def moving_average_demand(calendar: Calendar, history_rows: np.ndarray,
                          history_dates: pd.Series, quantities: np.ndarray, n: int,
                          window: int = MOVING_AVERAGE_PERIODS) -> np.ndarray:
    """Per-SKU average demand per period over the last ``window`` periods before the start."""
    mean = np.zeros(n)
    if len(history_rows) == 0:
        return mean
    back = Calendar(calendar.period, _back_start(calendar, window), window)
    period = back.bucket(history_dates)
    inside = (history_rows >= 0) & (period >= 0) & (period < window)
    totals = np.zeros(n)
    np.add.at(totals, history_rows[inside], np.asarray(quantities, dtype=float)[inside])
    first = np.full(n, window)
    valid = history_rows >= 0
    np.minimum.at(first, history_rows[valid], np.clip(period[valid], 0, window))
    periods = np.maximum(window - first, 1)
    mean = totals / periods
    return mean


def _back_start(calendar: Calendar, window: int) -> pd.Timestamp:
    if calendar.period == "month":
        return calendar.start - pd.DateOffset(months=window)
    return period_starts(calendar.period, calendar.start, 1)[0] - pd.Timedelta(
        days=calendar.days_per_period * window)


def independent_demand(calendar: Calendar, n: int, forecast_rows: np.ndarray,
                       forecast: pd.DataFrame, history_rows: np.ndarray,
                       history: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(n, H) customer demand and a per-SKU source code (0 none, 1 imported, 2 history)."""
    h = calendar.horizon
    imported = bucket_quantities(calendar, forecast_rows, forecast["period"],
                                 forecast["quantity"].to_numpy(dtype=float), n, False)
    has_import = np.zeros(n, dtype=bool)
    has_import[forecast_rows[forecast_rows >= 0]] = True
    mean = moving_average_demand(calendar, history_rows, history["period"],
                                 history["quantity"].to_numpy(dtype=float), n)
    has_history = np.zeros(n, dtype=bool)
    has_history[history_rows[history_rows >= 0]] = True
    demand = np.where(has_import[:, None], imported, np.repeat(mean[:, None], h, axis=1))
    source = np.where(has_import, 1, np.where(has_history, 2, 0))
    return demand, source
