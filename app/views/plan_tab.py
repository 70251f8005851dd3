"""``PlanTab``: what every tab of the main window that shows a plan has in common.

The main window hands each tab the current scenario's plan (``show_plan``) when a new one is
ready and when the tab becomes visible; a tab never plans the current scenario itself (the
plan may be computed off the GUI thread). A tab asks the window for things by signal.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from app.engine.result import PlanResult
from app.workbench import Workbench


class PlanTab(QWidget):
    """A tab over one ``Workbench`` that shows the current plan."""

    #: sigOpenSku(item_id: str, site_id: str): open this SKU in the SKU detail tab
    sigOpenSku = Signal(str, str)  # noqa: N815
    #: sigFilterWorkbook(column: str, value: str): filter the workbook on this
    sigFilterWorkbook = Signal(str, str)  # noqa: N815
    #: sigMessage(text: str): a status-bar message
    sigMessage = Signal(str)  # noqa: N815

    def __init__(self, workbench: Workbench, object_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._workbench = workbench

    def make_pages(self, content: QWidget, empty_text: str, empty_name: str
                   ) -> QStackedWidget:
        """``self.pages``: the empty state (``self.empty``, a sentence saying what to do
        next) and ``content``; lay it out where the tab shows its plan."""
        self.empty = QLabel(empty_text, objectName=empty_name)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(content)
        return self.pages

    def show_empty(self, text: str | None = None) -> None:
        """Show the empty state (with ``text`` when given)."""
        if text is not None:
            self.empty.setText(text)
        self.pages.setCurrentIndex(0)

    def show_content(self) -> None:
        self.pages.setCurrentIndex(1)

    def show_plan(self, result: PlanResult) -> None:
        """Show ``result``, the current scenario's plan (fast: called after every edit)."""
        raise NotImplementedError
