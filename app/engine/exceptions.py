"""Step 7 of the engine: the plan's exceptions, the short list a planner acts on.

One row per **episode**, not per period: an episode is a maximal run of consecutive periods in
which the same SKU (or resource) has the same kind of problem. A stock-out in periods 3-7 is one
row dated period 3, with ``periods = 5`` and the value of the whole episode.

Kinds, with the flagged condition, the quantity and the value of an episode (P projected on
hand, SS safety stock, X expired, c unit cost; units unless said):

- ``stock_out``: ``P[t] < 0``. Quantity = units that fell short during the episode,
  ``Σ max(b[t] - b[t-1], 0)`` with backlog ``b = max(-P, 0)`` and ``b[-1] = 0`` (the peak
  backlog when it builds up then clears). Value = quantity x c.
- ``below_safety_stock``: ``0 <= P[t] < SS[t]``. Quantity = the largest gap ``max(SS - P)``.
- ``excess``: ``excess_qty[t] > 0`` (default: excess + obsolete stock,
  ``app.engine.breakdown.surplus``). Quantity = the largest excess in the episode.
- ``expiring``: ``X[t] > 0``. Quantity = ``Σ X`` over the episode (all of it is written off).
- ``past_due``: planned orders whose release is before the horizon, one row per SKU dated
  the first plan period; quantity = their total, ``periods`` = how many orders.
- ``overload``: a resource's ``load_hours > capacity_hours``. Quantity = hours over capacity
  ``Σ (load - capacity)`` over the episode. The money at stake is unknown without routings, so
  the value is NaN (sorted last within its severity); ``item_id`` is "" and ``resource_id``
  names the resource (for SKU rows ``resource_id`` is "").

Value (currency) = quantity x c for the SKU kinds. Severity:

- ``stock_out``: high on A items or when it starts inside the SKU's lead time (no new order
  can arrive in time), else medium
- ``below_safety_stock``: medium on A items, else low
- ``excess``, ``expiring``: by value among the rows of that kind: high from the 90th
  percentile, medium from the median, low below
- ``past_due``: high on A items, else medium
- ``overload``: high when the peak utilisation reaches 120 %, medium from 105 %, else low

Rows are sorted by severity (high first), then value (largest first, NaN last), then kind, SKU
and period as found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from app.engine.breakdown import StockBreakdown, surplus
from app.engine.calendar import date_stamps, iso_days, label_stamps
from app.engine.lookup import LoadCells, as_text, column, sku_rows, text_columns
from app.engine.measure_sums import block_arrays
from app.engine.result import PlanArrays
from app.engine.same_values import MadeFrom

KINDS = ("stock_out", "below_safety_stock", "excess", "expiring", "past_due", "overload")
SEVERITIES = ("high", "medium", "low")
COLUMNS = ("item_id", "site_id", "resource_id", "period", "periods", "kind", "severity",
           "quantity", "value", "message")
#: Peak utilisation from which an overload is high / medium.
OVERLOAD_HIGH, OVERLOAD_MEDIUM = 1.20, 1.05
#: Units below which a flag is rounding noise.
TOLERANCE = 1e-9
#: Message pieces formatted row by row up to this many rows (else once per distinct value).
FORMAT_EACH = 128
#: SKUs scanned per block (the temporaries of a block stay small and are reused).
BLOCK_ROWS = 4096


def episodes(flag: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                        np.ndarray]:
    """Maximal runs of True along each row of ``flag`` (bool, n x H).

    Returns ``(row, first, length, cells, starts)``: per episode its row, first period and
    length; ``cells`` the flat (row-major) indices of all flagged cells, episode after episode,
    and ``starts`` the position in ``cells`` where each episode begins (for ``reduceat``).
    """
    horizon = flag.shape[1]
    begins = flag.copy()
    begins[:, 1:] &= ~flag[:, :-1]
    cells = np.flatnonzero(flag)
    starts = np.flatnonzero(begins.ravel()[cells])
    first_cell = cells[starts]
    length = np.diff(np.append(starts, len(cells)))
    return first_cell // horizon, first_cell % horizon, length, cells, starts


Episodes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # row, first, length, amount


def _episode_amounts(flag: np.ndarray, amount: np.ndarray, how: np.ufunc,
                     *more: tuple[np.ndarray, np.ufunc]) -> tuple[np.ndarray, ...]:
    """Episodes of ``flag`` with ``how`` (np.add / np.maximum) of ``amount`` over each
    (``more``: further (amount, how) pairs over the same episodes, their results appended).

    An episode is a contiguous stretch of the row-major cells, so ``how.reduceat`` runs over
    the stretches in place (bounds: start, end, start, end, ...; every other result is a
    gap): the same values in the same order as over the episodes' cells gathered. The
    stretches come from one pass: a row's flag, padded with False at both ends, changes
    value exactly at each episode's start and one past its end.
    """
    horizon = flag.shape[1]
    if not flag.any():  # (expiry: most blocks have none)
        nothing = np.zeros(0, dtype=np.intp)
        return nothing, nothing.copy(), nothing.copy(), *(np.zeros(0) for _ in range(
            1 + len(more)))
    edges = np.flatnonzero(np.diff(flag, axis=1, prepend=False, append=False))
    row, first = np.divmod(edges, horizon + 1)  # (rows of H + 1 edge positions)
    cell = row * horizon + first  # start, end, start, end, ... as flat cells
    start, end = cell[0::2], cell[1::2]
    row, first, length = row[0::2], first[0::2], end - start
    bounds = np.column_stack([start, end]).reshape(-1)
    if bounds[-1] == flag.size:  # the last stretch runs to the end of the array
        bounds = bounds[:-1]
    return row, first, length, *(
        ufunc.reduceat(np.ascontiguousarray(values).reshape(-1), bounds)[::2]
        for values, ufunc in ((amount, how), *more))


class EpisodeScan:
    """The four SKU kinds' episodes (stock_out, below_safety_stock, excess, expiring),
    gathered block of SKUs by block (``add``), in row order."""

    def __init__(self) -> None:
        self._found: list[list[Episodes]] = [[], [], [], []]

    def add(self, lo: int, blk: PlanArrays, excess: np.ndarray,
            target: np.ndarray | None = None, rows: np.ndarray | None = None
            ) -> list[Episodes]:
        """Scan rows ``lo ..`` (``blk``: their arrays; ``excess``: their stock beyond need;
        ``target``: their ``max(SS, 0)`` when the caller has it; ``rows``: their plan rows,
        when not lo, lo + 1, ...) and return their episodes (not taken: see ``again``)."""
        poh = blk.projected_on_hand
        short = poh < -TOLERANCE
        rise = np.negative(poh)  # backlog b = max(-P, 0), then its rise b[t] - b[t-1]
        np.maximum(rise, 0.0, out=rise)
        rise[:, 1:] -= rise[:, :-1]  # (numpy reads the overlapping operand before writing)
        if target is None:
            target = np.fmax(blk.safety_stock, 0.0)  # NaN safety stock -> 0
        gap = np.subtract(target, poh)
        low = gap > TOLERANCE
        low &= ~short
        parts = (
            _episode_amounts(short, np.maximum(rise, 0.0, out=rise), np.add),
            _episode_amounts(low, gap, np.maximum),
            _episode_amounts(excess > TOLERANCE, excess, np.maximum),
            _episode_amounts(blk.expired > TOLERANCE, blk.expired, np.add),
        )
        return [(row + lo if rows is None else rows[row], first, length, amount)
                for row, first, length, amount in parts]

    def find(self, lo: int, blk: PlanArrays, split: StockBreakdown,
             rows: np.ndarray | None = None) -> list[Episodes]:
        """``add`` for a block of the measures' pass (``measure_sums.BlockVisitor``): the
        excess is the breakdown's surplus."""
        return self.add(lo, blk, split.surplus(), split.target, rows)

    @staticmethod
    def renew(found: list[Episodes], fresh: list[Episodes], changed: np.ndarray, lo: int,
              hi: int) -> list[Episodes]:
        """Block ``lo..hi``'s episodes with those of the ``changed`` rows (bool, per plan row)
        taken from ``fresh`` (the changed rows' episodes), the others from ``found``; in row
        order, each row's episodes in period order, as a scan of the whole block gives them."""
        out = []
        for before, now in zip(found, fresh, strict=True):
            keep = ~changed[before[0]]
            a, b = np.searchsorted(now[0], (lo, hi))
            if a == b and keep.all():  # (no episode of a changed row, before or now)
                out.append(before)
                continue
            row = np.concatenate((before[0][keep], now[0][a:b]))
            order = np.argsort(row, kind="stable")  # (a row's episodes: all from one side)
            out.append((row[order], *(np.concatenate((old[keep], new[a:b]))[order]
                                      for old, new in zip(before[1:], now[1:], strict=True))))
        return out

    def again(self, found: list[Episodes]) -> None:
        """Take a block's episodes as found before (by ``add``), in row order."""
        for bucket, episodes in zip(self._found, found, strict=True):
            bucket.append(episodes)

    def result(self) -> list[Episodes]:
        return [tuple(np.concatenate(col) for col in zip(*bucket, strict=True)) if bucket
                else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                      np.zeros(0)) for bucket in self._found]


