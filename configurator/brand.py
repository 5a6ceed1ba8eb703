"""The default brand colours and what counts as a colour: one definition for the model's
defaults and validator, the charts, the proposal's diagrams and the demo data."""

from __future__ import annotations

import re
from typing import Final

DEFAULT_PRIMARY: Final = "#0B3D5C"
DEFAULT_ACCENT: Final = "#E8792B"
# `#RRGGBB`, matched whole (`fullmatch`): a colour lands in an SVG or CSS attribute.
HEX_COLOUR: Final = re.compile(r"#[0-9A-Fa-f]{6}")


def colour(value: object, default: str) -> str:
    """`value` if it is a `#RRGGBB` colour, else `default`."""
    return value if isinstance(value, str) and HEX_COLOUR.fullmatch(value) else default
