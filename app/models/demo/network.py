"""The demo company's product structure: a tablet maker's platforms, parts and stocking points.

A *platform* is one tablet model generation (e.g. Aria 10.1" Gen 1). It is sold in a few
variants (storage x connectivity x colour) and sometimes with a folio keyboard. Every variant
is built at the plant P1001 from platform modules (display, mainboard, battery pack, housing),
which are built from lower sub-assemblies (laminated panel, main PCB assembly) and from raw
materials. Raw materials such as chips, screws, cells and adhesives come from shared pools, so
one part feeds several platforms: the network is a DAG, not a tree.

Item levels (longest path down to a purchased part): finished goods 0, modules 1, lower
sub-assemblies 2, raw materials 3, i.e. four levels on the display and mainboard legs and
three on the battery, housing and keyboard legs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.models.demo.parts import (
    CATEGORY,
    RESPONSIBLE,
    SHARED_GROUPS,
    SHELF_LIFE,
    describe_shared,
    rm_cost_range,
)

PLANT = "P1001"
DCS = ("C1001", "C2001", "C3001")
SITES = (
    (PLANT, "Penang assembly plant", "plant"),
    ("C1001", "Memphis distribution centre", "dc"),
    ("C2001", "Rotterdam distribution centre", "dc"),
    ("C3001", "Singapore distribution centre", "dc"),
)
#: Chance that a finished good is stocked at each DC, and each DC's share of the demand.
DC_REACH = np.array([0.92, 0.66, 0.45])
DC_WEIGHT = np.array([0.5, 0.3, 0.2])

SERIES = ("Aria", "Nova", "Pico", "Vega", "Orion", "Lyra", "Atlas", "Zephyr", "Kite", "Echo")
SIZES = (8.3, 10.1, 10.9, 11.0, 12.4, 13.0)
STORAGES = (64, 128, 256, 512)
COLOURS = (
    ("SG", "Slate Grey"),
    ("SV", "Silver"),
    ("MB", "Midnight Blue"),
    ("RG", "Rose Gold"),
    ("GN", "Sage Green"),
)
CONNECTIVITY = {"W": "Wi-Fi", "L": "Wi-Fi + LTE"}
#: Item level of each part kind (0 = finished good, 3 = purchased).
LEVEL = {"TAB": 0, "KBD": 0, "DSP": 1, "MB": 1, "BAT": 1, "HSG": 1, "KEY": 1, "LAM": 2, "PCBA": 2}


@dataclass
class Platform:
    """One tablet model generation and the variants of it the company sells."""

    index: int
    code: str
    name: str
    size: float
    variants: list[tuple[int, str, str]]  # (storage GB, connectivity W/L, colour code)
    variant_dcs: list[np.ndarray]  # per variant: indices into DCS where it is stocked
    keyboard_dcs: np.ndarray | None  # DCs stocking the folio keyboard, None = no keyboard
    shared: dict[str, str] = field(default_factory=dict)  # shared group -> chosen RM item

    @property
    def boards(self) -> list[tuple[int, str]]:
        """Mainboard variants needed: (storage GB, connectivity)."""
        return sorted({(s, c) for s, c, _ in self.variants})

    @property
    def colours(self) -> list[str]:
        """Housing colours needed (colour codes)."""
        return sorted({c for _, _, c in self.variants})

    @property
    def groups(self) -> list[str]:
        """Shared raw-material pools this platform draws a part from."""
        out = [g for g in SHARED_GROUPS if SHARED_GROUPS[g][1] == "all"]
        out += [f"MEM{s}" for s in sorted({s for s, _, _ in self.variants})]
        if any(c == "L" for _, c, _ in self.variants):
            out.append("MDM")
        if self.keyboard_dcs is not None:
            out += [g for g in SHARED_GROUPS if SHARED_GROUPS[g][1] == "keyboard"]
        return out

    def sku_count(self) -> int:
        """Stocking points of the platform's own parts (shared raw materials not counted)."""
        fg = sum(1 + len(d) for d in self.variant_dcs)
        kbd = 0 if self.keyboard_dcs is None else 1 + len(self.keyboard_dcs) + 2
        wip = 4 + len(self.boards) + len(self.colours)
        rm = 4 + len(self.colours)
        return fg + kbd + wip + rm


