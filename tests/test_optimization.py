"""The optimisation report (MEIO, trade-off, simulation check) and ``main.py optimize``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from app.cli import main
from app.engine.inputs import PlanInput
from app.engine.optimization import NotOptimisedError, optimize, simulate_policy
from app.engine.plan import plan
from app.models.demo import generate_demo
from tests.test_recommend import chain


@pytest.fixture(scope="module")
def demo_plan():
    inp = PlanInput.from_tables(generate_demo())
    inp.meio = True
    return plan(inp)


def test_recommendations_hold_their_service_on_the_demo(demo_plan) -> None:
    """Issue 4: for the demo data the achieved service is within ±1.5 points of the target
    (customer-facing SKUs, demand-weighted, 500 runs x 52 periods, normal / gamma /
    negative binomial demand by each SKU's variability)."""
    for policy in ("meio", "seio"):
        check = simulate_policy(demo_plan, policy, runs=500, seed=11)
        assert len(check.skus) > 100
        assert abs(check.gap_points) <= 1.5, (policy, check.gap_points)
        assert 0.9 < check.network_target < 1
        assert ((check.skus["achieved"] >= 0) & (check.skus["achieved"] <= 1)).all()


def test_report_on_a_hand_worked_chain() -> None:
    inp = PlanInput.from_tables(chain((10.0, 12.0)))
    result = plan(inp)
    report = optimize(result, runs=300, seed=1)
    assert report.meio["exact"] and report.meio["gap"] == 0.0
    # τ_B = 5 at B, A holds nothing (see test_recommend): objective h_B·z·20·sqrt(5)
    h_b = 0.25 / 52 * 12.0
    z = float(special.ndtri(0.95))
    assert report.meio["objective"] == pytest.approx(h_b * z * 20 * np.sqrt(5))
    curve = report.tradeoff.curve
    at = curve.set_index("service_target")
    # investment at 95 % everywhere = the plan's own (every target is 95 % here)
    assert at.loc[0.95, "meio_investment"] == pytest.approx(12.0 * z * 20 * np.sqrt(5))
    assert report.position["service_target"] == pytest.approx(0.95)
    meio, seio = report.simulations
    assert list(meio.skus["item_id"]) == ["B"]  # the customer-facing SKU only
    assert meio.policy == "meio" and seio.policy == "seio"
    table = report.sku_table()
    assert list(table["item_id"]) == ["B", "A"]  # A holds no MEIO stock


def test_report_needs_a_meio_plan() -> None:
    frames = chain((10.0, 12.0))
    frames["skus"]["ss_model"] = "statistical"
    with pytest.raises(NotOptimisedError):
        optimize(plan(PlanInput.from_tables(frames)))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("optimize") / "demo.echelon"
    assert main(["demo", "--db", str(db), "--skus", "200"]) == 0
    return db


def test_optimize_cli_json(demo_db, capsys) -> None:
    capsys.readouterr()
    assert main(["optimize", "--db", str(demo_db), "--json", "--runs", "100"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"scenario", "meio", "investment", "tradeoff", "simulation", "skus",
                        "seconds"}
    assert out["meio"]["objective"] > 0 and 0 <= out["meio"]["gap"] < 0.1
    assert isinstance(out["meio"]["nodes"], int)
    levels = [row["service_target"] for row in out["tradeoff"]]
    assert levels == sorted(levels) and levels[0] == 0.8 and levels[-1] == 0.995
    meio = [row["meio_investment"] for row in out["tradeoff"]]
    assert meio == sorted(meio)
    assert set(out["simulation"]) == {"meio", "seio"}
    first = out["skus"][0]
    assert {"item_id", "S", "SI", "tau", "ss_recommended_meio", "ss_recommended_seio"} <= set(
        first)
    assert first["tau"] == first["SI"] + first["lead_time_periods"] + 1 - first["S"]


def test_optimize_cli_text_and_bad_input(demo_db, capsys) -> None:
    capsys.readouterr()
    assert main(["optimize", "--db", str(demo_db), "--runs", "50", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "Trade-off" in text and "MEIO" in text and "Simulation" in text
    assert main(["optimize", "--db", str(demo_db), "--runs", "0"]) == 2
    assert "--runs" in capsys.readouterr().err
    assert main(["optimize", "--db", str(demo_db), "--scenario", "Nope"]) == 2
