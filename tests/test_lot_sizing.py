"""The pass over periods of the lot rules: SKU by SKU on floats, the same bits as all at once."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.engine.lot_sizing import (
    EACH_ROWS,
    LotRules,
    _period_loop_all,
    _period_loop_each,
    plan_receipts,
)

POLICIES = ("lot_for_lot", "fixed", "eoq", "poq", "min_max")
#: values that make ties, signed zeros and roundings: whole numbers, halves, zeros, NaN
AMOUNTS = st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 12.0, 40.0,
                           -3.0, -10.0, float("nan")])


@st.composite
def groups(draw):
    """A few SKUs with rules that need the pass over periods, and their shortfall and base."""
    m = draw(st.integers(1, EACH_ROWS))
    h = draw(st.integers(1, 9))

    def column(values):
        return np.array([draw(values) for _ in range(m)], dtype=float)

    policy = np.array([draw(st.sampled_from(POLICIES)) for _ in range(m)], dtype=object)
    rules = LotRules(
        policy=policy,
        lead_time=np.array([draw(st.integers(0, h + 1)) for _ in range(m)], dtype=np.int64),
        lot_size=column(st.sampled_from([float("nan"), 0.0, 4.0, 10.0, 25.0])),
        min_order=column(st.sampled_from([float("nan"), 0.0, 3.0, 8.0, 30.0])),
        order_multiple=column(st.sampled_from([float("nan"), 0.0, 2.0, 5.0])),
        eoq=column(st.sampled_from([float("nan"), 6.0, 15.0, float("inf")])),
        poq_periods=np.array([draw(st.integers(1, 4)) for _ in range(m)], dtype=np.int64))
    steps = np.array([[draw(AMOUNTS) for _ in range(h)] for _ in range(m)])
    shortfall = np.cumsum(np.nan_to_num(steps), axis=1)
    shortfall[np.isnan(steps)] = np.nan
    base = -shortfall + np.array([[draw(AMOUNTS) for _ in range(h)] for _ in range(m)])
    return shortfall, base, rules


def _flags(rules: LotRules):
    policy = rules.policy
    fixed = (policy == "fixed") & np.isfinite(rules.lot_size) & (rules.lot_size > 0)
    eoq = (policy == "eoq") & np.isfinite(rules.eoq)
    poq = policy == "poq"
    min_max = (policy == "min_max") & np.isfinite(rules.lot_size)
    return fixed, eoq, poq, min_max


@settings(max_examples=300, deadline=None)
@given(groups())
@example((np.array([[5.0, 5.0, 12.0]]), np.array([[0.0, 0.0, -7.0]]),
          LotRules(np.array(["fixed"], dtype=object), np.array([1]), np.array([4.0]),
                   np.array([np.nan]), np.array([2.0]), np.array([np.nan]), np.array([1]))))
def test_sku_by_sku_gives_the_same_bits_as_all_at_once(group) -> None:
    shortfall, base, rules = group
    m, h = shortfall.shape
    rows = np.arange(m)
    fixed, eoq, poq, min_max = _flags(rules)
    each, every = np.zeros((m, h)), np.zeros((m, h))
    _period_loop_each(shortfall, base, rules, rows, fixed, eoq, poq, min_max, each)
    _period_loop_all(shortfall, base, rules, rows, fixed, eoq, poq, min_max, every)
    # bit for bit: -0.0 is not 0.0 here, and a NaN must be a NaN in the same place
    assert each.view(np.uint64).tolist() == every.view(np.uint64).tolist() or (
        np.array_equal(np.isnan(each), np.isnan(every))
        and each[~np.isnan(each)].view(np.uint64).tolist()
        == every[~np.isnan(every)].view(np.uint64).tolist())


def test_a_few_skus_go_one_by_one_and_plan_as_before() -> None:
    """Worked case through ``plan_receipts``: minimum order 8, lead time 1, shortfall
    0, 3, 5, 12, 12 -> orders of 8 in period 1 (covers 3 and 5) and 8 in period 3
    (12 - 8 = 4 short, raised to the minimum)."""
    shortfall = np.array([[0.0, 3.0, 5.0, 12.0, 12.0]])
    rules = LotRules(np.array(["lot_for_lot"], dtype=object), np.array([1]),
                     np.array([np.nan]), np.array([8.0]), np.array([np.nan]),
                     np.array([np.nan]), np.array([1]))
    receipts, past_due = plan_receipts(shortfall.copy(), -shortfall, np.zeros((1, 5)), rules)
    assert receipts.tolist() == [[0.0, 8.0, 0.0, 8.0, 0.0]]
    assert not past_due.any()


def test_a_lead_time_past_the_horizon_plans_nothing_for_that_sku() -> None:
    """All at once (more SKUs than ``EACH_ROWS``), one SKU's lead time past the horizon: it
    can receive nothing (its shortfall stays a backlog), the others plan as alone. (The
    pass used to fail on such a SKU.)"""
    m, h = EACH_ROWS + 2, 5
    shortfall = np.tile(np.array([0.0, 3.0, 5.0, 12.0, 12.0]), (m, 1))
    rules = LotRules(np.array(["lot_for_lot"] * m, dtype=object),
                     np.array([1] * (m - 1) + [h + 2]), np.full(m, np.nan), np.full(m, 8.0),
                     np.full(m, np.nan), np.full(m, np.nan), np.ones(m, dtype=np.int64))
    receipts, _ = plan_receipts(shortfall.copy(), -shortfall, np.zeros((m, h)), rules)
    assert receipts[-1].tolist() == [0.0] * h
    assert receipts[:-1].tolist() == [[0.0, 8.0, 0.0, 8.0, 0.0]] * (m - 1)
