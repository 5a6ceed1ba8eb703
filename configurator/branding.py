"""Checks an organisation's logo before it is stored.

The logo ends up in every proposal PDF and is served to the browser, so it is accepted by
its content only (never by its name or claimed type): a PNG that Pillow can verify, of a
bounded size, or an SVG that cannot run code or fetch anything. An SVG may reference its
own elements (`#id`) and nothing else: no scripts, no event handlers, no embedded HTML, no
external, `file:` or `data:` links, no DTD or entities.

The SVG is checked against allow-lists (`SVG_ELEMENTS`, `SVG_ATTRIBUTES`), so that what
this module does not know is refused rather than let through: every element, every
attribute and every piece of text (an element's own text and the text after each of its
children) is looked at. The file is stored as uploaded, byte for byte, once it passes.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
import xml.etree.ElementTree as ET  # nosec B405 # types only; DefusedXMLParser parses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Final, Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile

PNG: Final = "image/png"
SVG: Final = "image/svg+xml"
EXTENSIONS: Final = {PNG: "png", SVG: "svg"}
ContentType = Literal["image/png", "image/svg+xml"]

MAX_BYTES: Final = 512 * 1024
MAX_SIDE: Final = 4000
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

SVG_NS: Final = "http://www.w3.org/2000/svg"
XHTML_NS: Final = "http://www.w3.org/1999/xhtml"
XML_BASE: Final = "{http://www.w3.org/XML/1998/namespace}base"
XLINK_HREF: Final = "{http://www.w3.org/1999/xlink}href"

# What a logo is drawn with. Anything else is refused, named in the message: links
# (<a>), other files (<image>, <feImage>, fonts, cursors), animations (which can rewrite
# any attribute after the check), <switch>, and every element of another namespace
# (XInclude, embedded HTML, editors' private elements: "save as plain SVG" drops those).
SVG_ELEMENTS: Final = frozenset(
    """svg g defs symbol use title desc metadata style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feFuncR feFuncG feFuncB feFuncA
    feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight
    feDropShadow feFlood feGaussianBlur feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence""".split()  # noqa: SIM905
)
# Elements whose character content is drawn (or is a name); elsewhere only white space.
SVG_TEXT_ELEMENTS: Final = frozenset({"text", "tspan", "textPath", "title", "desc"})
# Geometry, presentation and filter attributes of SVG 1.1/2, plus `data-*` and `aria-*`
# (inert without scripts). Each value is checked as CSS besides (`_check_css`: no escapes,
# url() to `#id` only), since presentation attributes are CSS values.
SVG_ATTRIBUTES: Final = frozenset(
    """id class style lang tabindex role focusable version baseProfile
    viewBox preserveAspectRatio transform width height x y x1 y1 x2 y2 cx cy r rx ry fx fy
    fr d points pathLength dx dy rotate textLength lengthAdjust startOffset method spacing
    side offset href media type title gradientUnits gradientTransform spreadMethod
    patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits markerUnits markerWidth markerHeight refX refY orient filterUnits
    primitiveUnits in in2 result mode values tableValues slope intercept amplitude
    exponent operator k1 k2 k3 k4 order kernelMatrix divisor bias targetX targetY edgeMode
    preserveAlpha kernelUnitLength surfaceScale diffuseConstant specularConstant
    specularExponent scale xChannelSelector yChannelSelector stdDeviation radius
    baseFrequency numOctaves seed stitchTiles azimuth elevation z pointsAtX pointsAtY
    pointsAtZ limitingConeAngle
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering direction display dominant-baseline
    enable-background fill fill-opacity fill-rule filter flood-color flood-opacity font
    font-family font-size font-size-adjust font-stretch font-style font-variant
    font-weight glyph-orientation-horizontal glyph-orientation-vertical image-rendering
    isolation kerning letter-spacing lighting-color marker marker-start marker-mid
    marker-end mask mask-type mix-blend-mode opacity overflow paint-order shape-rendering
    stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-opacity stroke-width text-anchor
    text-decoration text-rendering transform-origin unicode-bidi vector-effect
    visibility white-space word-spacing writing-mode""".split()  # noqa: SIM905
)
SVG_NAMESPACED_ATTRIBUTES: Final = frozenset(
    {
        XLINK_HREF,
        "{http://www.w3.org/XML/1998/namespace}space",
        "{http://www.w3.org/XML/1998/namespace}lang",
    }
)
# Names that say which kind of file this is; a name that contradicts the content is refused.
IMAGE_EXTENSIONS: Final = {
    "png", "svg", "svgz", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "ico", "avif",
    "heic",
}  # fmt: skip

# What a renderer must draw is bounded, not only the file's size: each <use> draws a copy
# of what it refers to, so twenty levels of groups that each use the previous one twice
# (the "billion laughs" of SVG) make WeasyPrint or the browser draw a million copies from
# a few kilobytes. A logo has tens or hundreds of elements.
MAX_SVG_ELEMENTS: Final = 5_000
MAX_SVG_DRAWN: Final = 10_000

_URL_FUNCTION = re.compile(r"url\(", re.IGNORECASE)
_URL_ARGUMENT = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^\s"'()]*))\s*\)""", re.I)
_LOCAL_FRAGMENT = re.compile(r"#[^\s\"'()\\<>]+")
# Besides url(): escapes (which could spell anything), @import, and the other functions
# that take a URL as a string.
_CSS_REFUSED = re.compile(r"\\|@import|image-set\(|\bsrc\(|\bimage\(", re.IGNORECASE)


