"""Charts drawn as SVG on the server: no JavaScript chart library, readable without CSS."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .brand import DEFAULT_ACCENT, DEFAULT_PRIMARY
from .svg import element, join, localized_number, short_number, text_width

WIDTH, BAR_HEIGHT, GAP = 640, 22, 14
# A line of text takes 20 units: the fonts' ascent (14 at most) and descent (6).
FONT_SIZE, LINE_HEIGHT, ASCENT, LABEL_GAP, VALUE_GAP = 13, 20, 14, 3, 6
# Text is laid out from estimated widths (configurator.svg.text_width) with this margin on
# top, so that a wider font than the estimate's still leaves the bars and values apart.
SAFETY = 1.15
# Room on the left for glyphs that reach past their origin (the overhang of a "T").
LEFT = 2
# Presentation attributes of every text, for renderers without CSS in SVG.
TEXT_STYLE = {"font_size": FONT_SIZE, "fill": "#1D2733"}


@dataclass(frozen=True)
class Bar:
    """One bar: its label (on its own lines above it), its value and the value's text
    (after it), its classes and its colour (a presentation attribute)."""

    label: str
    value: float
    value_text: str
    css: str = "chart__bar"
    fill: str = "#0B3D5C"
    value_css: str = "chart__value"
    bold: bool = False


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value)))
    for step in (0.1, 0.2, 0.5, 1.0):
        if value <= magnitude * step:
            return magnitude * step
    return float(magnitude)


def _measure(text: str, bold: bool = False) -> float:
    return text_width(text, FONT_SIZE, bold) * SAFETY


def _wrap(text: str, width: float) -> list[str]:
    """`text` in lines that fit `width`, broken between words (a longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def bandwidth_chart(
    mcs: dict[str, object], primary: str = DEFAULT_PRIMARY, accent: str = DEFAULT_ACCENT
) -> SafeString:
    """The connections' need (R11), the tiers' minimum (R9) and the recommended bandwidth
    (S3), one bar each. Each label sits on its own lines above its bar and each value after
    its bar, in a plot narrowed by the widest value, so no text meets a bar or another text
    at any length or language. Colours are presentation attributes, for renderers without
    CSS in SVG (WeasyPrint); the web page's classes override them."""
    bars = [
        _bandwidth_bar(_("Active connections' need (R11)"), mcs, "connections_bandwidth_mbps",
                       "chart__need", primary),
        _bandwidth_bar(_("Tiers' minimum (R9)"), mcs, "min_bandwidth_mbps", "chart__floor",
                       "#9FB3C4"),
        _bandwidth_bar(_("Recommended internet bandwidth (S3)"), mcs, "bandwidth_mbps",
                       "chart__recommended", accent, "chart__value chart__marker-label",
                       bold=True),
    ]  # fmt: skip
    rows, height = bar_rows(bars)
    title = _("Internet bandwidth: the connections' need against the tiers' minimum (S3)")
    return element(
        "svg",
        join([element("title", title, id="chart-title"), *rows]),
        class_="chart",
        viewBox=f"0 0 {WIDTH} {short_number(height + 2)}",
        role="img",
        aria_labelledby="chart-title",
    )


def bar_rows(bars: list[Bar]) -> tuple[list[SafeString], float]:
    """The bars one under the other, each label on its own lines above its bar and each
    value after its bar, in a plot narrowed by the widest value (so no text meets a bar or
    another text at any length or language); and the height they take. A zero is a
    hairline, so the value still sits after a bar."""
    plot = WIDTH - LEFT - VALUE_GAP - max((_measure(b.value_text, b.bold) for b in bars), default=0)
    scale = _nice_ceiling(max((bar.value for bar in bars), default=0) * 1.05)
    rows: list[SafeString] = []
    top = 0.0
    for bar in bars:
        lines = _wrap(bar.label, WIDTH)
        for number, line in enumerate(lines):
            rows.append(_text(line, LEFT, top + number * LINE_HEIGHT + ASCENT, "chart__label"))
        top += len(lines) * LINE_HEIGHT + LABEL_GAP
        width = max(bar.value / scale * plot, 1.0)
        rows += [
            element(
                "rect",
                "",
                x=LEFT,
                y=short_number(top),
                width=short_number(width),
                height=BAR_HEIGHT,
                class_=bar.css,
                fill=bar.fill,
                rx=3,
            ),
            _text(
                bar.value_text,
                LEFT + width + VALUE_GAP,
                top + BAR_HEIGHT * 0.7,
                bar.value_css,
                bold=bar.bold,
            ),
        ]
        top += BAR_HEIGHT + GAP
    return rows, max(top - GAP, 0.0)


def _bandwidth_bar(
    label: str,
    mcs: dict[str, object],
    name: str,
    css: str,
    fill: str,
    value_css: str = "chart__value",
    bold: bool = False,
) -> Bar:
    value = _mbps(mcs, name)
    text = _("%(n)s Mbit/s") % {"n": localized_number(value)}
    return Bar(label, value, text, css, fill, value_css, bold)


def _text(content: str, x: float, y: float, css: str, bold: bool = False) -> SafeString:
    return element(
        "text",
        content,
        x=short_number(x),
        y=short_number(y),
        class_=css,
        font_weight="bold" if bold else None,
        **TEXT_STYLE,
    )


def _mbps(mcs: dict[str, object], name: str) -> float:
    return float(Decimal(str(mcs[name])))
