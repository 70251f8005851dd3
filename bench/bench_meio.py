"""Multi-echelon (guaranteed-service) benchmark: tree DP and general-network search.

    python bench/bench_meio.py [--tree-size 1000] [--runs 7] [--general-size 2000]
                               [--time-limits 2,5,10]

Trees: random recursive trees (node i hangs off a uniformly drawn earlier node), each arc
pointing up or down at random (assembly and distribution mixed), processing times 1-5
periods, external supplier times 0-3, demand at the nodes without customers. Prints the
median seconds of ``solve_tree`` over ``--runs`` runs (after a warm-up; the demand bounds,
computed once per network, are timed apart) and the peak memory traced during one run.

General networks: a random tree of ``--general-size`` nodes with 1 % extra arcs (second
sources into demand nodes); the bundled demo company at about that many SKUs (lead times as
processing times, holding cost 25 %/year of unit cost per week, demand sigma and mean from
the weekly history, its service targets and quoted service times), and a synthetic layered
BOM of the same size with widely shared parts. Prints, per time limit, the objective, the
proven lower bound, the gap and the search nodes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

import numpy as np
import pandas as pd

from app.engine.inventory.gsm_general import solve
from app.engine.inventory.gsm_tree import peel_forest, solve_tree
from app.engine.inventory.guaranteed_service import GsmNetwork


def random_tree(n: int, seed: int = 0) -> GsmNetwork:
    rng = np.random.default_rng(seed)
    child = np.arange(1, n)
    parent = (rng.random(n - 1) * child).astype(np.int64)
    up = rng.random(n - 1) < 0.5
    src, dst = np.where(up, child, parent), np.where(up, parent, child)
    has_customer = np.zeros(n, dtype=bool)
    has_customer[src] = True
    sigma = np.where(has_customer, 0.0, rng.uniform(1, 20, n))
    return GsmNetwork(n, src, dst, processing_time=rng.integers(1, 6, n),
                      holding_cost=rng.uniform(0.1, 5, n), demand_sigma=sigma,
                      demand_mean=3 * sigma, external_inbound=rng.integers(0, 4, n))


def near_tree(n: int, extra: int, seed: int = 2) -> GsmNetwork:
    """A random tree (as :func:`random_tree`) plus ``extra`` arcs into demand nodes from
    other nodes (second sources: multi-sourced DCs), kept acyclic."""
    base = random_tree(n, seed)
    rng = np.random.default_rng(seed + 1)
    levels = base.levels
    src, dst = list(base.arc_src), list(base.arc_dst)
    pairs = set(zip(src, dst, strict=True))
    targets = np.flatnonzero(base.is_demand)
    while extra:
        a, b = int(rng.integers(0, n)), int(rng.choice(targets))
        if levels[a] > levels[b] and (a, b) not in pairs:  # supplier above customer
            pairs.add((a, b))
            src.append(a)
            dst.append(b)
            extra -= 1
    return GsmNetwork(n, src, dst, processing_time=base.processing_time,
                      holding_cost=base.holding_cost, demand_sigma=base.demand_sigma,
                      demand_mean=base.demand_mean, external_inbound=base.external_inbound)


def demo_network(skus: int) -> GsmNetwork:
    from app.engine.network import build_network
    from app.models.demo import generate_demo

    tables = generate_demo(skus=skus)
    sk = tables["skus"]
    net = build_network(sk, tables["bom"])
    wide = tables["demand_history"].pivot_table(index=["item_id", "site_id"], columns="period",
                                                values="quantity", aggfunc="sum",
                                                fill_value=0.0)
    key = pd.MultiIndex.from_arrays([sk["item_id"], sk["site_id"]])
    stats = pd.DataFrame({"mean": wide.mean(axis=1), "sd": wide.std(axis=1)}).reindex(key)
    cost = tables["items"].set_index("item_id")["unit_cost"].reindex(sk["item_id"]).to_numpy()
    return GsmNetwork(net.n, net.arc_src, net.arc_dst,
                      processing_time=np.round(sk["lead_time"].to_numpy()).astype(int),
                      holding_cost=0.25 / 52 * cost,
                      demand_sigma=stats["sd"].fillna(0.0).to_numpy(), arc_qty=net.arc_qty,
                      demand_mean=stats["mean"].fillna(0.0).to_numpy(),
                      service_level=sk["service_target"].to_numpy(),
                      max_service_time=sk["max_service_time"].to_numpy())


def layered_bom(n: int, seed: int = 1) -> GsmNetwork:
    """DC SKUs <- finished goods <- modules <- sub-assemblies <- parts, 2-5 components per
    parent, 30 % of them drawn from the whole layer below (shared parts)."""
    rng = np.random.default_rng(seed)
    fg = max(1, n // 9)
    sizes = [fg, int(1.5 * fg), int(1.5 * fg), int(2.5 * fg)]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    layers = [np.arange(a, b) for a, b in itertools.pairwise(bounds)]
    src, dst = [], []
    for upper, lower in itertools.pairwise(layers):
        for rel, p in enumerate(upper):
            centre = rel * len(lower) // len(upper)
            for _ in range(rng.integers(2, 6)):
                c = (rng.integers(0, len(lower)) if rng.random() < 0.3
                     else np.clip(centre + rng.integers(-3, 4), 0, len(lower) - 1))
                src.append(int(lower[c]))
                dst.append(int(p))
    node = int(bounds[-1])
    dc, dc_source = [], []
    for f in layers[0]:
        for k in range(3):
            if k == 0 or rng.random() < 0.7:
                src.append(int(f))
                dst.append(node)
                dc.append(node)
                dc_source.append(int(f))
                node += 1
    pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
    total = node
    cost = np.zeros(total)
    cost[layers[3]] = rng.uniform(1, 20, len(layers[3]))
    for layer in (layers[2], layers[1], layers[0]):
        for p in layer:
            cost[p] = cost[pairs[pairs[:, 1] == p, 0]].sum() + rng.uniform(1, 10)
    dc = np.array(dc)
    cost[dc] = 1.05 * cost[dc_source]
    sigma = np.zeros(total)
    sigma[dc] = rng.uniform(5, 50, len(dc))
    t = rng.integers(1, 4, total)
    t[layers[3]] = rng.integers(1, 9, len(layers[3]))
    ext = np.zeros(total, dtype=np.int64)
    ext[layers[3]] = rng.integers(0, 10, len(layers[3]))
    return GsmNetwork(total, pairs[:, 0], pairs[:, 1], processing_time=t,
                      holding_cost=0.25 / 52 * cost, demand_sigma=sigma,
                      demand_mean=3 * sigma, external_inbound=ext)


def bench_tree(size: int, runs: int) -> None:
    net = random_tree(size)
    start = time.perf_counter()
    _ = net.demand_bound, net.max_inbound, net.levels
    prep = time.perf_counter() - start
    order = peel_forest(net.n, net.arc_src, net.arc_dst)
    solve_tree(net, order)  # warm-up
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        sol = solve_tree(net)
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    solve_tree(net)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"tree n={size}: longest supply path {int(net.max_inbound.max())} periods, "
          f"{len(order.rounds)} peeling rounds; demand bounds {prep * 1e3:.1f} ms; "
          f"solve_tree median {statistics.median(seconds) * 1e3:.1f} ms "
          f"(min {min(seconds) * 1e3:.1f}, max {max(seconds) * 1e3:.1f}) over {runs} runs; "
          f"peak memory {peak / 2**20:.1f} MiB; objective {sol.objective:.2f}")


def bench_general(name: str, net: GsmNetwork, limits: list[float]) -> None:
    pairs = np.unique(np.stack([net.arc_src, net.arc_dst], axis=1), axis=0)
    print(f"{name}: {net.n} nodes, {len(pairs)} arcs, {int(net.is_demand.sum())} demand "
          f"nodes, longest supply path {int(net.max_inbound.max())} periods")
    for limit in limits:
        tracemalloc.start()
        start = time.perf_counter()
        sol = solve(net, time_limit=limit)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  time limit {limit:g} s: {seconds:.2f} s, status {sol.status}, objective "
              f"{sol.objective:.2f}, lower bound {sol.lower_bound:.2f}, gap "
              f"{100 * sol.gap:.2f} %, {sol.nodes_explored} search nodes, "
              f"peak memory {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--general-size", type=int, default=2000)
    parser.add_argument("--time-limits", default="2,5,10")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}")
    bench_tree(args.tree_size, args.runs)
    limits = [float(x) for x in args.time_limits.split(",")]
    bench_general("near-tree (1 % second sources)",
                  near_tree(args.general_size, args.general_size // 100), limits)
    bench_general("demo company", demo_network(args.general_size), limits)
    bench_general("layered BOM", layered_bom(args.general_size), limits)


if __name__ == "__main__":
    main()
