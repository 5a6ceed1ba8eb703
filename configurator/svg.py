"""What the SVG drawn on the server is made of: the results panel's bandwidth chart
(`configurator.charts`) and the proposal's architecture diagrams (`reports.diagrams`).

Every element goes through `element`, so content and attribute values are always escaped
(`format_html`); attribute names are ours, never the customer's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


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
