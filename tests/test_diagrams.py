"""The architecture diagrams of the three options (SVG inlined in the PDF proposal)."""

from __future__ import annotations

import functools
import io
import itertools
import subprocess
import xml.etree.ElementTree as ET

import pytest
import weasyprint
from django.utils import translation
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from configurator import glyph_widths
from configurator.svg import char_width
from reports.diagrams import (
    DANGER,
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    MAX_SITE_BOXES,
    architecture_diagram,
)

SVG = "{http://www.w3.org/2000/svg}"
OPTIONS = ("pure_cloud", "mcs", "hybrid")


def site(name: str, connectivity: str = "mpls", **counts: int) -> dict[str, object]:
    return {
        "name": name,
        "connectivity": connectivity,
        "sip_phones": counts.get("sip_phones", 10),
        "mobile_apps": counts.get("mobile_apps", 2),
        "web_clients": counts.get("web_clients", 1),
        "widgets": counts.get("widgets", 0),
    }


LOMBARDY = [site("Milano"), site("Bergamo"), site("Lodi", "internet")]


def draw(option: str, sites: list[dict[str, object]] | None = None, **kwargs: object) -> str:
    kwargs.setdefault("tvox_systems", 1)
    with translation.override("en"):
        return str(
            architecture_diagram(option, LOMBARDY if sites is None else sites, **kwargs)  # type: ignore[arg-type]
        )


def parse(svg: str) -> ET.Element:
    # Our own output, parsed to prove it is well-formed XML (what WeasyPrint will read).
    return ET.fromstring(svg)  # noqa: S314


def texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in parse(svg).iter(f"{SVG}text")]


def red_dashed_lines(svg: str) -> list[ET.Element]:
    """Red dashed lines: the links of internet-only sites under MCS, and their legend."""
    return [
        node
        for node in parse(svg).iter(f"{SVG}line")
        if node.get("stroke") == DANGER and node.get("stroke-dasharray")
    ]


def is_link(line: ET.Element) -> bool:
    """A link climbs from a site box; a legend sample is horizontal."""
    return line.get("y1") != line.get("y2")


def test_mcs_draws_the_dmz_the_mcs_and_the_openvpn_tunnel() -> None:
    labels = texts(draw("mcs"))
    for expected in ("MCS", "DMZ", "OpenVPN (R12)", "TVox", "Customer's private infrastructure"):
        assert expected in labels
    assert "Internet" in labels
    assert "1 tunnel, one per TVox" in labels


def test_mcs_counts_tvox_systems_and_instances() -> None:
    labels = texts(draw("mcs", tvox_systems=3, mcs_instances=2))
    assert "3 TVox" in labels
    assert "2 × MCS" in labels
    assert "3 tunnels, one per TVox" in labels


def test_pure_cloud_has_no_dmz_and_no_mcs() -> None:
    svg = draw("pure_cloud")
    labels = texts(svg)
    assert "Public cloud" in labels
    assert "TVox (PURE_CLOUD)" in labels
    assert "Internet" in labels
    assert "DMZ" not in labels and "MCS" not in labels
    assert "OpenVPN" not in svg
    assert "No DHCP provisioning (R5)" not in labels


def test_hybrid_notes_that_dhcp_provisioning_is_impossible() -> None:
    labels = texts(draw("hybrid"))
    assert "No DHCP provisioning (R5)" in labels
    assert "Public cloud" in labels
    assert "DMZ" not in labels
    # The private lines are labelled with their kind; the internet site has no label.
    assert labels.count("MPLS") == 2


def test_every_option_has_a_title_for_accessibility() -> None:
    for option in OPTIONS:
        root = parse(draw(option))
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert title is not None and title.text and "Architecture" in title.text


def test_an_unknown_option_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown option"):
        draw("on_premise")


@pytest.mark.parametrize("option", OPTIONS)
def test_hostile_site_names_are_escaped(option: str) -> None:
    hostile = [
        site("<script>alert(1)</script>"),
        site('Roma" onload="x'),
        site("url(file:///etc/passwd)", "internet"),
        site("<image href='file:///etc/passwd'/>"),
    ]
    svg = draw(option, hostile)
    assert "<script" not in svg
    assert "<image" not in svg
    assert "url(" not in svg  # "(" of a customer's text is a character reference
    assert "&lt;script&gt;" in svg  # escaped, and still there (truncated to its box)
    root = parse(svg)  # a quote did not break out of an attribute
    assert all(not key.startswith("on") for node in root.iter() for key in node.attrib)
    labels = texts(svg)
    assert any(label.startswith("<script>") for label in labels)
    assert any(label.startswith('Roma"') for label in labels)
    assert any(label.startswith("url(file:") for label in labels)


