"""The bandwidth chart's layout: no text meets a bar or another text, whatever the
language, the label's length or the figures' digits, and numbers in the reader's format.

Text boxes are measured with real font metrics (DejaVu Sans, the widest fallback of the
page, when the machine has it, and Source Sans 3, the PDF's font), not with the chart's own
estimate, so the test checks the estimate too."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from django.conf import settings
from django.utils import translation
from PIL import ImageFont

from configurator import charts
from configurator.charts import bandwidth_chart

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SOURCE_SANS = Path(settings.BASE_DIR) / "static" / "reports" / "fonts"
FONTS = [
    pytest.param(
        (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
        id="dejavu",
        marks=pytest.mark.skipif(not DEJAVU.is_dir(), reason="DejaVu Sans is not installed"),
    ),
    pytest.param(
        (
            SOURCE_SANS / "source-sans-3-latin-400-normal.ttf",
            SOURCE_SANS / "source-sans-3-latin-700-normal.ttf",
        ),
        id="source-sans-3",
    ),
]
# Figures of 1 to 7 digits before the decimal separator.
FIGURES = [4.8, 49.92, 100, 1_768.32, 12_345.67, 480_480.48, 1_000_000, 9_999_999.99]


@dataclass(frozen=True)
class Box:
    what: str
    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )


def boxes(svg: str, fonts: tuple[Path, Path]) -> tuple[list[Box], tuple[float, float]]:
    """The box of every text, bar and line, and the drawing's size (from its viewBox)."""
    root = ET.fromstring(svg)
    _x, _y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    found = []
    for node in root:
        if node.tag == "rect":
            x, y = float(node.attrib["x"]), float(node.attrib["y"])
            w, h = float(node.attrib["width"]), float(node.attrib["height"])
            found.append(Box(f"bar at {y}", x, y, x + w, y + h))
        elif node.tag == "line":
            x1, x2 = sorted(float(node.attrib[k]) for k in ("x1", "x2"))
            y1, y2 = sorted(float(node.attrib[k]) for k in ("y1", "y2"))
            found.append(Box(f"line at {x1}", x1 - 1, y1, x2 + 1, y2))
        elif node.tag == "text":
            bold = node.attrib.get("font-weight") == "bold"
            font = ImageFont.truetype(str(fonts[bold]), float(node.attrib["font-size"]))
            ascent, descent = font.getmetrics()
            x, y, text = float(node.attrib["x"]), float(node.attrib["y"]), node.text or ""
            anchor = node.attrib.get("text-anchor", "start")
            left = x - font.getlength(text) / 2 if anchor == "middle" else x
            found.append(Box(text, left, y - ascent, left + font.getlength(text), y + descent))
    return found, (width, height)


def assert_laid_out(svg: str, fonts: tuple[Path, Path]) -> None:
    found, (width, height) = boxes(svg, fonts)
    for box in found:
        assert box.left >= 0 and box.right <= width, f"{box.what!r} leaves the drawing"
        assert box.top >= 0 and box.bottom <= height, f"{box.what!r} leaves the drawing"
    for a, b in itertools.combinations(found, 2):
        assert not a.meets(b), f"{a.what!r} overlaps {b.what!r}"


def chart(need: float, floor: float, recommended: float | None = None) -> str:
    return str(
        bandwidth_chart(
            {
                "connections_bandwidth_mbps": need,
                "min_bandwidth_mbps": floor,
                "bandwidth_mbps": max(need, floor) if recommended is None else recommended,
            }
        )
    )


def texts(svg: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(svg) if node.tag == "text"]


@pytest.mark.parametrize("fonts", FONTS)
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("need", FIGURES)
def test_no_label_or_value_meets_a_bar_or_another_text(
    fonts: tuple[Path, Path], language: str, need: float
) -> None:
    with translation.override(language):
        for floor in (100, 1_000, 10_000):
            assert_laid_out(chart(need, floor), fonts)
            # Several instances of different tiers: the sum of their larger figures is
            # above both bars (S3).
            assert_laid_out(chart(need, floor, need + floor), fonts)


@pytest.mark.parametrize("fonts", FONTS)
def test_a_label_of_any_length_wraps_above_its_bar(
    fonts: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def long_label(text: str) -> str:
        return text if "%(n)s" in text else " ".join([text] * 4)

    monkeypatch.setattr(charts, "_", long_label)
    svg = chart(1_768.32, 100)
    assert_laid_out(svg, fonts)
    assert len(texts(svg)) > 6  # the labels took more than one line each


def test_the_italian_chart_writes_italian_numbers() -> None:
    with translation.override("it"):
        svg = chart(1_768.32, 100)
        seven = chart(1_234_567.89, 10_000)
    assert "1.768,32 Mbit/s" in texts(svg)
    assert "100 Mbit/s" in texts(svg)
    assert "1.234.567,89 Mbit/s" in texts(seven)
    assert not any(re.search(r"\d,\d{3}\b|\d\.\d{2}\b", text) for text in texts(svg))


def test_the_english_chart_writes_english_numbers() -> None:
    with translation.override("en"):
        svg = chart(1_768.32, 100)
    assert "1,768.32 Mbit/s" in texts(svg)


@pytest.mark.parametrize("language", ["it", "en"])
def test_each_label_is_whole_with_its_rule(language: str) -> None:
    with translation.override(language):
        shown = " ".join(texts(chart(49.92, 100)))
    for rule in ("(R11)", "(R9)", "(S3)"):
        assert rule in shown
