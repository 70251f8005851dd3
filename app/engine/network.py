"""The supply network as a directed graph over SKUs: arcs, low-level codes, cycle detection.

Nodes are SKUs (an item at a site) numbered 0..n-1. Arcs point in the direction material
flows, supplier -> customer:

- transfer: the source site's SKU of the same item -> the receiving SKU;
- BOM: the component SKU -> the parent SKU at the same site (units: ``qty_per`` component
  per parent, grossed up by scrap: ``qty_per / (1 - scrap_rate)``).

The low-level code of a SKU is the length of the longest path from it down to a SKU nobody
draws from (a demand-facing node has code 0, its suppliers 1, ...). Netting processes codes in
increasing order, so every SKU is planned after all the SKUs that draw from it.

Pure numpy/scipy; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine.columns import column_values
from app.engine.sku_index import SkuIndex


class NetworkCycleError(ValueError):
    """The network has a cycle; ``cycle`` lists its nodes in flow order (first == last)."""

    def __init__(self, cycle: list[int], names: list[str] | None = None) -> None:
        self.cycle = cycle
        self.names = names
        shown = " -> ".join(names) if names else " -> ".join(map(str, cycle))
        super().__init__(f"the network has a cycle: {shown}")


def low_level_codes(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Low-level code per node (int array), or raise NetworkCycleError naming one cycle.

    Peels the graph from the customer end: nodes with no remaining customers get the current
    code, their arcs are removed, and so on; in numpy, one pass over the arcs per level.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    codes = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return codes
    remaining_out = np.bincount(src, minlength=n)  # arcs to customers not yet coded
    frontier = np.flatnonzero(remaining_out == 0)
    in_frontier = np.zeros(n, dtype=bool)
    level = 0
    while frontier.size:
        codes[frontier] = level
        # each frontier node releases one arc-count on each of its suppliers
        in_frontier[:] = False
        in_frontier[frontier] = True
        released = np.bincount(src[in_frontier[dst]], minlength=n)
        touched = np.flatnonzero(released)
        remaining_out[touched] -= released[touched]
        frontier = touched[(remaining_out[touched] == 0) & (codes[touched] < 0)]
        level += 1
    if (codes < 0).any():
        raise NetworkCycleError(_cycle_among(src, dst, codes < 0))
    return codes


def _cycle_among(src: np.ndarray, dst: np.ndarray, among: np.ndarray) -> list[int]:
    """One directed cycle as a node list in flow order, first node repeated at the end.

    ``among`` marks the nodes low_level_codes could not peel: each has a customer that is also
    unpeeled, so following customers from any of them must come back to a node already seen.
    """
    keep = among[src] & among[dst]
    next_node: dict[int, int] = {}
    for s, d in zip(src[keep].tolist(), dst[keep].tolist(), strict=True):
        next_node.setdefault(s, d)
    start = int(np.flatnonzero(among)[0])
    seen: dict[int, int] = {}
    path: list[int] = []
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next_node[node]
    cycle = path[seen[node] :]
    return [*cycle, cycle[0]]


@dataclass(frozen=True)
class Network:
    """SKU nodes and flow arcs of one scenario.

    ``skus`` is the frame of SKUs (item_id, site_id, ...) with node i = row i; arcs are parallel
    arrays: ``arc_src`` supplier node, ``arc_dst`` customer node, ``arc_kind`` ("transfer" or
    "bom"), ``arc_qty`` units of supplier per unit of customer (1 for transfers;
    qty_per / (1 - scrap_rate) for BOM lines), ``arc_row`` the source row (skus row for a
    transfer, bom row for a BOM line).
    """

    skus: pd.DataFrame
    arc_src: np.ndarray
    arc_dst: np.ndarray
    arc_kind: np.ndarray
    arc_qty: np.ndarray
    arc_row: np.ndarray

    @property
    def n(self) -> int:
        return len(self.skus)

    def node_names(self, nodes: list[int]) -> list[str]:
        """``item@site`` labels of nodes, for messages."""
        items = self.skus["item_id"].to_numpy()
        sites = self.skus["site_id"].to_numpy()
        return [f"{items[v]}@{sites[v]}" for v in nodes]

    def low_level_codes(self) -> np.ndarray:
        """Low-level code per SKU; raises NetworkCycleError with ``item@site`` names."""
        try:
            return low_level_codes(self.n, self.arc_src, self.arc_dst)
        except NetworkCycleError as err:
            raise NetworkCycleError(err.cycle, self.node_names(err.cycle)) from None


def build_network(skus: pd.DataFrame, bom: pd.DataFrame, index: SkuIndex | None = None
                  ) -> Network:
    """Nodes and arcs from the skus and bom tables (contract columns).

    Arcs whose supplier SKU does not exist (a transfer from a site with no SKU of the item, a
    BOM component without a SKU at the site) are left out; the import validator reports them.
    ``index``: the SKU index of ``skus`` when the caller has it.
    """
    item_id = skus["item_id"].to_numpy(dtype=object)
    if index is None:
        index = SkuIndex(item_id, skus["site_id"])
    source_site = skus["source_site"].to_numpy(dtype=object)
    transfer_rows = np.flatnonzero((skus["supply_type"].to_numpy(dtype=object) == "transfer")
                                   & pd.notna(source_site))
    t_item, b_parent, b_comp = index.item_codes_of(
        [item_id[transfer_rows], bom["parent_item"], bom["component_item"]])
    t_site, b_site = index.site_codes_of([source_site[transfer_rows], bom["site_id"]])
    t_src = index.rows_of(t_item, t_site)
    t_ok = t_src >= 0
    b_parent = index.rows_of(b_parent, b_site)
    b_comp = index.rows_of(b_comp, b_site)
    b_ok = (b_parent >= 0) & (b_comp >= 0)
    b_qty = bom["qty_per"].to_numpy(dtype=float) / (1.0 - column_values(bom, "scrap_rate", 0.0))
    return Network(
        skus=skus.reset_index(drop=True),
        arc_src=np.concatenate([t_src[t_ok], b_comp[b_ok]]).astype(np.int64),
        arc_dst=np.concatenate([transfer_rows[t_ok], b_parent[b_ok]]).astype(np.int64),
        arc_kind=np.repeat(np.array(["transfer", "bom"], dtype=object),
                           [int(t_ok.sum()), int(b_ok.sum())]),
        arc_qty=np.concatenate([np.ones(int(t_ok.sum())), b_qty[b_ok]]),
        arc_row=np.concatenate([transfer_rows[t_ok], np.flatnonzero(b_ok)]).astype(np.int64),
    )
