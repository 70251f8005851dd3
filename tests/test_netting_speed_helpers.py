"""Helpers of the netting's fast paths give what the numpy calls they replace give, bit for bit."""

from __future__ import annotations

import numpy as np

from app.engine.running import nan_to_num
from app.engine.safety_stock import _row_take


def test_nan_to_num_is_numpys_bit_for_bit() -> None:
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.25, 1e308, -5e-324])
    values = np.concatenate([special, np.random.default_rng(0).normal(size=50)])
    got = nan_to_num(values)
    assert got.tobytes() == np.nan_to_num(values).tobytes()
    assert got is not values and np.isnan(values[0])  # the input is left as it was


def test_row_take_reads_each_rows_own_columns() -> None:
    values = np.arange(12.0).reshape(3, 4)
    columns = np.array([[0, 3], [1, 1], [2, 0]])
    assert np.array_equal(_row_take(values, columns), [[0.0, 3.0], [5.0, 5.0], [10.0, 8.0]])
    # a negative column counts from the row's end, as numpy's indexing does
    negative = np.array([[-1, 0], [1, -4], [0, 0]])
    rows = np.arange(3)[:, None]
    assert np.array_equal(_row_take(values, negative), values[rows, negative])
