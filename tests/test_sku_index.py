"""SkuIndex: (item, site) -> row look-ups, by the dense table and by binary search."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import sku_index
from app.engine.sku_index import SkuIndex

names = st.sampled_from(["A", "B", "C", "D", "E"])


def expected(items: list[str], sites: list[str], q_items: list[str], q_sites: list[str]
             ) -> list[int]:
    """The reference: the first SKU row of each pair, -1 where there is none."""
    first: dict[tuple[str, str], int] = {}
    for row, pair in enumerate(zip(items, sites, strict=True)):
        first.setdefault(pair, row)
    return [first.get(pair, -1) for pair in zip(q_items, q_sites, strict=True)]


@pytest.mark.parametrize("dense", [True, False])
@settings(max_examples=60, deadline=None)
@given(skus=st.lists(st.tuples(names, names), max_size=12),
       queries=st.lists(st.tuples(st.sampled_from(["A", "B", "F"]), names), max_size=12))
def test_rows_match_the_first_sku_of_each_pair(dense: bool, skus: list[tuple[str, str]],
                                               queries: list[tuple[str, str]]) -> None:
    items, sites = [s[0] for s in skus], [s[1] for s in skus]
    q_items, q_sites = [q[0] for q in queries], [q[1] for q in queries]
    with pytest.MonkeyPatch.context() as patch:
        if not dense:  # no table fits: binary search
            patch.setattr(sku_index, "DENSE_ENTRIES_PER_SKU", -10**6)
        index = SkuIndex(np.array(items, dtype=object), np.array(sites, dtype=object))
    assert (index._table is not None) == (dense or not skus)
    rows = index.rows(np.array(q_items, dtype=object), np.array(q_sites, dtype=object))
    assert rows.dtype == np.int64
    assert rows.tolist() == expected(items, sites, q_items, q_sites)


def test_codes_of_unknown_and_missing_values() -> None:
    index = SkuIndex(np.array(["A", "B", "A"], dtype=object),
                     np.array(["P", "P", "Q"], dtype=object))
    assert index.item_codes(np.array(["B", "Z", None], dtype=object)).tolist() == [1, -1, -1]
    assert index.site_codes(np.array(["Q", np.nan], dtype=object)).tolist() == [1, -1]
    assert index.rows(np.array(["A", "A", None], dtype=object),
                      np.array(["Q", "R", "P"], dtype=object)).tolist() == [2, -1, -1]