def _scan(arrays: PlanArrays, excess_qty: np.ndarray | None, lead: np.ndarray
          ) -> list[Episodes]:
    """The four SKU kinds' episodes, block by block (excess: ``surplus`` unless given)."""
    n = arrays.projected_on_hand.shape[0]
    scan = EpisodeScan()
    for lo in range(0, n, BLOCK_ROWS):
        hi = min(lo + BLOCK_ROWS, n)
        blk = block_arrays(arrays, lo, hi)
        scan.again(scan.add(lo, blk, surplus(blk, lead[lo:hi]) if excess_qty is None
                            else excess_qty[lo:hi]))
    return scan.result()


def _by_quantile(value: np.ndarray) -> np.ndarray:
    """Severity code (0 high, 1 medium, 2 low) by value among the rows of one kind."""
    if len(value) == 0:
        return np.zeros(0, dtype=np.int64)
    high, medium = np.quantile(value, [0.9, 0.5])
    return np.where(value >= high, 0, np.where(value >= medium, 1, 2))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _spans(days: list[str], t: np.ndarray, length: np.ndarray
           ) -> tuple[np.ndarray, list[str]]:
    """"from <date> for <k> periods" of each row: ``(code, texts)``, row i's text being
    ``texts[code[i]]`` (each distinct (t, k) pair is formatted once; ``days``: the periods'
    ISO dates)."""
    horizon = len(days)
    longest = int(length.max()) + 1 if len(length) else 1
    dates = days or [""]
    code, pairs = pd.factorize(np.minimum(t, max(horizon - 1, 0)) * longest + length)
    texts = [f"from {dates[p // longest]} for {_plural(p % longest, 'period')}"
             for p in np.asarray(pairs).tolist()]  # (in order of first use: a hash, no sort)
    return code.reshape(-1), texts


