"""Workbench notifications as a Qt signal, tied to the lifetime of the widget that listens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.workbench import Changed, Workbench


class ChangeRelay(QObject):
    """Re-emits the workbench's ``Changed`` values as ``sigChanged`` for one widget.

    The relay is a child of the widget: when the widget goes, the relay goes and stops
    listening, so the workbench never calls into a deleted widget.
    """

    #: sigChanged(changed: app.workbench.Changed)
    sigChanged = Signal(object)  # noqa: N815

    def __init__(self, workbench: Workbench, parent: QObject) -> None:
        super().__init__(parent)
        unsubscribe = workbench.subscribe(self.sigChanged.emit)
        self.destroyed.connect(lambda *_: unsubscribe())


def listen(workbench: Workbench, widget: QObject, slot: Callable[[Changed], None]) -> ChangeRelay:
    """Call ``slot(changed)`` on every workbench change while ``widget`` lives."""
    relay = ChangeRelay(workbench, widget)
    relay.sigChanged.connect(slot)
    return relay
