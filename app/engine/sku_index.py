"""Fast lookup of SKU rows by (item_id, site_id)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: a dense (item code x site code) -> row table is used while it has at most this many
#: entries per SKU (beyond, e.g. many sites each holding few items, a binary search is used)
DENSE_ENTRIES_PER_SKU = 8


Column = pd.Series | np.ndarray


def _objects(values: Column) -> pd.Index:
    """``values`` as an object Index, without the text inference a plain Index does."""
    return pd.Index(np.asarray(values, dtype=object), dtype=object, copy=False)


def _codes_of(names: pd.Index, columns: Sequence[Column]) -> list[np.ndarray]:
    """Position of each value of each column among ``names`` (-1: none), in one look-up:
    a look-up costs tens of microseconds however short the column."""
    arrays = [np.asarray(c, dtype=object) for c in columns]
    if not arrays:
        return []
    codes = names.get_indexer(_objects(np.concatenate(arrays) if len(arrays) != 1
                                       else arrays[0]))
    return np.split(codes, np.cumsum([len(a) for a in arrays[:-1]], dtype=np.int64))


class SkuIndex:
    """Fast (item_id, site_id) -> row lookup: integer codes per item and site (hash look-ups
    in object Indexes of the SKUs' distinct items and sites), then the row of each pair of
    codes from a dense item x site table (a binary search over the SKUs' combined codes when
    that table would be large). Where a pair occurs twice among the SKUs, the first row wins.
    """

    def __init__(self, item_id: Column, site_id: Column) -> None:
        item, items = pd.factorize(np.asarray(item_id, dtype=object), use_na_sentinel=False)
        site, sites = pd.factorize(np.asarray(site_id, dtype=object), use_na_sentinel=False)
        self._items = _objects(items)
        self._sites = _objects(sites)
        codes = self._pair_codes(item, site)
        n, entries = len(codes), len(items) * len(sites)
        self._table: np.ndarray | None = None
        if entries <= DENSE_ENTRIES_PER_SKU * n + 1024:
            first = np.full(entries, n, dtype=np.int64)  # n: no SKU
            np.minimum.at(first, codes, np.arange(n))
            self._table = np.where(first < n, first, -1)
        else:
            self._order = np.argsort(codes, kind="stable")
            self._sorted = codes[self._order]

    def _pair_codes(self, item: np.ndarray, site: np.ndarray) -> np.ndarray:
        return np.where((item < 0) | (site < 0), -1,
                        item.astype(np.int64) * len(self._sites) + site)

    def item_codes(self, item_id: Column) -> np.ndarray:
        """Position of each item among the SKUs' items (-1: none), for ``rows_of``."""
        return self._items.get_indexer(_objects(item_id))

    def site_codes(self, site_id: Column) -> np.ndarray:
        """Position of each site among the SKUs' sites (-1: none), for ``rows_of``."""
        return self._sites.get_indexer(_objects(site_id))

    def item_codes_of(self, columns: Sequence[Column]) -> list[np.ndarray]:
        """``item_codes`` of each column, in one look-up."""
        return _codes_of(self._items, columns)

    def site_codes_of(self, columns: Sequence[Column]) -> list[np.ndarray]:
        """``site_codes`` of each column, in one look-up."""
        return _codes_of(self._sites, columns)

    def rows(self, item_id: Column, site_id: Column) -> np.ndarray:
        """Row of each pair, -1 where unknown."""
        return self.rows_of(self.item_codes(item_id), self.site_codes(site_id))

    def rows_many(self, pairs: Sequence[tuple[Column, Column]]) -> list[np.ndarray]:
        """``rows`` of each (item_id, site_id) pair of columns, with one item and one site
        look-up for all of them."""
        items = self.item_codes_of([item for item, _ in pairs])
        sites = self.site_codes_of([site for _, site in pairs])
        return [self.rows_of(item, site) for item, site in zip(items, sites, strict=True)]

    def rows_of(self, item: np.ndarray, site: np.ndarray) -> np.ndarray:
        """Row of each pair given as ``item_codes`` and ``site_codes``, -1 where unknown."""
        codes = self._pair_codes(item, site)
        if self._table is None:
            return self._searched(codes)
        if not len(self._table):
            return np.full(len(codes), -1, dtype=np.int64)
        return np.where(codes >= 0, self._table[np.maximum(codes, 0)], -1)

    def _searched(self, codes: np.ndarray) -> np.ndarray:
        """Rows of pair codes by binary search over the SKUs' sorted codes (no table)."""
        at = np.minimum(np.searchsorted(self._sorted, codes), len(self._sorted) - 1)
        found = (self._sorted[at] == codes) & (codes >= 0)
        return np.where(found, self._order[at], -1).astype(np.int64)
