"""The results panel in headless Chromium while sites change in quick succession: it ends
on the last change and the browser console stays empty, the requests htmx would log as
aborted (htmx:sendAbort) included, which the console_errors fixture lets pass."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from configurator.models import Project

from .browser_support import sign_in, wait_for_htmx_idle

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


@pytest.fixture(autouse=True)
def _patient_navigation(page: Page) -> None:
    page.set_default_navigation_timeout(30_000)


def every_console_error(page: Page) -> list[str]:
    """Every error the console shows from now on, unfiltered (a live list)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    return errors


def test_rapid_site_changes_leave_the_panel_on_the_last_and_the_console_empty(
    page: Page, live_server: object, sized_project: Project, console_errors: list[str]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/sites/")
    panel = page.locator("#results-panel")
    expect(panel).to_contain_text("900 MCS devices")
    raw = every_console_error(page)

    # Each refresh of the panel answers late, so that the next change lands while the
    # one before is still on its way, and a draft's preview lands in between.
    answered: list[bool] = []

    def answer_late(route: Route) -> None:
        response = route.fetch()
        page.wait_for_timeout(600)
        with contextlib.suppress(PlaywrightError):  # given up by the page: allowed
            route.fulfill(response=response)
        answered.append(True)

    page.route(re.compile(r"/projects/\d+/results/"), answer_late)
    page.on("dialog", lambda dialog: dialog.accept())
    heading = page.locator("#inventory h2")
    page.get_by_role("button", name="Duplicate Milano").click()
    expect(heading).to_have_text("4 sites")
    new = page.locator("form.siterow--new")
    new.get_by_label("Name").fill("Cremona")
    new.get_by_label("Mobile apps").fill("50")
    page.wait_for_timeout(450)  # the draft's preview goes out while the refresh waits
    page.get_by_role("button", name="Duplicate Bergamo").click()
    expect(heading).to_have_text("5 sites")
    page.get_by_role("button", name="Remove Milano (copy)").click()
    expect(heading).to_have_text("4 sites")
    page.get_by_role("button", name="Duplicate Lodi").click()
    expect(heading).to_have_text("5 sites")

    while len(answered) < 2:
        page.wait_for_timeout(50)
    wait_for_htmx_idle(page)
    expect(panel).to_contain_text("over 5 sites")
    expect(panel).to_contain_text("1,500 MCS devices")
    assert page.locator("#results-panel").count() == 1
    assert raw == []
    assert console_errors == []
