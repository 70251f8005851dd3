"""text_columns: several ``repeated`` text columns made in one pandas pass, the same columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.engine.lookup import repeated, text_columns


def _same(parts: list[tuple[object, np.ndarray]]) -> None:
    got = text_columns(parts)
    want = [repeated(values, at) for values, at in parts]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        assert type(g) is type(w)
        pd.testing.assert_series_equal(pd.Series(g), pd.Series(w))


def test_text_parts_are_taken_from_one_column() -> None:
    _same([(["a", "b", ""], np.array([2, 0, 1, 1])), (("x", "y"), np.array([1, 1, 0, 0])),
           (np.array(["m1", "m2", "m3", "m4"], dtype=object), np.arange(4))])


@pytest.mark.parametrize("parts", [
    [(["a", "b"], np.array([0, 1])), ([1, 2], np.array([1, 0]))],  # numbers: not text
    [(["a", "b"], np.array([0, 1])), ([np.nan, None], np.array([1, 0]))],  # all missing
    [(["a", np.nan], np.array([1, 0])), ([np.nan, "s"], np.array([0, 1]))],  # some missing
    [(["a", "b"], np.array([0, 1])), (["c"], np.zeros(0, dtype=np.int64))],  # no rows
    [(["a"], np.array([0, 0])), ([], np.zeros(0, dtype=np.int64))],  # no values, no rows
])
def test_other_parts_give_what_repeated_gives(parts: list[tuple[object, np.ndarray]]) -> None:
    _same(parts)


@pytest.mark.parametrize("size", [5, 5000])  # formatted row by row / once per distinct value
def test_each_formats_every_value_as_itself(size: int) -> None:
    from app.engine.exceptions import _each

    values = np.resize(np.array([0.0, -0.0, 1234.5, np.nan, 7.25]), size)
    got = _each(values, "{:,.1f} h".format)
    assert got.dtype == object
    assert got.tolist() == [f"{v:,.1f} h" for v in values.tolist()]
    counts = np.resize(np.array([1, 2, 2, 1000]), size)
    assert _each(counts, str).tolist() == [str(c) for c in counts.tolist()]
