"""Compare Echelon's per-SKU forecasting with statsforecast on the UCI weekly sales.

    python bench/compare_statsforecast.py [--fit 26,30,35,39] [--test 13] [--csv PATH]

statsforecast pins pandas < 3 and Echelon's venv has pandas 3, so run this from a separate
throwaway venv (the forecasting engine needs only numpy)::

    python3 -m venv /tmp/sfvenv && /tmp/sfvenv/bin/pip install statsforecast
    /tmp/sfvenv/bin/python bench/compare_statsforecast.py

Data: 811 products × 52 weeks (UCI "Sales Transactions Dataset Weekly", J. Tan 2017, CC BY
4.0). For each split, the first ``fit`` weeks are the history and the next ``--test`` weeks
the test. Printed per method, ours and the library's: mean RMSSE and MASE over all products
(scales from the fit weeks, ``app.engine.forecasting.metrics``), the mean error per product
and week (units), the relative bias Σ(ŷ − y) / Σ y, and the mean of each over the splits.

The library's selections use its own implementations inside our selection procedure: its
``cross_validation`` on the same rolling origins, the same intermittent/smooth candidate sets,
RMSSE criterion, default methods and 10 % margin (``selection.choose_methods``), then its forecast
from all fit weeks. "optimised" uses its optimised SES (and AutoETS damped Holt), "α 0.1"
its fixed-α SES. Its AutoETS (model picked by AICc) is a further reference. Seasonal
methods do not take part: a 52-week season does not fit in ≤ 39 weeks of history.
Without statsforecast only Echelon's figures are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from app.engine.forecasting import (
    SEARCH,
    croston_sba,
    demand_profile,
    forecast_skus,
    holt_damped,
    mase,
    moving_average,
    naive,
    naive_scales,
    rmsse,
    rolling_origins,
    ses,
    tsb,
)
from app.engine.forecasting.selection import MARGIN, choose_methods

SMOOTH = ("moving_average", "ses", "holt_damped")
INTERMITTENT = ("croston_sba", "tsb", "moving_average", "ses")


def load(path: Path) -> np.ndarray:
    frame = pd.read_csv(path)
    return frame[[c for c in frame.columns if c.startswith("W")]].to_numpy(dtype=float)


def ours(fit: np.ndarray, h: int) -> dict[str, np.ndarray]:
    began = time.perf_counter()
    result = forecast_skus(fit, h, season_length=52)
    took = time.perf_counter() - began
    print(f"  echelon selection {took * 1000:.0f} ms, chose: "
          + ", ".join(f"{k} {v}" for k, v in pd.Series(result.method).value_counts().items()))
    return {
        "selection (fixed parameters)": result.forecast,
        "selection (searched grids)": forecast_skus(fit, h, 52, parameters=SEARCH).forecast,
        "selection, no margin": forecast_skus(fit, h, 52, margin=0.0).forecast,
        "naive": naive(fit, h),
        "moving average 13": moving_average(fit, h, 13),
        "SES α 0.1": ses(fit, h),
        "SES searched α": ses(fit, h, alpha=SEARCH.ses_alpha),
        "Holt damped": holt_damped(fit, h),
        "Croston-SBA α 0.1": croston_sba(fit, h),
        "TSB α 0.1, β 0.1": tsb(fit, h),
    }


def library(fit: np.ndarray, h: int) -> dict[str, np.ndarray]:
    from statsforecast import StatsForecast
    from statsforecast.models import (
        TSB,
        AutoETS,
        CrostonSBA,
        Naive,
        SimpleExponentialSmoothing,
        SimpleExponentialSmoothingOptimized,
        WindowAverage,
    )

    models = [Naive(alias="naive"), WindowAverage(window_size=13, alias="moving_average"),
              SimpleExponentialSmoothingOptimized(alias="ses_opt"),
              SimpleExponentialSmoothing(alpha=0.1, alias="ses_fixed"),
              AutoETS(model="AAN", damped=True, alias="holt_damped"),
              CrostonSBA(alias="croston_sba"), TSB(alpha_d=0.1, alpha_p=0.1, alias="tsb"),
              AutoETS(season_length=1, alias="auto_ets")]
    n, periods = fit.shape
    frame = pd.DataFrame({"unique_id": np.repeat(np.arange(n), periods),
                          "ds": np.tile(np.arange(periods), n), "y": fit.ravel()})
    began = time.perf_counter()
    sf = StatsForecast(models=models, freq=1, fallback_model=Naive())
    final = sf.forecast(df=frame, h=h).sort_values(["unique_id", "ds"])
    origins, hold = rolling_origins(periods, h, 3)
    step = origins[1] - origins[0] if len(origins) > 1 else 1
    cv = sf.cross_validation(df=frame, h=hold, n_windows=len(origins), step_size=step)
    cv = cv.sort_values(["unique_id", "cutoff", "ds"])
    print(f"  statsforecast forecast + cross-validation {time.perf_counter() - began:.1f} s")

    def wide(table: pd.DataFrame, column: str, width: int) -> np.ndarray:
        return np.clip(table[column].to_numpy(dtype=float).reshape(n, width), 0, None)

    _, q2 = naive_scales(fit, np.zeros(n, dtype=np.int64), origins[0])
    actual = wide(cv, "y", len(origins) * hold)
    intermittent = demand_profile(fit).intermittent
    out = {}
    for label, ses_alias in (("optimised", "ses_opt"), ("α 0.1", "ses_fixed")):
        aliases = {"moving_average": "moving_average", "ses": ses_alias,
                   "holt_damped": "holt_damped", "croston_sba": "croston_sba", "tsb": "tsb"}
        names = tuple(aliases)
        scores = np.full((n, len(names)), np.nan)
        for j, name in enumerate(names):
            allowed = np.where(intermittent, name in INTERMITTENT, name in SMOOTH)
            score = rmsse(wide(cv, aliases[name], len(origins) * hold) - actual, q2)
            scores[:, j] = np.where(allowed, score, np.nan)
        best = choose_methods(scores, names, intermittent, np.zeros(n, dtype=bool), MARGIN)
        stack = np.stack([wide(final, aliases[name], h) for name in names])
        out[f"selection ({label})"] = stack[best, np.arange(n)]
    for alias in ("auto_ets", "naive", "moving_average", "ses_opt", "ses_fixed", "holt_damped",
                  "croston_sba", "tsb"):
        out[alias] = wide(final, alias, h)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", default="26,30,35,39")
    parser.add_argument("--test", type=int, default=13)
    parser.add_argument("--csv", default=str(Path(__file__).resolve().parents[1]
                                             / "resources" / "uci_sales_weekly_wide.csv"))
    args = parser.parse_args()
    demand = load(Path(args.csv))
    rows = []
    for fit_weeks in (int(f) for f in args.fit.split(",")):
        fit = demand[:, :fit_weeks]
        test = demand[:, fit_weeks:fit_weeks + args.test]
        h = test.shape[1]
        q1, q2 = naive_scales(fit, np.zeros(len(fit), dtype=np.int64), fit_weeks)
        print(f"split: fit weeks 0-{fit_weeks - 1}, test {fit_weeks}-{fit_weeks + h - 1}")
        tables = {"echelon": ours(fit, h)}
        try:
            tables["statsforecast"] = library(fit, h)
        except ImportError:
            print("  statsforecast is not importable: Echelon's figures only")
        for source, table in tables.items():
            for name, forecast in table.items():
                err = forecast - test
                rows.append({"fit": fit_weeks, "source": source, "method": name,
                             "RMSSE": rmsse(err, q2).mean(), "MASE": mase(err, q1).mean(),
                             "bias/wk": err.mean(), "rel.bias": err.sum() / test.sum()})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 140)
    for fit_weeks, part in table.groupby("fit", sort=True):
        print(f"\nfit {fit_weeks} weeks, test {args.test}")
        print(part.drop(columns="fit").to_string(index=False, float_format="%.4f"))
    mean = table.groupby(["source", "method"], sort=False)[
        ["RMSSE", "MASE", "bias/wk", "rel.bias"]].mean().reset_index()
    print(f"\nmean over the {table['fit'].nunique()} splits")
    print(mean.to_string(index=False, float_format="%.4f"))


if __name__ == "__main__":
    main()
