"""What a reader meets in headless Chromium, in Italian and English: the bandwidth chart with
no text over a bar or another text (boxes measured by the browser), numbers and dates as
the language writes them, and choices by their labels, never their codes. Pictures of the
changed parts go to test-output/screenshots/labels-*.png."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from configurator.models import Project, Site, User
from reports.render import render_pdf
from reports.snapshot import build_snapshot

from .browser_support import SCREENSHOTS, sign_in
from .spreadsheets import HEADER

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


@pytest.fixture(autouse=True)
def _patient_navigation(page: Page) -> None:
    """The first page of a fresh live server can take longer than 10 s on a busy machine."""
    page.set_default_navigation_timeout(30_000)


def in_language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def picture(page: Page, selector: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).first.screenshot(path=SCREENSHOTS / f"labels-{name}.png")


# Every text and bar of the chart as the browser lays it out, in the SVG's own units.
BOXES = """(svg) => [...svg.querySelectorAll('text, rect, line')].map((node) => {
  const box = node.getBBox();
  return {what: node.textContent || node.tagName, x: box.x, y: box.y,
          right: box.x + box.width, bottom: box.y + box.height};
})"""


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["right"] <= b["x"]
        or b["right"] <= a["x"]
        or a["bottom"] <= b["y"]
        or b["bottom"] <= a["y"]
    )


@pytest.fixture
def large_project(sized_project: Project) -> Project:
    """A project whose connections' need has four digits and decimals: 3,684 devices."""
    Site.objects.create(
        project=sized_project, name="Pavia", connectivity="vpn", sip_phones=5, mobile_apps=2_784
    )
    sized_project.concurrency = Decimal("1")
    sized_project.hypervisor = "vmware"
    sized_project.save()
    return sized_project


@pytest.mark.parametrize(
    ("language", "need"), [("en", "1,768.32 Mbit/s"), ("it", "1.768,32 Mbit/s")]
)
def test_the_chart_keeps_its_texts_apart_in_the_readers_format(
    page: Page,
    live_server: object,
    large_project: Project,
    alice: User,
    console_errors: list[str],
    language: str,
    need: str,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    in_language(page, base, language)
    page.goto(f"{base}/projects/{large_project.pk}/sites/")
    chart = page.locator("#results-panel svg.chart")
    expect(chart).to_contain_text(need)
    expect(chart).to_contain_text("(R11)")
    expect(chart).to_contain_text("(S3)")
    boxes = chart.evaluate(BOXES)
    view = chart.evaluate("(svg) => svg.viewBox.baseVal.width")
    for box in boxes:
        assert box["x"] >= 0 and box["right"] <= view, box
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), (a, b)
    picture(page, "#results-panel .chartbox", f"chart-{language}")
    assert console_errors == []


@pytest.mark.parametrize(
    ("language", "hypervisor", "internet"),
    [
        ("en", "VMware ESXi / vSphere", "Internet only"),
        ("it", "VMware ESXi / vSphere", "Solo internet"),
    ],
)
def test_choices_read_as_labels_on_the_project_and_the_import_preview(
    page: Page,
    live_server: object,
    large_project: Project,
    alice: User,
    console_errors: list[str],
    tmp_path: Path,
    language: str,
    hypervisor: str,
    internet: str,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    in_language(page, base, language)
    page.goto(f"{base}/projects/{large_project.pk}/")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(hypervisor)
    expect(facts).to_contain_text("100\u00a0%")
    expect(facts).not_to_contain_text("vmware")
    expect(facts).not_to_contain_text("Giovedì")  # dates without a weekday
    picture(page, "dl.facts", f"project-{language}")

    sheet = tmp_path / "sites.csv"
    sheet.write_text(f"{HEADER}\nCremona,,internet,5,5,0,0,0,0,0\nPavia,,vpn,5,5,0,0,0,0,0\n")
    page.goto(f"{base}/projects/{large_project.pk}/sites/import/")
    page.locator("input[type=file]").set_input_files(sheet)
    page.locator("form[enctype] button[type=submit]").click()
    preview = page.locator("section[aria-labelledby=preview-title] table")
    expect(preview).to_contain_text(internet)
    expect(preview).to_contain_text("VPN")
    picture(page, "section[aria-labelledby=preview-title]", f"import-preview-{language}")
    assert console_errors == []


@pytest.mark.usefixtures("media_storage")
@pytest.mark.parametrize(
    ("language", "need", "english_need"),
    [("it", "1.768,32 Mbit/s", "1,768.32"), ("en", "1,768.32 Mbit/s", "1.768,32")],
)
def test_the_pdf_pages_keep_labels_numbers_and_dates_of_their_language(
    large_project: Project, language: str, need: str, english_need: str
) -> None:
    """The PDF's cover (date), summary (hypervisor, share) and chart pages, kept as pictures."""
    rendered = render_pdf(build_snapshot(large_project, language, None), None, 1)
    pages = [
        re.sub(r"\s+", " ", page.extract_text())
        for page in PdfReader(io.BytesIO(rendered.content)).pages
    ]
    text = " ".join(pages)
    assert need in text and english_need not in text
    assert "VMware ESXi / vSphere" in text and "vmware" not in text
    assert "100 %" in text
    assert not re.search(r"Giovedì|\b0\d (Dicembre|dicembre)", text)
    chart_page = next(n for n, page in enumerate(pages, start=1) if "(R11)" in page)
    summary_page = next(n for n, page in enumerate(pages, start=1) if "Hypervisor" in page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / f"labels-pdf-{language}.pdf"
    pdf.write_bytes(rendered.content)
    for number in sorted({1, summary_page, chart_page}):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", str(number), "-l", str(number),
             pdf.name, f"labels-pdf-{language}-page{number}"],
            cwd=SCREENSHOTS,
            check=True,
            timeout=120,
        )  # fmt: skip
