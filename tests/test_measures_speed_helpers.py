"""Helpers of the measures that reproduce pandas' figures faster: the same bits as pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from app.engine.measure_sums import largest_group_sum


def _pandas_largest(values: np.ndarray, groups: np.ndarray) -> float:
    sums = pd.Series(values).groupby(groups).sum()
    return float(sums.max()) if len(sums) else float("nan")


@pytest.mark.parametrize("seed", range(60))
def test_largest_group_sum_is_pandas_compensated_sum(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 400))
    groups = rng.integers(0, int(rng.integers(1, 12)), m) * int(rng.integers(1, 4))  # gaps
    scale = 10.0 ** rng.uniform(-8, 8, m) if seed % 2 else rng.uniform(0, 2, m)
    values = rng.standard_normal(m) * scale
    if seed % 4 == 1:  # groups in ascending order (pandas sums each stretch with reduceat)
        groups = np.sort(groups)
    if seed % 3 == 0:  # near ties: the same values in another order in a second group
        values = np.concatenate([values, values[::-1] * (1 + 1e-16)])
        groups = np.concatenate([np.zeros(m, dtype=np.int64), np.ones(m, dtype=np.int64)])
    got = largest_group_sum(values, groups)
    assert got == _pandas_largest(values, groups)


def test_largest_group_sum_specials():
    assert math.isnan(largest_group_sum(np.zeros(0), np.zeros(0, dtype=np.int64)))
    # one value per group, -0.0 and tiny subnormals
    values = np.array([-0.0, 5e-324, -5e-324, 1e-310])
    groups = np.array([0, 1, 1, 2])
    assert largest_group_sum(values, groups) == _pandas_largest(values, groups)
    # infinities and overflow: pandas' own handling
    for values in (np.array([1.0, np.inf, 2.0, -np.inf]), np.array([1e308, 1e308, 1.0, 2.0]),
                   np.array([1.0, np.nan, 2.0, 3.0])):
        for groups in (np.array([0, 0, 1, 1]), np.array([1, 0, 0, 1])):
            with np.errstate(over="ignore", invalid="ignore"):  # (1e308 + 1e308)
                assert largest_group_sum(values, groups) == _pandas_largest(values, groups)
    # a plain sum that differs from the compensated one
    values = np.array([1.0, 1e-16, 1e-16, 1e-16, 1e-16])
    groups = np.array([1, 0, 1, 1, 1])  # (not ascending: compensated)
    assert largest_group_sum(values, groups) == _pandas_largest(values, groups)
    assert largest_group_sum(values, groups) != float(np.bincount(groups, weights=values)[1])
