"""SkuIndex: (item, site) -> row look-ups, by the dense table and by binary search."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import sku_index
from app.engine.sku_index import SkuIndex

names = st.sampled_from(["A", "B", "C", "D", "E"])


def objects(*values: object) -> np.ndarray:
    return np.array(values, dtype=object)


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
        index = SkuIndex(objects(*items), objects(*sites))
    assert (index._table is not None) == (dense or not skus)
    rows = index.rows(objects(*q_items), objects(*q_sites))
    assert rows.dtype == np.int64
    assert rows.tolist() == expected(items, sites, q_items, q_sites)


def test_codes_of_unknown_and_missing_values() -> None:
    index = SkuIndex(objects("A", "B", "A"), objects("P", "P", "Q"))
    assert index.item_codes(objects("B", "Z", None)).tolist() == [1, -1, -1]
    assert index.site_codes(objects("Q", np.nan)).tolist() == [1, -1]
    assert index.rows(objects("A", "A", None), objects("Q", "R", "P")).tolist() == [2, -1, -1]


def test_many_columns_in_one_look_up_give_each_column_its_own_codes() -> None:
    index = SkuIndex(objects("A", "B", "A"), objects("P", "P", "Q"))
    a, empty, b = index.item_codes_of([objects("B", "Z"), (), objects("A")])
    assert (a.tolist(), empty.tolist(), b.tolist()) == ([1, -1], [], [0])
    assert index.site_codes_of([]) == []
    rows = index.rows_many([(objects("A", "B"), objects("Q", "Q")), ((), ()),
                            (objects("A"), objects("P"))])
    assert [r.tolist() for r in rows] == [[2, -1], [], [0]]