@pytest.mark.parametrize("name", ["&" * 60, "<" * 60, '"' * 60, "Stabilimento di produzione"])
def test_long_names_are_truncated_before_escaping(name: str) -> None:
    # Cut after escaping, "&&&…" would end inside an entity ("&am…") and break the XML.
    svg = draw("pure_cloud", [site(name)] * 7)
    shown = [label for label in texts(svg) if label.endswith("…")]
    assert len(shown) == MAX_SITE_BOXES
    for label in shown:
        assert 3 < len(label) < len(name)
        assert name.startswith(label.removesuffix("…"))


def test_an_internet_site_under_mcs_is_dashed_red_with_r2() -> None:
    svg = draw("mcs")
    lines = red_dashed_lines(svg)
    assert len([line for line in lines if is_link(line)]) == 1
    assert len(lines) == 2  # and its legend
    assert "R2" in texts(svg)
    assert "Internet only: SIP phones cannot reach TVox (R2)" in texts(svg)


def test_no_r2_marker_when_every_site_is_on_mpls() -> None:
    svg = draw("mcs", [site("Milano"), site("Bergamo"), site("Lodi")])
    assert red_dashed_lines(svg) == []
    assert "R2" not in texts(svg)
    assert "Internet only: SIP phones cannot reach TVox (R2)" not in texts(svg)
    assert texts(svg).count("MPLS") == 3


@pytest.mark.parametrize("option", ["pure_cloud", "hybrid"])
def test_internet_sites_are_not_flagged_outside_mcs(option: str) -> None:
    svg = draw(option)
    assert red_dashed_lines(svg) == []
    assert "R2" not in texts(svg)


@pytest.mark.parametrize("option", OPTIONS)
def test_twenty_sites_give_six_boxes_and_a_summary(option: str) -> None:
    sites = [site(f"Sede {i:02d}", ["mpls", "internet"][i % 2]) for i in range(1, 21)]
    labels = texts(draw(option, sites))
    names = [label for label in labels if label.startswith("Sede ")]
    assert len(names) == MAX_SITE_BOXES
    assert "+ 14 more sites" in labels
    assert len(labels) < 60


def test_seven_sites_say_one_more_site_in_the_singular() -> None:
    labels = texts(draw("pure_cloud", [site(f"Sede {i}") for i in range(7)]))
    assert "+ 1 more site" in labels


def test_hidden_internet_sites_still_raise_r2_under_mcs() -> None:
    sites = [site(f"Sede {i}") for i in range(6)] + [site("Lodi", "internet")]
    svg = draw("mcs", sites)
    assert "R2" in texts(svg)


def test_redundancy_draws_master_and_slave() -> None:
    for option in ("pure_cloud", "hybrid"):
        labels = texts(draw(option, redundancy=True, tvox_systems=2))
        assert "TVox Master" in labels and "TVox Slave" in labels
        assert "TVox (PURE_CLOUD)" not in labels
    labels = texts(draw("pure_cloud"))
    assert "TVox Master" not in labels


def test_redundancy_under_mcs_is_flagged_as_impossible() -> None:
    assert "Redundancy not possible (R3)" in texts(draw("mcs", redundancy=True))
    assert "Redundancy not possible (R3)" not in texts(draw("mcs"))