def _draw_dcs(rng: np.random.Generator) -> np.ndarray:
    """The DCs (indices into DCS) that stock one finished good; at least Memphis."""
    dcs = np.flatnonzero(rng.random(3) < DC_REACH)
    return dcs if len(dcs) else np.array([0])


def _draw_platform(rng: np.random.Generator, p: int) -> Platform:
    """Platform number ``p``: its name, storage/connectivity/colour variants and DCs."""
    series = SERIES[p % len(SERIES)]
    size = SIZES[p % len(SIZES)]
    gen = p // 30 + 1  # (series, size) pairs repeat every 30 platforms: next generation
    code = f"{series[:2].upper()}{round(size * 10):03d}G{gen}"
    first = int(rng.integers(0, 3))
    storages = STORAGES[first : first + int(rng.integers(2, 4))]
    conns = ("W", "L") if rng.random() < 0.6 else ("W",)
    colour_idx = np.sort(rng.choice(len(COLOURS), size=int(rng.integers(2, 4)), replace=False))
    grid = [(s, c, COLOURS[k][0]) for s in storages for c in conns for k in colour_idx]
    n_var = int(min(len(grid), rng.integers(3, 9)))
    chosen = np.sort(rng.choice(len(grid), size=n_var, replace=False))
    variants = [grid[i] for i in chosen]
    return Platform(
        index=p,
        code=code,
        name=f'{series} {size}" Gen {gen}',
        size=size,
        variants=variants,
        variant_dcs=[_draw_dcs(rng) for _ in variants],
        keyboard_dcs=_draw_dcs(rng) if rng.random() < 0.5 else None,
    )


def _pool_size(users: int, per_member: int) -> int:
    """Number of parts in a shared pool used by ``users`` platforms."""
    return max(1, math.ceil(users / per_member))


def draw_platforms(rng: np.random.Generator, target_skus: int) -> list[Platform]:
    """Enough platforms that platform SKUs plus shared raw materials come closest to target."""
    platforms: list[Platform] = []
    users: dict[str, int] = defaultdict(int)
    own = previous = 0
    while True:
        platform = _draw_platform(rng, len(platforms))
        for g in platform.groups:
            users[g] += 1
        own += platform.sku_count()
        total = own + sum(_pool_size(n, _group_ratio(g)) for g, n in users.items())
        if total >= target_skus:
            if not platforms or total - target_skus <= target_skus - previous:
                platforms.append(platform)
            return platforms
        platforms.append(platform)
        previous = total


def _group_ratio(group: str) -> int:
    """Platforms served per part of a shared pool."""
    return SHARED_GROUPS["MEM" if group.startswith("MEM") else group][0]


def assign_shared(rng: np.random.Generator, platforms: list[Platform]) -> list[str]:
    """Pick each platform's part from every shared pool; returns the pool items in use.

    A pool has one part per few platforms using it, handed out as a shuffled even split so
    every pool item is used and most are shared by several platforms.
    """
    users: dict[str, list[Platform]] = defaultdict(list)
    for p in platforms:
        for g in p.groups:
            users[g].append(p)
    items: list[str] = []
    for group in sorted(users):
        members = users[group]
        size = _pool_size(len(members), _group_ratio(group))
        picks = rng.permutation(np.arange(len(members)) % size)
        ids = [f"RM-{group}-{k + 1:03d}" for k in range(size)]
        items += ids
        for platform, k in zip(members, picks, strict=True):
            platform.shared[group] = ids[k]
    return items


