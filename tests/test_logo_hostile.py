"""A hostile tester's logos: every SVG and PNG trick is refused next to the logo field, in
English and Italian, and nothing is stored; a logo that does get into a proposal makes
WeasyPrint fetch nothing from the network."""

from __future__ import annotations

import html
import http.server
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import weasyprint
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from configurator.branding import validate_logo
from configurator.models import Organization, User
from reports.render import BASE_URL, LOGO_URL, ProposalFetcher

from .factories import branding_data, field_errors, png, signed_in, stored_files

SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
XLINK = b'xmlns:xlink="http://www.w3.org/1999/xlink"'

# A tester's file: the text after the <style>'s child element was never looked at.
ISSUE_8_LOGO = (
    SVG_OPEN + b"<style><g/>@import url(http://127.0.0.1:9/evil.css);"
    b"rect { fill: url(http://127.0.0.1:9/paint.svg#p) }</style>"
    b'<rect width="10" height="10"/></svg>'
)


def svg(body: bytes, root_attributes: bytes = b"") -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" ' + root_attributes + b' viewBox="0 0 10 10">'
        b"" + body + b"</svg>"
    )


def refusal(data: bytes, name: str = "logo.svg") -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        validate_logo(SimpleUploadedFile(name, data))
    return raised.value


def png_chunk(kind: bytes, body: bytes) -> bytes:
    checksum = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)


