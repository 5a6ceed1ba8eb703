"""The site inventory as a table in headless Chromium: sorted by a click,
edited in its row, cards or table chosen by a link, with and without JavaScript. Pictures
of the table in both languages go to test-output/screenshots/site-table-{en,it}.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from configurator.models import Project, Site

from .browser_support import SCREENSHOTS, sign_in, wait_for_htmx_idle
from .factories import add_sites, make_site

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


WORDS = {
    "en": {"cards": "Cards", "edit": "Edit", "users": "Users", "save": "Save site"},
    "it": {"cards": "Schede", "edit": "Modifica", "users": "Utenti", "save": "Salva la sede"},
}
DUPLICATE = {"en": "Duplicate", "it": "Duplica"}


@pytest.mark.parametrize("language", ["en", "it"])
def test_cards_chosen_stay_after_a_save_without_javascript(
    nojs_page: Page, live_server: object, twelve_sites: Project, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    words = WORDS[language]
    sign_in(nojs_page, base)
    nojs_page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    nojs_page.goto(f"{base}/projects/{twelve_sites.pk}/sites/")
    nojs_page.get_by_role("link", name=words["cards"]).click()
    nojs_page.get_by_role("link", name=f"{words['edit']} Bergamo").click()
    editing = nojs_page.locator("form.siterow--editing")
    editing.get_by_label(words["users"], exact=True).fill("77")
    editing.get_by_role("button", name=words["save"]).click()
    expect(nojs_page.locator("article.siterow")).to_have_count(12)
    nojs_page.get_by_role("button", name=f"{DUPLICATE[language]} Bergamo").click()
    expect(nojs_page.locator("article.siterow")).to_have_count(13)
    expect(nojs_page.locator(".sitetable")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    nojs_page.locator("#inventory").screenshot(path=SCREENSHOTS / f"site-cards-kept-{language}.png")


LAPTOPS = [1280, 1366]


@pytest.mark.parametrize("width", LAPTOPS)
@pytest.mark.parametrize("language", ["en", "it"])
def test_the_table_fits_a_laptop_with_every_button_in_view(
    browser: Browser, live_server: object, twelve_sites: Project, language: str, width: int
) -> None:
    """Ten columns, long names and five-digit counts, the longest (Italian) headers: no
    sideways scrolling in the table, and each row's buttons in view."""
    make_site(
        twelve_sites,
        "Presidio ambulatoriale Valle Brembana",
        "internet",
        address="Via Papa Giovanni XXIII 123, San Giovanni Bianco",
        **{name: 12345 for name in Site.COUNT_FIELDS},
    )
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    try:
        laptop = context.new_page()
        sign_in(laptop, base)
        laptop.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        laptop.goto(f"{base}/projects/{twelve_sites.pk}/sites/?view=table")
        expect(laptop.locator(".sitetable tbody tr")).to_have_count(13)
        wrap = laptop.locator(".sitetable")
        sizes = wrap.evaluate(
            "(wrap) => ({scroll: wrap.querySelector('table').scrollWidth,"
            " table: wrap.scrollWidth, client: wrap.clientWidth,"
            " page: document.documentElement.scrollWidth, inner: innerWidth})"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        laptop.locator("#inventory").screenshot(
            path=SCREENSHOTS / f"site-table-{width}-{language}.png"
        )
        assert sizes["table"] <= sizes["client"], sizes
        assert sizes["scroll"] <= sizes["client"], sizes
        assert sizes["page"] <= sizes["inner"], sizes
        box = wrap.bounding_box()
        assert box is not None
        buttons = laptop.locator(".sitetable__actions :is(a, button)")
        assert buttons.count() == 13 * 3
        for button in buttons.all():
            edge = button.bounding_box()
            assert edge is not None
            assert box["x"] <= edge["x"] and edge["x"] + edge["width"] <= box["x"] + box["width"]
            assert edge["x"] + edge["width"] <= width
        # A shortened header names its column in full: in its <abbr title>, and to a screen
        # reader as its sort link's name.
        full = {"en": "TVoxTeam Smartworking", "it": "Utenti TVoxTeam Smartworking"}[language]
        expect(laptop.locator(f'.sitetable thead abbr[title="{full}"]')).to_have_text("SW Team")
        expect(laptop.get_by_role("link", name=full, exact=True)).to_be_visible()

        # The row being edited holds the site's form, within the same width.
        lodi = twelve_sites.sites.get(name="Lodi")
        laptop.goto(f"{base}/projects/{twelve_sites.pk}/sites/?view=table&edit={lodi.pk}")
        expect(laptop.locator("form.siterow--editing")).to_be_visible()
        assert wrap.evaluate("(wrap) => wrap.scrollWidth <= wrap.clientWidth")
    finally:
        context.close()
