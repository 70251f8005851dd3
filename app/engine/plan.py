"""``plan(input) -> PlanResult``: the whole pipeline for one scenario.

network -> independent demand -> scheduled receipts -> netting level by level (lot sizing,
shelf life, safety stock) -> planned orders -> resource load -> ABC -> measures ->
exceptions. Pure: no Qt, no SQL, no files. Usable from a notebook::

    from app.engine.inputs import PlanInput
    from app.engine.plan import plan
    result = plan(PlanInput.from_tables(tables))   # tables: contract DataFrames
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from app.engine.capacity import resource_load
from app.engine.exceptions import find_exceptions
from app.engine.inputs import PlanInput
from app.engine.measures import compute_measures
from app.engine.netting import net
from app.engine.prepare import column_values, prepare
from app.engine.result import PlanArrays, PlanResult
from app.engine.segmentation import abc_classes

Progress = Callable[[float], None]


def plan(inp: PlanInput, progress: Progress | None = None) -> PlanResult:
    """The scenario's complete plan (see the module notes for the steps)."""
    started = time.perf_counter()
    settings = inp.settings
    calendar = settings.calendar
    prepared = prepare(inp)
    skus = prepared.skus
    n, h = len(skus), calendar.horizon
    codes, lead, source = prepared.codes, prepared.lead, prepared.demand_source
    netted = net(prepared.netting, progress=progress)
    arrays = netted.arrays
    labels = calendar.labels()
    periods = calendar.starts[:-1]

    planned_orders = _planned_orders(skus, arrays, netted.past_due, lead, labels)
    routing_rows = prepared.rows(inp, inp.routings["item_id"], inp.routings["site_id"])
    load = resource_load(inp.resources, routing_rows, inp.routings, arrays.planned_releases,
                         prepared.open_work, labels)

    annual_value = (arrays.gross_requirements.mean(axis=1) if h else np.zeros(n)) * \
        calendar.periods_per_year * column_values(skus, "unit_cost", 0.0)
    plan_skus = skus.copy()
    plan_skus["low_level_code"] = codes
    plan_skus["lead_time_periods"] = lead
    plan_skus["abc"] = abc_classes(annual_value)
    plan_skus["annual_value"] = annual_value
    plan_skus["demand_source"] = np.array(["none", "forecast", "history"])[source]
    plan_skus["demand_per_period"] = arrays.independent_demand.mean(axis=1) if h else 0.0
    plan_skus["safety_stock_target"] = arrays.safety_stock.mean(axis=1) if h else 0.0

    kpis, by_period, sku_measures = compute_measures(
        settings, plan_skus, periods, arrays, planned_orders, load, inp.demand_history,
        inp.targets, shipped_sums=prepared.shipped_sums)
    for column in sku_measures.columns:
        plan_skus[column] = sku_measures[column].to_numpy()
    exceptions = find_exceptions(plan_skus, periods, arrays, planned_orders, load)
    return PlanResult(
        settings=settings, skus=plan_skus, periods=periods, arrays=arrays,
        planned_orders=planned_orders, resource_load=load, kpis=kpis,
        kpis_by_period=by_period, exceptions=exceptions,
        seconds=time.perf_counter() - started,
    )


def _planned_orders(skus: pd.DataFrame, arrays: PlanArrays, past_due: np.ndarray,
                    lead: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """One row per planned receipt: kind (make/buy/transfer), release and receipt periods.

    Text columns are categoricals (built from codes: no per-row strings), and ``sku_row``,
    ``release_index``, ``receipt_index`` keep the integer positions for fast look-ups.
    """
    rows, t = np.nonzero(arrays.planned_receipts > 1e-9)
    release = np.clip(t - lead[rows], 0, None)  # receipts never sit before the lead time

    def text(values: pd.Series, at: np.ndarray) -> pd.Categorical:
        codes, names = pd.factorize(values, use_na_sentinel=True)
        return pd.Categorical.from_codes(codes[at], categories=names)

    label = pd.Index(labels)
    source = skus["source_site"] if "source_site" in skus else pd.Series([None] * len(skus))
    return pd.DataFrame({
        "item_id": text(skus["item_id"], rows),
        "site_id": text(skus["site_id"], rows),
        "kind": text(skus["supply_type"], rows),
        "source_site": text(source, rows),
        "release_period": pd.Categorical.from_codes(release, categories=label),
        "receipt_period": pd.Categorical.from_codes(t, categories=label),
        "quantity": arrays.planned_receipts[rows, t],
        "past_due": past_due[rows, t],
        "sku_row": rows,
        "release_index": release,
        "receipt_index": t,
    }, copy=False)
