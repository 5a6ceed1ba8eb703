"""The dashboard's bar charts, drawn as SVG on the server as the bandwidth chart is
(configurator.charts): each label on its own lines above its bar, each value after its
bar in the reader's number format, in a plot narrowed by the widest value. A chart is an
image with a title and a description; the table beside it holds the same figures for
screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from configurator.charts import (
    ASCENT,
    BAR_HEIGHT,
    GAP,
    LABEL_GAP,
    LEFT,
    LINE_HEIGHT,
    VALUE_GAP,
    WIDTH,
    _measure,
    _nice_ceiling,
    _text,
    _wrap,
)
from configurator.svg import element, join, localized_number, short_number


@dataclass(frozen=True)
class Bar:
    label: str
    value: float

    @property
    def value_text(self) -> str:
        return localized_number(self.value)


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> SafeString:
    """Bars of `bars`, one under the other; ids `<chart_id>-title` and `-desc` label it."""
    plot = WIDTH - LEFT - VALUE_GAP - max((_measure(bar.value_text) for bar in bars), default=0)
    scale = _nice_ceiling(max((bar.value for bar in bars), default=0) * 1.05)
    rows: list[SafeString] = []
    top = 0.0
    for bar in bars:
        lines = _wrap(bar.label, WIDTH)
        for number, line in enumerate(lines):
            rows.append(_text(line, LEFT, top + number * LINE_HEIGHT + ASCENT, "chart__label"))
        top += len(lines) * LINE_HEIGHT + LABEL_GAP
        # A zero is a hairline, so the value still sits after a bar.
        width = max(bar.value / scale * plot, 1.0)
        rows += [
            element(
                "rect",
                "",
                x=LEFT,
                y=short_number(top),
                width=short_number(width),
                height=BAR_HEIGHT,
                class_="chart__bar",
                fill="#0B3D5C",
                rx=3,
            ),
            _text(bar.value_text, LEFT + width + VALUE_GAP, top + BAR_HEIGHT * 0.7, "chart__value"),
        ]
        top += BAR_HEIGHT + GAP
    return element(
        "svg",
        join(
            [
                element("title", title, id=f"{chart_id}-title"),
                element("desc", description, id=f"{chart_id}-desc"),
                *rows,
            ]
        ),
        class_="chart",
        viewBox=f"0 0 {WIDTH} {short_number(max(top - GAP + 2, LINE_HEIGHT))}",
        role="img",
        aria_labelledby=f"{chart_id}-title",
        aria_describedby=f"{chart_id}-desc",
    )
