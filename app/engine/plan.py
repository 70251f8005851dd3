"""``plan(input) -> PlanResult``: the whole pipeline for one scenario.

network -> independent demand -> safety-stock recommendation (SEIO, MEIO) -> scheduled
receipts -> netting level by level (lot sizing, shelf life, safety stock) -> planned orders
-> resource load -> ABC/XYZ -> measures -> exceptions. Pure: no Qt, no SQL, no files.
With a session's memo (``PlanInput.memo``) a plan re-makes only what its inputs changed:
structures kept while their sources read the same (``same_values``), netting levels and
measure blocks that read as in the last plan (``same_levels``, ``measure_sums.BlockMemo``);
the plan is the same as one made from scratch.
Usable from a notebook::

    from app.engine.inputs import PlanInput
    from app.engine.plan import plan
    result = plan(PlanInput.from_tables(tables))   # tables: contract DataFrames
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from app.engine import recommend, same_levels
from app.engine.calendar import label_index
from app.engine.capacity import resource_load
from app.engine.exceptions import EpisodeScan, find_exceptions
from app.engine.forecast import demand_forecast
from app.engine.inputs import PlanInput
from app.engine.lookup import LoadCells
from app.engine.measure_sums import BlockMemo, level_blocks
from app.engine.measures import compute_measures
from app.engine.netting import net
from app.engine.prepare import column_values, prepare
from app.engine.progress import Progress, ShouldStop, part
from app.engine.result import PlanArrays, PlanResult
from app.engine.same_values import MadeFrom, made_from, read_only


def plan(inp: PlanInput, progress: Progress | None = None,
         should_stop: ShouldStop | None = None) -> PlanResult:
    """The scenario's complete plan (see the module notes for the steps).

    ``progress`` hears of the multi-echelon search (the first 90 %, when it runs) and of the
    netting level by level; ``should_stop()`` ends that search early, and the plan goes on
    with the best solution found so far.
    """
    started = time.perf_counter()
    settings = inp.settings
    calendar = settings.calendar
    if inp.demand is None:
        inp = replace(inp, demand=demand_forecast(calendar, inp.demand_history, inp.forecast))
    prepared = prepare(inp)
    advice = recommend.for_plan(inp, prepared, progress=part(progress, 0.0, 0.9),
                                should_stop=should_stop)
    if inp.safety_stock_override is None:
        prepared.netting.ss_override = advice.override
    skus = prepared.skus
    h = calendar.horizon
    codes, lead, source = prepared.codes, prepared.lead, prepared.demand_source
    memo = inp.memo
    last = memo.kept("netting") if memo is not None else None
    netted = net(prepared.netting, progress=part(progress, 0.9, 1.0), last=last)
    blocks = None
    if memo is not None:  # the next plan takes the levels that read the same from here
        kept = same_levels.keep(prepared.netting, netted)
        last_blocks = memo.kept("measure blocks")
        if last_blocks is None or last_blocks.netting is not last:
            last_blocks = None  # (sums of another plan than the one netting copied from)
        blocks = BlockMemo(kept, netted.copied, last_blocks)
        memo.keep("netting", kept)
    arrays = netted.arrays
    labels = calendar.labels()
    periods = calendar.starts[:-1]

    planned_orders = _planned_orders(skus, arrays, netted.past_due, lead, labels, inp.memo)
    routing_rows = prepared.rows(inp, inp.routings["item_id"], inp.routings["site_id"],
                                 of="routings")
    load = resource_load(inp.resources, routing_rows, inp.routings, arrays.planned_releases,
                         prepared.open_work, labels, memo)

    def load_cells() -> LoadCells:  # (the measures and the exceptions both read them)
        made = LoadCells.of(load, periods)
        read_only([made.period, made.resource, made.names])
        return made

    cells = made_from(memo, "load cells", (load["resource_id"], load["period"], periods),
                      load_cells) if len(load) else None

    segments = advice.segmentation
    assert segments is not None
    advised = recommend.plan_columns(advice, skus, prepared.netting.ss_model,
                                     arrays.safety_stock, inp.meio_memo)
    planned = {
        "low_level_code": codes,
        "lead_time_periods": lead,
        "abc": segments.abc,
        "annual_value": segments.annual_value,
        "demand_source": np.array(["none", "forecast", "history"])[source],
        "demand_per_period": arrays.independent_demand.mean(axis=1) if h else 0.0,
        **advised,
    }

    # one pass over the SKU blocks (level by level): the measures' stock breakdown of a
    # block also gives the exceptions their excess (surplus), while the block is at hand
    scan = EpisodeScan()
    kpis, by_period, sku_measures = compute_measures(  # (with the plan's lead times, ABC)
        settings, skus, periods, arrays, planned_orders, load, inp.demand_history,
        inp.targets, shipped_sums=prepared.shipped_sums, visit=scan, memo=memo,
        bounds=level_blocks(codes), blocks=blocks, load_cells=cells, lead_time=lead,
        abc=segments.abc)
    if memo is not None and blocks is not None:
        memo.keep("measure blocks", blocks)
    plan_skus = _with_columns(skus, {**planned, **{c: sku_measures[c].to_numpy()
                                                   for c in sku_measures.columns}})
    kpis.update(recommend.plan_kpis(advised, column_values(skus, "unit_cost", 0.0), advice))
    exceptions = find_exceptions(plan_skus, periods, arrays, planned_orders, load,
                                 scanned=scan, load_cells=cells, memo=memo)
    return PlanResult(
        settings=settings, skus=plan_skus, periods=periods, arrays=arrays,
        planned_orders=planned_orders, resource_load=load, kpis=kpis,
        kpis_by_period=by_period, exceptions=exceptions,
        seconds=time.perf_counter() - started, recommendation=advice,
    )


def _with_columns(frame: pd.DataFrame, columns: dict[str, np.ndarray | float]
                  ) -> pd.DataFrame:
    """``frame`` plus ``columns`` (set in order, as ``frame[name] = values`` would), in one
    step when they are all new; ``frame`` itself is left as it is."""
    if not set(frame.columns).isdisjoint(columns):  # some replace a column
        out = frame.copy(deep=False)
        for name, values in columns.items():
            out[name] = values
        return out
    extra = pd.DataFrame({name: np.full(len(frame), values) if np.ndim(values) == 0
                          else values for name, values in columns.items()}, index=frame.index)
    return pd.concat([frame, extra], axis=1)


def _planned_orders(skus: pd.DataFrame, arrays: PlanArrays, past_due: np.ndarray,
                    lead: np.ndarray, labels: list[str], memo: MadeFrom | None = None
                    ) -> pd.DataFrame:
    """One row per planned receipt: kind (make/buy/transfer), release and receipt periods.

    Text columns are categoricals (built from codes: no per-row strings), and ``sku_row``,
    ``release_index``, ``receipt_index`` keep the integer positions for fast look-ups.
    Rows come SKU by SKU, periods in order (row-major). Every column is built once at its
    final size and type: per-SKU values are repeated by the SKU's order count, per-cell
    values taken at the flat cell index (fewer and smaller temporaries than 2-D indexing).
    ``memo`` keeps the codes of the SKUs' text columns while they read the same.
    """
    n, h = arrays.planned_receipts.shape
    placed = arrays.planned_receipts > 1e-9
    counts = np.count_nonzero(placed, axis=1)
    rows = np.repeat(np.arange(n), counts)
    cell = np.flatnonzero(placed)  # row-major: SKU by SKU, periods in order
    quantity = arrays.planned_receipts.ravel().take(cell)
    late = past_due.ravel().take(cell)
    t = np.subtract(cell, np.repeat(np.arange(n) * h, counts), out=cell)  # receipt period
    release = np.repeat(lead.astype(np.int64, copy=False), counts)
    np.subtract(t, release, out=release)
    np.maximum(release, 0, out=release)  # receipts never sit before the lead time

    def categorical(codes: np.ndarray, names: pd.Index, per_sku: bool = True
                    ) -> pd.Categorical:
        codes = codes.astype(_code_type(len(names)), copy=False)
        return pd.Categorical.from_codes(np.repeat(codes, counts) if per_sku else codes,
                                         categories=names, validate=False)

    def text(values: pd.Series) -> pd.Categorical:
        codes, names = made_from(memo, f"codes of {values.name}", (values,),
                                 lambda: read_only(pd.factorize(values, use_na_sentinel=True)))
        return categorical(codes, names)

    label = label_index(tuple(labels))
    source = skus["source_site"] if "source_site" in skus else pd.Series([None] * len(skus))
    return pd.DataFrame({
        "item_id": text(skus["item_id"]),
        "site_id": text(skus["site_id"]),
        "kind": text(skus["supply_type"]),
        "source_site": text(source),
        "release_period": categorical(release, label, per_sku=False),
        "receipt_period": categorical(t, label, per_sku=False),
        "quantity": quantity,
        "past_due": late,
        "sku_row": rows,
        "release_index": release,
        "receipt_index": t,
    }, copy=False)


def _code_type(categories: int) -> type[np.signedinteger]:
    """The integer type pandas keeps categorical codes in (the smallest that fits)."""
    for kind in (np.int8, np.int16, np.int32):
        if categories < np.iinfo(kind).max:
            return kind
    return np.int64
