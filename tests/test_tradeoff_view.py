"""The Trade-off tab: the curve of the current plan, computed off the GUI thread, memoised,
cancellable, and an empty state without demand."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from scipy import special

from app.engine.inputs import PlanInput
from app.engine.plan import plan
from app.models.demo import generate_demo
from app.models.store import Store
from app.views import tradeoff as tradeoff_module
from app.views.formatting import fmt_money
from app.views.tradeoff import TradeoffView
from app.workbench import Workbench
from tests.test_recommend import chain


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tradeoff") / "demo.echelon"
    with Store.create(path) as store:
        store.import_baseline(generate_demo(skus=150))
    return path


@pytest.fixture
def view(qtbot, demo_path: Path):
    workbench = Workbench.open_file(demo_path)
    widget = TradeoffView(workbench)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not widget.computing, timeout=30_000)
    workbench.close()


def test_curve_of_the_current_plan(qtbot, view: TradeoffView) -> None:
    result = view._workbench.plan()
    view.show_plan(result)
    qtbot.waitUntil(lambda: view.curve is not None, timeout=30_000)
    curve = view.curve.curve
    model = view.model
    assert model.rowCount() == len(curve) == 10
    assert model.index(4, 0).data() == "95.0%"
    assert model.index(4, 2).data() == fmt_money(curve["meio_investment"].iloc[4], "USD")
    assert (curve["meio_investment"] <= curve["seio_investment"]).all()
    assert fmt_money(result.kpis["ss_investment_current"], "USD") in view.summary.text()
    # per SKU at 95 %: the largest MEIO value first; double-click opens that SKU
    assert view.sku_model.rowCount() == result.n
    top = view.sku_model.source_row(0)
    z95 = float(special.ndtri(0.95))
    values = view.curve.per_sku_meio * view.curve.unit_cost
    assert values[top] == values.max()
    assert view.sku_model.index(0, 4).data() == fmt_money(z95 * values[top], "USD")
    opened: list[tuple[str, str]] = []
    view.sigOpenSku.connect(lambda i, s: opened.append((i, s)))
    view._open_sku(view.sku_model.index(0, 0))
    assert opened == [(result.skus["item_id"].iat[top], result.skus["site_id"].iat[top])]
    # the same network again: drawn at once from the curve at hand, no new computation
    shown = view.curve
    view.show_plan(result)
    assert not view.computing and view.curve is shown


def test_cancel_keeps_the_previous_state(qtbot, view: TradeoffView, monkeypatch) -> None:
    release = threading.Event()

    def slow(*args, should_stop=None, **kwargs):
        """Like the solver: polls should_stop and returns what it has (nothing here)."""
        while not should_stop():
            release.wait(0.01)

    monkeypatch.setattr(tradeoff_module, "tradeoff", lambda *a, **k: slow(*a, **k))
    messages: list[str] = []
    view.sigMessage.connect(messages.append)
    view.show_plan(view._workbench.plan())
    assert view.computing and view.busy.isVisibleTo(view)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not view.computing, timeout=10_000)
    assert view.curve is None and not view.busy.isVisibleTo(view)
    assert any("cancelled" in m for m in messages)


def test_empty_state_without_demand(qtbot, view: TradeoffView) -> None:
    frames = chain((10.0, 12.0))
    frames["forecast"] = frames["forecast"].iloc[0:0]
    view.show_plan(plan(PlanInput.from_tables(frames)))
    assert view.pages.currentWidget() is view.empty
    assert "no SKU with customer demand" in view.empty.text()
