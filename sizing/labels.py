"""The architectures' names for the results panel, the PDF and the exports.

Derived from `sizing.results.ARCHITECTURE_LABELS`, the sizing core's one table, rather than
translated a second time: a title is the core's name with a capital, in the active
language ("Cloud ibrido", "Hybrid cloud"; "TVox + MCS" in both).
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import lazy
from django.utils.translation import get_language

from .recommend import cap
from .results import ARCHITECTURE_LABELS, ARCHITECTURES


def architecture_label(key: str) -> str:
    """The name of architecture `key` ("pure_cloud", "mcs", "hybrid") as a title."""
    it, en = ARCHITECTURE_LABELS[key]
    return cap(it if get_language() == "it" else en)


# Lazy, for module-level tables and model choices: read in the language of the moment
# (typed as the `str` they turn into, as django-stubs types `lazy`).
ARCHITECTURE_NAMES: Final[dict[str, str]] = {
    key: lazy(architecture_label, str)(key) for key in ARCHITECTURES
}
