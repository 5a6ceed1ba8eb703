"""Charts drawn as SVG on the server: no JavaScript chart library, readable without CSS."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .brand import DEFAULT_ACCENT, DEFAULT_PRIMARY
from .svg import element, join, short_number

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 640, 26, 14, 240
# Presentation attributes of every text, for renderers without CSS in SVG.
TEXT_STYLE = {"font_size": 13, "fill": "#1D2733"}


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value)))
    for step in (0.1, 0.2, 0.5, 1.0):
        if value <= magnitude * step:
            return magnitude * step
    return float(magnitude)


def bandwidth_chart(
    mcs: dict[str, object], primary: str = DEFAULT_PRIMARY, accent: str = DEFAULT_ACCENT
) -> SafeString:
    """The connections' need (R11) against the tiers' minimum (R9): the recommended
    bandwidth is the larger of the two (S3). Colours are presentation attributes, for
    renderers without CSS in SVG (WeasyPrint); the web page's classes override them."""
    need = float(Decimal(str(mcs["connections_bandwidth_mbps"])))
    floor = float(Decimal(str(mcs["min_bandwidth_mbps"])))
    bars = [
        (_("Active connections' need (R11)"), need, "chart__need", primary),
        (_("Tiers' minimum (R9)"), floor, "chart__floor", "#9FB3C4"),
    ]
    scale = _nice_ceiling(max(need, floor) * 1.05)
    plot = WIDTH - LABEL_WIDTH - 90
    height = len(bars) * (BAR_HEIGHT + GAP) + 30
    rows = []
    for i, (label, value, css, fill) in enumerate(bars):
        top, width = i * (BAR_HEIGHT + GAP), round(max(value / scale * plot, 1), 1)
        text_y = top + BAR_HEIGHT * 0.7
        rows += [
            element("text", label, x=0, y=text_y, class_="chart__label", **TEXT_STYLE),
            element(
                "rect",
                "",
                x=LABEL_WIDTH,
                y=top,
                width=width,
                height=BAR_HEIGHT,
                class_=css,
                fill=fill,
                rx=3,
            ),
            element(
                "text",
                f"{_mbps(value)} Mbit/s",
                x=LABEL_WIDTH + width + 6,
                y=text_y,
                class_="chart__value",
                **TEXT_STYLE,
            ),
        ]
    recommended = float(Decimal(str(mcs["bandwidth_mbps"])))
    marker_x = LABEL_WIDTH + round(recommended / scale * plot, 1)
    title = _("Internet bandwidth: the connections' need against the tiers' minimum (S3)")
    marker = [
        element(
            "line",
            "",
            x1=marker_x,
            x2=marker_x,
            y1=0,
            y2=height - 22,
            class_="chart__marker",
            stroke=accent,
            stroke_width=2,
            stroke_dasharray="4 3",
        ),
        element(
            "text",
            _("recommended: %(n)s Mbit/s") % {"n": _mbps(recommended)},
            x=marker_x,
            y=height - 6,
            class_="chart__marker-label",
            text_anchor="middle",
            **TEXT_STYLE,
        ),
    ]
    return element(
        "svg",
        join([element("title", title, id="chart-title"), *rows, *marker]),
        class_="chart",
        viewBox=f"0 0 {WIDTH} {height}",
        role="img",
        aria_labelledby="chart-title",
    )


def _mbps(value: float) -> str:
    """A bandwidth as the chart prints it: 1,234.5 (two decimals at most)."""
    return short_number(value, 2, grouping=True)
