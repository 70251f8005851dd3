"""Work off the GUI thread: the plan of every edit, and long tasks with progress and cancel.

``Recomputer`` keeps the current scenario's plan up to date. The workbench reads the tables on
the GUI thread (the store's connection stays there) and hands back a ``PlanJob``; a quick job
(the last one took under ``threshold_ms``) runs at once, a slow one on a single worker thread.
Edits arriving while a job runs coalesce: when it finishes, only the latest revision is
planned next, and a result is shown only when it is the plan of what the scenario reads now.

``BackgroundTask`` runs a plain function ``fn(progress, cancelled)`` on a worker thread (the
Orange3 way: the function reports progress and checks for cancel; the widget gets the outcome
by signal). ``ProgressPanel`` shows one such task in the status bar with a cancel button.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.engine.inputs import PlanInputError
from app.engine.result import PlanResult
from app.workbench import PlanJob, Workbench, WorkspaceError

#: a job that took longer than this (ms) makes the next ones run off the GUI thread
THRESHOLD_MS = 50.0
#: a plan still running on the worker after this long (ms) shows its progress, with a stop
LONG_PLAN_MS = 400

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
TaskFunction = Callable[[Progress, Cancelled], object]


class TaskCancelled(Exception):
    """Raised by a task function that saw ``cancelled()`` become true."""


class _Relay(QObject):
    """Signals a worker emits; they arrive queued on the thread that owns the relay (GUI)."""

    #: sigProgress(fraction: float in [0, 1])
    sigProgress = Signal(float)  # noqa: N815
    #: sigDone(result: object, seconds: float)
    sigDone = Signal(object, float)  # noqa: N815
    #: sigFailed(error: BaseException)
    sigFailed = Signal(object)  # noqa: N815


class _Runnable(QRunnable):
    def __init__(self, fn: TaskFunction, relay: _Relay, cancelled: Cancelled) -> None:
        super().__init__()
        self._fn, self._relay, self._cancelled = fn, relay, cancelled
        self.setAutoDelete(True)

    def run(self) -> None:
        started = time.perf_counter()
        try:
            result = self._fn(self._relay.sigProgress.emit, self._cancelled)
        except BaseException as err:
            self._relay.sigFailed.emit(err)
        else:
            self._relay.sigDone.emit(result, time.perf_counter() - started)


class BackgroundTask(QObject):
    """One run of ``fn(progress, cancelled)`` on ``pool``; the outcome comes back by signal."""

    #: sigProgress(fraction: float in [0, 1])
    sigProgress = Signal(float)  # noqa: N815
    #: sigFinished(result: object): the function returned
    sigFinished = Signal(object)  # noqa: N815
    #: sigFailed(error: BaseException): the function raised (TaskCancelled after a cancel)
    sigFailed = Signal(object)  # noqa: N815

    def __init__(self, fn: TaskFunction, pool: QThreadPool | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._pool = pool or QThreadPool.globalInstance()
        self._cancel = False
        self.running = False
        self.seconds = 0.0
        self._relay = _Relay(self)
        self._relay.sigProgress.connect(self.sigProgress)
        self._relay.sigDone.connect(self._on_done)
        self._relay.sigFailed.connect(self._on_failed)

    def start(self) -> BackgroundTask:
        self.running = True
        self._pool.start(_Runnable(self._fn, self._relay, lambda: self._cancel))
        return self

    def cancel(self) -> None:
        """Ask the function to stop (it checks ``cancelled()`` between its steps)."""
        self._cancel = True

    @property
    def cancelled(self) -> bool:
        return self._cancel

    def _on_done(self, result: object, seconds: float) -> None:
        self.running, self.seconds = False, seconds
        self.sigFinished.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self.running = False
        self.sigFailed.emit(error)


def _costed(job: PlanJob, progress: Progress | None = None,
            should_stop: Cancelled | None = None) -> tuple[PlanResult, float]:
    """The job's plan, and the CPU milliseconds it took on the thread that ran it."""
    started = time.thread_time()
    result = job.run(progress, should_stop)
    return result, (time.thread_time() - started) * 1000.0


