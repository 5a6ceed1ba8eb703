"""The organisation's views of customer links."""
