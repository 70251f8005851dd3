"""Echelon: an offline inventory scenario-planning workbench."""

__version__ = "0.1.0"
