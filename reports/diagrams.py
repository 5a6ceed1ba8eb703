"""Architecture diagrams of the three TVox options, drawn as SVG for the PDF proposal.

One function, `architecture_diagram`, draws TVox Pure Cloud, TVox + MCS or the hybrid
cloud (docs/DOMAIN.md) with the customer's sites. The SVG is inlined in the proposal's HTML
and drawn by WeasyPrint, whose SVG support is a subset, so the drawing keeps to:

- presentation attributes only (`fill`, `stroke`, `font-size`, …): no CSS classes, no
  `<style>`, no `url(…)` (not even markers or gradients), no `<image>`, no `href`;
- straight lines, rectangles, circles, polygons and one arc path (the internet cloud);
- fewer than 60 `<text>` nodes (each costs layout time in WeasyPrint).

Every text is escaped by `format_html`; customer text (site names) is cleaned of
characters XML refuses, truncated to its box *before* escaping, and its "(" is written as
`&#40;` so that a name like `url(file:///…)` leaves no `url(` in the source. Labels go through
`gettext`, so the caller's `translation.override(language)` chooses the language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from configurator.brand import DEFAULT_ACCENT, DEFAULT_PRIMARY, colour
from configurator.svg import element, join, short_number, text_width
from sizing.inputs import CONNECTIVITIES
from sizing.results import ARCHITECTURES

WIDTH: Final = 720
HEIGHT: Final = 340
MAX_SITE_BOXES: Final = 6
OPTIONS: Final = ARCHITECTURES
DANGER: Final = "#C62828"
FONT: Final = "Source Sans 3, DejaVu Sans, sans-serif"

TEXT: Final = "#1F2A33"
MUTED: Final = "#5A6670"
LINE: Final = "#7A8791"
BOX_STROKE: Final = "#8A96A0"
REGION_STROKE: Final = "#A7B1BA"
CLOUD_FILL: Final = "#EEF2F5"
WHITE: Final = "#FFFFFF"

_OPEN_PAREN: Final = SafeString("&#40;")  # a constant character reference

# The rows of the drawing (y), shared by the three options.
SITE_TOP: Final = 240
SITE_HEIGHT: Final = 56
LEGEND_Y: Final = 328
SITES_LEFT, SITES_RIGHT, SITE_GAP, SITE_MAX_WIDTH = 10, 710, 10, 150


# --- small helpers ------------------------------------------------------------------------


def _colour(value: object, default: str) -> str:
    """`#RRGGBB` or the default: a colour lands in an attribute, so nothing else passes."""
    return colour(value, default).upper()


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` blended with `other` (`share` of `other`): tints without opacity."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(a, b, strict=True))


def _on(fill: str) -> str:
    """Readable text colour on `fill`: white on dark fills, dark text on light ones."""
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return WHITE if 0.299 * r + 0.587 * g + 0.114 * b < 160 else TEXT


def _ink(colour: str) -> str:
    """`colour` for lines and text on white: a light brand colour is darkened."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return colour if 0.299 * r + 0.587 * g + 0.114 * b < 150 else _mix(colour, TEXT, 0.6)


