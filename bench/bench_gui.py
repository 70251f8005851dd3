"""GUI benchmark: edit-to-repaint and start-up to first paint, by network size.

    python bench/bench_gui.py [--sizes 450,20000] [--edits 7] [--startups 3]

For each size the demo generator's company is imported into a temporary workspace. Then:

- start-up to first paint: a fresh process (``--startup DB``) opens the workspace, builds the
  main window and shows it; the figure runs from the start of the script (before Qt, pandas
  and the app are imported) to the first paint of the workbook grid. Median of ``--startups``.
- edit-to-repaint: in a forked scenario, a safety-stock cell of the planning workbook is set
  through the grid's model (as typing does); the figure runs from ``setData`` until the new
  plan is shown and the event loop has repainted the grid (offscreen raster). The SKU is an
  end item at a distribution centre with a fixed safety stock: each edit changes its plan
  and its suppliers', and every level of the network is planned again. Recomputes
  slower than 50 ms run off the GUI thread, as in the app. Median of ``--edits`` edits after
  one warm-up; printed with the recompute's own share (the plan's wall time) and the rest
  (the checked edit, reading the scenario back, the grid, the paint).

Peak memory is the process's peak resident set size. Runs offscreen (QT_QPA_PLATFORM). The
machine's pace (``bench/machine_speed.py``) is printed before and after.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_workspace(folder: Path, skus: int) -> Path:
    from app.models.demo import generate_demo
    from app.models.store import Store

    path = folder / f"demo-{skus}.echelon"
    with Store.create(path) as store:
        store.import_baseline(generate_demo(skus=skus))
    return path


def startup(db: Path) -> None:
    """(Child process) print the seconds from the script's start to the first grid paint."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from app.views.app import application
    from app.views.main_window import MainWindow
    from app.views.settings import AppSettings
    from app.workbench import Workbench

    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    app = application()
    workbench = Workbench.open_file(db)
    window = MainWindow(workbench, settings=AppSettings.memory())
    spy = FirstPaint()
    window.workbook.planning_grid.viewport().installEventFilter(spy)
    window.show()
    while not painted:
        QApplication.processEvents()
    first_paint = painted[0] - STARTED
    while window.recomputer.busy:  # the first plan, when it went off-thread
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()
    planned = time.perf_counter() - STARTED
    print(f"{first_paint:.3f} {planned:.3f}")
    window.shutdown()
    workbench.close()
    del app


def edit_to_repaint(db: Path, edits: int) -> tuple[list[float], list[float], int]:
    """Milliseconds per edit (whole, and the recompute's share) and the SKU count."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from app.views.app import application
    from app.views.main_window import MainWindow
    from app.views.settings import AppSettings
    from app.workbench import Workbench

    application()
    workbench = Workbench.open_file(db)
    window = MainWindow(workbench, settings=AppSettings.memory())
    window.resize(1440, 900)
    window.show()

    def settle() -> None:
        # wait as the app's event loop does: blocked in Qt until the worker's result arrives
        # (polling with short sleeps would hold the GIL and slow the worker down)
        while window.recomputer.busy:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        while window.latest_plan is not workbench.cached_plan():  # a plan not shown yet
            QApplication.processEvents()
            time.sleep(0.001)
        QApplication.processEvents()  # dataChanged -> the grid repaints here

    settle()
    workbench.fork("Bench")
    settle()
    skus = window.latest_plan.skus  # (in plan order: the first is an end item, level 0)
    key = {"item_id": str(skus["item_id"].iloc[0]), "site_id": str(skus["site_id"].iloc[0])}
    workbench.edit_text("skus", key, {"ss_model": "fixed"})  # its safety stock now counts:
    settle()  # each edit below moves its plan, and every level below it is planned again
    whole, recompute = [], []
    for i in range(edits + 1):
        index = window.workbook.select_cell(key, "ss_qty")
        QApplication.processEvents()  # the click on the cell is painted before the typing
        started = time.perf_counter()
        assert window.workbook.model.setData(index, str(100 + 10 * i))
        settle()  # the last turn of the event loop paints what changed
        elapsed = (time.perf_counter() - started) * 1000.0
        if i:  # the first edit is the warm-up
            whole.append(elapsed)
            recompute.append(window.recomputer.last_ms)
    n = window.latest_plan.n
    window.shutdown()
    workbench.close()
    return whole, recompute, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="450,20000")
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--startup", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--edits-only", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup:
        startup(Path(args.startup))
        return
    if args.edits_only:
        whole, recompute, n = edit_to_repaint(Path(args.edits_only), args.edits)
        print(f"{n} {statistics.median(whole):.1f} {statistics.median(recompute):.1f} "
              f"{peak_mb():.0f}")
        return
    from bench.machine_speed import reference_ms

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}, {os.cpu_count()} cores; "
          f"Qt platform {os.environ['QT_QPA_PLATFORM']}; pace: reference work "
          f"{reference_ms():.1f} ms (bench/machine_speed.py)")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            db = make_workspace(Path(folder), size)
            runs = [subprocess.run([sys.executable, __file__, "--startup", str(db)],
                                   check=True, capture_output=True, text=True).stdout.split()
                    for _ in range(args.startups)]
            first = statistics.median(float(r[0]) for r in runs)
            planned = statistics.median(float(r[1]) for r in runs)
            out = subprocess.run([sys.executable, __file__, "--edits-only", str(db),
                                  "--edits", str(args.edits)],
                                 check=True, capture_output=True, text=True).stdout.split()
            n, whole, recompute, peak = int(out[0]), float(out[1]), float(out[2]), out[3]
            print(f"{n:>7,} SKUs: edit-to-repaint {whole:,.0f} ms (recompute {recompute:,.0f} ms, "
                  f"the rest {whole - recompute:,.0f} ms), median of {args.edits}; start-up to "
                  f"first paint {first:.2f} s (first plan shown {planned:.2f} s), median of "
                  f"{args.startups}; peak RSS {peak} MB")
    print(f"pace after: reference work {reference_ms():.1f} ms")


if __name__ == "__main__":
    main()
