"""The import preview fits the page: on a 1,366 px screen and on a 1,280 px laptop the table of
a file with long addresses needs no horizontal scroll, and the check column stays narrow."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project, User

from .browser_support import SCREENSHOTS, sign_in
from .spreadsheets import HEADER

pytestmark = [pytest.mark.browser]

LONG_ADDRESSES = [
    "Via Giovanni Battista Pergolesi 123, Scala B, 20124 Milano (MI), Lombardia, Italia",
    "Viale Papa Giovanni XXIII 45, Palazzina Amministrazione, 24121 Bergamo (BG), Italia",
    "Piazza della Vittoria 7, Piano terzo, Ufficio relazioni con il pubblico, 26900 Lodi",
    "Corso Strada Nuova 65, Dipartimento di medicina interna, 27100 Pavia (PV), Italia",
    "Via Dante Alighieri 1, Centro servizi territoriali, 26100 Cremona (CR), Italia",
]
# The check column holds "OK" or a row's refusals, which wrap: 12rem at most.
NARROW_CHECK_PX = 192


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


@pytest.fixture(autouse=True)
def _patient_navigation(page: Page) -> None:
    """The first page of a fresh live server can take longer than 10 s on a busy machine."""
    page.set_default_navigation_timeout(30_000)


def long_address_sheet(folder: Path) -> Path:
    """Five sites with long addresses; the fourth refused (an unknown connectivity), so the
    check column holds a message as well as OKs."""
    links = ["mpls", "internet", "vpn", "satellite", "lan"]
    lines = [
        f'Sede {n + 1},"{address}",{link},120,80,300,40,10,25,15'
        for n, (address, link) in enumerate(zip(LONG_ADDRESSES, links, strict=True))
    ]
    sheet = folder / "sites.csv"
    sheet.write_text("\n".join([HEADER, *lines]) + "\n")
    return sheet


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("width", [1366, 1280])
def test_it_fits_the_preview_table_to_the_page_without_horizontal_scroll(
    page: Page,
    live_server: object,
    sized_project: Project,
    alice: User,
    console_errors: list[str],
    tmp_path: Path,
    width: int,
    language: str,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/projects/{sized_project.pk}/sites/import/")
    page.locator("input[type=file]").set_input_files(long_address_sheet(tmp_path))
    page.locator("form[enctype] button[type=submit]").click()
    section = page.locator("section[aria-labelledby=preview-title]")
    table = section.locator("table")
    expect(table).to_contain_text("Pergolesi")

    wrap = section.locator(".tablewrap")
    scroll_width = table.evaluate("(t) => t.scrollWidth")
    client_width = wrap.evaluate("(w) => w.clientWidth")
    assert scroll_width <= client_width, (scroll_width, client_width)
    assert wrap.evaluate("(w) => w.scrollWidth <= w.clientWidth")
    check_width = section.locator("thead th").nth(1).evaluate("(th) => th.offsetWidth")
    assert check_width <= NARROW_CHECK_PX, check_width
    # Every column's full name stays readable (title) and heard (the header's text).
    headers = section.locator("thead th")
    expect(headers.last).to_have_attribute(
        "title", "TVoxTeam Smartworking" if language == "en" else "Utenti TVoxTeam Smartworking"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=SCREENSHOTS / f"import-preview-{width}-{language}.png")
    assert console_errors == []
