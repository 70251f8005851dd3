"""Planning periods: the buckets of the horizon and how dates fall into them.

Period ``t`` (0 <= t < H) runs from ``starts[t]`` (inclusive) to ``starts[t + 1]``
(exclusive). A date before ``starts[0]`` is past due (bucket -1); a date on or after
``starts[H]`` is beyond the horizon (bucket H).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0}
PERIODS_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0}


@dataclass(frozen=True)
class Calendar:
    """The planning horizon: ``horizon`` periods of one ``period`` kind from ``start``."""

    period: str
    start: pd.Timestamp
    horizon: int

    @property
    def starts(self) -> pd.DatetimeIndex:
        """The H + 1 boundaries: the first day of each period, and the day after the horizon."""
        return period_starts(self.period, self.start, self.horizon + 1)

    @property
    def days_per_period(self) -> float:
        return PERIOD_DAYS[self.period]

    @property
    def periods_per_year(self) -> float:
        return PERIODS_PER_YEAR[self.period]

    def bucket(self, dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
        """Period index of each date: -1 before the horizon, H after it."""
        # compare in one unit: pandas may hold dates in ns, us or s
        values = pd.DatetimeIndex(pd.to_datetime(dates)).as_unit("ns").asi8
        edges = self.starts.as_unit("ns").asi8
        return np.searchsorted(edges, values, side="right").astype(np.int64) - 1

    def labels(self) -> list[str]:
        """ISO date of each period's first day."""
        return [d.date().isoformat() for d in self.starts[:-1]]


def period_starts(period: str, start: pd.Timestamp, count: int) -> pd.DatetimeIndex:
    """``count`` consecutive period start dates from ``start``."""
    start = pd.Timestamp(start).normalize()
    if period == "day":
        return pd.date_range(start, periods=count, freq="D")
    if period == "week":
        return pd.date_range(start, periods=count, freq="7D")
    if period == "month":
        return pd.DatetimeIndex([start + pd.DateOffset(months=i) for i in range(count)])
    raise ValueError(f"unknown period '{period}' (day, week or month)")


def next_period_start(period: str, date: pd.Timestamp) -> pd.Timestamp:
    """The start of the period after the one starting at ``date``."""
    return period_starts(period, date, 2)[1]
