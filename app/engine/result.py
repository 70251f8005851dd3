"""``PlanResult``: a scenario's complete time-phased plan, measures and exceptions.

All quantities are in the SKU's units; values (``*_value``) in the settings' currency at the
item's ``unit_cost`` (standard cost). Time-phased arrays have one row per SKU (row i = node i
= ``skus`` row i) and one column per planning period (``periods``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from app.engine.inputs import PlanSettings

if TYPE_CHECKING:
    from app.engine.recommend import Recommendation


@dataclass
class PlanArrays:
    """The netting outcome, SKU x period (units).

    Flow balance per SKU and period t (``tests/test_netting.py`` checks it):
    ``projected_on_hand[t] = projected_on_hand[t-1] + scheduled_receipts[t]
    + planned_receipts[t] - gross_requirements[t] - expired[t]``, with
    ``projected_on_hand[-1] = on_hand`` (the starting stock). A negative projected on hand is
    a backlog: requirements not met on time.
    """

    on_hand: np.ndarray  # (n,) starting stock
    independent_demand: np.ndarray  # customer demand (forecast)
    dependent_demand: np.ndarray  # from customers' planned releases (BOM x qty, transfers)
    gross_requirements: np.ndarray  # independent + dependent
    scheduled_receipts: np.ndarray  # open orders due in the period (past due -> period 0)
    planned_receipts: np.ndarray  # planned orders arriving in the period
    planned_releases: np.ndarray  # planned orders to release in the period
    projected_on_hand: np.ndarray  # end-of-period stock after all flows
    safety_stock: np.ndarray  # target per period
    expired: np.ndarray  # lot quantity expiring unconsumed in the period


@dataclass
class PlanResult:
    """Everything the GUI, the CLI and the export show about one scenario's plan."""

    settings: PlanSettings
    #: one row per SKU: the input's SKU attributes plus low_level_code, lead_time_periods,
    #: abc, and per-SKU outcomes (see ``app.engine.plan``)
    skus: pd.DataFrame
    periods: pd.DatetimeIndex
    arrays: PlanArrays
    #: item_id, site_id, kind, source_site, release_period, receipt_period (ISO dates),
    #: quantity, past_due
    planned_orders: pd.DataFrame
    #: resource_id, site_id, period (ISO date), load_hours, capacity_hours, utilisation
    resource_load: pd.DataFrame
    #: name -> value over the whole horizon
    kpis: dict[str, float] = field(default_factory=dict)
    #: one row per period: the time-phased measures (period as ISO date + measure columns)
    kpis_by_period: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: item_id, site_id, period, kind, severity, value
    exceptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: seconds the plan took (wall clock)
    seconds: float = 0.0
    #: the safety-stock recommendation (SKUs in the order of ``skus``) the plan's
    #: statistical / meio targets come from
    recommendation: Recommendation | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.skus)

    @property
    def horizon(self) -> int:
        return len(self.periods)
