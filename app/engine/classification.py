r"""ABC/XYZ classification of SKUs, the ABC-XYZ matrix and a service target per cell.

Symbols: d_{i,t} demand of SKU i in period t (units), c_i unit cost (currency/unit),
P periods per year, μ_i and σ_i the mean and (population) standard deviation of d_{i,t}
over the SKU's periods from its start index s_i.

- **Annual value** v_i = μ_i · P · c_i (currency/year), as in ``segmentation``.
- **ABC** (Pareto analysis; Silver, Pyke & Thomas, *Inventory and Production Management in
  Supply Chains*, 4th ed., 2017, ch. 2): sorted by v_i, a SKU is A while the share of total
  value ranked before it is below ``a`` (0.80), B below ``b`` (0.95), else C; SKUs without
  value are C (``segmentation.abc_classes``, reused here).
- **XYZ** by the coefficient of variation of demand per period, CV_i = σ_i / μ_i:
  X when CV ≤ ``x`` (0.5: steady), Y when x < CV ≤ ``y`` (1.0: variable), Z when CV > y
  (erratic or intermittent); a SKU with no demand (μ_i = 0) is Z. The thresholds are the
  common practitioners' ones (e.g. Scholz-Reiter, Heger, Meinecke & Bergmann 2012,
  "Integration of demand forecasts in ABC-XYZ analysis", IJPPM 61(4)); both are parameters.
  CV depends on the period length: the same SKU is steadier by month than by week.
- **Matrix**: per cell (A..C × X..Z) the number of SKUs and their total annual value.
- **Service target** per cell from an editable dict (``DEFAULT_SERVICE_TARGETS``: AX 0.98
  … CZ 0.90): the high-value, predictable SKUs get the highest target, where it costs the
  least safety stock per point of service.

>>> d = np.array([[10.0, 10, 10, 10], [0, 20, 0, 20], [1, 1, 1, 1]])
>>> r = abc_xyz(annual_value(d, np.array([10.0, 2.0, 1.0]), 52), d)
>>> r.cell.tolist(), r.service_target.tolist()
(['AX', 'BY', 'CX'], [0.98, 0.96, 0.95])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine.segmentation import A_SHARE, B_SHARE, abc_classes

X_CV = 0.5
Y_CV = 1.0
ABC = ("A", "B", "C")
XYZ = ("X", "Y", "Z")
DEFAULT_SERVICE_TARGETS: dict[str, float] = {
    "AX": 0.98, "AY": 0.97, "AZ": 0.95,
    "BX": 0.97, "BY": 0.96, "BZ": 0.93,
    "CX": 0.95, "CY": 0.93, "CZ": 0.90,
}


@dataclass(frozen=True)
class AbcXyz:
    """Per SKU: ``abc``, ``xyz``, ``cell`` (e.g. "AX"), ``cv``, ``annual_value`` and
    ``service_target``; ``counts`` and ``value``: 3 × 3 frames (index A, B, C; columns
    X, Y, Z) of SKU counts and total annual value per cell."""

    abc: np.ndarray
    xyz: np.ndarray
    cell: np.ndarray
    cv: np.ndarray
    annual_value: np.ndarray
    service_target: np.ndarray
    counts: pd.DataFrame
    value: pd.DataFrame


def _inside(demand: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(demand, dtype=float)
    if d.ndim != 2:
        raise ValueError("demand must be a 2-D (SKU, period) array")
    s = np.zeros(len(d), dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64)
    if len(s) != len(d):
        raise ValueError("start must have one entry per SKU")
    return d, np.arange(d.shape[1])[None, :] >= s[:, None]


def mean_demand(demand: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """μ_i: mean demand per period from each SKU's start (0 for a SKU with no periods)."""
    d, inside = _inside(demand, start)
    return np.where(inside, d, 0.0).sum(axis=1) / np.maximum(inside.sum(axis=1), 1)


def annual_value(demand: np.ndarray, unit_cost: np.ndarray, periods_per_year: float,
                 start: np.ndarray | None = None) -> np.ndarray:
    """v_i = μ_i · P · c_i (currency per year)."""
    return mean_demand(demand, start) * periods_per_year * np.asarray(unit_cost, dtype=float)


