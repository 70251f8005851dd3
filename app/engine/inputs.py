"""``PlanInput``: a scenario's planning data as the engine reads it.

Built from the data-contract tables (pandas DataFrames with the contract's columns, as
``app.models`` reads them from a scenario, or as a notebook builds them by hand). The engine
never sees the store; this is its whole input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from app.engine.calendar import Calendar, next_period_start
from app.engine.classification import DEFAULT_SERVICE_TARGETS, X_CV, Y_CV
from app.engine.forecast import DemandForecast
from app.engine.same_values import MadeFrom, made_from
from app.engine.segmentation import A_SHARE, B_SHARE
from app.engine.sku_index import SkuIndex

if TYPE_CHECKING:
    from app.engine.recommend import MeioMemo, MeioOptions

#: Settings and their defaults (names and meanings as in the data contract).
DEFAULT_SETTINGS: dict[str, object] = {
    "period": "week",
    "start_date": None,
    "horizon_periods": 52,
    "currency": "USD",
    "dso_days": 45.0,
    "dpo_days": 30.0,
    "holding_rate_per_year": 0.25,
    "abc_a_share": A_SHARE,
    "abc_b_share": B_SHARE,
    "xyz_x_cv": X_CV,
    "xyz_y_cv": Y_CV,
    "service_targets": "sku",
    **{f"service_target_{cell}": target for cell, target in DEFAULT_SERVICE_TARGETS.items()},
}

_ITEM_COLUMNS = ("unit_cost", "unit_price", "part_class", "description", "responsible",
                 "category", "shelf_life_periods")


@dataclass(frozen=True)
class PlanSettings:
    """Planning settings: calendar, currency and the financial rates of the measures."""

    calendar: Calendar
    currency: str = "USD"
    dso_days: float = 45.0
    dpo_days: float = 30.0
    holding_rate_per_year: float = 0.25
    #: ABC shares of annual value and XYZ coefficients of variation (class boundaries)
    abc_a_share: float = A_SHARE
    abc_b_share: float = B_SHARE
    xyz_x_cv: float = X_CV
    xyz_y_cv: float = Y_CV
    #: True: each SKU's service target is its ABC-XYZ cell's (``cell_service_targets``)
    targets_by_cell: bool = False
    cell_service_targets: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_SERVICE_TARGETS))


class PlanInputError(ValueError):
    """The tables cannot be planned as they are (e.g. no start date can be found)."""


def _table(tables: Mapping[str, pd.DataFrame], name: str, columns: tuple[str, ...]
           ) -> pd.DataFrame:
    frame = tables.get(name)
    if frame is None:
        return pd.DataFrame({c: [] for c in columns})
    return frame


def parse_settings(settings: pd.DataFrame | None, history: pd.DataFrame,
                   open_orders: pd.DataFrame) -> PlanSettings:
    """Settings rows (name, value as text) with defaults; the start date when absent is the
    period after the last demand history, else the first open order's due date."""
    values = dict(DEFAULT_SETTINGS)
    if settings is not None and len(settings):
        values.update(dict(zip(settings["name"], settings["value"], strict=True)))
    period = str(values["period"])
    start = values["start_date"]
    if start is None or start == "":
        if len(history):
            start = next_period_start(period, pd.Timestamp(history["period"].max()))
        elif len(open_orders):
            start = pd.Timestamp(open_orders["due_period"].min())
        else:
            raise PlanInputError(
                "settings: start_date is needed (no demand history or open orders to infer it)")
    calendar = Calendar(period, pd.Timestamp(start), int(float(values["horizon_periods"])))
    _check_segmentation(values)
    return PlanSettings(
        calendar=calendar,
        currency=str(values["currency"]),
        dso_days=float(values["dso_days"]),
        dpo_days=float(values["dpo_days"]),
        holding_rate_per_year=float(values["holding_rate_per_year"]),
        abc_a_share=float(values["abc_a_share"]),
        abc_b_share=float(values["abc_b_share"]),
        xyz_x_cv=float(values["xyz_x_cv"]),
        xyz_y_cv=float(values["xyz_y_cv"]),
        targets_by_cell=str(values["service_targets"]) == "abc_xyz",
        cell_service_targets={cell: float(values[f"service_target_{cell}"])
                              for cell in DEFAULT_SERVICE_TARGETS},
    )


def _check_segmentation(values: Mapping[str, object]) -> None:
    """Class boundaries in order and cell targets strictly between 0 and 1."""
    a, b = float(values["abc_a_share"]), float(values["abc_b_share"])
    if not 0 < a < b <= 1:
        raise PlanInputError(f"settings: abc_a_share ({a:g}) must be above 0 and below "
                             f"abc_b_share ({b:g}), which may be at most 1")
    x, y = float(values["xyz_x_cv"]), float(values["xyz_y_cv"])
    if not 0 <= x < y:
        raise PlanInputError(f"settings: xyz_x_cv ({x:g}) must be below xyz_y_cv ({y:g})")
    for cell in DEFAULT_SERVICE_TARGETS:
        target = float(values[f"service_target_{cell}"])
        if not 0 < target < 1:
            raise PlanInputError(f"settings: service_target_{cell} ({target:g}) must lie "
                                 "strictly between 0 and 1")


