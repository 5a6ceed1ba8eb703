"""What the SVG drawn on the server is made of: the results panel's bandwidth chart
(`configurator.charts`) and the proposal's architecture diagrams (`reports.diagrams`).

Every element goes through `element`, so content and attribute values are always escaped
(`format_html`); attribute names are ours, never the customer's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from . import glyph_widths


def element(tag: str, content: object = None, **attrs: object) -> SafeString:
    """`<tag …>content</tag>`, or `<tag … />` when `content` is None. Attribute names are
    written the Python way: `stroke_width` is `stroke-width`, `class_` is `class`; a None
    value leaves the attribute out. Values are written as `str()` writes them."""
    attributes = format_html_join(
        "",
        ' {}="{}"',
        (
            (name.rstrip("_").replace("_", "-"), value)
            for name, value in attrs.items()
            if value is not None
        ),
    )
    if content is None:
        return format_html("<{}{} />", tag, attributes)
    return format_html("<{}{}>{}</{}>", tag, attributes, content, tag)


def join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def short_number(value: float, places: int = 1, *, grouping: bool = False) -> str:
    """`value` with at most `places` decimals and no trailing zeros: 12.50 is "12.5", 3.0
    is "3" (with `grouping`, 1234.5 is "1,234.5")."""
    text = f"{value:{',' if grouping else ''}.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def localized_number(value: object, places: int = 2) -> str:
    """A figure as the reader's language writes it, with at most `places` decimals and no
    trailing zeros: 1768.32 is "1,768.32" in English and "1.768,32" in Italian."""
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-places)).normalize()
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    return number_format(amount, use_l10n=True, force_grouping=True)


def char_width(char: str, bold: bool = False) -> float:
    """A glyph's advance in em in DejaVu Sans, the font the SVG is drawn in
    (`configurator.glyph_widths`); a character the table does not hold counts as wider than
    the letters of the common alphabets, so that the estimate is not short."""
    if unicodedata.combining(char):
        return 0.0
    if bold:
        units = glyph_widths.BOLD.get(char, glyph_widths.UNLISTED_BOLD)
    else:
        units = glyph_widths.REGULAR.get(char, glyph_widths.UNLISTED_REGULAR)
    return units / glyph_widths.UNITS_PER_EM


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The estimated width of `text` at font size `size` (see `char_width`)."""
    return sum(char_width(c, bold) for c in text) * size
