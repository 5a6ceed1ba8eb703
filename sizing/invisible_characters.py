"""Characters that a person cannot see but that change what text shows or does.

Control characters (Unicode category Cc: NUL, ESC, DEL, the C1 controls) reach terminals,
CSV readers and the PDF; bidirectional controls (U+202A-U+202E, U+2066-U+2069, the marks
U+200E, U+200F and U+061C) make a name read in another order than it is stored ("Trojan
source", CVE-2021-42574); the others listed here are invisible and only serve to make two
names that look the same differ. Letters of every script, accents, emoji and the joiners
that emoji and some scripts need (U+200C, U+200D, the tags of subdivision flags) are text
and stay. Plain Python, no Django: the configurator's validators and the sizing API's
schema both ask it.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Unicode category Cc: these code points and no others, for ever (Unicode's stability
# policy fixes the set of control characters).
CONTROLS: Final = frozenset({*range(0x00, 0x20), *range(0x7F, 0xA0)})
BIDI_CONTROLS: Final = frozenset(
    {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
)
OTHER_INVISIBLE: Final = frozenset(
    {
        0x180E,  # Mongolian vowel separator, no longer a space: an invisible format mark
        0x200B,  # zero width space
        0x2028,  # line separator: breaks a line where a single-line field has none
        0x2029,  # paragraph separator
        *range(0x2060, 0x2065),  # word joiner, invisible mathematical operators
        *range(0x206A, 0x2070),  # deprecated format characters
        0xFEFF,  # byte order mark / zero width no-break space
        *range(0xFFF9, 0xFFFC),  # interlinear annotation controls
        0xE0001,  # language tag (deprecated; the flag tags U+E0020-U+E007F stay)
    }
)
LINE_BREAKS: Final = frozenset("\t\n\r")


def first_invisible(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The position (from 0) and the character of the first invisible control in `text`,
    or None. Multi-line text may hold tabs and line breaks; single-line text may not."""
    for position, char in enumerate(text):
        if multiline and char in LINE_BREAKS:
            continue
        if (
            unicodedata.category(char) in ("Cc", "Cs")
            or ord(char) in BIDI_CONTROLS
            or ord(char) in OTHER_INVISIBLE
        ):
            return position, char
    return None


def refused_code_points() -> list[int]:
    """Every code point `first_invisible` refuses in single-line text, lone surrogates
    aside (UTF-8 cannot carry them), in order: for the OpenAPI name pattern."""
    return sorted(CONTROLS | BIDI_CONTROLS | OTHER_INVISIBLE)


def code_point(char: str) -> str:
    """How a message names a character nobody can see: U+202E."""
    return f"U+{ord(char):04X}"
