"""What the projected stock of each SKU and period is for, and what falls short.

The building blocks shared by the measures (``app.engine.measures``) and the exceptions
(``app.engine.exceptions``). Everything is SKU x period (n x H), in units, vectorised over SKUs
and periods.

Symbols (SKU i, period t = 0..H-1, all in units unless said otherwise):

- ``P[i,t]`` projected on hand at the end of period t (negative = backlog), ``P⁺ = max(P, 0)``
- ``G[i,t]`` gross requirements, ``D[i,t]`` independent (customer) demand, ``D <= G``
- ``SS[i,t]`` safety-stock target, ``SS⁺ = max(SS, 0)`` (NaN counts as 0)
- ``L[i]`` lead time in periods, ``ḡ[i] = (1/H) Σ_t G[i,t]`` the average gross requirement
  per period over the horizon (units/period)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.result import PlanArrays

#: Periods of cover beyond the lead time that stock may hold before it counts as excess:
#: the cover window of SKU i is ``W[i] = L[i] + EXCESS_COVER_EXTRA`` periods.
EXCESS_COVER_EXTRA = 4


@dataclass
class StockBreakdown:
    """The positive projected stock split four ways (units, n x H); the parts sum to ``on_hand``.

    ``on_hand = safety + cycle + excess + obsolete`` for every SKU and period.
    """

    on_hand: np.ndarray  # P⁺
    safety: np.ndarray
    cycle: np.ndarray
    excess: np.ndarray
    obsolete: np.ndarray
    #: what the split was computed from, kept for ``surplus`` (and the exceptions)
    target: np.ndarray | None = None  # SS⁺
    requirement: np.ndarray | None = None  # R
    dead: np.ndarray | None = None  # dead_stock_mask

    def surplus(self) -> np.ndarray:
        """Stock beyond need (units, n x H), exactly as ``surplus`` computes it."""
        if self.target is None or self.requirement is None or self.dead is None:
            raise ValueError("this breakdown does not keep its requirement")
        return _surplus(self.on_hand, self.target, self.requirement, self.dead)


def average_requirement(gross: np.ndarray) -> np.ndarray:
    """``ḡ[i] = (1/H) Σ_t G[i,t]``: average gross requirement per period (units/period), (n,)."""
    horizon = gross.shape[1]
    if horizon == 0:
        return np.zeros(gross.shape[0])
    return gross.sum(axis=1) / horizon


def cover_requirement(gross: np.ndarray, lead_time: np.ndarray,
                      extra: int = EXCESS_COVER_EXTRA) -> np.ndarray:
    """Requirements the stock at the end of period t must still cover (units, n x H).

    ``R[i,t] = Σ_{k=t+1}^{t+W[i]} G̃[i,k]`` with ``W[i] = L[i] + extra`` periods and
    ``G̃[i,k] = G[i,k]`` inside the horizon, ``ḡ[i]`` beyond it (periods past the horizon are
    assumed to need the SKU's horizon average, so the last periods are not all "excess").
    """
    n, horizon = gross.shape
    if horizon == 0:
        return np.zeros((n, 0))
    window = np.maximum(np.asarray(lead_time, dtype=np.int64), 0) + int(extra)
    windows = np.unique(window)
    cum = np.empty((n, horizon + 1))  # cum[:, k] = Σ_{j<k} G[:, j]
    cum[:, 0] = 0.0
    np.cumsum(gross, axis=1, out=cum[:, 1:])
    out = np.empty((n, horizon))
    # few distinct windows: loop over them (never over SKUs); slices instead of gathers
    for w in windows.tolist():
        rows = slice(None) if len(windows) == 1 else np.flatnonzero(window == w)
        c = cum[rows] if len(windows) == 1 else cum.take(rows, axis=0)  # (take: fast rows)
        req = np.empty((c.shape[0], horizon))
        m = max(horizon - int(w), 0)  # periods t < m: the window ends inside the horizon
        np.subtract(c[:, w + 1:], c[:, 1:m + 1], out=req[:, :m])
        # t >= m: the rest of the horizon, then ḡ per period beyond it
        past = np.arange(m, horizon) + w - (horizon - 1)
        req[:, m:] = c[:, horizon:] - c[:, m + 1:] + np.outer(c[:, horizon] / horizon, past)
        out[rows] = req
    return np.maximum(out, 0.0, out=out)


def dead_stock_mask(gross: np.ndarray) -> np.ndarray:
    """True where the stock at the end of period t has no requirement left (bool, n x H).

    Dead at t when ``G[i,k] = 0`` for all ``k`` in ``min(t+1, H-1) .. H-1``: nothing needs the
    SKU for the rest of the horizon. The last period is judged by its own requirement (nothing
    beyond the horizon is known), so it agrees with the period before it.
    """
    n, horizon = gross.shape
    if horizon == 0:
        return np.zeros((n, 0), dtype=bool)
    has = gross > 0
    # last period with a requirement (-1 when none)
    last = np.where(has.any(axis=1), horizon - 1 - np.argmax(has[:, ::-1], axis=1), -1)
    first_needed = np.minimum(np.arange(horizon) + 1, horizon - 1)
    return first_needed[None, :] > last[:, None]


def stock_breakdown(arrays: PlanArrays, lead_time: np.ndarray,
                    extra: int = EXCESS_COVER_EXTRA) -> StockBreakdown:
    """Split ``P⁺`` into safety, cycle, excess and obsolete stock (units, n x H).

    - obsolete ``O = P⁺`` where the stock is dead (``dead_stock_mask``), else 0
    - safety ``S = min(P⁺, SS⁺)`` where not dead, else 0
    - excess ``E = max(0, P⁺ - SS⁺ - R)`` where not dead, else 0, with ``R`` the requirements
      of the next ``L + extra`` periods (``cover_requirement``)
    - cycle ``C = P⁺ - S - E - O = min(P⁺ - S, R)`` where not dead: stock that the coming
      requirements will consume
    """
    on_hand = np.maximum(arrays.projected_on_hand, 0.0)
    ss = np.fmax(arrays.safety_stock, 0.0)  # NaN -> 0
    dead = dead_stock_mask(arrays.gross_requirements)
    alive = ~dead
    req = cover_requirement(arrays.gross_requirements, lead_time, extra)
    safety = np.minimum(on_hand, ss)
    safety *= alive
    excess = np.subtract(on_hand, safety)  # above the safety stock, >= 0
    cycle = np.minimum(excess, req)
    cycle *= alive
    excess -= cycle
    excess *= alive
    obsolete = on_hand * dead
    return StockBreakdown(on_hand, safety, cycle, excess, obsolete, ss, req, dead)


def surplus(arrays: PlanArrays, lead_time: np.ndarray,
            extra: int = EXCESS_COVER_EXTRA) -> np.ndarray:
    """Stock beyond need, ``E + O`` of ``stock_breakdown`` (units, n x H), computed directly.

    ``P⁺`` where the stock is dead, else ``max(0, P⁺ - SS⁺ - R)``.
    """
    return _surplus(np.maximum(arrays.projected_on_hand, 0.0),
                    np.fmax(arrays.safety_stock, 0.0),
                    cover_requirement(arrays.gross_requirements, lead_time, extra),
                    dead_stock_mask(arrays.gross_requirements))


def _surplus(on_hand: np.ndarray, target: np.ndarray, req: np.ndarray, dead: np.ndarray
             ) -> np.ndarray:
    """``P⁺`` where dead, else ``max(0, P⁺ - (R + SS⁺))`` (a new array)."""
    out = np.add(req, target)
    np.subtract(on_hand, out, out=out)
    np.maximum(out, 0.0, out=out)
    np.copyto(out, on_hand, where=dead)
    return out


def backlog(arrays: PlanArrays) -> tuple[np.ndarray, np.ndarray]:
    """Backlog at the end of each period and at the start: ``b[t] = max(0, -P[t])`` (units).

    Returns ``(b, b_prev)``, both n x H, with ``b_prev[t] = b[t-1]`` and
    ``b[-1] = max(0, -on_hand)``.
    """
    b = np.maximum(-arrays.projected_on_hand, 0.0)
    b_prev = np.empty_like(b)
    if b.shape[1]:
        b_prev[:, 0] = np.maximum(-np.asarray(arrays.on_hand, dtype=float), 0.0)
        b_prev[:, 1:] = b[:, :-1]
    return b, b_prev


def units_short(arrays: PlanArrays) -> np.ndarray:
    """Independent demand not met on time (units, n x H).

    New shortage ``s[t] = min(max(b[t] - b[t-1], 0), G[t])``: the growth of the backlog in the
    period, at most that period's requirements. Customers bear their share of it:
    ``u[t] = s[t] · D[t] / G[t]`` (0 where ``G[t] = 0``), so ``0 <= u[t] <= D[t]``.
    """
    b = np.maximum(-arrays.projected_on_hand, 0.0)
    new = np.empty(b.shape)  # b[t] - b[t-1], then the new shortage s (C order)
    if b.shape[1]:
        np.subtract(b[:, 0], np.maximum(-np.asarray(arrays.on_hand, dtype=float), 0.0),
                    out=new[:, 0])
        np.subtract(b[:, 1:], b[:, :-1], out=new[:, 1:])
    np.clip(new, 0.0, None, out=new)
    np.minimum(new, arrays.gross_requirements, out=new)
    demand, gross = arrays.independent_demand, arrays.gross_requirements
    if np.signbit(demand).any():  # a negative (or -0) demand: the product cell by cell
        share = np.divide(demand, gross, out=np.zeros_like(new), where=gross > 0)
        np.clip(share, 0.0, 1.0, out=share)
        return np.multiply(new, share, out=new)
    # else the share is >= 0, so u = s where s is zero: multiply only where s is not
    hit = np.flatnonzero(new != 0)  # (NaN included; far faster than on the floats)
    below = gross.ravel()[hit]
    share = np.divide(demand.ravel()[hit], below, out=np.zeros(len(hit)), where=below > 0)
    np.clip(share, 0.0, 1.0, out=share)
    flat = new.reshape(-1)
    flat[hit] *= share
    return new


def periods_of_supply(on_hand: np.ndarray, gross: np.ndarray) -> np.ndarray:
    """Periods of supply ``PoS[i,t] = min(P⁺[i,t] / ḡ[i], H)`` (periods, n x H).

    Capped at the horizon length H (nothing beyond it is seen): a SKU with stock and no
    requirements (``ḡ = 0``) has ``H``; without stock it has 0.

    >>> periods_of_supply(np.array([[30.0, 5.0], [1.0, 0.0]]), np.array([[10.0, 10.0], [0, 0]]))
    array([[2. , 0.5],
           [2. , 0. ]])
    """
    horizon = gross.shape[1]
    avg = average_requirement(gross)[:, None]
    with np.errstate(over="ignore"):  # a tiny ḡ gives inf, capped below
        if (avg > 0).all():  # the usual case: no SKU without requirements
            pos = np.divide(on_hand, avg)
        else:
            pos = np.divide(on_hand, avg, out=np.where(on_hand > 0, float(horizon), 0.0),
                            where=avg > 0)
    return np.minimum(pos, float(horizon), out=pos)
