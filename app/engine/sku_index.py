"""Fast lookup of SKU rows by (item_id, site_id)."""

from __future__ import annotations

import numpy as np
import pandas as pd


class SkuIndex:
    """Fast (item_id, site_id) -> row lookup: integer codes per item and site, then a
    binary search over the SKUs' combined codes (much faster than a pandas MultiIndex)."""

    def __init__(self, item_id: pd.Series | np.ndarray, site_id: pd.Series | np.ndarray) -> None:
        self._items = pd.Index(pd.unique(np.asarray(item_id, dtype=object)))
        self._sites = pd.Index(pd.unique(np.asarray(site_id, dtype=object)))
        codes = self._codes(item_id, site_id)
        self._order = np.argsort(codes, kind="stable")
        self._sorted = codes[self._order]

    def _codes(self, item_id: pd.Series | np.ndarray, site_id: pd.Series | np.ndarray
               ) -> np.ndarray:
        return self._pair_codes(self.item_codes(item_id), self.site_codes(site_id))

    def _pair_codes(self, item: np.ndarray, site: np.ndarray) -> np.ndarray:
        return np.where((item < 0) | (site < 0), -1,
                        item.astype(np.int64) * len(self._sites) + site)

    def item_codes(self, item_id: pd.Series | np.ndarray) -> np.ndarray:
        """Position of each item among the SKUs' items (-1: none), for ``rows_of``."""
        return self._items.get_indexer(np.asarray(item_id, dtype=object))

    def site_codes(self, site_id: pd.Series | np.ndarray) -> np.ndarray:
        """Position of each site among the SKUs' sites (-1: none), for ``rows_of``."""
        return self._sites.get_indexer(np.asarray(site_id, dtype=object))

    def rows(self, item_id: pd.Series | np.ndarray, site_id: pd.Series | np.ndarray
             ) -> np.ndarray:
        """Row of each pair, -1 where unknown."""
        return self.rows_of(self.item_codes(item_id), self.site_codes(site_id))

    def rows_of(self, item: np.ndarray, site: np.ndarray) -> np.ndarray:
        """Row of each pair given as ``item_codes`` and ``site_codes``, -1 where unknown."""
        codes = self._pair_codes(item, site)
        if not len(self._sorted):
            return np.full(len(codes), -1, dtype=np.int64)
        at = np.clip(np.searchsorted(self._sorted, codes), 0, len(self._sorted) - 1)
        found = (self._sorted[at] == codes) & (codes >= 0)
        return np.where(found, self._order[at], -1).astype(np.int64)