def demand_moments(demand: np.ndarray, start: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(μ_i, σ_i): mean and population standard deviation per period from each SKU's start."""
    d, inside = _inside(demand, start)
    count = np.maximum(inside.sum(axis=1), 1)
    mean = np.where(inside, d, 0.0).sum(axis=1) / count
    var = np.where(inside, (d - mean[:, None]) ** 2, 0.0).sum(axis=1) / count
    return mean, np.sqrt(var)


def coefficient_of_variation(demand: np.ndarray, start: np.ndarray | None = None
                             ) -> np.ndarray:
    """CV_i = σ_i / μ_i (population σ); inf where μ_i = 0.

    >>> coefficient_of_variation(np.array([[2.0, 4.0, 6.0]])).round(4)
    array([0.4082])
    """
    mean, std = demand_moments(demand, start)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, std / mean, np.inf)


def xyz_classes(cv: np.ndarray, x: float = X_CV, y: float = Y_CV) -> np.ndarray:
    """'X' (CV ≤ x), 'Y' (x < CV ≤ y) or 'Z' (CV > y, or undefined) per SKU."""
    if not 0 <= x < y:
        raise ValueError("XYZ thresholds need 0 <= x < y")
    cv = np.asarray(cv, dtype=float)
    return np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z")).astype("<U1")


def service_targets(cell: np.ndarray, targets: Mapping[str, float] = DEFAULT_SERVICE_TARGETS
                    ) -> np.ndarray:
    """The service target of each SKU's cell; every one of the 9 cells must have one."""
    missing = [f"{a}{x}" for a in ABC for x in XYZ if f"{a}{x}" not in targets]
    if missing:
        raise ValueError(f"service targets missing for cells {missing}")
    bad = {k: v for k, v in targets.items() if not 0 < float(v) < 1}
    if bad:
        raise ValueError(f"service targets must lie strictly between 0 and 1: {bad}")
    cells = np.array([f"{a}{x}" for a in ABC for x in XYZ])  # sorted: AX, AY, ... CZ
    lookup = np.array([float(targets[c]) for c in cells])
    given = np.asarray(cell, dtype="<U2")
    code = np.searchsorted(cells, given)
    if given.size and not np.array_equal(cells[np.minimum(code, cells.size - 1)], given):
        raise ValueError("cells must be ABC class + XYZ class, e.g. 'AX'")
    return lookup[code]


def matrix(abc: np.ndarray, xyz: np.ndarray, value: np.ndarray
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, value) per ABC-XYZ cell as 3 × 3 frames (index ABC, columns XYZ)."""
    a = np.searchsorted(np.array(ABC), np.asarray(abc, str))
    x = np.searchsorted(np.array(XYZ), np.asarray(xyz, str))
    code = a * 3 + x
    counts = np.bincount(code, minlength=9).reshape(3, 3)
    totals = np.bincount(code, weights=np.nan_to_num(np.asarray(value, dtype=float)),
                         minlength=9).reshape(3, 3)
    frame = {"index": pd.Index(ABC, name="abc"), "columns": pd.Index(XYZ, name="xyz")}
    return pd.DataFrame(counts, **frame), pd.DataFrame(totals, **frame)


def abc_xyz(annual_values: np.ndarray, demand: np.ndarray, start: np.ndarray | None = None,
            *, a: float = A_SHARE, b: float = B_SHARE, x: float = X_CV, y: float = Y_CV,
            targets: Mapping[str, float] = DEFAULT_SERVICE_TARGETS) -> AbcXyz:
    """Classify SKUs by annual value (ABC) and demand variability (XYZ); see module notes."""
    if not 0 < a < b <= 1:
        raise ValueError("ABC thresholds need 0 < a < b <= 1")
    values = np.asarray(annual_values, dtype=float)
    if len(values) != len(demand):
        raise ValueError("annual_values and demand must have one row per SKU")
    abc = abc_classes(values, a, b)
    cv = coefficient_of_variation(demand, start)
    xyz = xyz_classes(cv, x, y)
    cell = np.char.add(abc, xyz)
    counts, value = matrix(abc, xyz, values)
    return AbcXyz(abc, xyz, cell, cv, values, service_targets(cell, targets), counts, value)
