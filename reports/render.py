"""Snapshot → HTML → PDF, with WeasyPrint reading nothing but our own files.

The HTML is rendered by Django templates (`templates/reports/`), which escape every text
of the customer. WeasyPrint then fetches resources only through `ProposalFetcher`: the
files under `static/reports/` (stylesheet, fonts, images) and the brand's logo, addressed
under a base URL that does not exist on any network. Any other URL (http, https, ftp, a
`file://` path, a data URL smuggled in) is refused and recorded.

The PDF is PDF/A-3b and tagged, so that it can be archived as public bodies require and
read aloud by a screen reader; its bytes depend on the snapshot only (fixed identifier,
dates from the snapshot), so the same snapshot gives the same SHA-256 in any process.

`import weasyprint` is slow and the first render of a process is slower than the next
ones, so the import is at module level and the stylesheet is parsed once per process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import weasyprint
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from .context import proposal_context

logger = logging.getLogger(__name__)

BASE_URL: Final = "https://proposal.invalid/"
STATIC_PREFIX: Final = BASE_URL + "static/reports/"
LOGO_URL: Final = BASE_URL + "brand/logo"
STYLESHEET: Final = "reports/proposal.css"
PDF_VARIANT: Final = "pdf/a-3b"
CONTENT_TYPES: Final = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class RefusedURL(ValueError):
    """WeasyPrint skips a resource whose fetch raises; the proposal renders without it."""


def static_reports_dir() -> Path:
    found = finders.find("reports/proposal.css")
    if not found:
        raise FileNotFoundError("static/reports/proposal.css is missing")
    return Path(found).resolve().parent


class ProposalFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """Serves `static/reports/…` and the logo; refuses everything else, and lists what it
    refused in `refused`."""

    def __init__(self, logo: bytes | None = None, logo_type: str = "") -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.logo = logo
        self.logo_type = logo_type
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url == LOGO_URL and self.logo is not None:
            return URLFetcherResponse(url, body=self.logo, headers={"Content-Type": self.logo_type})
        if url.startswith(STATIC_PREFIX) and "?" not in url and "#" not in url:
            root = static_reports_dir()
            path = (root / url.removeprefix(STATIC_PREFIX)).resolve()
            if path.is_relative_to(root) and path.is_file() and path.suffix in CONTENT_TYPES:
                return URLFetcherResponse(
                    url,
                    body=path.read_bytes(),
                    headers={"Content-Type": CONTENT_TYPES[path.suffix]},
                )
        self.refused.append(url)
        logger.warning("proposal rendering refused to fetch %s", url[:200])
        raise RefusedURL(f"refused: {url[:200]}")


_lock = threading.Lock()
_prepared: dict[str, Any] = {}


def _stylesheet() -> tuple[Any, FontConfiguration]:
    """The proposal stylesheet, parsed once per process with its fonts."""
    with _lock:
        if "css" not in _prepared:
            font_config = FontConfiguration()
            css = weasyprint.CSS(
                url=STATIC_PREFIX + "proposal.css",
                url_fetcher=ProposalFetcher(),
                font_config=font_config,
            )
            _prepared.update(css=css, fonts=font_config)
        return _prepared["css"], _prepared["fonts"]


def proposal_html(snapshot: dict[str, Any], version: int | None = None) -> str:
    """The proposal as HTML, in the snapshot's language (there is no request in a worker)."""
    with translation.override(snapshot["language"]):
        return render_to_string("reports/proposal.html", proposal_context(snapshot, version))


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    sha256: str
    refused_urls: tuple[str, ...]


def html_to_pdf(html: str, fetcher: ProposalFetcher) -> bytes:
    css, font_config = _stylesheet()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        stylesheets=[css],
        font_config=font_config,
        # Archived by public bodies (PDF/A) and read with screen readers (tags): the variant
        # brings the XMP identification and an sRGB output intent, the fonts are embedded,
        # and the language, title and dates come from the HTML.
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        # Reproducible bytes: no random identifier, dates from the snapshot (in the HTML).
        pdf_identifier=b"tvox-proposal",
        uncompressed_pdf=False,
    )
    return pdf


def render_pdf(
    snapshot: dict[str, Any], logo: bytes | None = None, version: int | None = None
) -> RenderedPDF:
    logo_info = snapshot.get("organization", {}).get("logo") or {}
    fetcher = ProposalFetcher(logo=logo, logo_type=logo_info.get("content_type", ""))
    content = html_to_pdf(proposal_html(snapshot, version), fetcher)
    return RenderedPDF(content, hashlib.sha256(content).hexdigest(), tuple(fetcher.refused))


def warm_up() -> None:
    """Parse the stylesheet and lay out a tiny page once, so a worker's first real
    proposal is not the slow one."""
    _stylesheet()
    html_to_pdf("<p>warm-up</p>", ProposalFetcher())
