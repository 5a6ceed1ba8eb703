"""The branding page in headless Chromium: an administrator uploads a logo and sets the
colours and legal footer; it works in Italian and without JavaScript too."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Organization, User

from .browser_support import _screenshot, sign_in
from .factories import png

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_storage")]


def test_an_administrator_brands_the_proposals(
    page: Page,
    live_server: object,
    adam: User,
    org: Organization,
    tmp_path: Path,
    console_errors: list[str],
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(64, 32, (200, 30, 30)))
    sign_in(page, str(live_server), "adam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Branding").click()
    expect(page.get_by_role("heading", level=1, name="Branding")).to_be_visible()
    expect(page.get_by_text("No logo has been uploaded yet.")).to_be_visible()

    page.get_by_label("Logo", exact=True).set_input_files(logo)
    page.get_by_label("Primary colour").fill("#123456")
    page.get_by_label("Legal footer").fill("Partner One S.r.l. · Capitale sociale € 10.000")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Branding saved.")).to_be_visible()
    current = page.get_by_role("img", name="Current logo")
    expect(current).to_be_visible()
    # The preview is the stored logo, served back by the application.
    assert current.evaluate("img => img.naturalWidth") == 64
    expect(page.get_by_text("#123456")).to_be_visible()
    _screenshot(page, "branding-saved")
    org.refresh_from_db()
    assert (org.primary_color.upper(), org.logo_content_type) == ("#123456", "image/png")
    assert org.legal_footer.endswith("€ 10.000")
    assert console_errors == []


def test_a_file_that_is_not_a_logo_is_refused_in_italian_without_javascript(
    nojs_page: Page, live_server: object, adam: User, org: Organization, tmp_path: Path
) -> None:
    page = nojs_page
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a not a png at all")
    sign_in(page, str(live_server), "adam")
    page.locator("#language-select").select_option("it")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("link", name="Branding").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    # Every text of the page in Italian, the logo's limits included (a lazy text formatted
    # at import time stays English).
    expect(page.get_by_text("PNG o SVG, al massimo 512 KB")).to_be_visible()
    page.get_by_label("Logo", exact=True).set_input_files(fake)
    page.get_by_role("button", name="Salva").click()

    error = page.locator("#id_logo_error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    _screenshot(page, "branding-refused-it")
    org.refresh_from_db()
    assert not org.logo
