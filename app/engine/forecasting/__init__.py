"""SKU-level statistical forecasting, vectorised across SKUs (engine pipeline step 2).

``forecast_skus(history, horizon, season_length)`` picks a method per SKU by rolling-origin
holdout and returns its forecast and forecast-error sigma (``selection``). The methods are
also usable on their own: naive, seasonal naive, moving average (``methods``), SES, Holt
damped, additive Holt-Winters (``smoothing``), Croston-SBA and TSB (``intermittent``);
their parameters are fixed or searched per series (``parameters``).
"""

from app.engine.forecasting.intermittent import DemandProfile, croston_sba, demand_profile, tsb
from app.engine.forecasting.methods import (
    DEFAULT_CANDIDATES,
    METHOD_NAMES,
    moving_average,
    naive,
    seasonal_naive,
)
from app.engine.forecasting.metrics import mase, naive_scales, rmsse
from app.engine.forecasting.parameters import FIXED, SEARCH, Parameters
from app.engine.forecasting.selection import ForecastResult, forecast_skus, rolling_origins
from app.engine.forecasting.smoothing import holt_damped, holt_winters, ses

__all__ = [
    "DEFAULT_CANDIDATES",
    "FIXED",
    "METHOD_NAMES",
    "SEARCH",
    "DemandProfile",
    "ForecastResult",
    "Parameters",
    "croston_sba",
    "demand_profile",
    "forecast_skus",
    "holt_damped",
    "holt_winters",
    "mase",
    "moving_average",
    "naive",
    "naive_scales",
    "rmsse",
    "rolling_origins",
    "seasonal_naive",
    "ses",
    "tsb",
]
