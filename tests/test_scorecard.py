"""Scorecard and clipboard logic on their own: scoring, formatting, TSV, the scorecard model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.views.clipboard import fill, parse_tsv, to_tsv
from app.views.planning_model import percent_text
from app.views.scorecard_model import (
    ScorecardModel,
    ranks,
    show_delta,
    show_value,
    weighted_scores,
)

DISPLAY = Qt.ItemDataRole.DisplayRole


def test_values_read_with_units_and_separators() -> None:
    assert show_value("money", 1234567.4, "USD") == "$1,234,567"
    assert show_value("money", 1234.0, "EUR") == "€1,234"
    assert show_value("percent", 0.9534, "USD") == "95.3%"
    assert show_value("days", 45.25, "USD") == "45.2 d"
    assert show_value("turns", 6.689, "USD") == "6.69×"
    assert show_value("units", 12345.0, "USD") == "12,345"
    assert show_value("units", float("nan"), "USD") == "–"


def test_deltas_carry_their_sign() -> None:
    assert show_delta("money", 99738.2, "USD") == "+$99,738"
    assert show_delta("money", -6080.0, "USD") == "-$6,080"
    assert show_delta("money", 0.2, "USD") == "±$0"
    assert show_delta("percent", 0.005, "USD") == "+0.5 pp"
    assert show_delta("percent", -1e-9, "USD") == "±0.0 pp"
    assert show_delta("units", 3.0, "USD") == "+3"
    assert show_delta("units", float("nan"), "USD") == ""


def test_weighted_score_is_relative_improvement() -> None:
    # KPI rows: service (higher better), cost (lower better); scenarios: ref, better, worse
    values = np.array([[0.90, 0.99, 0.90],
                       [100.0, 100.0, 150.0]])
    reference = values[:, 0]
    scores = weighted_scores(values, reference, np.array([1, -1]), np.array([2.0, 1.0]))
    assert scores == pytest.approx([0.0, 2 * 10.0, -50.0])
    assert ranks(scores) == [2, 1, 3]
    assert ranks(np.array([1.0, 1.0, 0.0])) == [1, 1, 2]
    # zero weights, neutral KPIs and a zero reference leave the score alone
    assert weighted_scores(values, np.array([0.0, 100.0]), np.array([1, 0]),
                           np.array([1.0, 1.0])).tolist() == [0.0, 0.0, 0.0]


def plan(**kpis: float) -> SimpleNamespace:
    return SimpleNamespace(kpis=kpis, settings=SimpleNamespace(currency="USD"))


def test_scorecard_model_columns_and_colours(qapp) -> None:
    model = ScorecardModel()
    model.set_plans(["Baseline", "B"], [
        plan(projected_service_level=0.95, target_service_level=0.97,
             average_inventory_value=1000.0, total_cost=500.0),
        plan(projected_service_level=0.96, target_service_level=0.97,
             average_inventory_value=1200.0, total_cost=500.0),
    ], "Baseline", "B")
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Measure", "Weight", "Target", "Baseline (current plan)", "B",
                      "Δ vs Baseline"]
    service = model.row_of("projected_service_level")
    assert model.index(service, 2).data(DISPLAY) == "97.0%"  # the target
    assert model.index(service, 4).data(DISPLAY) == "96.0%"
    assert model.index(service, 5).data(DISPLAY) == "+1.0 pp"
    assert model.index(service, 5).data(Qt.ItemDataRole.UserRole) == "better"
    stock = model.row_of("average_inventory_value")
    assert model.index(stock, 5).data(DISPLAY) == "+$200"
    assert model.index(stock, 5).data(Qt.ItemDataRole.UserRole) == "worse"
    cost = model.row_of("total_cost")
    assert model.index(cost, 5).data(Qt.ItemDataRole.UserRole) == "same"
    assert model.index(cost, 5).data(Qt.ItemDataRole.BackgroundRole) is None
    # score: 3 x +1.05 % (service) + 2 x -20 % (stock) = -36.84
    assert model.index(0, 4).data(DISPLAY) == "-36.84%"
    assert model.index(1, 4).data(DISPLAY) == "#2"
    assert model.flags(model.index(service, 1)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(stock, 1), "lots")
    assert model.setData(model.index(stock, 1), "0")
    assert model.rank == [2, 1]


def test_tsv_round_trip_with_quoted_cells() -> None:
    rows = [["4", "poq", ""], ["a\tb", 'say "hi"', "two\nlines"]]
    text = to_tsv(rows)
    assert text.splitlines()[0] == "4\tpoq\t"
    assert parse_tsv(text) == rows
    assert parse_tsv("1\t2\r\n3\r\n") == [["1", "2"], ["3", ""]]  # ragged, CRLF (Excel)
    assert parse_tsv("") == [] and parse_tsv("\n") == [[""]]
    assert fill([["7"]], 2, 3) == [["7"] * 3] * 2
    assert fill([["7", "8"]], 2, 3) == [["7", "8"]]


def test_percent_text() -> None:
    assert percent_text("97%") == "0.97"
    assert percent_text("97.5 %") == "0.975"
    assert percent_text("0.97") == "0.97"
    assert percent_text("x%") == "x%"
