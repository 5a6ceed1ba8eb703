"""Shared support for the browser tests: headless Chromium through Playwright (Debian's
/usr/bin/chromium), a page per test with JavaScript on or off, console errors collected,
a screenshot of every test's last state in test-output/screenshots/, and helpers.

The fixtures are registered for every test module by tests/conftest.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
    sync_playwright,
)

from configurator.models import Organization, Project, Site, User

from .factories import PASSWORD, make_customer, make_project

SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
INVALID_IT_VAT = "An Italian VAT number has 11 digits with a valid check digit."


# --- Fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


CONSOLE_ERRORS = pytest.StashKey[list[str]]()


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name)
    page.screenshot(path=SCREENSHOTS / f"{safe}.png", full_page=True)


def _open_page(
    browser: Browser, request: pytest.FixtureRequest, *, javascript: bool
) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    # Count htmx requests in flight so a test can wait for them before it leaves a page
    # (leaving mid-request makes htmx log an abort as an error).
    context.add_init_script(
        "window.__htmxInFlight = 0;"
        "document.addEventListener('htmx:beforeSend', (event) => {"
        "  window.__htmxInFlight++;"
        "  event.detail.xhr.addEventListener('loadend', () => window.__htmxInFlight--);"
        "});"
    )
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # htmx logs a request it aborted on purpose (a stale live preview replaced by a newer
        # request, or left behind by a navigation) as "htmx:afterRequest" then
        # "htmx:sendAbort": not an error of the page. Failed requests (sendError,
        # responseError) still count.
        if message.text.startswith("htmx:sendAbort"):
            if errors and errors[-1].startswith("htmx:afterRequest"):
                errors.pop()
            return
        errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    request.node.stash[CONSOLE_ERRORS] = errors
    try:
        yield page
    finally:
        try:
            _screenshot(page, request.node.name)
        finally:
            context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, live_server: object) -> Iterator[Page]:
    """A fresh browser context with JavaScript on, English, desktop viewport."""
    yield from _open_page(browser, request, javascript=True)


@pytest.fixture
def nojs_page(
    browser: Browser, request: pytest.FixtureRequest, live_server: object
) -> Iterator[Page]:
    """A fresh browser context with JavaScript disabled."""
    yield from _open_page(browser, request, javascript=False)


@pytest.fixture
def console_errors(request: pytest.FixtureRequest, page: Page) -> list[str]:
    """JavaScript errors and CSP violations the page reported so far (live list)."""
    return request.node.stash[CONSOLE_ERRORS]


# --- Helpers ----------------------------------------------------------------------------


def wait_for_htmx_idle(page: Page) -> None:
    """Wait until no htmx request is in flight and no debounced one is about to start."""
    for _ in range(2):  # twice, across the longest debounce (400 ms), to catch a late one
        page.wait_for_function("() => window.__htmxInFlight === 0")
        page.wait_for_timeout(500)
    page.wait_for_function("() => window.__htmxInFlight === 0")


def sign_in(page: Page, base_url: str, username: str = "alice") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Projects")).to_be_visible()


def results(page: Page) -> Locator:
    """The project (or customer) results region. `.last`: while the htmx swap nests a
    second #results inside the first (see test_htmx_swap_keeps_one_results_region), the
    inner one is the fresh one."""
    return page.locator("#results").last


def is_search_response(term: str) -> Callable[[Response], bool]:
    def predicate(response: Response) -> bool:
        parts = urlsplit(response.url)
        return parts.path == "/projects/" and parse_qs(parts.query).get("q") == [term]

    return predicate


@pytest.fixture
def sized_project(org: Organization, alice: User) -> Project:
    project = make_project(alice, make_customer(org, alice, "Ospedale San Luca"), "Three sites")
    for name, link in (("Milano", "mpls"), ("Bergamo", "mpls"), ("Lodi", "vpn")):
        Site.objects.create(
            project=project, name=name, connectivity=link, sip_phones=40, mobile_apps=300
        )
    return project
