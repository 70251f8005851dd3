"""Storage, data contract, import/export and demo data (the only layer that touches SQL)."""
