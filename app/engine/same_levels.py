"""Which levels of the network plan as they did last time: their rows are taken as planned.

Netting a level is a function of that level's rows alone (see ``app.engine.netting``): its
independent and dependent demand, scheduled receipts, stock on hand, lot rules, safety-stock
inputs, lots, costs, and a few settings. When all of these read the same as in the last
netting, with the SKUs in the same levels, every planned row of the level comes out the
same, so it is copied from the last netting instead of planned again. A planner's edit
touches one SKU: the levels above it (its customers) keep their plan; its own level and the
levels below it (whose dependent demand moved) are planned again. The outcome is the very
plan made from scratch, row for row and bit for bit.

The last netting's inputs and outputs must not be written after it (``net`` makes its
arrays read-only when it keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from app.engine.lot_sizing import LotRules
from app.engine.netting import NettingInput, NettingOutput
from app.engine.same_values import bits_equal, read_only
from app.engine.shelf_life import LotTable

#: the per-SKU arrays of a NettingInput a level's plan reads (rows of the level)
_ROW_INPUTS = ("on_hand", "independent_demand", "scheduled_receipts", "ss_model", "ss_qty",
               "ss_days", "ordering_cost", "unit_cost")
#: the outputs a level's plan writes (rows of the level)
_ROW_OUTPUTS = ("gross_requirements", "expired", "safety_stock", "planned_receipts",
                "planned_releases", "projected_on_hand")


@dataclass
class LastNetting:
    """The inputs and outcome of the last netting (read-only)."""

    data: NettingInput
    output: NettingOutput

    def fits(self, data: NettingInput) -> bool:
        """The same shape, levels and settings: levels may be compared one by one."""
        last = self.data
        return (last.independent_demand.shape == data.independent_demand.shape
                and np.array_equal(last.codes, data.codes)
                and last.days_per_period == data.days_per_period
                and last.holding_rate_per_year == data.holding_rate_per_year
                and last.periods_per_year == data.periods_per_year
                and (last.ss_override is None) == (data.ss_override is None)
                and (last.lots is None) == (data.lots is None))

    def same_level(self, data: NettingInput, dependent: np.ndarray, a: int, b: int) -> bool:
        """Whether rows a..b-1 (one level) read as in the last netting: inputs, and the
        dependent demand reaching them (complete once the level's turn comes)."""
        last = self.data
        level = slice(a, b)
        if not _same(self.output.arrays.dependent_demand[level], dependent[level]):
            return False
        for name in _ROW_INPUTS:
            if not _same(getattr(last, name)[level], getattr(data, name)[level]):
                return False
        if data.ss_override is not None and last.ss_override is not None and not _same(
                last.ss_override[level], data.ss_override[level]):
            return False
        if not all(_same(getattr(last.rules, f.name)[level], getattr(data.rules, f.name)[level])
                   for f in fields(LotRules)):
            return False
        return _same_lots(last.lots, data.lots, a, b)

    def copy_level(self, a: int, b: int, outputs: dict[str, np.ndarray],
                   past_due: np.ndarray) -> None:
        """Rows a..b-1 of the last outcome into ``outputs`` (name -> array) and
        ``past_due``."""
        arrays = self.output.arrays
        for name, out in outputs.items():
            out[a:b] = getattr(arrays, name)[a:b]
        past_due[a:b] = self.output.past_due[a:b]


def keep(data: NettingInput, output: NettingOutput) -> LastNetting:
    """The netting to compare the next one with; its arrays made read-only."""
    arrays = [getattr(data, name) for name in _ROW_INPUTS]
    arrays += [getattr(data.rules, f.name) for f in fields(LotRules)]
    arrays += [data.ss_override, data.codes, output.past_due]
    arrays += [getattr(output.arrays, f.name) for f in fields(output.arrays)]
    if data.lots is not None:
        arrays += [data.lots.rows, data.lots.quantity, data.lots.expires, data.lots.rank]
    read_only([a for a in arrays if isinstance(a, np.ndarray)])
    return LastNetting(data, output)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same values: numbers bit for bit (one pass; a NaN equals the same NaN, and
    -0.0 differs from 0.0, which only costs a level planned again), objects by ``==``."""
    if a is b:
        return True
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bits_equal(a, b) if a.dtype.kind in "fiub" else bool(np.array_equal(a, b))


def _same_lots(last: LotTable | None, lots: LotTable | None, a: int, b: int) -> bool:
    """The lots of SKU rows a..b-1 are the same (rows, ranks, quantities, expiry)."""
    if last is None or lots is None:
        return last is None and lots is None
    mine = [np.searchsorted(t.rows, [a, b]) for t in (last, lots)]
    (i, j), (k, m) = mine
    return all(_same(x[i:j], y[k:m]) for x, y in (
        (last.rows, lots.rows), (last.rank, lots.rank), (last.quantity, lots.quantity),
        (last.expires, lots.expires)))
