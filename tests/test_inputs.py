"""PlanInput.from_tables: the SKUs get their item's columns as a left join would give them."""

from __future__ import annotations

import pandas as pd
import pytest

from app.engine.inputs import _ITEM_COLUMNS, _with_item_columns
from tests.factories import small_company


def _merged(skus: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    wanted = [c for c in _ITEM_COLUMNS if c in items.columns]
    return skus.merge(items[["item_id", *wanted]], on="item_id", how="left",
                      validate="m:1").reset_index(drop=True)


def test_item_columns_as_the_merge_gives_them_with_an_unknown_item() -> None:
    frames = small_company()
    skus = frames["skus"].copy()
    skus.loc[len(skus)] = skus.iloc[0]
    skus.loc[len(skus) - 1, "item_id"] = "NO-SUCH-ITEM"  # its item columns come out missing
    items = frames["items"].iloc[::-1]  # (any order)
    got, want = _with_item_columns(skus, items), _merged(skus, items)
    pd.testing.assert_frame_equal(got, want)
    assert got.loc[len(got) - 1, [c for c in _ITEM_COLUMNS if c in items]].isna().all()


def test_duplicate_items_are_refused_as_the_merge_refuses_them() -> None:
    frames = small_company()
    items = pd.concat([frames["items"], frames["items"].iloc[:1]], ignore_index=True)
    with pytest.raises(pd.errors.MergeError):
        _with_item_columns(frames["skus"], items)