def _count(value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(number, 0)


def _figure(number: int) -> str:
    return number_format(number, force_grouping=True)


def _clean(value: object) -> str:
    """Customer text as one line of characters XML accepts: controls and line breaks become
    spaces, surrogates, non-characters and invisible format characters go."""
    chars = []
    for char in "" if value is None else str(value):
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            chars.append(" ")
        elif (category in ("Cs", "Cf") and char != "\u200d") or char in "\ufffe\uffff":
            continue
        else:
            chars.append(char)
    return " ".join("".join(chars).split())


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """`text` cut with an ellipsis so that it fits `width` (done before any escaping)."""
    if text_width(text, size, bold) <= width:
        return text
    room = width - text_width("…", size, bold)
    used, kept = 0.0, []
    for char in text:
        used += text_width(char, size, bold)
        if used > room:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


# --- SVG elements -------------------------------------------------------------------------


def _el(tag: str, content: object = None, **attrs: object) -> SafeString:
    """One element (`configurator.svg.element`), its coordinates with one decimal at most."""
    return element(
        tag,
        content,
        **{k: short_number(v) if isinstance(v, float) else v for k, v in attrs.items()},
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 9,
    bold: bool = False,
    fill: str = TEXT,
    anchor: str = "middle",
    width: float | None = None,
    min_size: float | None = None,
    customer: bool = False,
) -> SafeString:
    """A line of text; with `width`, it shrinks down to `min_size` and then is truncated
    with an ellipsis so that it fits. Customer text has its "(" written as a character
    reference too, so that no `url(` of a site's name appears in the SVG's source."""
    if width is not None:
        while min_size and size > min_size and text_width(text, size, bold) > width:
            size = max(size - 0.5, min_size)
        text = _fit(text, width, size, bold)
    content: str = text
    if customer:
        content = format_html_join(_OPEN_PAREN, "{}", ((part,) for part in text.split("(")))
    return _el(
        "text",
        content,
        x=float(x),
        y=float(y),
        font_family=FONT,
        font_size=float(size),
        font_weight="bold" if bold else "normal",
        fill=fill,
        text_anchor=anchor,
    )


def _rect(
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    fill: str = WHITE,
    stroke: str | None = BOX_STROKE,
    stroke_width: float = 1.0,
    dash: str | None = None,
    rx: float = 4.0,
) -> SafeString:
    return _el(
        "rect",
        x=float(x),
        y=float(y),
        width=float(w),
        height=float(h),
        rx=float(rx),
        fill=fill,
        stroke=stroke or "none",
        stroke_width=float(stroke_width) if stroke else None,
        stroke_dasharray=dash,
    )


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str = LINE,
    width: float = 1.4,
    dash: str | None = None,
) -> SafeString:
    return _el(
        "line",
        x1=float(x1),
        y1=float(y1),
        x2=float(x2),
        y2=float(y2),
        stroke=stroke,
        stroke_width=float(width),
        stroke_dasharray=dash,
        stroke_linecap="round" if dash is None else None,
    )


