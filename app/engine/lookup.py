"""Small vectorised look-ups shared by the measures and the exceptions.

SKU rows of (item_id, site_id) pairs, plan periods of dates, numeric columns with defaults,
and sums of SKU x period arrays by a SKU attribute (a sparse indicator matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from app.engine.calendar import date_stamps


def column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """``frame[name]`` as floats (unparseable -> NaN), or ``default`` where the column is absent."""
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=float)
    values = frame[name]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":  # already numbers
        return values.to_numpy(dtype=float)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def period_index(dates: pd.Series | np.ndarray, periods: pd.DatetimeIndex) -> np.ndarray:
    """Plan period of each date (ISO text or datetime): -1 before the horizon, H - 1 after."""
    starts = pd.DatetimeIndex(periods).as_unit("ns").asi8
    return np.searchsorted(starts, date_stamps(dates), side="right").astype(np.int64) - 1


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


def label_text(labels: pd.Series | np.ndarray | list) -> tuple[np.ndarray, list[str]]:
    """The distinct labels as text (``astype(str)``; missing -> ""), and each row's code.

    Returns ``(codes, texts)``: row i's text is ``texts[codes[i]]``. The work is per distinct
    label (a few classes or categories), not per row.
    """
    values = np.asarray(labels, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        # other objects (numbers...): the text of each row, as pandas writes it
        values = pd.Series(values, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = [v if isinstance(v, str) else "" for v in uniques.tolist()]  # missing -> ""
    return codes, texts


def group_codes(labels: pd.Series | np.ndarray | list, keys: tuple[str, ...] | list[str]
                ) -> np.ndarray:
    """Index of each SKU's label in ``keys`` (int (n,)); -1 where not one of them."""
    if len(set(keys)) < len(keys):
        raise pd.errors.InvalidIndexError("group keys must be unique")
    codes, texts = label_text(labels)
    position = {key: k for k, key in enumerate(keys)}
    found = np.array([position.get(text, -1) for text in texts], dtype=np.int64)
    return found[codes] if len(found) else np.full(len(codes), -1, dtype=np.int64)


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