class Recomputer(QObject):
    """Keeps the current scenario's plan computed; slow recomputes run on a worker thread."""

    #: sigPlanReady(result: PlanResult, milliseconds: float): the current scenario's plan
    sigPlanReady = Signal(object, float)  # noqa: N815
    #: sigPlanFailed(message: str): the current scenario's tables cannot be planned
    sigPlanFailed = Signal(str)  # noqa: N815
    #: sigBusy(busy: bool): a recompute started (True) or the last one finished (False)
    sigBusy = Signal(bool)  # noqa: N815
    #: sigLongPlan(task: BackgroundTask, scenario: str): a plan on the worker is taking long
    #: (cancelling the task stops its multi-echelon search; the plan goes on with the best
    #: solution found so far)
    sigLongPlan = Signal(object, str)  # noqa: N815

    def __init__(self, workbench: Workbench, parent: QObject | None = None,
                 threshold_ms: float = THRESHOLD_MS) -> None:
        super().__init__(parent)
        self._workbench = workbench
        self.threshold_ms = threshold_ms
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._running: BackgroundTask | None = None
        self._pending = False
        #: milliseconds the last computed plan took (job run, wall clock)
        self.last_ms = 0.0
        #: CPU milliseconds of the last plan's own thread: what it costs, without the time it
        #: waited for the GUI thread (which paints meanwhile); the next plan runs on the GUI
        #: thread when this is under the threshold
        self.cost_ms = 0.0
        self._ms_of: dict[int, float] = {}
        #: plans computed on the worker thread (for tests and the bench)
        self.threaded_runs = 0
        self._stopped = False

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def pool(self) -> QThreadPool:
        """The single worker thread plans run on (others may queue their plans there)."""
        return self._pool

    @property
    def stopped(self) -> bool:
        return self._stopped

    def request(self) -> None:
        """Plan the current scenario: at once when cached or quick, else on the worker."""
        if self._stopped:
            return
        if self._running is not None:
            self._pending = True  # coalesce: planned when the running job is done
            return
        self._pending = False
        try:
            job = self._workbench.plan_job()
        except WorkspaceError as err:
            self.sigPlanFailed.emit(str(err))
            return
        if isinstance(job, PlanResult):
            self.sigPlanReady.emit(job, self._ms_of.get(id(job), job.seconds * 1000.0))
            return
        if self.cost_ms < self.threshold_ms:
            started = time.perf_counter()
            try:
                result, cost = _costed(job)
            except PlanInputError as err:
                self.sigPlanFailed.emit(f"Cannot plan: {err}")
                return
            self._finish(job, result, (time.perf_counter() - started) * 1000.0, cost,
                         threaded=False)
            return
        task = BackgroundTask(lambda progress, cancelled: _costed(job, progress, cancelled),
                              self._pool, self)
        task.sigFinished.connect(lambda done: self._on_thread_done(task, job, *done))
        task.sigFailed.connect(lambda error: self._on_thread_failed(task, error))
        self._running = task
        self.sigBusy.emit(True)
        task.start()
        QTimer.singleShot(LONG_PLAN_MS, lambda: self._still_running(task, job.name))

    def _still_running(self, task: BackgroundTask, name: str) -> None:
        if self._running is task and task.running and not self._stopped:
            self.sigLongPlan.emit(task, name)

    def _finish(self, job: PlanJob, result: PlanResult, ms: float, cost_ms: float,
                threaded: bool) -> None:
        self.last_ms, self.cost_ms = ms, cost_ms
        self._workbench.last_plan_ms = ms
        adopted = self._workbench.adopt(job, result)
        self._ms_of[id(result)] = ms
        if len(self._ms_of) > 32:
            self._ms_of.pop(next(iter(self._ms_of)))
        current = job.name == self._workbench.current
        if current and not self._pending and (adopted or not threaded):
            self.sigPlanReady.emit(result, ms)
        else:
            self.request()  # the scenario moved on meanwhile: plan what it reads now

    def _on_thread_done(self, task: BackgroundTask, job: PlanJob, result: PlanResult,
                        cost_ms: float) -> None:
        self._running = None
        if self._stopped:
            return
        self.threaded_runs += 1
        task.deleteLater()
        self._finish(job, result, task.seconds * 1000.0, cost_ms, threaded=True)
        if self._running is None:
            self.sigBusy.emit(False)

    def _on_thread_failed(self, task: BackgroundTask, error: BaseException) -> None:
        self._running = None
        task.deleteLater()
        if self._stopped:
            return
        if self._pending:
            self.request()
        elif isinstance(error, PlanInputError):
            self.sigPlanFailed.emit(f"Cannot plan: {error}")
        else:
            self.sigBusy.emit(False)
            raise error
        if self._running is None:
            self.sigBusy.emit(False)

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the worker is idle (tests, the bench)."""
        return self._pool.waitForDone(timeout_ms)

    def stop(self) -> None:
        """Take no more work and drop results still on their way (closing the window)."""
        self._stopped = True
        self._pending = False
        self._pool.waitForDone()


class ProgressPanel(QWidget):
    """A label, a progress bar and a cancel button for one long task (hidden when idle)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.label = QLabel(objectName="progressLabel")
        self.bar = QProgressBar(objectName="progressBar")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(160)
        self.cancel_button = QToolButton(objectName="progressCancel", text="Cancel")
        self.cancel_button.setToolTip("Stop this task; nothing it started is kept")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._task: BackgroundTask | None = None
        self.cancel_button.clicked.connect(self.cancel)
        self.hide()

    def track(self, task: BackgroundTask, text: str, cancel: str = "Cancel",
              tip: str = "Stop this task; nothing it started is kept") -> None:
        """Show ``task``'s progress until it finishes or fails; ``cancel`` and ``tip`` name
        what the button does to this task."""
        self._task = task
        self.label.setText(text)
        self.bar.setValue(0)
        self.cancel_button.setText(cancel)
        self.cancel_button.setToolTip(tip)
        self.cancel_button.setEnabled(True)
        task.sigProgress.connect(lambda f: self.bar.setValue(round(f * 1000)))
        task.sigFinished.connect(self._done)
        task.sigFailed.connect(self._done)
        self.show()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.label.setText(self.label.text() + " (stopping…)")
            self.cancel_button.setEnabled(False)

    def _done(self, *_args: object) -> None:
        self._task = None
        self.hide()