def _arrowhead(x1: float, y1: float, x2: float, y2: float, fill: str) -> SafeString:
    """A small triangle at (x2, y2) pointing away from (x1, y1): markers would need url()."""
    dx, dy = x2 - x1, y2 - y1
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    size, half = 8.0, 4.0
    bx, by = x2 - ux * size, y2 - uy * size
    points = [(x2, y2), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    return _el(
        "polygon",
        points=" ".join(f"{short_number(px)},{short_number(py)}" for px, py in points),
        fill=fill,
    )


def _label_on(x: float, y: float, text: str, *, fill: str, size: float = 8.5) -> SafeString:
    """A label centred on a line, on a white patch that interrupts the line under it."""
    width = text_width(text, size, True) + 8
    return join(
        [
            _rect(x - width / 2, y - size - 1, width, size + 5, stroke=None, rx=2),
            _text(x, y + 0.5, text, size=size, bold=True, fill=fill),
        ]
    )


def _cloud(x: float, y: float, w: float, h: float, label: str) -> SafeString:
    """The internet as a cloud in the box (x, y, w, h): a flat base and five bumps."""
    points = [
        (0.16, 1.0),
        (0.08, 0.52),
        (0.32, 0.2),
        (0.66, 0.12),
        (0.92, 0.48),
        (0.84, 1.0),
    ]
    absolute = [(x + px * w, y + py * h) for px, py in points]
    path = [f"M {short_number(absolute[0][0])} {short_number(absolute[0][1])}"]
    for (ax, ay), (bx, by) in pairwise(absolute):
        radius = short_number(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5 / 2)
        path.append(f"A {radius} {radius} 0 0 1 {short_number(bx)} {short_number(by)}")
    path.append("Z")
    return join(
        [
            _el("path", d=" ".join(path), fill=CLOUD_FILL, stroke=BOX_STROKE, stroke_width=1.2),
            _text(x + w / 2, y + h * 0.66, label, size=11, bold=True, fill=TEXT, width=w * 0.7),
        ]
    )


def _region(
    x: float, y: float, w: float, h: float, label: str, *, tint: str, stroke: str
) -> SafeString:
    return join(
        [
            _rect(x, y, w, h, fill=tint, stroke=stroke, dash="5 4", rx=8),
            _text(
                x + 12, y + 17, label, size=10, bold=True, fill=MUTED, anchor="start", width=w - 24
            ),
        ]
    )


# MCS and hybrid share a layout: the TVox region on the left, the internet on the right.
RIGHT_CLOUD: Final = (556, 112, 150, 66)


def _left_region(label: str, primary: str) -> SafeString:
    """The region that holds TVox in the MCS and hybrid layouts."""
    return _region(10, 10, 320, 170, label, tint=_mix(primary, WHITE, 0.94), stroke=REGION_STROKE)


def _node(
    x: float, y: float, w: float, h: float, title: str, subtitle: str, *, fill: str
) -> SafeString:
    """A system box (TVox, MCS): a bold title and a small line under it."""
    ink = _on(fill)
    return join(
        [
            _rect(x, y, w, h, fill=fill, stroke=None if ink == WHITE else BOX_STROKE, rx=5),
            _text(
                x + w / 2,
                y + h / 2 - 1,
                title,
                size=12,
                bold=True,
                fill=ink,
                width=w - 12,
                min_size=10,
            ),
            _text(
                x + w / 2, y + h / 2 + 14, subtitle, size=8.5, fill=ink, width=w - 10, min_size=7.5
            ),
        ]
    )


# --- the sites row ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    name: str
    connectivity: str
    sip_phones: int
    mobile_apps: int
    web_clients: int
    widgets: int


@dataclass(frozen=True)
class _Link:
    kind: str  # "direct" (LAN/VPN/MPLS), "internet", or "r2" (internet only, under MCS)
    label: str | None
    x: float  # where it leaves the site box (top edge)


def _sites(raw: Sequence[Mapping[str, object]]) -> list[_Site]:
    sites = []
    for item in raw:
        connectivity = str(item.get("connectivity", "")).strip().lower()
        sites.append(
            _Site(
                name=_clean(item.get("name")),
                # Unknown means nothing promised: treat it as the internet (conservative for R2).
                connectivity=connectivity if connectivity in CONNECTIVITIES else "internet",
                sip_phones=_count(item.get("sip_phones")),
                mobile_apps=_count(item.get("mobile_apps")),
                web_clients=_count(item.get("web_clients")),
                widgets=_count(item.get("widgets")),
            )
        )
    return sites


def _connectivity_label(connectivity: str) -> str:
    return {"lan": _("LAN"), "vpn": _("VPN"), "mpls": _("MPLS")}[connectivity]


def _link_kinds(option: str, connectivities: Sequence[str]) -> list[tuple[str, str | None]]:
    """The links of one box: a single site, or the hidden sites of the "+ N more" box."""
    if option == "pure_cloud":
        return [("internet", None)]
    direct = list(dict.fromkeys(c for c in connectivities if c != "internet"))
    links: list[tuple[str, str | None]] = []
    if direct:
        links.append(("direct", "/".join(_connectivity_label(c) for c in direct)))
    if "internet" in connectivities:
        links.append(("r2" if option == "mcs" else "internet", None))
    return links


def _site_row(option: str, sites: list[_Site]) -> tuple[list[SafeString], list[_Link]]:
    """The site boxes (at most six, then "+ N more sites") and where their links start."""
    if option != "pure_cloud":
        # Direct links go left (to the customer's or the cloud's infrastructure), internet
        # links right (to the internet cloud): grouping them keeps the lines from crossing.
        sites = sorted(sites, key=lambda site: site.connectivity == "internet")
    shown, hidden = sites[:MAX_SITE_BOXES], sites[MAX_SITE_BOXES:]
    boxes: list[tuple[str, str, list[tuple[str, str | None]]]] = []
    for site in shown:
        boxes.append(
            (
                site.name or _("Unnamed site"),
                ngettext("%(n)s SIP phone", "%(n)s SIP phones", site.sip_phones)
                % {"n": _figure(site.sip_phones)},
                _link_kinds(option, [site.connectivity]),
            )
        )
    if hidden:
        phones = sum(site.sip_phones for site in hidden)
        boxes.append(
            (
                ngettext("+ %(n)s more site", "+ %(n)s more sites", len(hidden))
                % {"n": _figure(len(hidden))},
                ngettext("%(n)s SIP phone", "%(n)s SIP phones", phones) % {"n": _figure(phones)},
                _link_kinds(option, [site.connectivity for site in hidden]),
            )
        )
    if not boxes:
        return [_text(WIDTH / 2, SITE_TOP + 30, _("No sites entered yet"), size=10, fill=MUTED)], []

    count = len(boxes)
    width = min(SITE_MAX_WIDTH, (SITES_RIGHT - SITES_LEFT - SITE_GAP * (count - 1)) / count)
    left = (WIDTH - (count * width + SITE_GAP * (count - 1))) / 2
    parts: list[SafeString] = []
    links: list[_Link] = []
    for index, (name, phones, kinds) in enumerate(boxes):
        x = left + index * (width + SITE_GAP)
        is_more = bool(hidden) and index == count - 1
        r2 = any(kind == "r2" for kind, _label in kinds)
        parts.append(
            _rect(
                x,
                SITE_TOP,
                width,
                SITE_HEIGHT,
                fill="#F7F8FA" if is_more else WHITE,
                stroke=DANGER if r2 else BOX_STROKE,
                stroke_width=1.4 if r2 else 1.0,
                dash="4 3" if is_more else None,
            )
        )
        parts.append(
            _text(
                x + width / 2,
                SITE_TOP + 24,
                name,
                size=10,
                bold=True,
                width=width - 10,
                min_size=9,
                customer=True,
            )
        )
        parts.append(
            _text(
                x + width / 2,
                SITE_TOP + 40,
                phones,
                size=8.5,
                fill=MUTED,
                width=width - 10,
                min_size=7.5,
            )
        )
        for number, (kind, label) in enumerate(kinds):
            links.append(_Link(kind, label, x + width * (number + 1) / (len(kinds) + 1)))
    return parts, links


def _draw_links(
    links: list[_Link],
    kind: str,
    low: float,
    high: float,
    top: float,
    *,
    stroke: str,
    dash: str | None = None,
    marker: str | None = None,
    label_fill: str | None = None,
) -> list[SafeString]:
    """The links of one kind, from the site boxes up to the span [low, high] of a target's
    lower edge at y = `top`. Each link gets its own slot of the span, in the order of the
    boxes, so the lines never cross; inside its slot a line stays vertical if it can."""
    chosen = sorted((link for link in links if link.kind == kind), key=lambda link: link.x)
    parts: list[SafeString] = []
    slot = (high - low) / max(len(chosen), 1)
    for index, link in enumerate(chosen):
        slot_low, slot_high = low + index * slot, low + (index + 1) * slot
        end_x = min(max(link.x, slot_low + min(6, slot / 2)), slot_high - min(6, slot / 2))
        parts.append(_line(link.x, SITE_TOP, end_x, top, stroke=stroke, width=1.6, dash=dash))
        # Labels and markers sit just above the box, where neighbouring lines are still apart.
        share = min(18 / (SITE_TOP - top), 0.5)
        mid_x = link.x + (end_x - link.x) * share
        mid_y = SITE_TOP + (top - SITE_TOP) * share
        if link.label and label_fill:
            parts.append(_label_on(mid_x, mid_y + 3, link.label, fill=label_fill))
        if marker:
            parts.append(_el("circle", cx=float(mid_x), cy=float(mid_y), r=9.0, fill=DANGER))
            parts.append(_text(mid_x, mid_y + 2.8, marker, size=7.5, bold=True, fill=WHITE))
    return parts


def _remote_users(x: float, y: float, w: float, h: float, sites: list[_Site]) -> SafeString:
    """Smart working and mobile devices, which reach the platform over the internet (R1)."""
    apps = sum(site.mobile_apps for site in sites)
    web = sum(site.web_clients for site in sites)
    widgets = sum(site.widgets for site in sites)
    lines = [
        ngettext("%(n)s mobile app", "%(n)s mobile apps", apps) % {"n": _figure(apps)},
        ngettext("%(n)s web client", "%(n)s web clients", web) % {"n": _figure(web)},
        ngettext("%(n)s widget", "%(n)s widgets", widgets) % {"n": _figure(widgets)},
    ]
    parts = [
        _rect(x, y, w, h),
        _text(
            x + 10,
            y + 17,
            _("Remote users (R1)"),
            size=9.5,
            bold=True,
            anchor="start",
            width=w - 20,
        ),
    ]
    parts += [
        _text(x + 10, y + 33 + 14 * index, line, size=8.5, fill=MUTED, anchor="start", width=w - 20)
        for index, line in enumerate(lines)
    ]
    return join(parts)


def _legend(
    items: list[tuple[str | None, str, str | None, str]], links: list[_Link]
) -> list[SafeString]:
    """Line samples with their meaning, left to right along the bottom edge: only for the
    kinds of link drawn (an item of kind None is always shown)."""
    parts: list[SafeString] = []
    x = 12.0
    drawn = {link.kind for link in links}
    for kind, stroke, dash, text in items:
        if kind is not None and kind not in drawn:
            continue
        parts.append(
            _line(x, LEGEND_Y - 3, x + 24, LEGEND_Y - 3, stroke=stroke, width=1.6, dash=dash)
        )
        text = _fit(text, WIDTH - x - 40, 8.5)
        parts.append(_text(x + 30, LEGEND_Y, text, size=8.5, fill=MUTED, anchor="start"))
        x += 30 + text_width(text, 8.5) + 24
    return parts


# --- the three options --------------------------------------------------------------------


def _tvox_cloud_nodes(
    x: float, y: float, w: float, *, tvox_systems: int, redundancy: bool, primary: str
) -> tuple[list[SafeString], list[tuple[float, float]]]:
    """TVox in a public cloud, inside the span [x, x + w]: one box, or Master and Slave
    (R3). Returns the drawing and the points where the links to the internet leave it."""
    height = 56
    if not redundancy:
        title = (
            _("TVox (PURE_CLOUD)")
            if tvox_systems <= 1
            else _("%(n)s TVox (PURE_CLOUD)") % {"n": _figure(tvox_systems)}
        )
        box_w = min(w, 180)
        box_x = x + (w - box_w) / 2
        subtitle = _("exposed on the internet (R4)")
        return [_node(box_x, y, box_w, height, title, subtitle, fill=primary)], [
            (box_x + box_w / 2, y + height)
        ]
    gap = 34
    box_w = (w - gap) / 2
    master_x, slave_x = x, x + box_w + gap
    middle = y + height / 2
    ink = _ink(primary)
    parts = [
        _node(master_x, y, box_w, height, _("TVox Master"), "PURE_CLOUD", fill=primary),
        _node(slave_x, y, box_w, height, _("TVox Slave"), "PURE_CLOUD", fill=primary),
        _line(master_x + box_w + 3, middle, slave_x - 6, middle, stroke=ink, width=1.6),
        _arrowhead(master_x + box_w, middle, slave_x - 2, middle, ink),
        _text(
            x + w / 2,
            y + height + 15,
            _("DB replication and file sync (R3)"),
            size=8.5,
            fill=MUTED,
            width=w / 2,
            min_size=7.5,
        ),
    ]
    # The links to the internet leave from the outer quarters, clear of the label.
    return parts, [(master_x + box_w * 0.25, y + height), (slave_x + box_w * 0.75, y + height)]


def _pure_cloud(
    sites: list[_Site], *, tvox_systems: int, redundancy: bool, primary: str, accent: str
) -> list[SafeString]:
    region_x, region_w = 170, 380
    parts = [
        _region(
            region_x,
            10,
            region_w,
            122,
            _("Public cloud"),
            tint=_mix(primary, WHITE, 0.94),
            stroke=REGION_STROKE,
        ),
    ]
    inner_x, inner_w = (190, 340) if redundancy else (region_x, region_w)
    nodes, exits = _tvox_cloud_nodes(
        inner_x, 34, inner_w, tvox_systems=tvox_systems, redundancy=redundancy, primary=primary
    )
    cloud_x, cloud_y, cloud_w, cloud_h = 285, 146, 150, 64
    for index, (ex, ey) in enumerate(exits):
        entry_x = cloud_x + cloud_w / 2 + (index - (len(exits) - 1) / 2) * 40
        parts.append(_line(ex, ey, entry_x, cloud_y + 12, stroke=LINE, width=1.6))
    parts += nodes
    parts.append(_cloud(cloud_x, cloud_y, cloud_w, cloud_h, _("Internet")))
    parts.append(_line(cloud_x + cloud_w - 8, cloud_y + 36, 566, cloud_y + 36, width=1.6))
    parts.append(_remote_users(566, cloud_y, 146, 80, sites))
    boxes, links = _site_row("pure_cloud", sites)
    parts += _draw_links(
        links, "internet", cloud_x + 30, cloud_x + cloud_w - 30, cloud_y + cloud_h, stroke=LINE
    )
    parts += boxes
    parts += _legend(
        [(None, LINE, None, _("Sites and remote users reach TVox over the internet (R1, R2)"))],
        links,
    )
    return parts


# How the links of the internet-only sites look in the MCS and hybrid layouts: under MCS
# their SIP phones cannot reach TVox, a conflict the drawing marks (R2).
_INTERNET_LINKS: Final[dict[str, tuple[str, str, str | None, str | None]]] = {
    "mcs": ("r2", DANGER, "5 4", "R2"),  # kind, stroke, dash, marker
    "hybrid": ("internet", LINE, None, None),
}


def _internet_and_sites(
    option: str, sites: list[_Site], primary: str, *, direct_legend: str, internet_legend: str
) -> list[SafeString]:
    """What the MCS and hybrid layouts share: the internet cloud on the right with the
    remote users above it, the sites row with its direct links (up to the region on the
    left) and its internet links (up to the cloud), and the legend of those links."""
    cloud_x, cloud_y, cloud_w, cloud_h = RIGHT_CLOUD
    kind, stroke, dash, marker = _INTERNET_LINKS[option]
    ink = _ink(primary)
    boxes, links = _site_row(option, sites)
    return [
        _line(636, 88, 636, cloud_y + 10, width=1.6),
        _cloud(cloud_x, cloud_y, cloud_w, cloud_h, _("Internet")),
        _remote_users(560, 10, 152, 78, sites),
        *_draw_links(links, "direct", 24, 316, 180, stroke=ink, label_fill=ink),
        *_draw_links(
            links,
            kind,
            cloud_x + 28,
            cloud_x + cloud_w - 28,
            cloud_y + cloud_h,
            stroke=stroke,
            dash=dash,
            marker=marker,
        ),
        *boxes,
        *_legend(
            [("direct", ink, None, direct_legend), (kind, stroke, dash, internet_legend)], links
        ),
    ]


def _mcs(
    sites: list[_Site],
    *,
    tvox_systems: int,
    mcs_instances: int,
    redundancy: bool,
    primary: str,
    accent: str,
) -> list[SafeString]:
    accent_ink = _ink(accent)
    parts = [
        _left_region(_("Customer's private infrastructure"), primary),
        _region(
            360,
            10,
            170,
            124,
            _("DMZ"),
            tint=_mix(accent, WHITE, 0.9),
            stroke=_mix(accent_ink, WHITE, 0.3),
        ),
    ]
    tvox_title = _("TVox") if tvox_systems <= 1 else _("%(n)s TVox") % {"n": _figure(tvox_systems)}
    mcs_title = _("MCS") if mcs_instances <= 1 else _("%(n)s × MCS") % {"n": _figure(mcs_instances)}
    tunnel_y, tunnel_from, tunnel_to = 80, 220, 378
    tunnels = ngettext(
        "%(n)s tunnel, one per TVox", "%(n)s tunnels, one per TVox", tvox_systems
    ) % {"n": _figure(tvox_systems)}
    parts += [
        _line(tunnel_from, tunnel_y, tunnel_to, tunnel_y, stroke=_mix(accent, WHITE, 0.7), width=9),
        _line(tunnel_from, tunnel_y, tunnel_to - 6, tunnel_y, stroke=accent_ink, width=1.8),
        _arrowhead(tunnel_from, tunnel_y, tunnel_to - 1, tunnel_y, accent_ink),
        _node(50, 52, 170, 56, tvox_title, _("no inbound exposure (B1)"), fill=primary),
        _node(378, 52, 134, 56, mcs_title, _("not redundant (R13)"), fill=accent),
        _label_on(299, tunnel_y - 10, _("OpenVPN (R12)"), fill=_mix(accent_ink, TEXT, 0.35)),
        _text(322, tunnel_y + 21, tunnels, size=8, fill=MUTED, anchor="end", width=98, min_size=7),
    ]
    if redundancy:
        parts.append(
            _text(
                445,
                124,
                _("Redundancy not possible (R3)"),
                size=8.5,
                bold=True,
                fill=DANGER,
                width=160,
                min_size=7.5,
            )
        )
    cloud_x, cloud_y, _cloud_w, _cloud_h = RIGHT_CLOUD
    parts.append(_line(512, tunnel_y + 8, cloud_x + 14, cloud_y + 32, width=1.6))
    parts += _internet_and_sites(
        "mcs",
        sites,
        primary,
        direct_legend=_("Direct link: LAN, VPN or MPLS (R2)"),
        internet_legend=_("Internet only: SIP phones cannot reach TVox (R2)"),
    )
    return parts


def _hybrid(
    sites: list[_Site], *, tvox_systems: int, redundancy: bool, primary: str, accent: str
) -> list[SafeString]:
    parts = [
        _left_region(_("Public cloud"), primary),
    ]
    inner_x, inner_w = (24, 292) if redundancy else (10, 320)
    nodes, _exits = _tvox_cloud_nodes(
        inner_x, 52, inner_w, tvox_systems=tvox_systems, redundancy=redundancy, primary=primary
    )
    cloud_x, cloud_y, _cloud_w, _cloud_h = RIGHT_CLOUD
    tvox_right = inner_x + inner_w if redundancy else 255
    accent_ink = _ink(accent)
    parts += [
        _line(tvox_right, 80, cloud_x + 14, cloud_y + 32, width=1.6),
        *nodes,
        _rect(352, 18, 184, 46, fill=_mix(accent, WHITE, 0.9), stroke=accent_ink, rx=4),
        _text(
            444,
            36,
            _("No DHCP provisioning (R5)"),
            size=9.5,
            bold=True,
            fill=_mix(accent_ink, TEXT, 0.35),
            width=172,
            min_size=8,
        ),
        _text(
            444,
            52,
            _("provisioning as in Pure Cloud"),
            size=8.5,
            fill=MUTED,
            width=172,
            min_size=7.5,
        ),
    ]
    parts += _internet_and_sites(
        "hybrid",
        sites,
        primary,
        direct_legend=_("Private line: LAN, VPN or MPLS (R5)"),
        internet_legend=_("Over the internet"),
    )
    return parts


def architecture_diagram(
    option: str,
    sites: list[dict],  # type: ignore[type-arg]
    *,
    tvox_systems: int,
    mcs_instances: int = 1,
    redundancy: bool = False,
    primary: str = DEFAULT_PRIMARY,
    accent: str = DEFAULT_ACCENT,
) -> SafeString:
    """The architecture of `option` ("pure_cloud", "mcs" or "hybrid") with the customer's
    `sites` (dicts with `name`, `connectivity` in lan/vpn/mpls/internet and the device
    counts `sip_phones`, `mobile_apps`, `web_clients`, `widgets`), as one inline `<svg>`.

    At most six sites get a box; the rest are summed in a "+ N more sites" box. Colours
    other than `#RRGGBB` fall back to the defaults. Raises ValueError for another option.
    """
    if option not in OPTIONS:
        raise ValueError(f"unknown option {option!r}: expected one of {', '.join(OPTIONS)}")
    primary = _colour(primary, DEFAULT_PRIMARY)
    accent = _colour(accent, DEFAULT_ACCENT)
    tvox_systems = max(_count(tvox_systems), 1)
    mcs_instances = max(_count(mcs_instances), 1)
    clean = _sites(sites or [])
    if option == "pure_cloud":
        title = _("Architecture: TVox Pure Cloud")
        parts = _pure_cloud(
            clean, tvox_systems=tvox_systems, redundancy=redundancy, primary=primary, accent=accent
        )
    elif option == "mcs":
        title = _("Architecture: TVox + MCS")
        parts = _mcs(
            clean,
            tvox_systems=tvox_systems,
            mcs_instances=mcs_instances,
            redundancy=redundancy,
            primary=primary,
            accent=accent,
        )
    else:
        title = _("Architecture: hybrid cloud")
        parts = _hybrid(
            clean, tvox_systems=tvox_systems, redundancy=redundancy, primary=primary, accent=accent
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        join(parts),
    )
