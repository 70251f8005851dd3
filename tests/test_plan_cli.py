"""plan, compare and export of the plan through the command line, on the demo company."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("plan") / "demo.echelon"
    assert main(["demo", "--db", str(db), "--skus", "300"]) == 0
    assert main(["scenario", "fork", "--db", str(db), "--from", "Baseline",
                 "--name", "More stock"]) == 0
    return db


def test_plan_json(demo_db, capsys):
    capsys.readouterr()
    assert main(["plan", "--db", str(demo_db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"scenario", "kpis", "exceptions", "seconds"}
    kpis = out["kpis"]
    assert kpis["average_inventory_value"] > 0
    assert 0 <= kpis["projected_service_level"] <= 1
    parts = ("safety_stock_value", "cycle_stock_value", "excess_stock_value",
             "obsolete_stock_value")
    assert sum(kpis[p] for p in parts) == pytest.approx(kpis["average_inventory_value"])
    assert all(isinstance(v, int) and v > 0 for v in out["exceptions"].values())


def test_compare_shows_the_edit(demo_db, capsys):
    from app.models.store import Store

    with Store.open(demo_db) as store:
        skus = store.read("Baseline", tables=["skus"])["skus"]
        row = skus[skus["site_id"] != "P1001"].iloc[0]
    assert main(["edit", "--db", str(demo_db), "--scenario", "More stock", "--table", "skus",
                 "--key", f"item_id={row['item_id']},site_id={row['site_id']}",
                 "--set", f"on_hand={row['on_hand'] + 5000}"]) == 0
    capsys.readouterr()
    assert main(["compare", "--db", str(demo_db), "--scenarios", "Baseline,More stock",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenarios"] == ["Baseline", "More stock"]
    delta = out["deltas"]["ending_inventory_value"]["More stock"]
    assert delta > 0
    assert out["kpis"]["ending_inventory_value"]["More stock"] == pytest.approx(
        out["kpis"]["ending_inventory_value"]["Baseline"] + delta)
    assert main(["compare", "--db", str(demo_db), "--scenarios", "Baseline,More stock"]) == 0
    text = capsys.readouterr().out
    assert "Δ More stock" in text and "average_inventory_value" in text


def test_export_writes_the_plan_files(demo_db, tmp_path):
    out = tmp_path / "erp"
    assert main(["export", "--db", str(demo_db), "--scenario", "Baseline", "--out",
                 str(out)]) == 0
    with (out / "projection.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (out / "skus.csv").open(encoding="utf-8") as fh:
        n_skus = sum(1 for _ in csv.DictReader(fh))
    periods = {r["period"] for r in rows}
    assert len(rows) == n_skus * len(periods) == n_skus * 52
    first = rows[0]
    assert list(first) == ["item_id", "site_id", "period", "independent_demand",
                           "dependent_demand", "gross_requirements", "scheduled_receipts",
                           "planned_receipts", "planned_releases", "projected_on_hand",
                           "safety_stock", "expired"]
    with (out / "planned_orders.csv").open(encoding="utf-8") as fh:
        orders = list(csv.DictReader(fh))
    assert orders and {o["kind"] for o in orders} <= {"make", "buy", "transfer"}
    assert {o["past_due"] for o in orders} <= {"true", "false"}
    assert all(o["release_period"] <= o["receipt_period"] for o in orders)
    with (out / "kpis.csv").open(encoding="utf-8") as fh:
        kpis = list(csv.DictReader(fh))
    assert {"name", "period", "value"} == set(kpis[0])
    assert any(k["period"] == "total" for k in kpis)
    for name in ("exceptions.csv", "plan_skus.csv"):
        assert (out / name).stat().st_size > 0


def test_plan_of_unknown_scenario_exits_2(demo_db, capsys):
    assert main(["plan", "--db", str(demo_db), "--scenario", "Nope"]) == 2
    assert "no scenario named 'Nope'" in capsys.readouterr().err


def test_plan_files_escape_formula_text(tmp_path):
    """An item id a spreadsheet would run (=...) is written escaped in every plan file."""
    from app.engine.inputs import PlanInput
    from app.engine.plan import plan
    from app.models.plan_export import write_plan
    from tests.engine_cases import tables

    t = tables([{"item_id": "=HYPERLINK(1)", "site_id": "S", "supply_type": "buy",
                 "lead_time": 0.0}], horizon=3, demand={("=HYPERLINK(1)", "S"): [5, 5, 5]})
    write_plan(plan(PlanInput.from_tables(t)), tmp_path)
    for name in ("projection.csv", "planned_orders.csv", "plan_skus.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "'=HYPERLINK(1)" in text, name
        assert "\n=HYPERLINK" not in text.replace("\r\n", "\n"), name