@pytest.mark.parametrize("option", OPTIONS)
def test_the_svg_keeps_to_what_weasyprint_draws(option: str) -> None:
    for redundancy in (False, True):
        svg = draw(option, LOMBARDY * 3, redundancy=redundancy)
        root = parse(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox") == "0 0 720 340" and root.get("width") == "100%"
        lowered = svg.lower()
        for forbidden in ("url(", "href", "<image", "<style", "class=", "<script", "@import"):
            assert forbidden not in lowered
        assert len(root.findall(f".//{SVG}text")) < 60


def test_a_bad_colour_falls_back_to_the_default() -> None:
    svg = draw("mcs", primary="red;}", accent="url(#x)")
    assert "red;}" not in svg and "url(" not in svg
    fills = {node.get("fill") for node in parse(svg).iter(f"{SVG}rect")}
    assert DEFAULT_PRIMARY in fills and DEFAULT_ACCENT in fills


def test_a_good_colour_is_used() -> None:
    svg = draw("mcs", primary="#123456", accent="#AbCdEf")
    fills = {node.get("fill") for node in parse(svg).iter(f"{SVG}rect")}
    assert "#123456" in fills and "#ABCDEF" in fills
    assert DEFAULT_PRIMARY not in fills


def test_no_sites_still_draws_the_platform() -> None:
    labels = texts(draw("mcs", []))
    assert "No sites entered yet" in labels and "MCS" in labels


def test_missing_or_odd_counts_do_not_break_the_drawing() -> None:
    sites = [
        {"name": None, "connectivity": "satellite"},
        {"name": "X", "connectivity": "LAN", "sip_phones": "12", "mobile_apps": -3},
    ]
    svg = draw("mcs", sites)  # type: ignore[arg-type]
    labels = texts(svg)
    assert "Unnamed site" in labels
    assert "12 SIP phones" in labels
    assert "LAN" in labels
    assert "R2" in labels  # an unknown connectivity promises no direct link


def test_every_label_goes_through_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import diagrams

    monkeypatch.setattr(diagrams, "_", lambda text: f"[{text}]")
    monkeypatch.setattr(diagrams, "ngettext", lambda one, many, n: f"[{one if n == 1 else many}]")
    labels = [label for label in texts(draw("hybrid")) if label not in ("Milano", "Bergamo")]
    untranslated = [label for label in labels if label not in ("Lodi",) and "[" not in label]
    # Only the licence's product code is not a label to translate.
    assert set(untranslated) <= {"PURE_CLOUD"}, untranslated
    assert "[No DHCP provisioning (R5)]" in labels


def test_italian_numbers_use_the_italian_separator() -> None:
    with translation.override("it"):
        svg = str(architecture_diagram("mcs", [site("Como", sip_phones=1234)], tvox_systems=1))
    assert "1.234" in "".join(texts(svg))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(OPTIONS),
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.text(),
                "connectivity": st.sampled_from(["lan", "vpn", "mpls", "internet"]),
                "sip_phones": st.integers(min_value=0, max_value=10**7),
                "mobile_apps": st.integers(min_value=0, max_value=10**7),
                "web_clients": st.integers(min_value=0, max_value=10**7),
                "widgets": st.integers(min_value=0, max_value=10**7),
            }
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_any_site_names_give_well_formed_svg(
    option: str, sites: list[dict[str, object]], redundancy: bool
) -> None:
    svg = draw(option, sites, redundancy=redundancy)
    root = parse(svg)
    assert "<script" not in svg.lower()
    assert len(root.findall(f".//{SVG}text")) < 60


def test_weasyprint_lays_out_every_option() -> None:
    svgs = [draw(option, LOMBARDY) for option in OPTIONS]
    body = "".join(f'<div style="break-after: page">{svg}</div>' for svg in svgs)
    pdf = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    # One page per option, and on it every label of that option's diagram, drawn as text.
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == len(OPTIONS)
    for svg, page in zip(svgs, pages, strict=True):
        drawn = " ".join(page.extract_text().split())
        missing = [label for label in texts(svg) if " ".join(label.split()) not in drawn]
        assert missing == [], (missing, drawn)


@functools.cache
def _font(bold: bool) -> TTFont:
    """The font fontconfig gives the diagrams' font family, as WeasyPrint (Pango) does."""
    pattern = "Source Sans 3:bold" if bold else "Source Sans 3"
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True
    )
    return TTFont(found.stdout)


def _text_width(text: str, size: float, bold: bool) -> float:
    font = _font(bold)
    glyphs, advances = font.getBestCmap(), font["hmtx"]
    fallback = glyphs[ord("?")]
    units = sum(advances[glyphs.get(ord(char), fallback)][0] for char in text)
    return units * size / font["head"].unitsPerEm


@pytest.mark.parametrize("bold", [False, True])
def test_the_glyph_table_is_the_fonts_own(bold: bool) -> None:
    """configurator.glyph_widths holds the advances of the font the diagrams are drawn in."""
    font = _font(bold)
    glyphs, advances = font.getBestCmap(), font["hmtx"]
    table = glyph_widths.BOLD if bold else glyph_widths.REGULAR
    measured = {char: advances[glyphs[ord(char)]][0] for char in table if ord(char) in glyphs}
    assert font["head"].unitsPerEm == glyph_widths.UNITS_PER_EM
    assert {char: table[char] for char in measured} == measured
    assert len(measured) > 300


