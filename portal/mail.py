"""The customer's e-mail carrying the link (being written)."""
