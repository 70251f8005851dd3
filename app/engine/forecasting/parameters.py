"""Smoothing parameters of every method: fixed defaults, or grids searched per series.

Each field is a tuple of candidate values. A single value fixes the parameter; several make
a grid, searched per series (all grid points run at once as an extra array axis) by
in-sample one-step squared error, ``argmin_g Σ_t (y_t − ŷ_{t|t−1}(g))²`` (``core``).

**Default: fixed values** (``FIXED``), the conventional choices of the literature for
noisy demand: α = 0.1 for SES, Holt, Holt-Winters and Croston-SBA (Gardner 1985,
"Exponential smoothing: the state of the art", J. Forecasting 4(1), recommends 0.1–0.3;
Syntetos & Boylan 2005 use 0.05–0.2 for SBA), a small trend β* = 0.05 damped by φ = 0.9
(FPP3 sec. 8.2: φ in [0.8, 0.98]), seasonal γ = 0.1, TSB α = β = 0.1 (Teunter, Syntetos &
Babai 2011 study 0.1–0.3 and 0.01–0.3), a 13-period moving average.

Why not search by default: on the UCI weekly sales (811 products, fit on 26, 30, 35 and
39 weeks, 13-week tests) every searched grid forecast worse out of sample than the fixed
values (mean RMSSE: SES 0.824 searched vs 0.791 at α = 0.1, TSB 0.809 vs 0.789, SBA 0.796
vs 0.779, the whole selection 0.819 vs 0.789): the one-step in-sample criterion prefers
fast-reacting parameters that chase noise, while the planning horizon is many steps ahead.
``SEARCH`` suits long, well-behaved histories (on the synthetic two-year series of
``bench/bench_forecast.py`` it is slightly better, 0.772 vs 0.777).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameters:
    """Candidate values per method parameter (first value wins ties)."""

    ses_alpha: tuple[float, ...] = (0.1,)
    holt_alpha: tuple[float, ...] = (0.1,)
    holt_beta_star: tuple[float, ...] = (0.05,)
    holt_phi: tuple[float, ...] = (0.9,)
    hw_alpha: tuple[float, ...] = (0.1,)
    hw_beta_star: tuple[float, ...] = (0.05,)
    hw_gamma: tuple[float, ...] = (0.1,)
    hw_phi: tuple[float, ...] = (0.9,)
    sba_alpha: tuple[float, ...] = (0.1,)
    tsb_alpha: tuple[float, ...] = (0.1,)
    tsb_beta: tuple[float, ...] = (0.1,)
    ma_window: tuple[int, ...] = (13,)


FIXED = Parameters()
SEARCH = Parameters(
    ses_alpha=(0.1, 0.02, 0.05, 0.2, 0.3, 0.5, 0.7, 1.0),
    holt_alpha=(0.1, 0.3, 0.6),
    holt_beta_star=(0.05, 0.2),
    holt_phi=(0.9, 0.98),
    hw_alpha=(0.1, 0.3, 0.5),
    hw_beta_star=(0.05,),
    hw_gamma=(0.1, 0.05, 0.3),
    hw_phi=(0.9,),
    sba_alpha=(0.1, 0.05, 0.2, 0.3),
    tsb_alpha=(0.1, 0.3),
    tsb_beta=(0.1, 0.05, 0.2, 0.3),
    ma_window=(13, 4, 8, 26),
)


def as_grid(value: float | tuple[float, ...]) -> tuple[float, ...]:
    """A parameter given as one value or a tuple of candidates, as a tuple."""
    if isinstance(value, tuple):
        if not value:
            raise ValueError("a parameter grid needs at least one value")
        return tuple(float(v) for v in value)
    return (float(value),)
