"""The manager's dashboard in headless Chromium without JavaScript: from the navigation to
the review queue, a period chosen with the plain form, the figures' export, and the same
page in Italian. Pictures go to test-output/screenshots/dashboard-{en,it}.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from configurator.models import Project, ProjectStatus, User
from review.models import Action, Transition

from .browser_support import SCREENSHOTS, sign_in
from .factories import make_project, make_site

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """The summaries are sized with the table in effect (see conftest.sizing_table)."""


@pytest.fixture
def waiting(alice: User, bob: User, maria: User) -> Project:
    project = make_project(alice, title="Ospedale Nord", status=ProjectStatus.IN_REVIEW)
    make_site(project, "Milano", "mpls", users=5, sip_phones=4, mobile_apps=300)
    Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
        at=timezone.now() - dt.timedelta(days=3, hours=2),
    )
    make_site(make_project(bob, title="Banca Est"), "Roma", "lan", mobile_apps=40)
    return project


def test_a_manager_reads_the_dashboard_without_javascript(
    nojs_page: Page, live_server: object, waiting: Project
) -> None:
    page = nojs_page
    page.set_default_navigation_timeout(30_000)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "maria")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()

    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    queue = page.locator("section[aria-labelledby=queue-heading]")
    expect(queue.get_by_role("link", name="Ospedale Nord")).to_have_attribute(
        "href", f"/projects/{waiting.pk}/review/"
    )
    expect(queue).to_contain_text("3 d 2 h")
    page.get_by_label("Period").select_option("all")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{base}/dashboard/?period=all&start=&end=&owner=")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(7)
    devices = page.locator("table[aria-labelledby=mcs-devices-heading]")
    expect(devices.get_by_role("row", name="Total")).to_contain_text("340")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-en.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_label("Language").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(devices.get_by_role("row", name="Totale")).to_contain_text("340")
    expect(page.locator("table[aria-labelledby=by-status-heading]")).to_contain_text("In revisione")
    page.screenshot(path=SCREENSHOTS / "dashboard-it.png", full_page=True)
