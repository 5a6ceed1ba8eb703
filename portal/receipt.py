"""receipt (being written)."""
