"""How the proposal's sections flow over its pages: no page left nearly blank (a heading, or
the bandwidth chart, alone at the top of a page), while a long inventory still repeats its
table header on every page and never splits a row. Pictures of the pages are kept in
test-output/proposals/ (flow-*.png)."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import Image

from configurator.models import Project
from reports.render import proposal_html, render_pdf
from reports.snapshot import build_snapshot

from .factories import add_sites

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

OUTPUT = Path(django_settings.BASE_DIR) / "test-output" / "proposals"
DPI = 24
# The page box of static/reports/proposal.css: A4, margins 22 mm top, 20 bottom, 16 sides.
BODY_MM = (16, 22, 210 - 16, 297 - 20)
# A page that breaks because the next block does not fit is at least this full; a heading or
# the chart alone at the top of a page fills a sixth of it.
LEAST_FILLED = 0.5
SITE_ROW = re.compile(r"(Filiale \d{3}|Milano|Bergamo|Lodi)\s+(VPN|MPLS|Internet only)\s+\d")


def proposal_pdf(project: Project, language: str) -> tuple[bytes, str]:
    snapshot = build_snapshot(project, language, None)
    rendered = render_pdf(snapshot, None, 3)
    assert rendered.refused_urls == ()
    return rendered.content, proposal_html(snapshot, 3)


def page_pictures(pdf: bytes, name: str) -> list[Image.Image]:
    """Every page as a grey picture; also kept as PNG for a person to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob(f"{name}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "p.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "p.pdf", "p"], cwd=folder, check=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "p.pdf", str(OUTPUT / name)], cwd=folder, check=True
        )
        return [Image.open(path).copy() for path in sorted(Path(folder).glob("p-*.pgm"))]


def filled(page: Image.Image) -> float:
    """How far down the page body something is printed (0: blank, 1: to the footer)."""
    x0, y0, x1, y1 = (round(mm * DPI / 25.4) for mm in BODY_MM)
    body = page.crop((x0, y0, x1, y1))
    pixels = body.load()
    inked = [y for y in range(body.height) if any(pixels[x, y] < 235 for x in range(body.width))]
    return (inked[-1] + 1) / body.height if inked else 0.0


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def titles(document: str) -> set[str]:
    """The headings and table captions of the proposal's HTML, as their text reads."""
    found = re.findall(r"<(h2|h3|caption)\b[^>]*>(.*?)</\1>", document, flags=re.S)
    return {flat(html.unescape(re.sub(r"<[^>]+>", " ", text))).strip() for _tag, text in found}


def stranded(pdf: bytes, document: str) -> list[tuple[int, str]]:
    """Headings and captions printed last on their page, apart from what they introduce
    (the page's running footer, the legal name and its number, does not count)."""
    found = []
    for number, text in enumerate(page_texts(pdf), start=1):
        body = re.sub(r"\S[^\n]*\n+(Page|Pagina) \d+ / \d+\s*$", "", text.strip())
        found += [
            (number, title) for title in titles(document) if flat(body).strip().endswith(title)
        ]
    return found


def page_texts(pdf: bytes, *options: str) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", *options, file.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return text.split("\f")[:-1]


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_three_site_proposal_has_no_nearly_blank_page(project: Project, language: str) -> None:
    pdf, document = proposal_pdf(add_sites(project), language)
    assert stranded(pdf, document) == []
    fills = [filled(page) for page in page_pictures(pdf, f"flow-three-{language}")]
    # The cover is a page of its own; the last page ends where the proposal ends.
    short = {
        number: round(fill, 2)
        for number, fill in enumerate(fills[1:-1], start=2)
        if fill < LEAST_FILLED
    }
    assert short == {}, f"pages filled less than half ({language}): {short} of {len(fills)}"
    # The bandwidth chart (the last figure of the sizing) is not alone on its page either.
    chart = re.search(r'<figure class="chart">.*?<figcaption>(.*?)</figcaption>', document, re.S)
    assert chart
    caption = flat(html.unescape(chart.group(1)))[:40]
    chart_pages = [n for n, text in enumerate(page_texts(pdf), start=1) if caption in flat(text)]
    assert len(chart_pages) == 1
    assert chart_pages[0] == len(fills) or fills[chart_pages[0] - 1] >= LEAST_FILLED


def test_two_hundred_sites_keep_headers_and_whole_rows_without_blank_pages(
    project: Project,
) -> None:
    pdf, document = proposal_pdf(add_sites(project, 200), "en")
    assert stranded(pdf, document) == []
    fills = [filled(page) for page in page_pictures(pdf, "flow-200-en")]
    short = [n for n, fill in enumerate(fills[1:-1], start=2) if fill < LEAST_FILLED]
    assert short == [], f"nearly blank pages {short} of {len(fills)}"
    laid_out = page_texts(pdf, "-layout")
    inventory = [
        text for text in laid_out if re.search(r"Filiale \d{3}", text) and "Connectivity" in text
    ]
    assert len(inventory) >= 4
    for text in inventory:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        header = next(n for n, line in enumerate(lines) if re.match(r"Site\s+Connectivity", line))
        rows = [n for n, line in enumerate(lines) if SITE_ROW.match(line)]
        assert rows and header < rows[0], "the table header is not repeated above this page's rows"
        # A whole row: the site's name, its link and its counts on one line.
        for line in lines:
            if re.match(r"Filiale \d{3}", line):
                assert re.fullmatch(r"Filiale \d{3}\s+VPN(\s+\d+){6,}", line), line
    # Every site once (the diagrams above the inventory name a few of them too, not in rows).
    names = [
        match.group(1)
        for text in inventory
        for line in text.splitlines()
        if (match := SITE_ROW.match(line.strip())) and match.group(1).startswith("Filiale")
    ]
    assert sorted(names) == [f"Filiale {n:03d}" for n in range(197)]
    assert sum(text.count("Total") for text in inventory) == 1  # totals once, at the end
