"""Long file work as task functions ``fn(progress, cancelled)`` for ``BackgroundTask``.

Each opens its own store connection on the worker thread (a new workspace file no other
connection uses) and checks for cancel between its steps; a cancelled task leaves no file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from app.models.store import Store, WorkspaceError
from app.views.recompute import Cancelled, Progress, TaskCancelled

TaskFunction = Callable[[Progress, Cancelled], dict[str, int]]


def refuse_existing(target: Path) -> None:
    """A new workspace is never written over an existing file (it may hold someone's work)."""
    if target.exists() and target.stat().st_size > 0:
        raise WorkspaceError(f"{target} already exists: choose a new file name for the "
                             "workspace")


def _write(frames: dict[str, pd.DataFrame], target: Path, progress: Progress,
           cancelled: Cancelled) -> dict[str, int]:
    if cancelled():
        raise TaskCancelled
    progress(0.6)
    try:
        with Store.create(target) as store:
            store.import_baseline(frames)
        if cancelled():
            raise TaskCancelled
    except BaseException:
        target.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    progress(1.0)
    return {name: len(frame) for name, frame in frames.items()}


def import_task(source: Path, target: Path) -> TaskFunction:
    """Read and check ``source`` (CSV folder or .xlsx), then write it into ``target``.

    All or nothing: DataProblems lists every problem and no file is written.
    """
    def run(progress: Progress, cancelled: Cancelled) -> dict[str, int]:
        from app.models.csv_io import read_source
        from app.models.validate import validate_raw

        refuse_existing(target)
        progress(0.05)
        raws, problems = read_source(source)
        if cancelled():
            raise TaskCancelled
        progress(0.3)
        frames = validate_raw(raws, problems)
        return _write(frames, target, progress, cancelled)

    return run


def demo_task(target: Path, skus: int = 450) -> TaskFunction:
    """A new workspace ``target`` holding the generated demo company."""
    def run(progress: Progress, cancelled: Cancelled) -> dict[str, int]:
        from app.models.demo import generate_demo

        refuse_existing(target)
        progress(0.05)
        frames = generate_demo(skus=skus)
        return _write(frames, target, progress, cancelled)

    return run
