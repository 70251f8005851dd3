"""Writing a scenario's plan as CSV files for the ERP and for checking.

Files (documented in README, "Export format"):

- projection.csv: one row per SKU and period: item_id, site_id, period, independent_demand,
  dependent_demand, gross_requirements, scheduled_receipts, planned_receipts,
  planned_releases, projected_on_hand, safety_stock, expired;
- planned_orders.csv: item_id, site_id, kind, source_site, release_period, receipt_period,
  quantity, past_due;
- kpis.csv: name, period ("total" or the period's ISO date), value;
- exceptions.csv: item_id, site_id, period, kind, severity, value, message;
- plan_skus.csv: one row per SKU: classification, targets and per-SKU outcomes.

Same conventions as the data export: UTF-8, CRLF, ISO dates, text cells formula-escaped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from app.engine.result import PlanResult
from app.models.values import escape_formula

PROJECTION_COLUMNS = (
    "independent_demand", "dependent_demand", "gross_requirements", "scheduled_receipts",
    "planned_receipts", "planned_releases", "projected_on_hand", "safety_stock", "expired",
)
PLANNED_ORDER_COLUMNS = ("item_id", "site_id", "kind", "source_site", "release_period",
                         "receipt_period", "quantity", "past_due")
PLAN_SKU_COLUMNS = (
    "item_id", "site_id", "part_class", "supply_type", "abc", "xyz", "abc_xyz",
    "low_level_code", "lead_time_periods", "demand_source", "forecast_method",
    "forecast_mase", "forecast_bias", "demand_mean", "demand_std", "demand_cv",
    "demand_per_period", "ss_model", "service_target", "cell_service_target",
    "service_target_used", "ss_current", "ss_recommended", "ss_recommended_seio",
    "ss_recommended_meio", "S", "SI", "tau", "base_stock", "average_on_hand",
    "average_on_hand_value", "periods_of_supply", "projected_service", "demonstrated_service",
    "excess_value", "obsolete_value", "end_items",
)


def projection_frame(result: PlanResult) -> pd.DataFrame:
    """The time-phased record of every SKU, long format (SKU-major, then period)."""
    n, h = result.n, result.horizon
    a = result.arrays
    frame = pd.DataFrame({
        "item_id": np.repeat(result.skus["item_id"].to_numpy(dtype=object), h),
        "site_id": np.repeat(result.skus["site_id"].to_numpy(dtype=object), h),
        "period": np.tile(np.asarray([p.date().isoformat() for p in result.periods],
                                     dtype=object), n),
    })
    for name in PROJECTION_COLUMNS:
        frame[name] = getattr(a, name).reshape(-1)
    return frame


def kpi_frame(result: PlanResult) -> pd.DataFrame:
    """name, period ("total" or ISO date), value."""
    total = pd.DataFrame({"name": list(result.kpis), "period": "total",
                          "value": [float(v) for v in result.kpis.values()]})
    by_period = result.kpis_by_period
    if by_period.empty:
        return total
    long = by_period.melt(id_vars=["period"], var_name="name", value_name="value")
    return pd.concat([total, long[["name", "period", "value"]]], ignore_index=True)


def plan_sku_frame(result: PlanResult) -> pd.DataFrame:
    """One row per SKU with the columns of PLAN_SKU_COLUMNS that the plan has."""
    columns = [c for c in PLAN_SKU_COLUMNS if c in result.skus.columns]
    extra = [c for c in result.skus.columns
             if c.startswith(("ss_recommended", "forecast_")) and c not in columns]
    return result.skus[columns + extra]


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[column] = series.cat.rename_categories(
                [escape_formula(c) if isinstance(c, str) else c for c in series.cat.categories])
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(lambda v: escape_formula(v) if isinstance(v, str) else v)
    return out


def _write(frame: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(path.name + ".part")
    _escaped(frame).to_csv(tmp, index=False, lineterminator="\r\n", float_format="%.10g")
    tmp.replace(path)
    return path


def write_plan(result: PlanResult, folder: Path) -> list[Path]:
    """Write the plan files into ``folder`` (each atomically); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    orders = result.planned_orders[list(PLANNED_ORDER_COLUMNS)].copy()
    orders["past_due"] = np.where(orders["past_due"].to_numpy(dtype=bool), "true", "false")
    return [
        _write(projection_frame(result), folder / "projection.csv"),
        _write(orders, folder / "planned_orders.csv"),
        _write(kpi_frame(result), folder / "kpis.csv"),
        _write(result.exceptions, folder / "exceptions.csv"),
        _write(plan_sku_frame(result), folder / "plan_skus.csv"),
    ]