def _bom_lines(p: Platform, rng: np.random.Generator) -> list[tuple[str, str, float, float]]:
    """(parent, component, qty_per, scrap_rate) lines of one platform's bills of material."""
    c, s = p.code, p.shared
    cells = 2.0 if p.size < 10 else 3.0
    lines: list[tuple[str, str, float, float]] = []
    for storage, conn, colour in p.variants:
        fg = f"TB-{c}-{storage}{conn}-{colour}"
        lines += [
            (fg, f"SA-{c}-DSP", 1, 0), (fg, f"SA-{c}-MB{storage}{conn}", 1, 0),
            (fg, f"SA-{c}-BAT", 1, 0), (fg, f"SA-{c}-HSG-{colour}", 1, 0),
            (fg, s["CAM"], 1, 0), (fg, s["SCRA"], 12 if p.size < 11 else 16, 0.02),
            (fg, s["ADH"], 0.05, 0), (fg, f"RM-{c}-BOX", 1, 0), (fg, s["CBL"], 1, 0),
            (fg, s["CHG"], 1, 0), (fg, s["MAN"], 1, 0),
        ]
    lines += [
        (f"SA-{c}-DSP", f"SA-{c}-LAM", 1, 0), (f"SA-{c}-DSP", s["FLX"], 1, 0),
        (f"SA-{c}-DSP", s["SCRB"], 4, 0), (f"SA-{c}-DSP", s["ADH"], 0.02, 0),
        (f"SA-{c}-LAM", f"RM-{c}-PNL", 1, round(float(rng.uniform(0.01, 0.03)), 3)),
        (f"SA-{c}-LAM", f"RM-{c}-CGL", 1, round(float(rng.uniform(0.02, 0.05)), 3)),
        (f"SA-{c}-LAM", s["OCA"], 0.1, 0),
        (f"SA-{c}-PCBA", f"RM-{c}-PCB", 1, 0.01), (f"SA-{c}-PCBA", s["SOC"], 1, 0),
        (f"SA-{c}-PCBA", s["DRAM"], 2 if p.size >= 12 else 1, 0),
        (f"SA-{c}-PCBA", s["PMIC"], 1, 0), (f"SA-{c}-PCBA", s["PASV"], 1, 0),
        (f"SA-{c}-BAT", s["CEL"], cells, 0), (f"SA-{c}-BAT", s["BMS"], 1, 0),
        (f"SA-{c}-BAT", s["TAP"], 0.02, 0),
    ]
    for storage, conn in p.boards:
        mb = f"SA-{c}-MB{storage}{conn}"
        lines += [(mb, f"SA-{c}-PCBA", 1, 0), (mb, s[f"MEM{storage}"], 1, 0),
                  (mb, s["SCRC"], 4, 0)]
        if conn == "L":
            lines.append((mb, s["MDM"], 1, 0))
    for colour in p.colours:
        hsg = f"SA-{c}-HSG-{colour}"
        lines += [(hsg, f"RM-{c}-ENC-{colour}", 1, 0.01),
                  (hsg, s["SPK"], 2 if p.size < 11 else 4, 0), (hsg, s["SCRD"], 6, 0)]
    if p.keyboard_dcs is not None:
        kbd, key = f"AC-{c}-KBD", f"SA-{c}-KEY"
        lines += [(kbd, key, 1, 0), (kbd, f"RM-{c}-FAB", 1, 0), (kbd, s["MAG"], 4, 0),
                  (key, s["KCAP"], 1, 0), (key, s["FLX"], 1, 0), (key, s["SCRD"], 6, 0)]
    return lines


def _platform_items(p: Platform) -> list[tuple[str, str, str]]:
    """(item_id, kind, description) of the platform's own items."""
    c, n = p.code, p.name
    out: list[tuple[str, str, str]] = []
    colour_name = dict(COLOURS)
    for storage, conn, colour in p.variants:
        out.append((f"TB-{c}-{storage}{conn}-{colour}", "TAB",
                    f"{n} tablet, {storage} GB, {CONNECTIVITY[conn]}, {colour_name[colour]}"))
    out += [
        (f"SA-{c}-DSP", "DSP", f'Display module {p.size}" ({n})'),
        (f"SA-{c}-LAM", "LAM", f'Laminated LCD panel {p.size}" ({n})'),
        (f"SA-{c}-PCBA", "PCBA", f"Main PCB assembly, SMT + test ({n})"),
        (f"SA-{c}-BAT", "BAT", f"Battery pack {2 if p.size < 10 else 3}S Li-ion ({n})"),
        (f"RM-{c}-PNL", "PNL", f'LCD panel {p.size}" IPS ({n})'),
        (f"RM-{c}-CGL", "CGL", f'Cover glass {p.size}" chemically strengthened'),
        (f"RM-{c}-PCB", "PCB", f"Bare PCB, 8-layer HDI ({n})"),
        (f"RM-{c}-BOX", "BOX", f"Retail box with insert ({n})"),
    ]
    for storage, conn in p.boards:
        out.append((f"SA-{c}-MB{storage}{conn}", "MB",
                    f"Mainboard {storage} GB {CONNECTIVITY[conn]} ({n})"))
    for colour in p.colours:
        out.append((f"SA-{c}-HSG-{colour}", "HSG",
                    f"Housing assembly, {colour_name[colour]} ({n})"))
        out.append((f"RM-{c}-ENC-{colour}", "ENC",
                    f"Aluminium enclosure, anodised {colour_name[colour]} ({n})"))
    if p.keyboard_dcs is not None:
        out += [
            (f"AC-{c}-KBD", "KBD", f"Folio keyboard for {n}"),
            (f"SA-{c}-KEY", "KEY", f"Key matrix assembly ({n})"),
            (f"RM-{c}-FAB", "FAB", f'Folio fabric cover {p.size}"'),
        ]
    return out


