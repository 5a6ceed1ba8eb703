"""The diagonal "Draft – not approved" watermark of an unapproved proposal, as SVG outlines.

The watermark is drawn as the glyph outlines of the proposal's own bold font (Source Sans 3,
static/reports/fonts/), not as text: rotated text comes out of a PDF's text extraction as
letters scattered among the page's lines (pdftotext gives one letter a line), which would
break the reading order that screen readers and archives rely on. The mark's text stays in
the document once per page, upright and extractable, in the band at the top
(templates/reports/proposal.html); this drawing only makes it visible across the page.

The outlines depend on the text and the font only, so the same snapshot still gives the same
bytes. Kept to what WeasyPrint's SVG subset draws: one `<path>` with presentation attributes.
Its `<title>` is the figure's alternative text in the tagged PDF, so a screen reader says
the mark on every page too.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import Any, Final

from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

FONT: Final = "reports/fonts/source-sans-3-latin-700-normal.ttf"
# The page area of static/reports/proposal.css (A4 less its margins), in mm: the watermark
# fills it, turned along a diagonal.
AREA_MM: Final = (178, 255)
ANGLE: Final = -50
# Light enough to read the page through it (and to count as blank paper, grey above 235,
# for the layout tests' page pictures), dark enough to be seen at a glance.
COLOUR: Final = "#fde8e5"
# How much of the page area's width the turned text spans.
SPAN: Final = 0.92


_lock = threading.Lock()


@functools.cache
def _font() -> Any:
    path = finders.find(FONT)
    if not path:
        raise FileNotFoundError(f"static/{FONT} is missing")
    return TTFont(path)


def _outline(text: str) -> tuple[str, int, int]:
    """The SVG path of `text` set on one line in font units (y down, the baseline at 0),
    its advance width, and the font's capital height."""
    font = _font()
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    metrics = font["hmtx"]
    pen = SVGPathPen(glyphs)
    x = 0
    for character in text:
        name = cmap.get(ord(character), ".notdef")
        glyphs[name].draw(TransformPen(pen, (1, 0, 0, -1, x, 0)))
        x += metrics[name][0]
    return pen.getCommands(), x, font["OS/2"].sCapHeight


@functools.cache
def watermark_svg(text: str) -> SafeString:
    """`text` in outlines, centred in the page area and turned along its diagonal."""
    with _lock:  # a TTFont reads its tables lazily, once
        commands, advance, cap_height = _outline(text)
    width, height = AREA_MM
    # The turned line spans its length × cos(ANGLE) across the page: a share of the width.
    scale = width * SPAN / max(advance, 1) / math.cos(math.radians(ANGLE))
    transform = (
        f"translate({width / 2} {height / 2}) rotate({ANGLE}) scale({scale:.6f}) "
        f"translate({-advance / 2} {cap_height / 2})"
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}mm" height="{}mm" viewBox="0 0 {} {}">'
        '<title>{}</title><path fill="{}" transform="{}" d="{}"/></svg>',
        width,
        height,
        width,
        height,
        text,
        COLOUR,
        transform,
        commands,
    )
