"""Small dialogs: problems listed and copyable, a plain message, export choice, data format."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


class ProblemsDialog(QDialog):
    """Lists ``file:line:column: message`` problems in a read-only, selectable, copyable text."""

    def __init__(self, title: str, summary: str, lines: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.text = QPlainTextEdit(objectName="problemsText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy all")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel(summary)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def copy_all(self) -> None:
        """Put every problem line on the clipboard."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())


def tell(parent: QWidget | None, title: str, message: str,
         icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """Show ``message`` in a window-modal box that does not block the caller."""
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("messageBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


class ExportDialog(QDialog):
    """Pick the scenario to export: approved ones first (they are what the ERP should get)."""

    def __init__(self, choices: Sequence[tuple[str, str]], current: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export scenario")
        self.chooser = QComboBox(objectName="exportScenario")
        for name, label in choices:
            self.chooser.addItem(label, name)
        names = [name for name, _ in choices]
        approved_first = next((i for i, (_n, label) in enumerate(choices)
                               if label.endswith("(approved)")), None)
        self.chooser.setCurrentIndex(approved_first if approved_first is not None
                                     else names.index(current) if current in names else 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose folder…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel("Scenario to export (its data tables and its plan, as CSV files):")
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.chooser)
        layout.addWidget(buttons)

    @property
    def scenario(self) -> str:
        return str(self.chooser.currentData())


def data_format_html() -> str:
    """The import/export data contract as an HTML page (one table per CSV file)."""
    from app.models.contract import TABLES

    parts = ["<h3>Import folder: one CSV per table</h3><p>UTF-8, a header row, "
             "<code>,</code> separator, ISO dates (YYYY-MM-DD). An Excel workbook with one sheet "
             "per table works too. Import is all or nothing: every problem is listed as "
             "<code>file:line:column: message</code>.</p>"]
    for table in TABLES:
        rows = []
        for column in table.columns:
            role = "key" if column.name in table.key else (
                "required" if column.required else
                f"optional (default {column.default})" if column.default is not None
                else "optional")
            kind = column.kind + (f": {' / '.join(column.choices)}" if column.choices else "")
            rows.append(f"<tr><td><code>{column.name}</code></td><td>{kind}</td>"
                        f"<td>{role}</td></tr>")
        parts.append(f"<h4>{table.file_name}</h4><p>{table.description}</p>"
                     "<table border='1' cellspacing='0' cellpadding='3'>"
                     "<tr><th>column</th><th>type</th><th></th></tr>"
                     + "".join(rows) + "</table>")
    return "".join(parts)


class TextDialog(QDialog):
    """A read-only rich-text page (the data format) with a close button."""

    def __init__(self, title: str, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.browser = QTextBrowser(objectName="textBrowser")
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 640)
