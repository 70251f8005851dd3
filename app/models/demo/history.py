"""Two years of weekly customer demand for the demo's finished goods, from real sales data.

Every finished good stocked at a DC gets the 52 weekly quantities of one real product of the
UCI "Sales Transactions Dataset Weekly" (UCI ML repository #396, James Tan, CC BY 4.0),
bundled as ``resources/uci_sales_weekly_wide.csv``. Smooth real products back the regular
sellers and intermittent real products (30-85 % zero weeks) back the slow, lumpy sellers.

How the 104 weeks are made from the 52 real ones:

- year 2 (the latest 52 weeks) is the real series in its real order;
- year 1 is the same real series mirrored in time, so the two years meet at the same value and
  keep the real week-to-week moves, but do not repeat the same noise week for week (a
  repeated year would make a seasonal-naive forecast look perfect);
- both are scaled to the item's volume at that DC, times a smooth growth ramp (year-on-year
  growth of the platform, 1.0 in the middle of year 2) and a smooth calendar season (holiday
  peak around early December, a smaller back-to-school bump in late August);
- quantities are rounded to whole units; a real zero stays a zero, so intermittent series stay
  intermittent;
- ``shipped`` is the quantity except in about 3 % of the weeks with demand, where the DC fell
  short and shipped 55-95 % of it, so the demonstrated service level is below 100 %.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

UCI_FILE = Path(__file__).resolve().parents[3] / "resources" / "uci_sales_weekly_wide.csv"
HISTORY_WEEKS = 104
SHORT_WEEK_SHARE = 0.03


@lru_cache(maxsize=1)
def uci_weekly_sales() -> np.ndarray:
    """The real weekly quantities: one row per product (811), one column per week (52)."""
    frame = pd.read_csv(UCI_FILE)
    values = frame[[f"W{w}" for w in range(52)]].to_numpy(dtype=float)
    values.setflags(write=False)
    return values


def _pools() -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the smooth and of the intermittent real products."""
    sales = uci_weekly_sales()
    zero_share = (sales == 0).mean(axis=1)
    smooth = np.flatnonzero((zero_share < 0.1) & (sales.mean(axis=1) >= 3))
    lumpy = np.flatnonzero((zero_share >= 0.3) & (zero_share <= 0.85))
    return smooth, lumpy


def _season_shape(day: np.ndarray) -> np.ndarray:
    """Holiday peak (early December) plus a back-to-school bump (late August), by day of year."""

    def bump(centre: float, width: float) -> np.ndarray:
        gap = np.abs(day - centre)
        gap = np.minimum(gap, 365.0 - gap)
        return np.exp(-0.5 * (gap / width) ** 2)

    return bump(340.0, 18.0) + 0.35 * bump(236.0, 12.0)


def season(dates: pd.DatetimeIndex) -> np.ndarray:
    """Seasonal swing per week: zero on average over a year, close to 1 at the holiday peak."""
    day = dates.day_of_year.to_numpy(dtype=float)
    return _season_shape(day) - _season_shape(np.arange(1.0, 366.0)).mean()


def draw_volumes(rng: np.random.Generator, placement: pd.DataFrame,
                 items: pd.DataFrame, n_platforms: int) -> pd.DataFrame:
    """Demand character of each finished good at each DC stocking it.

    Returns item_id, site_id, mean (units per week in year 2, smooth sellers), lumpy (True for
    an intermittent seller), scale (units per real unit, intermittent sellers), growth (per
    year) and amplitude (seasonal swing) per DC stocking point.
    """
    popularity = rng.lognormal(np.log(450.0), 0.7, n_platforms)
    growth = np.clip(np.exp(rng.normal(0.05, 0.12, n_platforms)), 0.75, 1.35)
    fg = items.loc[items["level"] == 0, ["item_id", "kind", "platform"]].reset_index(drop=True)
    is_tab = (fg["kind"] == "TAB").to_numpy()
    weight = rng.gamma(1.5, 1.0, len(fg))
    tab_total = pd.Series(np.where(is_tab, weight, 0.0)).groupby(fg["platform"]).transform("sum")
    share = np.where(is_tab, weight / tab_total.to_numpy(), 0.12)
    big_storage = fg["item_id"].str.contains("-512").to_numpy()
    lumpy_chance = np.where(is_tab, np.where(big_storage, 0.6, 0.08), 0.35)
    fg["volume"] = popularity[fg["platform"].to_numpy()] * share
    fg["lumpy"] = rng.random(len(fg)) < lumpy_chance
    fg["growth"] = growth[fg["platform"].to_numpy()]
    fg["amplitude"] = np.where(is_tab, 0.45, 0.25) * rng.uniform(0.8, 1.2, len(fg))
    out = placement.merge(fg.drop(columns=["kind"]), on="item_id", how="left", validate="m:1")
    dc_weight = out["site_id"].map({"C1001": 0.5, "C2001": 0.3, "C3001": 0.2}).to_numpy()
    dc_weight = dc_weight * rng.uniform(0.8, 1.2, len(out))
    dc_share = dc_weight / pd.Series(dc_weight).groupby(out["item_id"]).transform("sum").to_numpy()
    out["mean"] = out["volume"].to_numpy() * dc_share
    out["scale"] = rng.uniform(1.5, 5.0, len(out))
    return out[["item_id", "site_id", "mean", "lumpy", "scale", "growth", "amplitude"]]


def build_history(rng: np.random.Generator, series: pd.DataFrame,
                  dates: pd.DatetimeIndex) -> pd.DataFrame:
    """demand_history rows (item_id, site_id, period, quantity, shipped) for ``series``."""
    n, weeks = len(series), len(dates)
    sales = uci_weekly_sales()
    smooth, lumpy = _pools()
    is_lumpy = series["lumpy"].to_numpy(dtype=bool)
    product = np.where(is_lumpy, lumpy[rng.integers(0, len(lumpy), n)],
                       smooth[rng.integers(0, len(smooth), n)])
    real = sales[product]
    base = np.concatenate([real[:, ::-1], real], axis=1)[:, -weeks:]
    scale = np.where(is_lumpy, series["scale"].to_numpy(),
                     series["mean"].to_numpy() / real.mean(axis=1))
    w = np.arange(weeks, dtype=float)
    ramp = series["growth"].to_numpy()[:, None] ** ((w - (weeks - 26.5)) / 52.0)[None, :]
    seasonal = 1.0 + series["amplitude"].to_numpy()[:, None] * season(dates)[None, :]
    quantity = np.rint(base * scale[:, None] * ramp * seasonal)
    short = (rng.random((n, weeks)) < SHORT_WEEK_SHARE) & (quantity > 0)
    filled = np.floor(quantity * rng.uniform(0.55, 0.95, (n, weeks)))
    shipped = np.where(short, filled, quantity)
    return pd.DataFrame({
        "item_id": np.repeat(series["item_id"].to_numpy(dtype=object), weeks),
        "site_id": np.repeat(series["site_id"].to_numpy(dtype=object), weeks),
        "period": np.tile(dates.to_numpy(), n),
        "quantity": quantity.ravel(),
        "shipped": shipped.ravel(),
    })