def validate_logo(uploaded_file: IO[bytes]) -> tuple[ContentType, str, bytes]:
    """The logo's content type, SHA-256 (hex) and bytes; ValidationError if it is not a
    PNG or SVG this application accepts."""
    data = _read_bounded(uploaded_file)
    content_type: ContentType
    if data.startswith(PNG_SIGNATURE):
        content_type = PNG
        _check_png(data)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        content_type = SVG
        _check_svg(data)
    else:
        raise ValidationError(_("The logo must be a PNG or SVG image."), code="type")
    _check_name_matches(getattr(uploaded_file, "name", "") or "", content_type)
    return content_type, hashlib.sha256(data).hexdigest(), data


def _read_bounded(uploaded_file: IO[bytes]) -> bytes:
    too_big = ValidationError(
        _("The logo must be at most %(max)d KB.") % {"max": MAX_BYTES // 1024}, code="size"
    )
    if (getattr(uploaded_file, "size", 0) or 0) > MAX_BYTES:
        raise too_big
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    uploaded_file.seek(0)
    if len(data) > MAX_BYTES:
        raise too_big
    if not data:
        raise ValidationError(_("The logo file is empty."), code="empty")
    return data


def _check_name_matches(name: str, content_type: ContentType) -> None:
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in IMAGE_EXTENSIONS and extension != EXTENSIONS[content_type]:
        raise ValidationError(
            _("The file is named .%(extension)s but its content is a %(kind)s image.")
            % {"extension": extension, "kind": EXTENSIONS[content_type].upper()},
            code="name",
        )


def _check_png(data: bytes) -> None:
    damaged = ValidationError(_("The PNG image is damaged or incomplete."), code="png")
    # The size is in the header chunk, which must come first: read it before Pillow
    # decodes a single pixel.
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise damaged
    width, height = struct.unpack(">II", data[16:24])
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationError(
            _(
                "The logo must be at most %(max)d × %(max)d pixels; this one is "
                "%(width)d × %(height)d."
            )
            % {"max": MAX_SIDE, "width": width, "height": height},
            code="dimensions",
        )
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.verify()  # chunk checksums, without decoding
        with _truncated_images_refused(), Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()  # the pixel data itself, now known to be of a bounded size
    except Exception as exc:  # Pillow reports damage with many exception types.
        raise damaged from exc


_pillow_setting = threading.Lock()


@contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """`import weasyprint` sets Pillow's process-wide `LOAD_TRUNCATED_IMAGES`, with which
    `load()` pads missing pixel data with black instead of failing: a cut-off PNG would
    pass. Refuse truncation while this check loads; the lock keeps two uploads from
    restoring each other's value."""
    with _pillow_setting:
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


class _RecordingTreeBuilder(ET.TreeBuilder):
    """Builds the tree and remembers processing instructions, including those outside
    the root element, which the tree itself would drop."""

    def __init__(self) -> None:
        super().__init__()
        self.processing_instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> ET.Element:
        self.processing_instructions.append(target)
        return super().pi(target, text)


def _parse_svg(data: bytes) -> ET.Element:
    builder = _RecordingTreeBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except DefusedXmlException as exc:
        raise ValidationError(
            _("The SVG image must not contain a DTD or entities."), code="svg_dtd"
        ) from exc
    except (ET.ParseError, ValueError) as exc:
        raise ValidationError(_("The logo must be a PNG or SVG image."), code="type") from exc
    if builder.processing_instructions:
        raise ValidationError(
            _("The SVG image must not contain processing instructions such as stylesheets."),
            code="svg_pi",
        )
    return root


def _local_name(name: str) -> str:
    return name.rpartition("}")[2]


def _readable_name(name: str) -> str:
    """`{namespace}local` as ElementTree writes it, shown as `local (namespace)`; SVG's own
    names as `local`."""
    namespace, _, local = name[1:].partition("}") if name.startswith("{") else ("", "", name)
    return f"{local} ({namespace})" if namespace not in ("", SVG_NS) else local


def _check_svg(data: bytes) -> None:
    root = _parse_svg(data)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValidationError(_("The file is not an SVG image."), code="svg_root")
    elements = list(root.iter())
    if len(elements) > MAX_SVG_ELEMENTS:
        raise ValidationError(
            _("The SVG image has %(count)d elements; a logo may have at most %(max)d.")
            % {"count": len(elements), "max": MAX_SVG_ELEMENTS},
            code="svg_elements",
        )
    for element in elements:
        _check_svg_element(element)
    _check_use_expansion(root, elements)


def _check_use_expansion(root: ET.Element, elements: list[ET.Element]) -> None:
    """Count the elements drawn, each <use> as a copy of what it refers to, once per
    element (memoised, so the count itself stays linear); refuse past `MAX_SVG_DRAWN` and
    refuse a <use> that ends up inside what it copies. Iterative: a file may nest its
    groups deeper than Python's recursion limit."""
    by_id: dict[str, ET.Element] = {}
    for element in elements:
        if element.get("id"):
            by_id.setdefault(element.get("id", ""), element)  # the first one, as renderers do
    drawn: dict[ET.Element, int] = {}
    on_path: set[ET.Element] = set()  # being counted: what they copy is below them
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        element, counted_below = stack.pop()
        parts = _drawn_parts(element, by_id)
        if counted_below:
            on_path.discard(element)
            drawn[element] = min(1 + sum(drawn[part] for part in parts), MAX_SVG_DRAWN + 1)
            continue
        if element in drawn:
            continue
        on_path.add(element)
        stack.append((element, True))
        for part in parts:
            if part in on_path:
                raise ValidationError(
                    _("The SVG image's <use> references form a loop (#%(id)s).")
                    % {"id": part.get("id", "")[:60]},
                    code="svg_use_cycle",
                )
            if part not in drawn:
                stack.append((part, False))
    if drawn[root] > MAX_SVG_DRAWN:
        raise ValidationError(
            _(
                "The SVG image would draw more than %(max)d elements through its <use> "
                "references; a logo needs far fewer."
            )
            % {"max": MAX_SVG_DRAWN},
            code="svg_use_expansion",
        )


def _drawn_parts(element: ET.Element, by_id: dict[str, ET.Element]) -> list[ET.Element]:
    """What drawing `element` draws besides itself: its children and, for a <use>, the
    element it refers to (SVG 2's `href` before `xlink:href`, as renderers read them; a
    reference to nothing draws nothing)."""
    parts = list(element)
    if element.tag == f"{{{SVG_NS}}}use":
        reference = element.get("href", element.get(XLINK_HREF, "")).strip()
        target = by_id.get(reference[1:]) if reference.startswith("#") else None
        if target is not None:
            parts.append(target)
    return parts


def _check_svg_element(element: ET.Element) -> None:
    """An element is checked whole: its name, its attributes and its character content
    (its own text and the tails of its children), against the allow-lists above."""
    name = _local_name(element.tag)
    if name.lower() == "script":
        raise ValidationError(_("The SVG image must not contain scripts."), code="svg_script")
    if name.lower() == "foreignobject" or element.tag.startswith(f"{{{XHTML_NS}}}"):
        raise ValidationError(
            _("The SVG image must not contain embedded HTML."), code="svg_foreign"
        )
    if not element.tag.startswith(f"{{{SVG_NS}}}") or name not in SVG_ELEMENTS:
        raise ValidationError(
            _("The SVG image must not contain the element <%(name)s>.")
            % {"name": _readable_name(element.tag)},
            code="svg_element",
        )
    for attribute, value in element.attrib.items():
        _check_svg_attribute(name, attribute, value)
    _check_svg_content(element)


def _check_svg_content(element: ET.Element) -> None:
    name = _local_name(element.tag)
    if name == "style":
        # All of its text, also after a child: a renderer reads the text nodes together.
        _check_css("".join(element.itertext()))
        if len(element):
            raise ValidationError(
                _("The SVG image's <style> element must contain CSS text only."),
                code="svg_style",
            )
    elif name not in SVG_TEXT_ELEMENTS:
        texts = [element.text or ""] + [child.tail or "" for child in element]
        if any(text.strip() for text in texts):
            raise ValidationError(
                _(
                    "The SVG image may contain text only inside its text elements "
                    "(<text>, <tspan>, <title>, <desc>)."
                ),
                code="svg_text",
            )


def _check_svg_attribute(element: str, attribute: str, value: str) -> None:
    name = _local_name(attribute)
    if name.lower().startswith("on"):
        raise ValidationError(
            _("The SVG image must not contain event handlers (%(name)s).") % {"name": name},
            code="svg_event",
        )
    if attribute == XML_BASE:
        _refuse_reference(value)
    if not _is_allowed_attribute(attribute):
        raise ValidationError(
            _("The SVG image must not contain the attribute “%(name)s” (on <%(element)s>).")
            % {"name": _readable_name(attribute), "element": element},
            code="svg_attribute",
        )
    if name == "href":
        _check_reference(value)
    else:
        # Not only `style`: every presentation attribute (fill, filter, mask, marker-*...)
        # is a CSS value to the renderer, where `\75 rl(` is `url(`.
        _check_css(value)


def _is_allowed_attribute(attribute: str) -> bool:
    if attribute.startswith("{"):
        return attribute in SVG_NAMESPACED_ATTRIBUTES
    return attribute in SVG_ATTRIBUTES or attribute.startswith(("data-", "aria-"))


def _check_css(css: str) -> None:
    match = _CSS_REFUSED.search(css)
    if match:
        _refuse_reference(match.group())
    _check_urls(css)


def _check_urls(text: str) -> None:
    for found in _URL_FUNCTION.finditer(text):
        argument = _URL_ARGUMENT.match(text, found.start())
        if argument is None:
            _refuse_reference(text[found.start() : found.start() + 60])
        else:
            _check_reference(next(group for group in argument.groups() if group is not None))


def _check_reference(target: str) -> None:
    if not _LOCAL_FRAGMENT.fullmatch(target.strip()):
        _refuse_reference(target)


def _refuse_reference(target: str) -> None:
    raise ValidationError(
        _("The SVG image may only refer to its own elements (#id); “%(target)s” is not allowed.")
        % {"target": target.strip()[:60]},
        code="svg_reference",
    )
