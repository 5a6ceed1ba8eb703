"""Frictions a person meets in the browser: a count field that keeps its "0" in front of
what is typed, a manager sent to "Not allowed" from the flow, errors in the console while
answers are ticked quickly, the missing icon.

alice (a sales engineer) owns the project; maria, her manager, only reads it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project, Site

from .browser_support import sign_in, wait_for_htmx_idle

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


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
