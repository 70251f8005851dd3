"""Plan targets per period.

A target row (measure, dimension, key, period, value) holds from its date until the next
target date of the same (measure, dimension, key): plan period t takes the value of the latest
target dated on or before the period's first day, and NaN before the first target date (or
where there is no such target). Targets of dimension "total" are keyed "total" whatever their
key says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The fixed keys of each dimension (columns are stable whatever the data holds).
PART_CLASSES = ("FG", "WIP", "RM")
ABC_CLASSES = ("A", "B", "C")
DIMENSION_KEYS: dict[str, tuple[str, ...]] = {"part_class": PART_CLASSES, "abc": ABC_CLASSES}

TargetKey = tuple[str, str, str]


class TargetTable:
    """Every (measure, dimension, key) target as a value per plan period."""

    def __init__(self, targets: pd.DataFrame | None, periods: pd.DatetimeIndex) -> None:
        self.horizon = len(periods)
        self._series: dict[TargetKey, np.ndarray] = {}
        if targets is None or len(targets) == 0:
            return
        frame = pd.DataFrame({
            "measure": targets["measure"].astype(str).to_numpy(),
            "dimension": targets["dimension"].astype(str).to_numpy(),
            "key": targets["key"].astype(str).to_numpy(),
            "period": pd.DatetimeIndex(pd.to_datetime(targets["period"])).as_unit("ns").asi8,
            "value": pd.to_numeric(targets["value"], errors="coerce").to_numpy(dtype=float),
        })
        frame.loc[frame["dimension"] == "total", "key"] = "total"
        frame = frame.sort_values("period", kind="stable")
        starts = pd.DatetimeIndex(periods).as_unit("ns").asi8
        for name, rows in frame.groupby(["measure", "dimension", "key"], sort=False):
            rows = rows.drop_duplicates("period", keep="last")
            dates, values = rows["period"].to_numpy(), rows["value"].to_numpy()
            idx = np.searchsorted(dates, starts, side="right") - 1
            self._series[name] = np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)

    def series(self, measure: str, dimension: str = "total", key: str = "total") -> np.ndarray:
        """The target per period, (H,), NaN where none applies."""
        found = self._series.get((measure, dimension, key))
        return found.copy() if found is not None else np.full(self.horizon, np.nan)

    def by_key(self, measure: str) -> dict[str, np.ndarray]:
        """key -> target series for every part-class and ABC key."""
        return {key: self.series(measure, dim, key)
                for dim, keys in DIMENSION_KEYS.items() for key in keys}
