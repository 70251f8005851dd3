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
from app.engine.same_values import bits_equal, read_only, rows_equal
from app.engine.shelf_life import LotTable

#: the per-SKU arrays of a NettingInput a level's plan reads (rows of the level)
_ROW_INPUTS = ("on_hand", "independent_demand", "scheduled_receipts", "ss_model", "ss_qty",
               "ss_days", "ordering_cost", "unit_cost")


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

    def same_inputs(self, data: NettingInput) -> np.ndarray:
        """Per row, whether its own inputs (stock, demand, receipts, safety-stock inputs,
        costs, lot rules) read as in the last netting: compared once for every row."""
        last = self.data
        same = np.ones(len(data.codes), dtype=bool)
        for name in _ROW_INPUTS:
            same &= rows_equal(getattr(last, name), getattr(data, name))
        if data.ss_override is not None and last.ss_override is not None:
            same &= rows_equal(last.ss_override, data.ss_override)
        for f in fields(LotRules):
            same &= rows_equal(getattr(last.rules, f.name), getattr(data.rules, f.name))
        return same

    def same_rows(self, data: NettingInput, dependent: np.ndarray, a: int, b: int,
                  same_inputs: np.ndarray) -> np.ndarray:
        """Per row of a..b-1 (one level), whether it reads as in the last netting: its
        inputs (``same_inputs``: ``self.same_inputs(data)``), its lots, and the dependent
        demand reaching it (complete once the level's turn comes). Netting plans every row
        of a level for itself, so such a row comes out as it did."""
        last = self.data
        level = slice(a, b)
        same = same_inputs[level] & rows_equal(self.output.arrays.dependent_demand[level],
                                               dependent[level])
        if not _same_lots(last.lots, data.lots, a, b):  # the level's SKUs with lots, then
            for lots in (last.lots, data.lots):
                if lots is not None:
                    with_lots = lots.rows[(lots.rows >= a) & (lots.rows < b)]
                    same[with_lots - a] = False
        return same

    def copy_level(self, a: int, b: int, outputs: dict[str, np.ndarray],
                   past_due: np.ndarray) -> None:
        """Rows a..b-1 of the last outcome into ``outputs`` (name -> array) and
        ``past_due``: one contiguous copy each (rows planned again are written over them)."""
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


def _same_lots(last: LotTable | None, lots: LotTable | None, a: int, b: int) -> bool:
    """The lots of SKU rows a..b-1 are the same (rows, ranks, quantities, expiry)."""
    if last is None or lots is None:
        return last is None and lots is None
    mine = [np.searchsorted(t.rows, [a, b]) for t in (last, lots)]
    (i, j), (k, m) = mine
    return all(bits_equal(x[i:j], y[k:m]) for x, y in (
        (last.rows, lots.rows), (last.rank, lots.rank), (last.quantity, lots.quantity),
        (last.expires, lots.expires)))