def _each(values: np.ndarray, text: Callable[[Any], str]) -> np.ndarray:
    """``text(v)`` of each value (object array), formatted once per distinct value.

    Floats are told apart by their bits (-0.0 and 0.0 print differently). A few values
    (up to ``FORMAT_EACH``) are formatted one by one: finding the distinct ones costs more.
    """
    if len(values) <= FORMAT_EACH:
        return np.array(list(map(text, values.tolist())), dtype=object)
    values = np.ascontiguousarray(values)
    floats = values.dtype == np.float64
    codes, distinct = pd.factorize(values.view(np.int64) if floats else values,
                                   use_na_sentinel=False)
    distinct = np.asarray(distinct)
    if floats:
        distinct = distinct.view(np.float64)
    return np.array(list(map(text, distinct.tolist())), dtype=object)[codes]


def _per_code(codes: np.ndarray, count: int, text: Callable[[int], str]) -> np.ndarray:
    """``text(c)`` of each code c (0 <= c < ``count``; object array), formatted once per code
    in use (codes need no hashing: they index a table)."""
    used = np.zeros(count, dtype=bool)
    used[codes] = True
    table = np.empty(count, dtype=object)
    for c in np.flatnonzero(used).tolist():
        table[c] = text(c)
    return table[codes]


def _messages(kind: str, span: np.ndarray, spans: list[str], count: np.ndarray,
              qty: np.ndarray, extra: list[str]) -> np.ndarray:
    """One line per exception, in the planner's words (``span``, ``spans``: see ``_spans``).

    The pieces of a line are formatted per distinct value (a date span, a quantity), then
    joined row by row.
    """
    units = np.rint(qty).astype(np.int64)
    if kind == "stock_out":
        return (_per_code(span, len(spans), lambda i: f"Stock-out {spans[i]}: ")
                + _each(units, "{:,} units short".format))
    if kind == "below_safety_stock":
        return (_per_code(span, len(spans),
                          lambda i: f"Below safety stock {spans[i]}: up to ")
                + _each(units, "{:,} units under target".format))
    if kind == "excess":
        return (_per_code(span, len(spans), lambda i: f"Excess stock {spans[i]}: up to ")
                + _each(units, "{:,} units more than needed".format))
    if kind == "expiring":
        return (_each(units, "{:,} units expire unused, ".format)
                + _per_code(span, len(spans), spans.__getitem__))
    if kind == "past_due":
        return (_each(count, lambda c: f"{_plural(c, 'planned order')} past due (")
                + _each(units, "{:,} units, release dates from ".format)
                + _each(np.asarray(extra, dtype=object), "{}): expedite or replan".format))
    return (_per_code(span, len(spans), lambda i: f"Resource overloaded {spans[i]}: ")
            + _each(qty, "{:,.1f} hours over capacity (peak ".format)
            + _each(np.asarray(extra, dtype=object), "{})".format))


