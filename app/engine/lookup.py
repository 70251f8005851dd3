"""Small vectorised look-ups shared by the measures and the exceptions.

SKU rows of (item_id, site_id) pairs, plan periods of dates, numeric columns with defaults,
and sums of SKU x period arrays by a SKU attribute (a sparse indicator matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


def column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """``frame[name]`` as floats (unparseable -> NaN), or ``default`` where the column is absent."""
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def period_index(dates: pd.Series | np.ndarray, periods: pd.DatetimeIndex) -> np.ndarray:
    """Plan period of each date (ISO text or datetime): -1 before the horizon, H - 1 after."""
    stamps = pd.DatetimeIndex(pd.to_datetime(dates)).as_unit("ns").asi8
    starts = pd.DatetimeIndex(periods).as_unit("ns").asi8
    return np.searchsorted(starts, stamps, side="right").astype(np.int64) - 1


def sku_rows(skus: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Row of ``skus`` of each (item_id, site_id) in ``frame`` (int (m,)); -1 where unknown.

    Both key columns are factorised together and combined into one integer key, then
    looked up in a hash index (SKU keys are unique).
    """
    n = len(skus)
    if len(frame) == 0:
        return np.zeros(0, dtype=np.int64)
    items, _ = pd.factorize(pd.concat([skus["item_id"], frame["item_id"]], ignore_index=True)
                            .astype(str))
    sites, site_names = pd.factorize(
        pd.concat([skus["site_id"], frame["site_id"]], ignore_index=True).astype(str))
    key = items.astype(np.int64) * (len(site_names) + 1) + sites
    return pd.Index(key[:n]).get_indexer(key[n:]).astype(np.int64)


def group_codes(labels: pd.Series | np.ndarray | list, keys: tuple[str, ...] | list[str]
                ) -> np.ndarray:
    """Index of each SKU's label in ``keys`` (int (n,)); -1 where not one of them."""
    text = pd.Series(labels, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
    return pd.Index(list(keys), dtype=object).get_indexer(text).astype(np.int64)


def group_matrix(codes: np.ndarray, n_groups: int) -> sparse.csc_matrix:
    """The (k x n) indicator ``M[g, i] = 1`` where ``codes[i] = g`` (codes -1 left out).

    ``M @ A`` sums the rows of an (n x H) array by group: ``out[g, t] = Σ_{i in g} A[i, t]``.
    Column slices ``M[:, lo:hi]`` are cheap (CSC), for block-wise sums.
    """
    keep = codes >= 0
    return sparse.csc_matrix((np.ones(int(keep.sum())), (codes[keep], np.flatnonzero(keep))),
                             shape=(n_groups, len(codes)))


def group_sum(matrix: sparse.spmatrix, values: np.ndarray) -> np.ndarray:
    """``matrix @ values`` as a dense (k x H) array."""
    return np.asarray(matrix @ values).reshape(matrix.shape[0], values.shape[1])
