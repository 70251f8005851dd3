"""Contract tables as pandas DataFrames in one canonical form.

Every frame that leaves ``app.models`` (a scenario read, a validated import, the demo data) has
exactly the contract's columns, in contract order, with these dtypes:

========  ==========================================  ==============
kind      dtype                                       missing value
========  ==========================================  ==============
text      object (Python ``str``)                     None
choice    object (Python ``str``)                     None
float     float64                                     NaN
int       Int64 (pandas nullable integer)             <NA>
date      datetime64[ns]                              NaT
bool      boolean (pandas nullable boolean)           <NA>
========  ==========================================  ==============

Rows keep no particular index (a RangeIndex); ``sort_by_key`` orders them by the table key.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from app.models.contract import TABLES, Column, Table

DATE_DTYPE = "datetime64[ns]"

TableFrames = dict[str, pd.DataFrame]


def _as_kind(column: Column, series: pd.Series) -> pd.Series:
    kind = column.kind
    if kind in ("text", "choice"):
        values = series.astype(object)
        mask = values.isna()
        if mask.any():
            values = values.where(~mask, None)
        return values
    if kind == "float":
        return pd.to_numeric(series, errors="raise").astype("float64")
    if kind == "int":
        return pd.to_numeric(series, errors="raise").astype("Int64")
    if kind == "date":
        return pd.to_datetime(series).astype(DATE_DTYPE)
    if kind == "bool":
        return series.astype("boolean")
    raise AssertionError(kind)  # pragma: no cover


def coerce_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in canonical form: contract columns and dtypes, defaults for absent optionals.

    Raises KeyError for a missing required column and ValueError for an unknown one; values are
    converted, not validated (use ``app.models.validate`` for user data).
    """
    unknown = [c for c in frame.columns if not table.has_column(str(c))]
    if unknown:
        raise ValueError(f"{table.name}: unknown columns {unknown}")
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for column in table.columns:
        if column.name in frame.columns:
            series = frame[column.name].reset_index(drop=True)
        elif column.required:
            raise KeyError(f"{table.name}: missing required column {column.name}")
        else:
            series = pd.Series([column.default] * n, dtype=object)
        out[column.name] = coerce_column(column, series)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def coerce_column(column: Column, series: pd.Series) -> pd.Series:
    """One column's values in canonical form: the column's default where a value is
    missing (optional columns), then the dtype of its kind."""
    if not column.required and column.default is not None:
        series = series.where(series.notna(), column.default)
    return _as_kind(column, series)


def empty_frame(table: Table) -> pd.DataFrame:
    """A canonical frame of ``table`` with no rows."""
    return coerce_frame(table, pd.DataFrame({c.name: [] for c in table.columns}))


def empty_frames() -> TableFrames:
    """Canonical empty frames for every contract table."""
    return {t.name: empty_frame(t) for t in TABLES}


def sort_by_key(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by the table key (stable), with a fresh RangeIndex."""
    return frame.sort_values(list(table.key), kind="stable").reset_index(drop=True)


def frames_equal(a: Mapping[str, pd.DataFrame], b: Mapping[str, pd.DataFrame]) -> list[str]:
    """Names of the tables whose content differs between two sets of canonical frames.

    Row order does not matter (rows are compared sorted by key); dtypes and values do.
    """
    different: list[str] = []
    for t in TABLES:
        left = sort_by_key(t, a[t.name])
        right = sort_by_key(t, b[t.name])
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=True)
        except AssertionError:
            different.append(t.name)
    return different


def key_tuples(table: Table, frame: pd.DataFrame) -> pd.Series:
    """One hashable key per row (a tuple of the key columns, dates as ISO strings)."""
    parts = []
    for name in table.key:
        col = frame[name]
        if table.column(name).kind == "date":
            col = col.dt.strftime("%Y-%m-%d")
        parts.append(col.to_numpy(dtype=object))
    if not parts[0].size:
        return pd.Series([], dtype=object)
    return pd.Series(list(zip(*parts, strict=True)), dtype=object)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
