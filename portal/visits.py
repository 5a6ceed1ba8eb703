"""visits (being written)."""
