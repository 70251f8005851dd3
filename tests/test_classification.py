"""ABC/XYZ classification, the matrix and service targets per cell."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from app.engine import classification
from app.engine.classification import (
    DEFAULT_SERVICE_TARGETS,
    abc_xyz,
    annual_value,
    coefficient_of_variation,
    matrix,
    service_targets,
    xyz_classes,
)
from app.engine.segmentation import abc_classes


def test_docstring_examples():
    assert doctest.testmod(classification).failed == 0


def test_cv_by_hand_and_from_start():
    demand = np.array([[2.0, 4.0, 6.0], [0.0, 0.0, 0.0], [99.0, 3.0, 3.0]])
    cv = coefficient_of_variation(demand, start=np.array([0, 0, 1]))
    assert cv[0] == pytest.approx(np.sqrt(8 / 3) / 4)   # σ = sqrt(8/3), μ = 4
    assert cv[1] == np.inf                               # no demand
    assert cv[2] == 0.0                                  # 99 is before the start


def test_xyz_thresholds_are_inclusive_upper_bounds_and_configurable():
    cv = np.array([0.0, 0.5, 0.51, 1.0, 1.01, np.inf])
    assert xyz_classes(cv).tolist() == ["X", "X", "Y", "Y", "Z", "Z"]
    assert xyz_classes(cv, x=0.2, y=0.6).tolist() == ["X", "Y", "Y", "Z", "Z", "Z"]
    with pytest.raises(ValueError):
        xyz_classes(cv, x=1.0, y=0.5)


def test_annual_value_and_abc_match_segmentation():
    rng = np.random.default_rng(2)
    demand = rng.gamma(1.0, 20.0, size=(200, 52))
    cost = rng.lognormal(2.0, 1.0, size=200)
    value = annual_value(demand, cost, 52)
    assert value == pytest.approx(demand.mean(axis=1) * 52 * cost)
    result = abc_xyz(value, demand, a=0.7, b=0.9)
    assert result.abc.tolist() == abc_classes(value, 0.7, 0.9).tolist()
    share = value[result.abc == "A"].sum() / value.sum()
    assert 0.7 <= share < 0.7 + value.max() / value.sum()


def test_matrix_counts_and_values_add_up():
    rng = np.random.default_rng(3)
    demand = rng.poisson(rng.uniform(0.2, 20, size=(300, 1)), size=(300, 52)).astype(float)
    value = annual_value(demand, rng.uniform(1, 50, size=300), 52)
    result = abc_xyz(value, demand)
    assert result.counts.shape == (3, 3)
    assert list(result.counts.index) == ["A", "B", "C"]
    assert list(result.counts.columns) == ["X", "Y", "Z"]
    assert result.counts.to_numpy().sum() == 300
    assert result.value.to_numpy().sum() == pytest.approx(value.sum())
    ax = (result.cell == "AX")
    assert result.counts.loc["A", "X"] == ax.sum()
    assert result.value.loc["A", "X"] == pytest.approx(value[ax].sum())


def test_matrix_by_hand():
    counts, value = matrix(np.array(["A", "A", "C"]), np.array(["X", "Z", "Z"]),
                           np.array([10.0, 5.0, 1.0]))
    assert counts.loc["A"].tolist() == [1, 0, 1]
    assert value.loc["C", "Z"] == 1.0 and value.to_numpy().sum() == 16.0


def test_service_targets_default_and_user_edited():
    cells = np.array(["AX", "BY", "CZ"])
    assert service_targets(cells).tolist() == [0.98, 0.96, 0.90]
    edited = {**DEFAULT_SERVICE_TARGETS, "CZ": 0.85}
    assert service_targets(cells, edited).tolist() == [0.98, 0.96, 0.85]
    assert DEFAULT_SERVICE_TARGETS["CZ"] == 0.90       # the default is not mutated
    with pytest.raises(ValueError, match="missing"):
        service_targets(cells, {"AX": 0.9})
    with pytest.raises(ValueError, match="between 0 and 1"):
        service_targets(cells, {**DEFAULT_SERVICE_TARGETS, "AX": 1.0})


def test_abc_xyz_cells_and_targets():
    demand = np.array([[10.0, 10, 10, 10], [0, 20, 0, 20], [1, 1, 1, 1], [0, 0, 0, 0]])
    value = annual_value(demand, np.array([10.0, 2.0, 1.0, 5.0]), 52)
    result = abc_xyz(value, demand, targets={**DEFAULT_SERVICE_TARGETS, "CZ": 0.5})
    assert result.cell.tolist() == ["AX", "BY", "CX", "CZ"]
    assert result.service_target.tolist() == [0.98, 0.96, 0.95, 0.5]
    with pytest.raises(ValueError):
        abc_xyz(value, demand, a=0.9, b=0.8)
    with pytest.raises(ValueError):
        abc_xyz(value[:2], demand)
