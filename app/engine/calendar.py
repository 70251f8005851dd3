"""Planning periods: the buckets of the horizon and how dates fall into them.

Period ``t`` (0 <= t < H) runs from ``starts[t]`` (inclusive) to ``starts[t + 1]``
(exclusive). A date before ``starts[0]`` is past due (bucket -1); a date on or after
``starts[H]`` is beyond the horizon (bucket H).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

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

    @cached_property
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
        edges = self.starts.as_unit("ns").asi8
        return np.searchsorted(edges, date_stamps(dates), side="right").astype(np.int64) - 1

    def labels(self) -> list[str]:
        """ISO date of each period's first day."""
        return iso_days(self.starts[:-1])


def iso_days(dates: pd.DatetimeIndex) -> list[str]:
    """``d.date().isoformat()`` of each date ("2026-01-05"; "NaT" when missing), vectorised.

    A plan asks for its periods' days several times: the days of a few sets of dates are
    kept (by their instants), and each call gets a fresh list."""
    if not isinstance(dates, pd.DatetimeIndex):
        dates = pd.DatetimeIndex(dates)
    if dates.tz is not None:  # the local calendar day
        return [d.date().isoformat() for d in dates]
    values = dates.to_numpy()
    return list(_iso_days(values.view(np.int64).tobytes(), values.dtype.str))


@lru_cache(maxsize=16)
def _iso_days(instants: bytes, unit: str) -> tuple[str, ...]:
    """The ISO days of datetime64 instants (their int64 bytes, and dtype ``unit``)."""
    dates = np.frombuffer(instants, dtype=np.int64).view(unit)
    return tuple(np.datetime_as_string(dates, unit="D").tolist())


@lru_cache(maxsize=16)
def label_index(labels: tuple[str, ...]) -> pd.Index:
    """Period labels as an index (the categories of a plan's period columns), kept for the
    few calendars in use (an index is never written)."""
    return pd.Index(labels)


@lru_cache(maxsize=16)
def label_stamps(labels: tuple[str, ...]) -> np.ndarray:
    """``date_stamps`` of period labels (ISO days), kept for the few calendars in use
    (read-only)."""
    stamps = date_stamps(np.array(labels, dtype=object))
    stamps.flags.writeable = False
    return stamps


def date_stamps(dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Nanoseconds since the epoch of each date (ISO text or datetime; missing: NaT's value).

    Each distinct value is parsed once (dates repeat a lot: one per period and SKU), in
    one unit: pandas may hold dates in ns, us or s. Plain ISO days ("2026-01-05") are read
    by numpy directly (the same instants as ``pd.to_datetime``, much faster).
    """
    if not hasattr(dates, "dtype"):  # a list
        dates = np.asarray(dates, dtype=object)
    if isinstance(dates.dtype, pd.CategoricalDtype):  # each category once
        dates = pd.Categorical(dates)
        stamps = date_stamps(dates.categories)
        return np.where(dates.codes >= 0, stamps[np.maximum(dates.codes, 0)],
                        pd.NaT.value) if len(stamps) else np.full(len(dates), pd.NaT.value)
    if dates.dtype == np.dtype("datetime64[ns]"):  # already nanoseconds (NaT included)
        return np.asarray(dates).view(np.int64)
    if isinstance(dates, pd.Series) and pd.api.types.is_string_dtype(dates.dtype):
        dates = dates.to_numpy(dtype=object)  # (factorised faster than the text column)
    codes, uniques = pd.factorize(dates, use_na_sentinel=False)
    if pd.api.types.is_string_dtype(uniques.dtype):
        days = _iso_day_values(np.asarray(uniques, dtype=object))
        if days is not None:
            return days.astype("datetime64[ns]").view(np.int64)[codes]
    return pd.DatetimeIndex(pd.to_datetime(uniques)).as_unit("ns").asi8[codes]


_ISO_DAYS = re.compile(r"(?:\d{4}-\d{2}-\d{2})*")
#: the days nanosecond timestamps can hold
_NS_DAYS = (np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-10", "D"))


def _iso_day_values(text: np.ndarray) -> np.ndarray | None:
    """``text`` as datetime64[D] when every value is an ISO day in the nanosecond range,
    else None (then pandas parses it)."""
    values = text.tolist()
    if not all(isinstance(t, str) and len(t) == 10 for t in values) or \
            not _ISO_DAYS.fullmatch("".join(values)):  # (one match for them all)
        return None
    try:
        days = text.astype("datetime64[D]")
    except ValueError:  # e.g. 2026-02-30
        return None
    if len(days) and (days.min() < _NS_DAYS[0] or days.max() > _NS_DAYS[1]):
        return None
    return days


@lru_cache(maxsize=32)
def period_starts(period: str, start: pd.Timestamp, count: int) -> pd.DatetimeIndex:
    """``count`` consecutive period start dates from ``start`` (kept for the few calendars
    in use: an index is never written)."""
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
