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

from configurator.charts import LINE_HEIGHT, WIDTH, bar_rows
from configurator.charts import Bar as ChartBar
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
    rows, height = bar_rows([ChartBar(bar.label, bar.value, bar.value_text) for bar in bars])
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
        viewBox=f"0 0 {WIDTH} {short_number(max(height + 2, LINE_HEIGHT))}",
        role="img",
        aria_labelledby=f"{chart_id}-title",
        aria_describedby=f"{chart_id}-desc",
    )
