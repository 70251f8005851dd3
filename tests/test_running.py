"""``running.accumulate``: numpy's accumulate along the periods, bit for bit."""

import numpy as np
import pytest

from app.engine.running import accumulate


@pytest.mark.parametrize("op", [np.add, np.maximum])
@pytest.mark.parametrize(("rows", "periods"), [(3, 30), (2000, 30), (3000, 104), (9000, 20)])
# below the switch to period steps, above it (short rows), too large to transpose, large
# with short rows
def test_accumulate_matches_numpy_bit_for_bit(op: np.ufunc, rows: int, periods: int) -> None:
    rng = np.random.default_rng(rows)
    x = rng.normal(size=(rows, periods))
    for value, share in ((0.0, 0.05), (-0.0, 0.05), (np.nan, 0.01), (np.inf, 0.01),
                         (-np.inf, 0.01)):
        x[rng.random(x.shape) < share] = value
    with np.errstate(invalid="ignore"):
        expected = op.accumulate(x, axis=1)
        got = accumulate(op, x, np.empty_like(x))
        same = x.copy()
        in_place = accumulate(op, same, same)
    assert got.tobytes() == expected.tobytes()
    assert in_place.tobytes() == expected.tobytes()
