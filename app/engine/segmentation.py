"""ABC classification of SKUs by annual value (Pareto).

Annual value v_i = (mean requirement per period) x periods per year x unit_cost. Sorted by
value, a SKU is A while the cumulative share of total value *before* it is below ``a`` (0.80),
B below ``b`` (0.95), else C; SKUs without value are C.

>>> abc_classes(np.array([70.0, 20.0, 6.0, 3.0, 1.0]))
array(['A', 'B', 'C', 'C', 'C'], dtype='<U1')
"""

from __future__ import annotations

import numpy as np

A_SHARE = 0.80
B_SHARE = 0.95


def abc_classes(annual_value: np.ndarray, a: float = A_SHARE, b: float = B_SHARE
                ) -> np.ndarray:
    """'A'/'B'/'C' per SKU from its annual value (see module notes)."""
    value = np.nan_to_num(np.asarray(annual_value, dtype=float)).clip(min=0)
    out = np.full(len(value), "C", dtype="<U1")
    total = value.sum()
    if total <= 0:
        return out
    order = np.argsort(-value, kind="stable")
    before = (np.cumsum(value[order]) - value[order]) / total
    ranked = np.where(before < a, "A", np.where(before < b, "B", "C"))
    ranked = np.where(value[order] > 0, ranked, "C")
    out[order] = ranked
    return out
