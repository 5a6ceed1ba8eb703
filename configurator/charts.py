"""Charts drawn as SVG on the server: no JavaScript chart library, readable without CSS."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 640, 26, 14, 240


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
    mcs: dict[str, object], primary: str = "#0B3D5C", accent: str = "#E8792B"
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
    rows = format_html_join(
        "",
        '<text x="0" y="{}" class="chart__label" font-size="13" fill="#1D2733">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}" fill="{}" rx="3"></rect>'
        '<text x="{}" y="{}" class="chart__value" font-size="13" fill="#1D2733">{} Mbit/s</text>',
        (
            (
                i * (BAR_HEIGHT + GAP) + BAR_HEIGHT * 0.7,
                label,
                LABEL_WIDTH,
                i * (BAR_HEIGHT + GAP),
                round(max(value / scale * plot, 1), 1),
                BAR_HEIGHT,
                css,
                fill,
                LABEL_WIDTH + round(max(value / scale * plot, 1), 1) + 6,
                i * (BAR_HEIGHT + GAP) + BAR_HEIGHT * 0.7,
                f"{value:,.2f}".rstrip("0").rstrip("."),
            )
            for i, (label, value, css, fill) in enumerate(bars)
        ),
    )
    recommended = float(Decimal(str(mcs["bandwidth_mbps"])))
    marker_x = LABEL_WIDTH + round(recommended / scale * plot, 1)
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title">'
        '<title id="chart-title">{title}</title>{rows}'
        '<line x1="{x}" x2="{x}" y1="0" y2="{line_end}" class="chart__marker" stroke="{accent}"'
        ' stroke-width="2" stroke-dasharray="4 3"></line>'
        '<text x="{x}" y="{label_y}" class="chart__marker-label" text-anchor="middle"'
        ' font-size="13" fill="#1D2733">{rec}</text>'
        "</svg>",
        w=WIDTH,
        h=height,
        title=_("Internet bandwidth: the connections' need against the tiers' minimum (S3)"),
        rows=rows,
        accent=accent,
        x=marker_x,
        line_end=height - 22,
        label_y=height - 6,
        rec=_("recommended: %(n)s Mbit/s") % {"n": f"{recommended:,.2f}".rstrip("0").rstrip(".")},
    )
