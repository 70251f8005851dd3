"""Shared fixtures. Qt runs without a display (offscreen), set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.models.store import Store
from app.workbench import Workbench
from tests.factories import small_company


@pytest.fixture
def tiny_frames() -> dict[str, pd.DataFrame]:
    """The small hand-made company of ``tests/factories.py`` (5 SKUs), as canonical frames."""
    return small_company()


@pytest.fixture
def tmp_workspace(tmp_path: Path, tiny_frames: dict[str, pd.DataFrame]) -> Path:
    """A workspace file holding ``tiny_frames`` as its Baseline."""
    path = tmp_path / "tiny.echelon"
    with Store.create(path) as store:
        store.import_baseline(tiny_frames)
    return path


@pytest.fixture
def bench(tmp_workspace: Path) -> Iterator[Workbench]:
    """A workbench on ``tmp_workspace``, closed afterwards."""
    wb = Workbench.open_file(tmp_workspace)
    yield wb
    wb.close()
