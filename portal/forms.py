"""forms (being written)."""
