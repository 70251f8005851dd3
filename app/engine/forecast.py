"""Independent (customer) demand per SKU and planning period.

Two sources, SKU by SKU:

1. an imported forecast (forecast.csv): its quantities, bucketed into the planning periods
   (its ``std`` column, when given, is the forecast error sigma);
2. otherwise, from demand history bucketed into planning periods up to the plan start, the
   statistical forecast of ``app.engine.forecasting``: a method chosen per SKU by
   rolling-origin holdout (SES, Holt damped, Holt-Winters, Croston-SBA, TSB, moving
   average...), with its out-of-sample error sigma per period. Periods without a history row
   count as zero demand; a SKU's history starts at its first row.

``moving_average_demand`` (the mean of the last 13 periods) stays available as the simple
reference method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar, period_starts
from app.engine.classification import demand_moments
from app.engine.forecasting import forecast_skus

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


@dataclass(frozen=True)
class DemandForecast:
    """Customer demand per demand-facing SKU (k of them, keyed by item and site), (k, H).

    ``source`` per SKU: 1 imported forecast, 2 moving average of history. It depends only on
    the history, the forecast table and the calendar, so a session computes it once per
    version of those and hands it to every recompute (``PlanInput.demand``).
    """

    item_id: np.ndarray
    site_id: np.ndarray
    per_period: np.ndarray
    source: np.ndarray
    #: per SKU, over history rows with ``shipped`` known: Σ min(shipped, quantity), Σ quantity
    filled: np.ndarray
    shipped_quantity: np.ndarray
    #: per SKU: forecast error sigma per period (units; NaN when unknown), the method name
    sigma: np.ndarray | None = None
    method: np.ndarray | None = None
    #: per SKU: mean and population standard deviation of its history per planning period
    #: from its first period (NaN with no history), for XYZ
    history_mean: np.ndarray | None = None
    history_std: np.ndarray | None = None
    #: per SKU: the chosen statistical method's rolling-origin holdout MASE and bias (mean
    #: forecast minus actual, units per period); NaN for imported forecasts and no history
    mase: np.ndarray | None = None
    bias: np.ndarray | None = None


def _sku_keys(frames: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Unique (item, site) pairs over the frames, and each frame's row -> pair number."""
    both = pd.concat([f[["item_id", "site_id"]] for f in frames], ignore_index=True)
    codes = both.groupby(["item_id", "site_id"], sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    split = np.cumsum([len(f) for f in frames])[:-1]
    return (both["item_id"].to_numpy(dtype=object)[first],
            both["site_id"].to_numpy(dtype=object)[first], np.split(codes, split))


def demand_forecast(calendar: Calendar, history: pd.DataFrame, forecast: pd.DataFrame
                    ) -> DemandForecast:
    """The imported forecast where a SKU has one, else the statistical one from its history."""
    items, sites, (history_rows, forecast_rows) = _sku_keys([history, forecast])
    k = len(items)
    imported = bucket_quantities(calendar, forecast_rows, forecast["period"],
                                 forecast["quantity"].to_numpy(dtype=float), k, False)
    has_import = np.zeros(k, dtype=bool)
    has_import[forecast_rows] = True
    statistical, sigma, method, moments, errors = _statistical(calendar, history_rows,
                                                               history, k)
    demand = np.where(has_import[:, None], imported, statistical)
    if "std" in forecast and len(forecast):
        std = forecast["std"].to_numpy(dtype=float, na_value=np.nan)
        given = ~np.isnan(std)
        if given.any():  # the imported error sigma: mean over the SKU's rows
            total = np.bincount(forecast_rows[given], weights=std[given], minlength=k)
            count = np.bincount(forecast_rows[given], minlength=k)
            with np.errstate(invalid="ignore", divide="ignore"):
                sigma = np.where(count > 0, total / count, sigma)
    method = np.where(has_import, "imported", method)
    quantity = history["quantity"].to_numpy(dtype=float)
    shipped = (history["shipped"].to_numpy(dtype=float, na_value=np.nan)
               if "shipped" in history else np.full(len(history), np.nan))
    known = ~np.isnan(shipped)
    filled = np.bincount(history_rows[known], minlength=k,
                         weights=np.clip(shipped[known], 0.0, np.maximum(quantity[known], 0.0)))
    shipped_quantity = np.bincount(history_rows[known], weights=np.maximum(quantity[known], 0.0),
                                   minlength=k)
    return DemandForecast(items, sites, demand, np.where(has_import, 1, 2), filled,
                          shipped_quantity, sigma, method, *moments,
                          *(np.where(has_import, np.nan, e) for e in errors))


SEASON_LENGTH = {"day": 7, "week": 52, "month": 12}


def _statistical(calendar: Calendar, rows: np.ndarray, history: pd.DataFrame, k: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray],
                            tuple[np.ndarray, np.ndarray]]:
    """Per SKU key: (k, H) statistical forecast, sigma per period, the chosen method, the
    history's (mean, standard deviation) per period and the method's holdout (MASE, bias)."""
    h = calendar.horizon
    if k == 0 or not len(history):
        nan = np.full(k, np.nan)
        return (np.zeros((k, h)), nan, np.full(k, "none", dtype=object), (nan, nan),
                (nan, nan))
    first = pd.Timestamp(history["period"].min())
    back = _periods_between(calendar, first)
    past = Calendar(calendar.period, _back_start(calendar, back), back)
    t = past.bucket(history["period"])
    inside = (t >= 0) & (t < back)
    panel = np.zeros((k, back))
    np.add.at(panel, (rows[inside], t[inside]),
              history["quantity"].to_numpy(dtype=float)[inside])
    start = np.full(k, back, dtype=np.int64)
    np.minimum.at(start, rows[inside], t[inside])
    start = np.minimum(start, back - 1)
    result = forecast_skus(panel, horizon=max(h, 1), season_length=SEASON_LENGTH.get(
        calendar.period, 1), start=start)
    mean, std = demand_moments(panel, start)
    none = np.bincount(rows[inside], minlength=k) == 0
    mean[none], std[none] = np.nan, np.nan
    return (result.forecast[:, :h], result.sigma, result.method.astype(object), (mean, std),
            (result.mase, result.bias))


def _periods_between(calendar: Calendar, first: pd.Timestamp) -> int:
    """Whole planning periods from ``first`` up to the plan start (at least 1)."""
    if calendar.period == "month":
        months = (calendar.start.year - first.year) * 12 + calendar.start.month - first.month
        return max(int(months), 1)
    days = (calendar.start - first.normalize()).days
    return max(int(np.ceil(days / calendar.days_per_period)), 1)