def png_with_header(width: int, height: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# --- SVG: what the allow-list refuses --------------------------------------------------------

HOSTILE_SVGS = {
    "issue 8: text after a child of <style>": (ISSUE_8_LOGO, "svg_reference"),
    "url() after a child of <style>": (
        svg(b"<style><g/>rect { fill: url(http://127.0.0.1:9/p.svg#p) }</style>"),
        "svg_reference",
    ),
    "a child element inside <style>": (svg(b"<style>rect{fill:red}<g/></style>"), "svg_style"),
    "@import split by an XML comment": (
        svg(b"<style>@imp<!-- -->ort url(http://127.0.0.1:9/a.css);</style>"),
        "svg_reference",
    ),
    "@import in a CDATA section": (
        svg(b"<style><![CDATA[@import url(http://127.0.0.1:9/a.css);]]></style>"),
        "svg_reference",
    ),
    "url() written with a character reference": (
        svg(b"<style>rect{fill:&#x75;rl(http://127.0.0.1:9/p)}</style>"),
        "svg_reference",
    ),
    "CSS src() function": (
        svg(b'<style>rect{fill:src("http://127.0.0.1:9/p")}</style>'),
        "svg_reference",
    ),
    "url() in a style attribute": (
        svg(b'<rect style="fill:url(http://127.0.0.1:9/p)"/>'),
        "svg_reference",
    ),
    "text with url() in the tail of an element": (
        svg(b"<g><rect/>url(http://127.0.0.1:9/p)</g>"),
        "svg_text",
    ),
    "text directly inside a group": (svg(b"<g>stray text</g>"), "svg_text"),
    "<feImage> pointing at an element": (
        svg(b'<filter id="f"><feImage href="#r"/></filter><rect id="r"/>'),
        "svg_element",
    ),
    "<image> with a data: URL": (
        svg(b'<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'),
        "svg_element",
    ),
    "<a> link": (svg(b'<a href="#r"><rect id="r"/></a>'), "svg_element"),
    "<set> animation": (svg(b'<rect><set attributeName="fill" to="red"/></rect>'), "svg_element"),
    "an element of another namespace": (
        svg(b"<x:thing/>", b'xmlns:x="urn:example:x"'),
        "svg_element",
    ),
    "XInclude": (
        svg(
            b'<xi:include href="file:///etc/passwd" parse="text"/>',
            b'xmlns:xi="http://www.w3.org/2001/XInclude"',
        ),
        "svg_element",
    ),
    "<script>": (svg(b"<script>alert(1)</script>"), "svg_script"),
    "<foreignObject>": (
        svg(b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'),
        "svg_foreign",
    ),
    "an event handler": (svg(b'<rect onload="alert(1)"/>'), "svg_event"),
    "an unknown attribute": (svg(b'<rect formaction="x"/>'), "svg_attribute"),
    "a namespaced attribute": (
        svg(b'<rect x:fill="red"/>', b'xmlns:x="urn:example:x"'),
        "svg_attribute",
    ),
    "xlink:href to another file": (
        svg(b'<use xlink:href="other.svg#a"/>', XLINK),
        "svg_reference",
    ),
    "xlink:actuate": (
        svg(b'<use xlink:href="#a" xlink:actuate="onLoad"/>', XLINK),
        "svg_attribute",
    ),
    "a DOCTYPE with an entity": (
        b'<!DOCTYPE svg [<!ENTITY x "y">]>' + svg(b"<text>&x;</text>"),
        "svg_dtd",
    ),
    "a processing instruction": (
        b'<?xml-stylesheet href="http://127.0.0.1:9/a.css"?>' + svg(b""),
        "svg_pi",
    ),
}


@pytest.mark.parametrize(
    ("data", "code"), list(HOSTILE_SVGS.values()), ids=list(HOSTILE_SVGS.keys())
)
def test_it_refuses_each_hostile_svg(data: bytes, code: str) -> None:
    assert refusal(data).code == code


ACCEPTED_SVGS = {
    "gradient by local reference": svg(
        b'<defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#0B3D5C"/>'
        b'<stop offset="1" stop-color="#E8792B"/></linearGradient></defs>'
        b'<rect width="10" height="10" fill="url(#g)"/>'
    ),
    "a style sheet with classes and a local url()": svg(
        b"<style>\n  .a { fill: #0B3D5C; stroke: url(#g) }\n</style>\n"
        b'<circle class="a" cx="5" cy="5" r="4"/>\n'
    ),
    "a symbol used by xlink:href, with a title": svg(
        b'<title>Partner One</title><symbol id="s"><path d="M0 0h5v5z"/></symbol>'
        b'<use xlink:href="#s" x="1"/>',
        XLINK,
    ),
    "text with tspans and entities of XML itself": svg(
        b'<text x="0" y="8" font-family="DejaVu Sans" xml:space="preserve">R&amp;D'
        b'<tspan font-weight="bold"> S.r.l.</tspan> &#169; 2026</text>'
    ),
    "an illustrator export": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" id="Layer_1" data-name="Layer 1" '
        b'viewBox="0 0 10 10"><defs><style>.cls-1{fill:#0b3d5c;}</style></defs>'
        b"<!-- Generator: Adobe Illustrator -->"
        b'<g role="img" aria-label="logo"><rect class="cls-1" width="10" height="10"/></g></svg>'
    ),
    "a blur filter": svg(
        b'<filter id="f"><feGaussianBlur in="SourceGraphic" stdDeviation="1"/></filter>'
        b'<rect width="5" height="5" filter="url(#f)"/>'
    ),
}


@pytest.mark.parametrize("data", list(ACCEPTED_SVGS.values()), ids=list(ACCEPTED_SVGS.keys()))
def test_it_accepts_ordinary_svg_logos(data: bytes) -> None:
    content_type, _, stored = validate_logo(SimpleUploadedFile("logo.svg", data))
    assert content_type == "image/svg+xml"
    assert stored == data


# --- SVG: presentation attributes are CSS values ---------------------------------------------

PRESENTATION_ATTRIBUTES = ["fill", "stroke", "filter", "mask", "clip-path", "marker-start"]
# What a CSS parser reads as url(http://127.0.0.1:9/x) once the escapes are decoded; the
# last one is the plain external url().
HOSTILE_CSS_VALUES = {
    "a hex escape": rb"\75 rl(http://127.0.0.1:9/x)",
    "a six-digit hex escape": rb"\000075rl(http://127.0.0.1:9/x)",
    "an escaped letter": rb"u\rl(http://127.0.0.1:9/x)",
    "an escaped parenthesis": rb"url\(http://127.0.0.1:9/x)",
    "an external url()": b"url(http://127.0.0.1:9/x)",
}


@pytest.mark.parametrize("value", list(HOSTILE_CSS_VALUES.values()), ids=list(HOSTILE_CSS_VALUES))
@pytest.mark.parametrize("attribute", PRESENTATION_ATTRIBUTES)
def test_it_refuses_css_escapes_and_external_urls_in_presentation_attributes(
    attribute: str, value: bytes
) -> None:
    data = svg(b'<rect width="10" height="10" %s="%s"/>' % (attribute.encode(), value))
    assert refusal(data).code == "svg_reference"


def test_it_accepts_local_references_and_colours_in_presentation_attributes() -> None:
    data = svg(
        b'<defs><linearGradient id="grad"><stop offset="0" stop-color="#123456"/>'
        b'</linearGradient><clipPath id="c"><rect width="5" height="5"/></clipPath></defs>'
        b'<rect width="10" height="10" fill="url(#grad)" stroke="#123456" '
        b'clip-path="url(#c)" font-family="\'DejaVu Sans\', sans-serif"/>'
        b'<rect width="2" height="2" fill="#123456"/>'
    )
    assert validate_logo(SimpleUploadedFile("logo.svg", data))[2] == data


# --- SVG: <use> that multiplies what is drawn ----------------------------------------------


def use_laughs(levels: int, href: bytes = b"href") -> bytes:
    """The billion laughs of SVG: each group draws the previous one twice, so the last
    one, used once, draws 2**levels rectangles from a file of a few kilobytes."""
    groups = [b'<g id="l0"><rect width="1" height="1"/></g>']
    groups += [
        b'<g id="l%d"><use %s="#l%d"/><use %s="#l%d" x="1"/></g>'
        % (level, href, level - 1, href, level - 1)
        for level in range(1, levels + 1)
    ]
    return svg(b"<defs>" + b"".join(groups) + b'</defs><use %s="#l%d"/>' % (href, levels), XLINK)


AMPLIFYING_SVGS = {
    "25 levels of <use> doubling (href)": (use_laughs(25), "svg_use_expansion"),
    "25 levels of <use> doubling (xlink:href)": (
        use_laughs(25, b"xlink:href"),
        "svg_use_expansion",
    ),
    "14 levels of <use> doubling (16,384 rectangles)": (use_laughs(14), "svg_use_expansion"),
    "a <use> inside the group it uses": (
        svg(b'<g id="a"><rect/><use href="#a"/></g>'),
        "svg_use_cycle",
    ),
    "a <use> that uses itself": (svg(b'<use id="u" href="#u"/>'), "svg_use_cycle"),
    "two groups that use each other": (
        svg(b'<g id="a"><use href="#b"/></g><g id="b"><use xlink:href="#a"/></g>', XLINK),
        "svg_use_cycle",
    ),
    "5,001 elements without any <use>": (svg(b"<rect/>" * 5001), "svg_elements"),
}


@pytest.mark.parametrize(
    ("data", "code"), list(AMPLIFYING_SVGS.values()), ids=list(AMPLIFYING_SVGS.keys())
)
def test_it_refuses_an_svg_that_draws_too_much_or_uses_itself(data: bytes, code: str) -> None:
    assert refusal(data).code == code


USING_SVGS = {
    "a symbol used four times": svg(
        b'<defs><symbol id="s" viewBox="0 0 2 2"><path d="M0 0h2v2z"/><circle r="1"/>'
        b'</symbol></defs><use href="#s" x="0"/><use href="#s" x="2"/>'
        b'<use xlink:href="#s" x="4"/><use xlink:href="#s" x="6"/>',
        XLINK,
    ),
    "8 levels of <use> doubling (256 rectangles)": use_laughs(8),
    "a <use> of an element that is not there": svg(b'<use href="#missing"/>'),
    "4,000 elements": svg(b"<rect/>" * 3999),
    "groups nested 3,000 deep": svg(b"<g>" * 3000 + b"<rect/>" + b"</g>" * 3000),
}


@pytest.mark.parametrize("data", list(USING_SVGS.values()), ids=list(USING_SVGS.keys()))
def test_it_accepts_a_logo_that_uses_its_elements_a_few_times(data: bytes) -> None:
    content_type, _, stored = validate_logo(SimpleUploadedFile("logo.svg", data))
    assert content_type == "image/svg+xml"
    assert stored == data


# --- PNG: a file that lies about itself --------------------------------------------------------

HOSTILE_PNGS = {
    "named .png, is a GIF": (b"GIF89a\x01\x00\x01\x00not a png", "type"),
    "the PNG signature and then garbage": (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "png"),
    "truncated in the pixel data": (png(64, 64)[:-30], "png"),
    "a header that claims 100000 × 100000 pixels": (
        png_with_header(100_000, 100_000, zlib.compress(b"\x00" * 1000)),
        "dimensions",
    ),
    "pixel data that does not match the header": (
        png_with_header(64, 64, zlib.compress(b"\x00" * 10)),
        "png",
    ),
    "a wrong checksum": (png()[:-5] + b"\x00" + png()[-4:], "png"),
}


@pytest.mark.parametrize(
    ("data", "code"), list(HOSTILE_PNGS.values()), ids=list(HOSTILE_PNGS.keys())
)
def test_it_refuses_each_damaged_or_lying_png(data: bytes, code: str) -> None:
    assert refusal(data, "logo.png").code == code


# --- Through the page: the message next to the field, in both languages, nothing stored -----

MESSAGES = [
    (
        "en",
        ISSUE_8_LOGO,
        "logo.svg",
        "The SVG image may only refer to its own elements (#id); “@import” is not allowed.",
    ),
    (
        "it",
        ISSUE_8_LOGO,
        "logo.svg",
        "L'immagine SVG può fare riferimento solo ai propri elementi (#id); "
        "«@import» non è consentito.",
    ),
    (
        "en",
        svg(b'<image href="x.png"/>'),
        "logo.svg",
        "The SVG image must not contain the element <image>",
    ),
    (
        "en",
        svg(b"<g>stray text</g>"),
        "logo.svg",
        "The SVG image may contain text only inside its text elements",
    ),
    (
        "en",
        svg(b'<rect formaction="x"/>'),
        "logo.svg",
        "The SVG image must not contain the attribute “formaction” (on <rect>)",
    ),
    (
        "it",
        png_with_header(100_000, 100_000, b""),
        "logo.png",
        "Il logo può misurare al massimo 4000 × 4000 pixel",
    ),
    ("it", png(64, 64)[:-30], "logo.png", "L'immagine PNG è danneggiata o incompleta."),
    (
        "en",
        use_laughs(25),
        "logo.svg",
        "The SVG image would draw more than 10000 elements through its <use> references",
    ),
    (
        "en",
        svg(b'<g id="a"><use href="#a"/></g>'),
        "logo.svg",
        "The SVG image's <use> references form a loop (#a)",
    ),
    ("en", svg(b"<rect/>" * 5001), "logo.svg", "The SVG image has 5002 elements"),
]


@pytest.mark.parametrize(("language", "data", "name", "message"), MESSAGES)
def test_it_says_why_next_to_the_logo_field_and_stores_nothing(
    adam: User,
    org: Organization,
    media_storage: Path,
    language: str,
    data: bytes,
    name: str,
    message: str,
) -> None:
    before = org.brand_snapshot()
    client = signed_in(adam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    logo = SimpleUploadedFile(name, data, content_type="image/png")

    response = client.post(reverse("organization_branding"), branding_data(logo=logo))

    assert response.status_code == 200
    assert message in html.unescape(field_errors(response, "logo"))
    org.refresh_from_db()
    assert org.brand_snapshot() == before
    assert stored_files(media_storage) == []


# --- WeasyPrint fetches nothing a logo asks for ------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def beacon() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    requests: list[str] = []
    server.RequestHandlerClass = type("Recorder", (_Recorder,), {"requests": requests})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def hostile_logo(base: str) -> bytes:
    """Every way an SVG can ask for another file, as if it had got past the upload check."""
    b = base.encode()
    return svg(
        b"<style><g/>@import url(" + b + b"/import.css); rect { fill: url(" + b + b"/fill.svg#p) }"
        b"</style>"
        b'<rect width="10" height="10" style="stroke: url(' + b + b'/stroke.svg#p)"/>'
        b'<image href="' + b + b'/image.png" width="5" height="5"/>'
        b'<use href="' + b + b'/use.svg#x"/>'
        b'<filter id="f"><feImage href="' + b + b'/feimage.png"/></filter>',
        XLINK,
    )


def render_logo(logo: bytes, fetcher: ProposalFetcher | None = None) -> None:
    page = f'<img src="{LOGO_URL}" style="width: 4cm">'
    weasyprint.HTML(string=page, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def test_the_proposal_fetcher_lets_no_request_of_a_logo_out(
    beacon: tuple[str, list[str]],
) -> None:
    base, requests = beacon
    logo = hostile_logo(base)
    assert refusal(logo).code in {"svg_reference", "svg_element", "svg_style"}
    fetcher = ProposalFetcher(logo=logo, logo_type="image/svg+xml")

    render_logo(logo, fetcher)

    assert requests == []
    # WeasyPrint did ask (for the <image> at least), and the fetcher said no.
    assert fetcher.refused
    assert all(url.startswith(base) for url in fetcher.refused)


def test_the_beacon_does_see_a_fetch_made_without_our_fetcher(
    beacon: tuple[str, list[str]],
) -> None:
    # Shows that the test above can fail: WeasyPrint's own fetcher does go to the network.
    base, requests = beacon
    page = f'<img src="{base}/direct.png">'
    weasyprint.HTML(string=page, base_url=BASE_URL).write_pdf()
    assert requests == ["/direct.png"]


@pytest.mark.parametrize("data", list(ACCEPTED_SVGS.values()), ids=list(ACCEPTED_SVGS.keys()))
def test_an_accepted_svg_logo_asks_the_fetcher_for_nothing(data: bytes) -> None:
    fetcher = ProposalFetcher(logo=data, logo_type="image/svg+xml")
    render_logo(data, fetcher)
    assert fetcher.refused == []


def test_an_accepted_png_logo_asks_the_fetcher_for_nothing() -> None:
    image = png(40, 20)
    fetcher = ProposalFetcher(logo=image, logo_type="image/png")
    render_logo(image, fetcher)
    assert fetcher.refused == []
