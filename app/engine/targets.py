"""Plan targets per period, and sums of SKU x period arrays by a SKU attribute.

A target row (measure, dimension, key, period, value) holds from its date until the next
target date of the same (measure, dimension, key): plan period t takes the value of the latest
target dated on or before the period's first day, and NaN before the first target date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

#: The fixed keys of each dimension (columns are stable whatever the data holds).
PART_CLASSES = ("FG", "WIP", "RM")
ABC_CLASSES = ("A", "B", "C")
DIMENSION_KEYS: dict[str, tuple[str, ...]] = {"part_class": PART_CLASSES, "abc": ABC_CLASSES}


def target_series(targets: pd.DataFrame | None, measure: str, dimension: str, key: str,
                  periods: pd.DatetimeIndex) -> np.ndarray:
    """The target of (measure, dimension, key) in each plan period, (H,), NaN where none.

    For ``dimension == "total"`` the key is ignored (the contract writes "total").
    """
    horizon = len(periods)
    if targets is None or len(targets) == 0:
        return np.full(horizon, np.nan)
    mask = (targets["measure"] == measure) & (targets["dimension"] == dimension)
    if dimension != "total":
        mask &= targets["key"].astype(str) == key
    rows = targets.loc[mask, ["period", "value"]]
    if rows.empty:
        return np.full(horizon, np.nan)
    rows = rows.assign(period=pd.to_datetime(rows["period"])).sort_values("period", kind="stable")
    rows = rows.drop_duplicates("period", keep="last")
    dates = pd.DatetimeIndex(rows["period"]).as_unit("ns").asi8
    values = rows["value"].to_numpy(dtype=float)
    idx = np.searchsorted(dates, pd.DatetimeIndex(periods).as_unit("ns").asi8, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)


def group_codes(labels: pd.Series | np.ndarray, keys: tuple[str, ...] | list[str]
                ) -> np.ndarray:
    """Index of each SKU's label in ``keys`` (int, (n,)); -1 where not one of them."""
    return pd.Index(list(keys), dtype=object).get_indexer(
        pd.Series(labels, dtype=object).fillna("").astype(str).to_numpy(dtype=object))


def group_sum(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """``out[g, t] = Σ_{i: codes[i] = g} values[i, t]`` (k x H); rows with code -1 are left out.

    A sparse (k x n) indicator times the (n x H) array: one pass, any number of groups.
    """
    keep = codes >= 0
    rows = codes[keep]
    cols = np.flatnonzero(keep)
    indicator = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                  shape=(n_groups, len(codes)))
    return np.asarray(indicator @ values).reshape(n_groups, values.shape[1])
