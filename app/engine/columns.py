"""Per-row values of a table's column as plain numpy arrays, missing values filled.

Both skip pandas' own missing-value pass where numpy does it directly (a column read per
SKU and plan costs a few tens of microseconds in pandas, most of it fixed overhead).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def column_values(frame: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    """``frame[name]`` as floats, missing values as ``default`` (all ``default`` when the
    column is absent)."""
    if name not in frame.columns:
        return np.full(len(frame), default)
    values = frame[name]
    if values.dtype == np.float64:  # (no pandas pass looking for missing values first)
        values = values.to_numpy()
        return np.where(np.isnan(values), default, values)
    return values.to_numpy(dtype=float, na_value=default)


def text_values(frame: pd.DataFrame, name: str, default: str) -> np.ndarray:
    """``frame[name]`` as an object array, missing values as ``default`` (all ``default``
    when the column is absent)."""
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    values = frame[name].to_numpy(dtype=object)
    return np.where(pd.isna(values), default, values)
