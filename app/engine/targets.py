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

from app.engine.calendar import date_stamps

#: The fixed keys of each dimension (columns are stable whatever the data holds).
PART_CLASSES = ("FG", "WIP", "RM")
ABC_CLASSES = ("A", "B", "C")
DIMENSION_KEYS: dict[str, tuple[str, ...]] = {"part_class": PART_CLASSES, "abc": ABC_CLASSES}

TargetKey = tuple[str, str, str]


def _text(values: pd.Series) -> np.ndarray:
    """``values.astype(str)`` as an object array (missing stays missing)."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # already all text
        return values.to_numpy(dtype=object)
    return values.astype(str).to_numpy(dtype=object)


class TargetTable:
    """Every (measure, dimension, key) target as a value per plan period."""

    def __init__(self, targets: pd.DataFrame | None, periods: pd.DatetimeIndex) -> None:
        self.horizon = len(periods)
        self._series: dict[TargetKey, np.ndarray] = {}
        if targets is None or len(targets) == 0:
            return
        measure, dimension, key = (_text(targets[c]) for c in ("measure", "dimension", "key"))
        key = np.where(dimension == "total", "total", key)
        period = date_stamps(targets["period"])
        value = pd.to_numeric(targets["value"], errors="coerce").to_numpy(dtype=float)
        named = ~(pd.isna(measure) | pd.isna(dimension) | pd.isna(key))  # else no group
        measure, dimension, key = measure[named], dimension[named], key[named]
        period, value = period[named], value[named]
        # rows by (measure, dimension, key), then by date (stable: the later row of the same
        # date wins); a series per group from its dated values
        group = np.zeros(len(period), dtype=np.int64)
        for part in (measure, dimension, key):
            codes, names = pd.factorize(part)
            group = group * len(names) + codes
        order = np.lexsort((period, group))
        group, period, value = group[order], period[order], value[order]
        last = np.ones(len(group), dtype=bool)  # the last row of each (group, date)
        last[:-1] = (group[1:] != group[:-1]) | (period[1:] != period[:-1])
        keep = order[last]
        group, period, value = group[last], period[last], value[last]
        bounds = np.flatnonzero(np.diff(group, prepend=-1, append=-1))
        starts = pd.DatetimeIndex(periods).as_unit("ns").asi8
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            name = (measure[keep[a]], dimension[keep[a]], key[keep[a]])
            idx = np.searchsorted(period[a:b], starts, side="right") - 1
            self._series[name] = np.where(idx >= 0, value[a:b][np.maximum(idx, 0)], np.nan)

    def series(self, measure: str, dimension: str = "total", key: str = "total") -> np.ndarray:
        """The target per period, (H,), NaN where none applies."""
        found = self._series.get((measure, dimension, key))
        return found.copy() if found is not None else np.full(self.horizon, np.nan)

    def by_key(self, measure: str) -> dict[str, np.ndarray]:
        """key -> target series for every part-class and ABC key."""
        return {key: self.series(measure, dim, key)
                for dim, keys in DIMENSION_KEYS.items() for key in keys}
