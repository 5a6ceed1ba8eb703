"""Frictions a person meets in the browser: a count field that keeps its "0" in front of
what is typed, a manager sent to "Not allowed" from the flow, errors in the console while
answers are ticked quickly, the missing icon.

alice (a sales engineer) owns the project; maria, her manager, only reads it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import Page, expect

from configurator.models import Project, Site, User

from .browser_support import sign_in, wait_for_htmx_idle

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


@pytest.fixture(autouse=True, scope="module")
def _views_imported() -> None:
    """The first request imports every view module (WeasyPrint among them), seconds on a
    busy machine: done here, it does not eat the first page's time limit."""
    get_resolver().url_patterns  # noqa: B018


def test_typing_a_count_into_a_new_site_saves_what_was_typed(
    page: Page, live_server: object, sized_project: Project, console_errors: list[str]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/sites/")
    new = page.locator("form.siterow--new")
    new.get_by_label("Site name").fill("Cremona")
    users = new.get_by_label("Users")
    # Where a person clicks to start typing: the left of the field, before any "0" in it.
    users.click(position={"x": 4, "y": 8})
    page.keyboard.type("450")
    new.get_by_role("button", name="Add site").click()
    expect(page.locator("#inventory h2")).to_have_text("4 sites")
    wait_for_htmx_idle(page)
    cremona = Site.objects.get(project=sized_project, name="Cremona")
    assert (cremona.users, cremona.sip_phones, cremona.widgets) == (450, 0, 0)
    assert console_errors == []


# --- A manager walks every step of the flow ---------------------------------------------

STEPS = ["Customer and project", "Questionnaire", "Sites", "Results", "Proposal"]


def buttons_and_links(page: Page) -> tuple[list[str], list[str]]:
    """What the page offers in its main region: the forms its visible buttons submit
    (their action) and the addresses of its visible links."""
    found: tuple[list[str], list[str]] = page.locator("#main").evaluate(
        """main => {
            const shown = (el) => el.checkVisibility();
            const buttons = [...main.querySelectorAll("button, input[type=submit]")]
                .filter(shown).map((b) => b.form ? b.form.action : "(no form)");
            const links = [...main.querySelectorAll("a[href]")].filter(shown)
                .map((a) => a.href.split("#")[0]);
            return [buttons, links];
        }"""
    )
    return found


def test_a_manager_walks_every_step_without_a_dead_end(
    page: Page,
    live_server: object,
    sized_project: Project,
    maria: User,
    console_errors: list[str],
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "maria")
    page.goto(f"{base}/projects/{sized_project.pk}/")
    for step in STEPS:
        with page.expect_navigation() as navigation:
            page.locator("nav.flow").get_by_role("link", name=step).click()
        response = navigation.value
        assert response is not None and response.status == 200, (step, response)
        expect(page.locator("nav.flow [aria-current=step]")).to_contain_text(step)
        expect(page.get_by_text("Read-only").first).to_be_visible()
        wait_for_htmx_idle(page)
        buttons, links = buttons_and_links(page)
        assert buttons == [], (step, buttons)
        for link in links:
            status = page.request.get(link, max_redirects=0).status
            assert status in (200, 302), (step, link, status)
    assert console_errors == []


# --- Answers ticked quickly log nothing --------------------------------------------------


def test_ticking_answers_quickly_logs_no_error(
    page: Page, live_server: object, sized_project: Project
) -> None:
    """Every console error, unfiltered: the requests that replace each other are not."""
    logged: list[str] = []
    page.on("console", lambda message: message.type == "error" and logged.append(message.text))
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/questionnaire/")
    private = page.get_by_label(re.compile("private infrastructure"))
    sent = []
    page.on("request", lambda request: "/preview/" in request.url and sent.append(request))
    for _ in range(4):  # tick and untick faster than the answers come back
        private.click(delay=0)
        private.click(delay=0)
    private.click()
    wait_for_htmx_idle(page)
    assert len(sent) > 1
    expect(private).to_be_checked()
    panel = page.locator("#results-panel .recommendation")
    expect(panel).to_contain_text("TVox + MCS")
    assert logged == []


def test_the_browser_finds_the_favicon(page: Page, live_server: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    response = page.request.get(f"{base}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in response.body()
