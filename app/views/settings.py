"""What the app remembers between runs: the last workspace, recent files, window layout.

``AppSettings`` wraps a ``QSettings`` (INI format, user scope, organisation and application
"Echelon"); tests give it a ``QSettings`` on a file of their own, and ``AppSettings.memory()``
keeps everything in a dict (screenshots, windows opened by tests), so nothing touches the
user's settings by accident.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

ORGANISATION = "Echelon"
APPLICATION = "Echelon"
MAX_RECENT = 8


class AppSettings:
    """Typed access to the remembered values (a QSettings, or a dict when ``memory()``)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings
        self._memory: dict[str, object] = {}

    @classmethod
    def user(cls) -> AppSettings:
        """The user's own settings file."""
        return cls(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                             ORGANISATION, APPLICATION))

    @classmethod
    def at(cls, path: str | Path) -> AppSettings:
        """Settings kept in the INI file ``path`` (tests)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @classmethod
    def memory(cls) -> AppSettings:
        """Settings that last as long as the object (nothing is written anywhere)."""
        return cls(None)

    def _get(self, key: str, default: object = None) -> object:
        if self._settings is None:
            return self._memory.get(key, default)
        return self._settings.value(key, default)

    def _set(self, key: str, value: object) -> None:
        if self._settings is None:
            self._memory[key] = value
        else:
            self._settings.setValue(key, value)

    def sync(self) -> None:
        if self._settings is not None:
            self._settings.sync()

    # --- workspaces ------------------------------------------------------------------------

    def last_workspace(self) -> Path | None:
        """The workspace open when the app last closed, if it still exists."""
        text = self._get("workspace/last")
        path = Path(str(text)) if text else None
        return path if path is not None and path.exists() else None

    def recent_files(self) -> list[Path]:
        """Recently opened workspaces, newest first (missing files left out)."""
        text = self._get("workspace/recent", "[]")
        try:
            names = json.loads(str(text))
        except ValueError:
            names = []
        return [Path(n) for n in names if isinstance(n, str) and Path(n).exists()]

    def opened(self, path: Path) -> None:
        """Remember ``path`` as the last workspace and first of the recent files."""
        path = Path(path).resolve()
        self._set("workspace/last", str(path))
        recent = [str(path)] + [str(p) for p in self.recent_files() if p.resolve() != path]
        self._set("workspace/recent", json.dumps(recent[:MAX_RECENT]))

    # --- the window ------------------------------------------------------------------------

    def save_window(self, window: QMainWindow) -> None:
        self._set("window/geometry", window.saveGeometry())
        self._set("window/state", window.saveState())

    def restore_window(self, window: QMainWindow) -> bool:
        """Put the window back as it was; False when nothing was saved yet."""
        geometry, state = self._get("window/geometry"), self._get("window/state")
        if not isinstance(geometry, QByteArray | bytes) or not geometry:
            return False
        window.restoreGeometry(QByteArray(geometry))
        if isinstance(state, QByteArray | bytes) and state:
            window.restoreState(QByteArray(state))
        return True

    # --- views -----------------------------------------------------------------------------

    def json_value(self, key: str, default: object) -> object:
        """A JSON value kept under ``key`` (column choices, scorecard weights)."""
        text = self._get(key)
        if text is None:
            return default
        try:
            return json.loads(str(text))
        except ValueError:
            return default

    def set_json_value(self, key: str, value: object) -> None:
        self._set(key, json.dumps(value))
