"""Pure planning engine: numpy/scipy/pandas only (no Qt, no SQLAlchemy, no I/O)."""
