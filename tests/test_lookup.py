"""Look-ups shared by the measures and the exceptions (``app.engine.lookup``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine.lookup import LoadCells, period_index, text_codes


def _load(resources: list, labels: list) -> pd.DataFrame:
    return pd.DataFrame({"resource_id": np.repeat(np.asarray(resources, dtype=object),
                                                  len(labels)),
                         "period": np.tile(np.asarray(labels, dtype=object), len(resources))})


def test_load_cells_grid_matches_the_general_look_up():
    periods = pd.date_range("2026-01-05", periods=3, freq="7D")
    labels = ["2026-01-05", "2026-01-12", "2026-01-19"]
    load = _load(["R2", "R1"], labels)
    cells = LoadCells.of(load, periods)
    assert cells.grid
    codes, names = text_codes(load["resource_id"])
    np.testing.assert_array_equal(cells.period, period_index(load["period"], periods))
    np.testing.assert_array_equal(cells.resource, codes)
    assert cells.names.tolist() == names.tolist() == ["R2", "R1"]


def test_load_cells_other_layouts_are_looked_up():
    periods = pd.date_range("2026-01-05", periods=3, freq="7D")
    labels = ["2026-01-05", "2026-01-12", "2026-01-19"]
    cases = [
        _load(["R1", "R1"], labels),  # a resource twice
        _load(["R1", np.nan], labels),  # a missing resource
        _load(["R1"], ["2026-01-05", "2026-01-14", "2026-01-19"]),  # a date inside a period
        _load(["R1"], labels).iloc[::-1].reset_index(drop=True),  # periods out of order
        _load(["R1"], labels).iloc[:2],  # not whole resources
    ]
    for load in cases:
        cells = LoadCells.of(load, periods)
        assert not cells.grid
        codes, names = text_codes(load["resource_id"])
        np.testing.assert_array_equal(cells.period, period_index(load["period"], periods))
        np.testing.assert_array_equal(cells.resource, codes)
        assert cells.names.tolist() == names.tolist()
