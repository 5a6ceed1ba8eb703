"""The proposal PDF itself: what it says (in Italian and English), how it paginates, what
it refuses to fetch, and what it looks like (first pages kept as PNG in
test-output/proposals/)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.serializers.json import DjangoJSONEncoder
from PIL import Image
from pypdf import PdfReader

from configurator.models import Customer, Organization, Project, Site, User
from reports.render import BASE_URL, LOGO_URL, ProposalFetcher, RefusedURL, render_pdf
from reports.snapshot import build_snapshot

from .factories import add_sites, make_customer, make_project, png

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

OUTPUT = Path(django_settings.BASE_DIR) / "test-output" / "proposals"
HOSTILE = (
    '<script>alert("x")</script><img src="http://127.0.0.1:9/beacon.png">'
    "</style><style>body{background:url(file:///etc/passwd)}</style>"
)


def render(project: Project, language: str, logo: bytes | None = None) -> tuple[bytes, Any]:
    snapshot = build_snapshot(project, language, None)
    rendered = render_pdf(snapshot, logo, 7)
    assert rendered.refused_urls == ()
    return rendered.content, snapshot


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return re.sub(r"\s+", " ", text)


# --- What it says ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Recommended architecture",
                "Executive summary",
                "Comparison on the five dimensions",
                "Site inventory",
                "MCS sizing",
                "Licences and quantities",
                "Annex: prerequisites",
                "Warnings, conflicts and assumptions",
                "220.8 Mbit/s",  # 460 devices × 0.48 Mbit/s (S3, R11)
                "1,000",  # the tier (S1, R9)
            ],
        ),
        (
            "it",
            [
                "Architettura consigliata",
                "Sintesi",
                "Confronto sulle cinque dimensioni",
                "Inventario delle sedi",
                "Dimensionamento MCS",
                "Licenze e quantità",
                "Allegato: prerequisiti",
                "Avvisi, conflitti e ipotesi",
                "220,8 Mbit/s",
                "1.000",
            ],
        ),
    ],
)
def test_the_pdf_says_the_figures_rules_and_customer_in_its_language(
    project: Project, language: str, expected: list[str]
) -> None:
    pdf, snapshot = render(add_sites(project), language)
    text = flat(" ".join(pages_text(pdf)))
    assert "Ospedale San Luca S.p.A." in text
    assert project.title in text
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from the {language} PDF"
    rules = ("Q1", "R1", "R2", "R3", "R4", "R5", "R9", "R10", "R11", "R12", "S1", "S3")
    for rule in (*rules, "B1", "B2", "B3", "B4", "B5", "B6"):
        assert re.search(rf"\b{rule}\b", text), f"rule {rule} is not cited"
    # The figures of the sizing result, as the engine computed them.
    mcs = snapshot["result"]["mcs"]
    assert (mcs["devices"], mcs["active_connections"]) == (460, 460)
    # The bill of materials names Telenia's licences as they are sold, in any language.
    for item in ("PURE_CLOUD", "Webclient in Smart Working", "Utenti TVoxTeam Smartworking"):
        assert item in text
    # SIP phones at an internet-only site conflict with MCS (R2), and the PDF says where.
    conflict = {
        "en": "4 SIP phones at 1 site reachable only over the internet (Lodi)",
        "it": "(Lodi)",
    }
    assert conflict[language] in text


def test_every_sizing_explanation_is_printed(project: Project) -> None:
    pdf, snapshot = render(add_sites(project), "en")
    text = flat(" ".join(pages_text(pdf)))
    for path, explanation in snapshot["result"]["explanations"].items():
        if path.startswith("mcs.") and "licenses" not in path:
            # Long sentences wrap; compare their start.
            assert flat(explanation["message"])[:40] in text, path


def test_the_same_snapshot_gives_the_same_text_and_bytes(project: Project) -> None:
    add_sites(project)
    snapshot = build_snapshot(project, "en", None)
    first, second = render_pdf(snapshot, None, 1), render_pdf(snapshot, None, 1)
    assert pages_text(first.content) == pages_text(second.content)
    assert first.sha256 == second.sha256 == hashlib.sha256(first.content).hexdigest()


RENDER_IN_A_FRESH_PROCESS = """
import hashlib, json, sys
import django
django.setup()
from reports.render import render_pdf
snapshot = json.loads(sys.stdin.read())
print(render_pdf(snapshot, None, 1).sha256)
"""


def test_the_same_snapshot_gives_the_same_bytes_in_another_process(project: Project) -> None:
    """A worker replaced after its quota of tasks, or another machine, must record the same
    SHA-256: nothing of the process (start time, font conversion, hash seed) may leak in."""
    add_sites(project)
    snapshot = build_snapshot(project, "en", None)
    here = render_pdf(snapshot, None, 1).sha256
    hashes = {
        subprocess.run(
            [sys.executable, "-c", RENDER_IN_A_FRESH_PROCESS],
            input=json.dumps(snapshot, cls=DjangoJSONEncoder),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            cwd=django_settings.BASE_DIR,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in (1, 2)
    }
    assert hashes == {here}


def test_page_numbers_and_running_header_are_on_every_page_but_the_cover(
    project: Project,
) -> None:
    pdf, _ = render(add_sites(project), "en")
    texts = pages_text(pdf)
    assert len(texts) >= 8
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} / {len(texts)}" in text
        assert "Ospedale San Luca S.p.A." in text  # running header: brand · customer
    assert "Page 1 /" not in texts[0]


# --- Pagination of a long inventory -------------------------------------------------------


def test_two_hundred_sites_paginate_with_repeated_headers_and_whole_rows(
    project: Project,
) -> None:
    pdf, _ = render(add_sites(project, 200), "en")
    texts = [flat(text) for text in pages_text(pdf)]
    # The inventory's pages (the diagrams name a few sites too, but have no table header).
    site_pages = [t for t in texts if re.search(r"Filiale \d{3}", t) and "Connectivity" in t]
    assert len(site_pages) >= 4, "200 sites take several pages"
    for text in site_pages:
        # The table's header row is repeated at the top of every page of the inventory (the
        # first one may begin with the end of the section before, as sections flow).
        assert re.match(r"(.* Site inventory )?Site Connectivity Users SIP phones", text), text[:80]
    # Every site is printed once, and each row is whole: its name and its link on one page.
    for n in range(197):
        name = f"Filiale {n:03d}"
        holding = [t for t in site_pages if name in t]
        assert len(holding) == 1, name
        assert re.search(rf"{name}\s*VPN", holding[0]), f"row of {name} split"


# --- Hostile text and the URL fetcher -------------------------------------------------------


def test_hostile_customer_text_is_printed_as_text_and_fetches_nothing(
    org: Organization, alice: User
) -> None:
    customer = make_customer(org, alice, HOSTILE, contact_name="url(file:///etc/passwd)")
    project = make_project(alice, customer, HOSTILE)
    Site.objects.create(
        project=project,
        name='<img src="file:///etc/passwd">',
        address="background: url(http://127.0.0.1:9/x)",
        connectivity="lan",
        mobile_apps=10,
    )
    pdf, _ = render(project, "en")  # asserts that nothing was refused: nothing was tried
    text = flat(" ".join(pages_text(pdf)))
    assert '<script>alert("x")</script>' in text
    assert "url(file:///etc/passwd)" in text
    assert '<img src="file:///etc/passwd">' in text.replace("/ ", "/")
    assert b"root:x:0:0" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    images = [image for page in reader.pages for image in page.images]
    assert images == []  # no logo, and no image smuggled in by the customer's text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/beacon.png",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        BASE_URL + "static/reports/../../../config/settings.py",
        BASE_URL + "static/reports/fonts/OFL.txt",  # not a type the proposal uses
        BASE_URL + "etc/passwd",
        LOGO_URL,  # no logo given
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files_and_the_logo(url: str) -> None:
    fetcher = ProposalFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_stylesheet_fonts_and_logo() -> None:
    fetcher = ProposalFetcher(logo=b"<svg/>", logo_type="image/svg+xml")
    css = fetcher.fetch(BASE_URL + "static/reports/proposal.css")
    assert b"@page" in css.read()
    font = fetcher.fetch(BASE_URL + "static/reports/fonts/source-sans-3-latin-400-normal.ttf")
    assert font.content_type == "font/ttf"
    assert fetcher.fetch(LOGO_URL).read() == b"<svg/>"
    assert fetcher.refused == []


# --- Branding and what it looks like ------------------------------------------------------


def branded(project: Project) -> bytes:
    logo = png(40, 20, (200, 30, 30))
    organization = project.organization
    organization.primary_color, organization.accent_color = "#123456", "#FF8800"
    organization.legal_footer = "Partner One S.r.l. · Capitale sociale 10.000 €"
    organization.set_logo("image/png", hashlib.sha256(logo).hexdigest(), logo)
    organization.save()
    return logo


def test_the_brand_colours_logo_and_footer_are_used(project: Project) -> None:
    logo = branded(add_sites(project))
    pdf, snapshot = render(project, "it", logo)
    assert snapshot["organization"]["logo"]["sha256"] == hashlib.sha256(logo).hexdigest()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1  # the logo on the cover
    assert "Capitale sociale 10.000 €" in flat(reader.pages[2].extract_text())
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "branded-it.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "4", "branded-it.pdf", "branded-it"],
        cwd=OUTPUT,
        check=True,
        timeout=120,
    )
    cover = Image.open(sorted(OUTPUT.glob("branded-it-*1.png"))[0]).convert("RGB")
    # The cover is painted in the brand's primary colour (#123456).
    assert cover.getpixel((cover.width // 2, cover.height * 9 // 10)) == (0x12, 0x34, 0x56)


def test_the_first_pages_are_kept_as_pictures(project: Project, customer: Customer) -> None:
    pdf, _ = render(add_sites(project), "en")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "typical-en.pdf").write_bytes(pdf)
    for old in OUTPUT.glob("typical-en-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "6", "typical-en.pdf", "typical-en"],
        cwd=OUTPUT,
        check=True,
        timeout=120,
    )
    pictures = sorted(OUTPUT.glob("typical-en-*.png"))
    assert len(pictures) == 6
    for picture in pictures:
        image = Image.open(picture)
        assert image.size[0] > 400
        # Not a blank page: more than one colour in the picture.
        assert len(image.convert("L").getcolors(maxcolors=1 << 16) or []) > 4
