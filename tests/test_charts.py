"""The bandwidth chart (S3): the need, the floor and the recommended figure as bars in
proportion (their layout: tests/test_chart_layout.py)."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from configurator.charts import WIDTH, _nice_ceiling, bandwidth_chart


def _bars(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]


def test_it_draws_the_need_above_the_floor_when_connections_dominate() -> None:
    svg = str(
        bandwidth_chart(
            {"connections_bandwidth_mbps": 456, "min_bandwidth_mbps": 100, "bandwidth_mbps": 456}
        )
    )
    need, floor, recommended = _bars(svg)
    assert round(need / floor, 1) == 4.6
    assert recommended == need
    assert ">456 Mbit/s</text>" in svg
    assert "(R11)" in svg and "(R9)" in svg


def test_it_recommends_the_floor_when_the_floor_dominates() -> None:
    svg = str(
        bandwidth_chart(
            {"connections_bandwidth_mbps": 4.8, "min_bandwidth_mbps": 100, "bandwidth_mbps": 100}
        )
    )
    need, floor, recommended = _bars(svg)
    assert floor > need
    assert recommended == floor


@given(st.floats(min_value=0, max_value=500_000), st.floats(min_value=100, max_value=500_000))
def test_bars_always_fit_the_plot(need: float, floor: float) -> None:
    svg = str(
        bandwidth_chart(
            {
                "connections_bandwidth_mbps": need,
                "min_bandwidth_mbps": floor,
                "bandwidth_mbps": max(need, floor),
            }
        )
    )
    assert all(0 < width < WIDTH for width in _bars(svg))


@given(st.floats(min_value=0.001, max_value=1e7))
def test_the_scale_is_a_round_number_at_least_the_value(value: float) -> None:
    ceiling = _nice_ceiling(value)
    assert ceiling >= value
    assert ceiling / 10 ** math.floor(math.log10(ceiling)) in (1, 2, 5, 10)