@pytest.mark.parametrize(
    "char", ["W", "M", "m", "@", "Œ", "\u4e2d", "\u0416", "\u0429", "\u03a9", "\U0001f600"]
)
@pytest.mark.parametrize("bold", [False, True])
def test_no_glyph_is_estimated_narrower_than_it_is(char: str, bold: bool) -> None:
    font = _font(bold)
    glyphs, advances = font.getBestCmap(), font["hmtx"]
    if ord(char) in glyphs:
        actual = advances[glyphs[ord(char)]][0] / font["head"].unitsPerEm
        assert char_width(char, bold) >= actual
    assert char_width(char, bold) >= (1.0 if ord(char) > 0x2E80 else 0.5)


Box = tuple[float, float, float, float]  # x, y, width, height


def _boxes(root: ET.Element) -> list[Box]:
    """The solid boxes (the dashed rectangles are the regions the boxes stand in)."""
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for r in root.iter(f"{SVG}rect")
        if not r.get("stroke-dasharray")
    ]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


SITES_OF_ALL_KINDS = [
    *LOMBARDY,
    site("Ospedale Maggiore di San Giovanni Bianco", "internet", sip_phones=12345),
    site("Presidio ambulatoriale Valle Brembana", "vpn"),
    site("Casa di cura", "lan", mobile_apps=9999),
]


def _assert_every_label_fits_its_box(root: ET.Element, boxes: list[Box]) -> None:
    """Each text, measured with the font WeasyPrint draws it in, inside the smallest box
    its anchor is in (or else inside the drawing)."""
    width = float(root.get("viewBox", "").split()[2])
    for node in root.iter(f"{SVG}text"):
        label = "".join(node.itertext())
        x, y, size = (float(node.get(name, 0)) for name in ("x", "y", "font-size"))
        extent = _text_width(label, size, node.get("font-weight") == "bold")
        start = (
            x - {"start": 0, "middle": extent / 2, "end": extent}[node.get("text-anchor", "start")]
        )
        # Inside the smallest box its anchor is in, or else inside the drawing.
        around = [b for b in boxes if b[0] <= x <= b[0] + b[2] and b[1] <= y <= b[1] + b[3]]
        left, right = (0.0, width)
        if around:
            box = min(around, key=lambda b: b[2] * b[3])
            left, right = box[0], box[0] + box[2]
        assert left <= start and start + extent <= right, (
            label,
            start,
            start + extent,
            left,
            right,
        )


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("redundancy", [False, True])
def test_no_boxes_overlap_and_every_label_fits_its_box(option: str, redundancy: bool) -> None:
    root = parse(draw(option, SITES_OF_ALL_KINDS, tvox_systems=2, redundancy=redundancy))
    boxes = _boxes(root)
    assert len(boxes) > 5
    overlapping = [(a, b) for a, b in itertools.combinations(boxes, 2) if _overlap(a, b)]
    assert overlapping == []
    _assert_every_label_fits_its_box(root, boxes)


WIDE_AND_NARROW_NAMES = [
    "W" * 40,
    "M" * 40,
    "i" * 40,
    "WWW MMM Ůňíčóďé ŒÆ",
    "Ospedale Maggiore WWMM di Sant'Angelo",
    "AZIENDA SANITARIA MANTOVA",
    "Filiale di Forlì-Cesena (Romagna)",
]


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("count", [1, 6])
def test_wide_letters_are_cut_to_fit_their_box(option: str, count: int) -> None:
    """The width of a name is estimated glyph by glyph: forty W's, wider than any average,
    are cut so that they stay inside their box, whatever the number of boxes."""
    for name in WIDE_AND_NARROW_NAMES:
        root = parse(draw(option, [site(name)] * count))
        _assert_every_label_fits_its_box(root, _boxes(root))


@pytest.mark.parametrize("count", [1, 6])
def test_names_that_fit_are_not_cut(count: int) -> None:
    names = ["Milano", "Sede di Forlì", "Cantù", "MILANO", "WWWW", "iiiiiiiiiiii"]
    for name in names:
        shown = texts(draw("mcs", [site(name)] * count))
        assert name in shown, (name, shown)
    # Narrow letters take less room than wide ones: more of them are kept.
    kept = {
        name: next(label for label in texts(draw("mcs", [site(name)] * 6)) if label.endswith("…"))
        for name in ("W" * 40, "i" * 40)
    }
    assert len(kept["i" * 40]) > 2 * len(kept["W" * 40])