def _known_messages(memo: MadeFrom | None, days: list[str], kind: np.ndarray, t: np.ndarray,
                    length: np.ndarray, qty: np.ndarray, message: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """Fill ``message`` where the session's last plan had a row of the same SKU kind, first
    period, length and whole units (the message of stock_out .. expiring says no more),
    over the same periods. Returns the rows' keys (one int64 each: the four packed) and
    their rows, for the next plan; None when a value does not fit its bits."""
    rows = np.flatnonzero((kind < 4) & np.isfinite(qty))
    units = np.rint(qty[rows])
    span = (kind[rows] * (len(days) + 1) + t[rows]) * (len(days) + 2) + length[rows]
    if len(rows) and (span.max() >= 1 << 22 or span.min() < 0
                      or np.abs(units).max() >= 1 << 40):
        return None
    keys = (span << 41) | (units.astype(np.int64) + (1 << 40))
    last = memo.kept("exception messages") if memo is not None else None
    if last is not None and last[0] == days and len(last[1]) and len(keys):
        known, texts = last[1], last[2]
        at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        hit = known[at] == keys
        message[rows[hit]] = texts[at[hit]]
    return keys, rows


def _past_due(skus: pd.DataFrame, orders: pd.DataFrame | None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per SKU with past-due planned orders: row, order count, total quantity, earliest date."""
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), [])
    if orders is None or len(orders) == 0 or "past_due" not in orders.columns:
        return none
    flag = orders["past_due"]
    due = flag.to_numpy() if flag.dtype == bool else \
        flag.fillna(False).astype(bool).to_numpy()
    if "sku_row" in orders.columns:  # the plan's own orders: their columns, no look-up
        rows = orders["sku_row"].to_numpy(np.int64)[due]
        quantities = column(orders, "quantity", 0.0)[due]
        labels = orders["release_period"].array  # categorical: each label parsed once
        codes = labels.codes[due]
        stamps = label_stamps(tuple(labels.categories)) if len(labels.categories) else \
            np.zeros(1, np.int64)
        release = np.where(codes >= 0, stamps[np.maximum(codes, 0)], pd.NaT.value)
    else:
        needed = [c for c in ("item_id", "site_id", "quantity", "release_period")
                  if c in orders.columns]
        frame = orders.loc[due, needed]
        rows = sku_rows(skus, frame)
        quantities = column(frame, "quantity", 0.0)
        release = date_stamps(frame["release_period"])
    keep = rows >= 0
    if not keep.any():
        return none
    rows, quantity = rows[keep], quantities[keep]
    release = release[keep]
    order = np.argsort(rows, kind="stable")
    first = np.flatnonzero(np.diff(rows[order], prepend=-1))  # each SKU's first row
    if len(first) == len(rows) and np.isfinite(quantity).all() and (quantity != 0).all():
        total = quantity[order]  # one order per SKU (the plan's own): its total is itself
    else:  # as pandas sums it (compensated, missing skipped; the rows in their order)
        total = pd.DataFrame({"row": rows, "quantity": quantity}).groupby("row", sort=True).agg(
            quantity=("quantity", "sum"))["quantity"].to_numpy(dtype=float)
    rows, release = rows[order], release[order]
    count = np.diff(np.append(first, len(rows)))
    nat = np.iinfo(np.int64).min  # NaT: the earliest known date
    release = np.minimum.reduceat(np.where(release == nat, np.iinfo(np.int64).max, release),
                                  first)
    release[release == np.iinfo(np.int64).max] = nat
    rows, quantity = rows[first], total
    codes, dates = pd.factorize(release)  # each distinct date formatted once, as iso_days
    earliest = np.datetime_as_string(dates.view("datetime64[ns]"), unit="D").astype(object)
    return rows, count, quantity, earliest[codes].tolist()


def _overloads(periods: pd.DatetimeIndex, load: pd.DataFrame | None,
               cells: LoadCells | None = None) -> dict[str, np.ndarray]:
    """Overload episodes per resource: resource, site, first period, length, hours, peak
    (``cells``: ``LoadCells.of(load, periods)`` when the caller has it)."""
    horizon = len(periods)
    if load is None or len(load) == 0:
        return {}
    cells = cells or LoadCells.of(load, periods)
    t, codes, names = cells.period, cells.resource, cells.names
    inside = (t >= 0) & (t < horizon)
    load_hours = column(load, "load_hours", 0.0)
    capacity = column(load, "capacity_hours", np.inf)
    ratio = column(load, "utilisation", np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.nan_to_num(np.where(np.isnan(ratio), load_hours / capacity, ratio), nan=0.0)
    hours_over = np.nan_to_num(np.maximum(load_hours - capacity, 0.0))
    shape = (len(names), horizon)
    if cells.grid:  # every cell once: what the adding up below comes to
        over = np.add(0.0, hours_over.reshape(shape))
        util = np.maximum(0.0, ratio.reshape(shape))
    else:
        over, util = np.zeros(shape), np.zeros(shape)
        at = (codes[inside], t[inside])
        np.add.at(over, at, hours_over[inside])
        np.maximum.at(util, at, ratio[inside])
    flag = over > TOLERANCE
    row, first, length, hours, peak = _episode_amounts(flag, over, np.add,
                                                       (util, np.maximum))
    site = _first_site(load, codes, horizon if cells.grid else 0)
    return {"resource": names[row], "site": site[row],
            "t": first, "periods": length, "quantity": hours, "peak": peak}


def _first_site(load: pd.DataFrame, codes: np.ndarray, stride: int = 0) -> np.ndarray:
    """Per resource code (0, 1, ...): the text of its first known ``site_id`` (``stride``:
    the rows are a ``LoadCells.grid`` of that many periods, each resource's first row known)."""
    raw = load["site_id"].to_numpy(dtype=object)
    if (codes >= 0).all():  # all known: the first row's, when it is text
        first = raw[::stride] if stride else raw[np.unique(codes, return_index=True)[1]]
        if all(type(site) is str for site in first.tolist()):
            return first
    return pd.Series(load["site_id"].astype(str).to_numpy()).groupby(codes).first().to_numpy()


def find_exceptions(skus: pd.DataFrame, periods: pd.DatetimeIndex, arrays: PlanArrays,
                    planned_orders: pd.DataFrame, resource_load: pd.DataFrame,
                    excess_qty: np.ndarray | None = None, scanned: EpisodeScan | None = None,
                    load_cells: LoadCells | None = None, memo: MadeFrom | None = None
                    ) -> pd.DataFrame:
    """The plan's exceptions, one row per episode (rules in the module docstring).

    ``excess_qty`` (units, n x H): stock beyond need; computed with
    ``app.engine.breakdown.surplus`` (excess + obsolete stock) when not given. ``scanned``:
    the SKU episodes already found by the caller (``plan`` scans each block of SKUs while
    the measures have it at hand); then ``arrays`` and ``excess_qty`` are not read.
    ``load_cells``: ``LoadCells.of(resource_load, periods)`` when the caller has it. Columns
    ``COLUMNS``: item_id, site_id, resource_id, period (ISO date of the first period),
    periods (episode length; order count for past_due), kind, severity, quantity (units;
    hours for overload), value (currency; NaN for overload), message. Work is vectorised;
    the time grows with n x H (array scan) and with the number of rows (message pieces are
    formatted once per distinct date span or quantity, then joined). ``memo``: a session's,
    which keeps the messages of the SKU kinds for the next plan (``_known_messages``).
    """
    n = len(skus)
    cost = np.nan_to_num(column(skus, "unit_cost", 0.0), nan=0.0)
    abc = skus["abc"] if "abc" in skus.columns else pd.Series([""] * n)
    is_a = as_text(abc) == "A"
    lead = np.nan_to_num(column(skus, "lead_time_periods", 0.0), nan=0.0).astype(np.int64)

    # numbers first (kind, row, first period, length, quantity, value, severity code, extra)
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                      np.ndarray]] = []
    found = scanned.result() if scanned is not None else _scan(arrays, excess_qty, lead)
    for k, (row, t, length, qty) in enumerate(found):
        value = qty * cost[row]
        if KINDS[k] == "stock_out":
            code = np.where(is_a[row] | (t < lead[row]), 0, 1)
        elif KINDS[k] == "below_safety_stock":
            code = np.where(is_a[row], 1, 2)
        else:
            code = _by_quantile(value)
        parts.append((k, row, t, length, qty, value, code))
    row, count, qty, earliest = _past_due(skus, planned_orders)
    parts.append((4, row, np.zeros(len(row), np.int64), count, qty, qty * cost[row],
                  np.where(is_a[row], 0, 1)))
    over = _overloads(periods, resource_load, load_cells)
    peak = over.get("peak", np.zeros(0))
    parts.append((5, np.arange(len(peak)), over.get("t", np.zeros(0, np.int64)),
                  over.get("periods", np.zeros(0, np.int64)), over.get("quantity", np.zeros(0)),
                  np.full(len(peak), np.nan),
                  np.where(peak >= OVERLOAD_HIGH, 0, np.where(peak >= OVERLOAD_MEDIUM, 1, 2))))
    kind = np.concatenate([np.full(len(p[1]), p[0], dtype=np.int64) for p in parts])
    row, t, length, qty, value, code = (
        np.concatenate([np.asarray(p[j]) for p in parts]) for j in range(1, 7))
    # rank within each kind, to find a row's extra text (past-due date, overload peak)
    rank = np.concatenate([np.arange(len(p[1])) for p in parts])
    order = np.lexsort((np.where(np.isnan(value), np.inf, -value), code))
    kind, row, t, length, qty, value, code, rank = (
        a[order] for a in (kind, row, t, length, qty, value, code, rank))

    # then text, in sorted order
    m = len(order)
    days = iso_days(periods)
    t = t.astype(np.int64)
    length = length.astype(np.int64)
    # ids: each distinct text once, then taken by code (SKU rows by their row, overload
    # rows by their episode; "" where a row has no such id)
    sku_row = kind != 5
    n = len(skus)
    episode_sites = over["site"] if over else np.zeros(0, dtype=object)
    episode_resources = over["resource"] if over else np.zeros(0, dtype=object)
    ids = ([*as_text(skus["item_id"]), ""], np.where(sku_row, row, n)), \
        ([*as_text(skus["site_id"]), *episode_sites], np.where(sku_row, row, n + row)), \
        (["", *episode_resources], np.where(sku_row, 0, row + 1))
    extras = {4: np.asarray(earliest, dtype=object),
              5: np.asarray([f"{p:.0%}" for p in peak.tolist()], dtype=object)}
    message = np.empty(m, dtype=object)
    known = _known_messages(memo, days, kind, t, length, qty, message)
    need = np.flatnonzero(message == None)  # noqa: E711 (elementwise: the rows without one)
    span, spans = _spans(days, t[need], length[need])
    for k, name in enumerate(KINDS):
        mask = kind[need] == k
        if mask.any():
            rows = need[mask]
            extra = extras[k][rank[rows]].tolist() if k in extras else []
            message[rows] = _messages(name, span[mask], spans, length[rows], qty[rows], extra)
    if memo is not None and known is not None:
        keys, rows = known
        keys, first = np.unique(keys, return_index=True)
        memo.keep("exception messages", (days, keys, message[rows[first]]))
    item_id, site_id, resource_id, period, kind_text, severity, message = text_columns([
        *ids, ([*days, ""], t), (KINDS, kind), (SEVERITIES, code), (message, np.arange(m))])
    return pd.DataFrame(dict(zip(COLUMNS, (  # (every column is a fresh array)
        item_id, site_id, resource_id, period, length.astype(np.int64), kind_text, severity,
        qty.astype(float), value.astype(float), message), strict=True)), copy=False)
