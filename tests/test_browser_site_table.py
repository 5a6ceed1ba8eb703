"""The site inventory as a table in headless Chromium: sorted by a click,
edited in its row, cards or table chosen by a link, with and without JavaScript. Pictures
of the table in both languages go to test-output/screenshots/site-table-{en,it}.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project

from .browser_support import SCREENSHOTS, sign_in, wait_for_htmx_idle
from .factories import add_sites

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


@pytest.fixture(autouse=True)
def _patient_navigation(page: Page) -> None:
    """The first page of a fresh live server can take longer than 10 s on a busy machine."""
    page.set_default_navigation_timeout(30_000)


@pytest.fixture
def twelve_sites(project: Project) -> Project:
    return add_sites(project, 12)


def first_rows(page: Page, count: int) -> list[str]:
    return page.locator(".sitetable tbody th[scope=row]").all_inner_texts()[:count]


def test_the_table_sorts_by_a_click_and_edits_a_row_in_place(
    page: Page, live_server: object, twelve_sites: Project, console_errors: list[str]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    expect(page.locator(".sitetable tbody tr")).to_have_count(12)
    expect(page.locator(".sitetable tfoot")).to_contain_text("523")  # 300+120+40+9×7 apps
    page.get_by_role("link", name="Mobile apps").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Mobile apps")
    page.get_by_role("link", name="Mobile apps").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Mobile apps")
    assert first_rows(page, 3) == ["Milano", "Bergamo", "Lodi"]
    expect(page).to_have_url(re.compile(r"\?sort=-mobile_apps$"))

    page.get_by_role("link", name="Edit Lodi").click()
    editing = page.locator("form.siterow--editing")
    editing.get_by_label("Mobile apps").fill("5000")
    editing.get_by_role("button", name="Save site").click()
    expect(page.locator("form.siterow--editing")).to_have_count(0)
    assert first_rows(page, 3) == ["Lodi", "Milano", "Bergamo"]
    expect(page.locator(".sitetable tfoot")).to_contain_text("5,483")
    assert twelve_sites.sites.get(name="Lodi").mobile_apps == 5000

    page.get_by_role("link", name="Cards").click()
    expect(page.locator("article.siterow")).to_have_count(12)
    expect(page).to_have_url(re.compile(r"\?view=cards$"))
    assert console_errors == []


def test_the_table_works_without_javascript(
    nojs_page: Page, live_server: object, twelve_sites: Project
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(nojs_page, base)
    nojs_page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    nojs_page.get_by_role("link", name="Site", exact=True).click()
    nojs_page.get_by_role("link", name="Site", exact=True).click()
    expect(nojs_page.locator("th[aria-sort=descending]")).to_contain_text("Site")
    assert first_rows(nojs_page, 2) == ["Milano", "Lodi"]

    nojs_page.get_by_role("link", name="Edit Bergamo").click()
    expect(nojs_page).to_have_url(re.compile(r"sort=-name"))
    editing = nojs_page.locator("form.siterow--editing")
    editing.get_by_label("Users").fill("77")
    editing.get_by_role("button", name="Save site").click()
    expect(nojs_page.locator(".sitetable")).to_contain_text("77")
    assert twelve_sites.sites.get(name="Bergamo").users == 77

    nojs_page.get_by_role("link", name="Cards").click()
    expect(nojs_page.locator("article.siterow")).to_have_count(12)
    nojs_page.get_by_role("link", name="Table").click()
    expect(nojs_page.locator(".sitetable tbody tr")).to_have_count(12)


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_picture_of_the_table_in_each_language(
    page: Page, live_server: object, twelve_sites: Project, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/projects/{twelve_sites.pk}/sites/?sort=-mobile_apps")
    total = {"en": "Total", "it": "Totale"}[language]
    expect(page.locator(".sitetable tfoot th")).to_have_text(total)
    header = {"en": "Mobile apps", "it": "App mobili"}[language]
    expect(page.locator("th[aria-sort=descending]")).to_contain_text(header)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#inventory").screenshot(path=SCREENSHOTS / f"site-table-{language}.png")


def test_cards_chosen_above_five_sites_stay_through_edits_copies_and_removals(
    page: Page, live_server: object, twelve_sites: Project, console_errors: list[str]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    expect(page.locator(".sitetable")).to_be_visible()
    page.get_by_role("link", name="Cards").click()
    cards = page.locator("article.siterow")
    expect(cards).to_have_count(12)

    page.get_by_role("link", name="Edit Lodi").click()
    editing = page.locator("form.siterow--editing")
    editing.get_by_label("Users").fill("55")
    editing.get_by_role("button", name="Save site").click()
    expect(page.locator("form.siterow--editing")).to_have_count(0)
    expect(cards).to_have_count(12)
    expect(page.locator(".sitetable")).to_have_count(0)
    page.get_by_role("button", name="Duplicate Milano").click()
    expect(cards).to_have_count(13)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Milano (copy)").click()
    expect(cards).to_have_count(12)
    new = page.locator("form.siterow--new")
    new.get_by_label("Name").fill("Cremona")
    new.get_by_role("button", name="Add site").click()
    expect(cards).to_have_count(13)
    wait_for_htmx_idle(page)
    page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    expect(cards).to_have_count(13)
    assert console_errors == []


def test_cards_chosen_stay_after_a_save_without_javascript(
    nojs_page: Page, live_server: object, twelve_sites: Project
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(nojs_page, base)
    nojs_page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    nojs_page.get_by_role("link", name="Cards").click()
    nojs_page.get_by_role("link", name="Edit Bergamo").click()
    editing = nojs_page.locator("form.siterow--editing")
    editing.get_by_label("Users").fill("77")
    editing.get_by_role("button", name="Save site").click()
    expect(nojs_page.locator("article.siterow")).to_have_count(12)
    nojs_page.get_by_role("button", name="Duplicate Bergamo").click()
    expect(nojs_page.locator("article.siterow")).to_have_count(13)
    expect(nojs_page.locator(".sitetable")).to_have_count(0)