@dataclass
class Structure:
    """Items, bills of material and the finished goods' DC placement of the demo company."""

    items: pd.DataFrame  # item_id, kind, description, platform, level, base_cost
    bom: pd.DataFrame  # parent_item, component_item, qty_per, scrap_rate (all at the plant)
    placement: pd.DataFrame  # item_id, site_id of every finished good stocked at a DC
    platforms: list[Platform]


def build_structure(rng: np.random.Generator, target_skus: int) -> Structure:
    """Draw the platforms, share the raw-material pools and list items and BOM lines."""
    platforms = draw_platforms(rng, target_skus)
    shared_ids = assign_shared(rng, platforms)
    rows: list[tuple[str, str, str, int]] = []
    lines: list[tuple[str, str, float, float]] = []
    place_item: list[str] = []
    place_dc: list[int] = []
    for p in platforms:
        rows += [(i, k, d, p.index) for i, k, d in _platform_items(p)]
        lines += _bom_lines(p, rng)
        for (storage, conn, colour), dcs in zip(p.variants, p.variant_dcs, strict=True):
            place_item += [f"TB-{p.code}-{storage}{conn}-{colour}"] * len(dcs)
            place_dc += list(dcs)
        if p.keyboard_dcs is not None:
            place_item += [f"AC-{p.code}-KBD"] * len(p.keyboard_dcs)
            place_dc += list(p.keyboard_dcs)
    for item_id in shared_ids:
        group = item_id.split("-")[1]
        rows.append((item_id, group, describe_shared(group, int(item_id.split("-")[-1]) - 1), -1))
    items = pd.DataFrame(rows, columns=["item_id", "kind", "description", "platform"])
    items["level"] = items["kind"].map(LEVEL).fillna(3).astype(int)
    items["part_class"] = np.select(
        [items["level"] == 0, items["level"] < 3], ["FG", "WIP"], "RM"
    )
    lo, hi = np.array([rm_cost_range(k) for k in items["kind"]]).T
    is_rm = (items["level"] == 3).to_numpy()
    items["base_cost"] = np.where(is_rm, np.round(lo + (hi - lo) * rng.random(len(items)), 2),
                                  np.nan)
    items["category"] = items["kind"].map(lambda k: CATEGORY[k])
    pool_number = pd.to_numeric(items["item_id"].str.split("-").str[-1], errors="coerce").fillna(0)
    turn = np.where(items["platform"] >= 0, items["platform"], pool_number).astype(int)
    items["responsible"] = [
        RESPONSIBLE[cat][h % len(RESPONSIBLE[cat])]
        for cat, h in zip(items["category"], turn, strict=True)
    ]
    items["shelf_life_periods"] = items["kind"].map(SHELF_LIFE)
    bom = pd.DataFrame(lines, columns=["parent_item", "component_item", "qty_per", "scrap_rate"])
    placement = pd.DataFrame({"item_id": place_item,
                              "site_id": np.array(DCS)[np.array(place_dc, dtype=int)]})
    return Structure(items=items, bom=bom, placement=placement, platforms=platforms)
