"""tasks (being written)."""
