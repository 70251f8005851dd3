"""Small vectorised look-ups shared by the measures and the exceptions.

SKU rows of (item_id, site_id) pairs, plan periods of dates, numeric columns with defaults,
and sums of SKU x period arrays by a SKU attribute (a sparse indicator matrix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from app.engine.calendar import date_stamps, iso_days


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


@dataclass(frozen=True)
class LoadCells:
    """The rows of a resource-load table (``capacity.resource_load``) as plan cells.

    Row j is resource ``names[resource[j]]`` in plan period ``period[j]`` (``period_index``;
    codes of the resource_id texts as ``text_codes`` gives them). ``grid``: the rows are
    resource after resource, each over the H periods in order, every resource once (as
    ``resource_load`` writes them), so row j is cell ``(j // H, j % H)`` of an (R x H) grid.
    """

    period: np.ndarray  # int (m,)
    resource: np.ndarray  # int (m,)
    names: np.ndarray  # object (R,)
    grid: bool

    @classmethod
    def of(cls, load: pd.DataFrame, periods: pd.DatetimeIndex) -> LoadCells:
        """The cells of ``load`` (columns resource_id, period). The usual layout is
        recognised by comparing texts (no date parsing, no hashing)."""
        if not isinstance(periods, pd.DatetimeIndex):
            periods = pd.DatetimeIndex(periods)
        horizon = len(periods)
        count = len(load) // horizon if horizon else 0
        if count and len(load) == count * horizon and periods.tz is None:
            ids = load["resource_id"].to_numpy(dtype=object).reshape(count, horizon)
            first = ids[:, 0]
            names = first.tolist()
            if (all(type(name) is str for name in names) and len(set(names)) == count
                    and (ids == first[:, None]).all()
                    and (load["period"].to_numpy(dtype=object).reshape(count, horizon)
                         == np.asarray(iso_days(periods), dtype=object)).all()):
                return cls(np.tile(np.arange(horizon), count),
                           np.repeat(np.arange(count), horizon), first, True)
        codes, names = text_codes(load["resource_id"])
        return cls(period_index(load["period"], periods), codes, names, False)


def repeated(values: Sequence[object] | np.ndarray, at: np.ndarray
             ) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """``values[at]`` as the column pandas makes of it, its dtype inferred from the few
    distinct ``values`` rather than from every repeated cell (no rows: an empty object
    column, as pandas makes of an empty object array)."""
    at = np.asarray(at, dtype=np.int64)
    values = np.asarray(values, dtype=object)
    if not len(at):
        return values[at]
    return pd.Series(values, copy=False).array.take(at)


def text_columns(parts: list[tuple[Sequence[object] | np.ndarray, np.ndarray]]) -> list:
    """``[repeated(values, at) for values, at in parts]``: text columns of a frame, each
    ``values[at]``. The column pandas makes of all the parts' values at once is made first;
    when it holds text (every value text or missing) and every part has some text (then
    pandas makes a text column of each part alone as well), each part is taken from it at
    its offset: one pass of pandas' conversion instead of one per column (its per-call cost
    dominates at a few thousand rows), the same columns."""
    values = [np.asarray(texts, dtype=object) for texts, _ in parts]
    ats = [np.asarray(at, dtype=np.int64) for _, at in parts]
    texts = pd.Series(np.concatenate(values), copy=False).array
    starts = np.cumsum([0, *(len(v) for v in values[:-1])]).tolist()
    if isinstance(texts.dtype, pd.StringDtype) and all(len(at) for at in ats) and all(
            len(v) and (type(v[0]) is str or not pd.isna(v).all()) for v in values):
        return [texts.take(at + lo) for at, lo in zip(ats, starts, strict=True)]
    return [repeated(v, at) for v, at in zip(values, ats, strict=True)]


def as_text(values: pd.Series) -> np.ndarray:
    """``values.astype(str)`` as an object array (missing stays missing); no conversion
    when every value is already text."""
    raw = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=False) == "string":
        return raw
    return values.astype(str).to_numpy(dtype=object)


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values.astype(str))`` as ``(codes, names)`` (names an object array).

    When every value is already text the conversion is skipped (the same codes and names:
    ``astype(str)`` leaves text as it is), saving a pass of pandas over the column.
    """
    raw = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=False) != "string":
        codes, names = pd.factorize(values.astype(str))
        return codes, np.asarray(names, dtype=object)
    codes, names = pd.factorize(raw)
    return codes, np.asarray(names, dtype=object)


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


def group_sum(matrix: sparse.spmatrix, values: np.ndarray) -> np.ndarray:
    """``matrix @ values`` as a dense (k x H) array."""
    return np.asarray(matrix @ values).reshape(matrix.shape[0], values.shape[1])


def column_block(matrix: sparse.csc_matrix, lo: int, hi: int) -> sparse.csc_matrix:
    """``matrix[:, lo:hi]`` (CSC): the columns' stretch of the arrays, taken as it is (the
    same entries in the same order as scipy's slice, without its general indexing)."""
    start, end = matrix.indptr[lo], matrix.indptr[hi]
    return sparse.csc_matrix((matrix.data[start:end], matrix.indices[start:end],
                              matrix.indptr[lo:hi + 1] - start),
                             shape=(matrix.shape[0], hi - lo))


@dataclass(frozen=True)
class GroupIndicator:
    """The SKUs' groups in several dimensions (part class, ABC, category) as one 0/1 matrix.

    ``matrix`` is (Σk x n): row ``rows[dim].start + g`` marks the SKUs in group g of ``dim``.
    ``matrix @ A`` sums an (n x H) array by the groups of every dimension in one pass,
    ``out[g, t] = Σ_{i in g} A[i, t]``; each output row adds its SKUs in column order, as a
    matrix of its dimension alone would.
    """

    matrix: sparse.csc_matrix | None  # None: no dimensions
    rows: dict[str, slice]
    #: the columns of each block summed so far (``column_block``), made once
    blocks: dict[tuple[int, int], sparse.csc_matrix] = field(
        default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_codes(cls, codes: dict[str, tuple[np.ndarray, int]], n: int) -> GroupIndicator:
        """From each dimension's ``(group code per SKU, number of groups)``; code -1: in no
        group of that dimension."""
        rows, at, member = {}, 0, []
        for dim, (code, groups) in codes.items():
            rows[dim] = slice(at, at + groups)
            member.append(np.where(code >= 0, code + at, -1))
            at += groups
        if not member:
            return cls(None, rows)
        row = np.column_stack(member)  # (n, D): each SKU's row in each dimension
        known = row >= 0
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(known.sum(axis=1), out=indptr[1:])
        indices = row[known]  # SKU by SKU: CSC column by column, rows ascending
        return cls(sparse.csc_matrix((np.ones(len(indices)), indices, indptr),
                                     shape=(at, n)), rows)

    def sums(self, lo: int, hi: int, values: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Per array of ``values`` (the SKUs lo..hi-1): dimension -> its group sums (k x H)."""
        if self.matrix is None:
            return [{} for _ in values]
        block = self.blocks.get((lo, hi))
        if block is None:
            block = self.blocks[(lo, hi)] = column_block(self.matrix, lo, hi)
        out = []
        for array in values:
            summed = group_sum(block, array)
            out.append({dim: summed[at] for dim, at in self.rows.items()})
        return out
