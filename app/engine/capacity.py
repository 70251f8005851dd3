"""Resource load: hours of planned and open production per resource and period.

load[r, t] = Σ_i hours_per_unit[i, r] x (planned_releases[i, t] + open_work[i, t]), where
open work orders load their resource in the period they are due minus the lead time (clipped
to the first period). utilisation = load / capacity_per_period; a period over 1 is an overload.
The plan is unconstrained: overloads are reported, not levelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from app.engine.lookup import text_columns
from app.engine.same_values import MadeFrom, made_from


def resource_load(resources: pd.DataFrame, routing_rows: np.ndarray, routings: pd.DataFrame,
                  releases: np.ndarray, open_work: np.ndarray, periods: list[str],
                  memo: MadeFrom | None = None) -> pd.DataFrame:
    """Long table: resource_id, site_id, period, load_hours, capacity_hours, utilisation.

    ``memo`` keeps the text columns (resource, site, period) while the resources and the
    periods read the same."""
    h = releases.shape[1]
    r_ids = resources["resource_id"].to_numpy()
    # text ids: kept as objects, as the routings' ids usually are (pandas would otherwise
    # convert the index back to objects before matching; the same positions either way)
    r_index = pd.Index(r_ids, dtype=object) if pd.api.types.infer_dtype(
        r_ids, skipna=False) == "string" else pd.Index(r_ids)
    r_of = r_index.get_indexer(routings["resource_id"])
    keep = (routing_rows >= 0) & (r_of >= 0)
    # only SKUs with a routing load a resource: work on their rows alone (columns renumbered
    # in order, so the product adds the same terms in the same order)
    routed, column = np.unique(routing_rows[keep], return_inverse=True)
    hours = sparse.csr_matrix(
        (routings["hours_per_unit"].to_numpy(dtype=float)[keep], (r_of[keep], column)),
        shape=(len(r_ids), len(routed)),
    )
    work = releases[routed] + open_work[routed]
    load = np.asarray(hours @ work) if len(r_ids) else np.zeros((0, h))
    capacity = resources["capacity_per_period"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(capacity[:, None] > 0, load / capacity[:, None],
                               np.where(load > 0, np.inf, 0.0))
    sites = resources["site_id"].to_numpy()

    def texts() -> list:
        each_resource = np.repeat(np.arange(len(r_ids)), h)
        return text_columns([(r_ids, each_resource), (sites, each_resource),
                             (periods, np.tile(np.arange(h), len(r_ids)))])

    resource_id, site_id, period = made_from(
        memo, "load texts", (r_ids, sites, np.asarray(periods, dtype=object)), texts)
    return pd.DataFrame({
        "resource_id": resource_id, "site_id": site_id, "period": period,
        "load_hours": load.ravel(),
        "capacity_hours": np.repeat(capacity, h),
        "utilisation": utilisation.ravel(),
    }, copy=False)  # (every column is a fresh array)