@dataclass
class PlanInput:
    """Everything one plan needs, as plain DataFrames (contract columns) and settings.

    ``skus`` holds one row per SKU: the skus table joined with its item's attributes
    (unit_cost, unit_price, part_class, ...). Row i of ``skus`` is node i of the network.
    """

    settings: PlanSettings
    skus: pd.DataFrame
    bom: pd.DataFrame
    demand_history: pd.DataFrame
    forecast: pd.DataFrame
    open_orders: pd.DataFrame
    lots: pd.DataFrame
    resources: pd.DataFrame
    routings: pd.DataFrame
    targets: pd.DataFrame
    #: optional per-SKU safety-stock override (n,) from an optimiser; NaN = use ss_model.
    #: When None, ``statistical`` and ``meio`` SKUs get the recommendation of
    #: ``app.engine.recommend`` (SEIO and MEIO respectively)
    safety_stock_override: np.ndarray | None = field(default=None, repr=False)
    #: solve the multi-echelon model: True, False, or None = when some SKU has ss_model meio
    meio: bool | None = None
    #: memo of MEIO solutions a session keeps between plans (None: solve every time)
    meio_memo: MeioMemo | None = field(default=None, repr=False, compare=False)
    #: MEIO search budget (None: the defaults of ``MeioOptions``)
    meio_options: MeioOptions | None = None
    #: customer demand computed beforehand (a session caches it per history version); None:
    #: ``plan`` computes it from demand_history and forecast
    demand: DemandForecast | None = field(default=None, repr=False)
    #: what the plan made from inputs that an edit seldom touches (network, SKU index, group
    #: codes), kept by a session between plans and reused while those inputs read the same
    #: (None: made every time). The plan is the same either way.
    memo: MadeFrom | None = field(default=None, repr=False, compare=False)
    _sku_index: SkuIndex | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], memo: MadeFrom | None = None
                    ) -> PlanInput:
        """A PlanInput from contract tables (missing optional tables are empty); ``memo`` as
        for ``PlanInput.memo``."""
        history = _table(tables, "demand_history", ("item_id", "site_id", "period", "quantity"))
        orders = _table(tables, "open_orders", ("order_id", "item_id", "site_id", "due_period",
                                                "quantity", "kind"))
        settings = parse_settings(tables.get("settings"), history, orders)
        skus = _with_item_columns(tables["skus"], tables["items"], memo)
        return cls(
            settings=settings,
            skus=skus,
            bom=_table(tables, "bom", ("site_id", "parent_item", "component_item", "qty_per",
                                       "scrap_rate")),
            demand_history=history,
            forecast=_table(tables, "forecast", ("item_id", "site_id", "period", "quantity",
                                                 "std")),
            open_orders=orders,
            lots=_table(tables, "lots", ("item_id", "site_id", "lot_id", "quantity",
                                         "expiry_date")),
            resources=_table(tables, "resources", ("resource_id", "site_id",
                                                   "capacity_per_period")),
            routings=_table(tables, "routings", ("item_id", "site_id", "resource_id",
                                                 "hours_per_unit")),
            targets=_table(tables, "targets", ("measure", "dimension", "key", "period",
                                               "value")),
            memo=memo,
        )

    @property
    def n(self) -> int:
        return len(self.skus)

    @property
    def sku_index(self) -> SkuIndex:
        """The (item_id, site_id) -> node index of ``skus`` (built once)."""
        if self._sku_index is None:
            item_id, site_id = self.skus["item_id"], self.skus["site_id"]
            self._sku_index = made_from(self.memo, "sku_index", (item_id, site_id),
                                        lambda: SkuIndex(item_id, site_id))
        return self._sku_index

    def sku_rows(self, item_id: pd.Series, site_id: pd.Series) -> np.ndarray:
        """Node index of each (item_id, site_id) pair; -1 where there is no such SKU."""
        return self.sku_index.rows(item_id, site_id)


def _with_item_columns(skus: pd.DataFrame, items: pd.DataFrame, memo: MadeFrom | None = None
                       ) -> pd.DataFrame:
    """``skus`` with its item's ``_ITEM_COLUMNS`` (a left join on item_id, m:1).

    A look-up of each SKU's item row and one take per column: what ``skus.merge(items,
    on="item_id", how="left", validate="m:1")`` gives, without the merge's fixed cost (about
    5 ms on every plan). The merge itself serves the cases it would treat specially
    (duplicate items, which it refuses; column names in both tables).
    """
    wanted = [c for c in _ITEM_COLUMNS if c in items.columns]
    item_ids = items["item_id"]
    keys = made_from(memo, "item keys", (item_ids,), lambda: pd.Index(item_ids))
    if not keys.is_unique or any(c in skus.columns for c in wanted):
        return skus.merge(items[["item_id", *wanted]], on="item_id", how="left",
                          validate="m:1").reset_index(drop=True)
    out = skus.reset_index(drop=True)

    def look_up() -> pd.DataFrame:
        rows = keys.get_indexer(skus["item_id"])  # -1: no such item
        return pd.DataFrame({c: pd.Series(taken, dtype=taken.dtype)  # (no inference)
                             for c in wanted for taken in
                             [pd.api.extensions.take(items[c].array, rows, allow_fill=True)]})

    looked_up = made_from(memo, "item_columns",
                          (skus["item_id"], item_ids, *(items[c] for c in wanted),
                           np.array(wanted, dtype=object)), look_up)
    return pd.concat([out, looked_up], axis=1)

