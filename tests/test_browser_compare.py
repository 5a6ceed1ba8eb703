"""Comparing versions in headless Chromium, without JavaScript: the project page says the
rules changed since the offer, its link opens the comparison, the form picks two versions
and can hide what is the same. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project, Site, User
from reports.snapshot import create_proposal

from .browser_support import _screenshot, sign_in
from .factories import newer_sizing_table

pytestmark = [pytest.mark.browser]

MINUS = "\u2212"


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


def test_a_sales_engineer_sees_the_rules_changed_and_compares_two_versions(
    nojs_page: Page, live_server: object, sized_project: Project, alice: User
) -> None:
    page = nojs_page
    base = live_server.url  # type: ignore[attr-defined]
    # Three sites of 300 apps: 900 devices; then Lodi goes down to 200 apps: 800 devices,
    # 384 Mbit/s for their connections (R11), above the first tier's 100 (R9, S3).
    v1 = create_proposal(sized_project, "en", alice)
    Site.objects.filter(project=sized_project, name="Lodi").update(mobile_apps=200)
    v2 = create_proposal(sized_project, "en", alice)
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/")
    notice = page.locator("section.rules-changed")
    expect(notice).to_have_count(0)

    # A new table asks at least 600 Mbit/s of the first tier.
    table = newer_sizing_table(min_bandwidth_mbps=600)
    page.reload()
    expect(notice.get_by_role("heading", name="Rules changed since this offer")).to_be_visible()
    expect(notice).to_contain_text(
        f"Proposal version 2 was sized with sizing table version 1; version {table.version}"
    )
    expect(notice.get_by_role("row", name="Recommended internet bandwidth")).to_have_text(
        "Recommended internet bandwidth384 Mbit/s600 Mbit/s+216 Mbit/s"
    )
    _screenshot(page, "compare-rules-changed")

    notice.get_by_role("link", name="Compare this offer with the current draft").click()
    expect(page.get_by_role("heading", level=1, name="Compare versions")).to_be_visible()
    expect(page.locator("#compare-title")).to_contain_text("Version 2 · English")
    expect(page.locator("#compare-title")).to_contain_text("Current draft")
    expect(page.locator(".snapshot-diff__table")).to_contain_text("version 1")
    expect(page.locator(".snapshot-diff__table")).to_contain_text(f"version {table.version}")

    # The two proposals, only what differs.
    page.locator("#id_a").select_option(str(v1.pk))
    page.locator("#id_b").select_option(str(v2.pk))
    page.get_by_label("Only the differences").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    assert f"a={v1.pk}" in page.url and f"b={v2.pk}" in page.url and "only=on" in page.url
    expect(page.get_by_label("Only the differences")).to_be_checked()
    expect(page.locator(".diff-sites")).to_contain_text("Lodi: Mobile apps 300 → 200")
    devices = page.get_by_role("row", name="MCS devices (apps, web clients, widgets)")
    expect(devices).to_have_text(
        f"MCS devices (apps, web clients, widgets) (differs)900800{MINUS}100"
    )
    expect(devices).to_have_class("diff-changed")
    expect(page.get_by_role("row", name="CPU cores per instance")).to_have_count(0)
    _screenshot(page, "compare-two-versions")


def test_the_comparison_page_logs_no_console_error_with_javascript(
    page: Page,
    live_server: object,
    sized_project: Project,
    alice: User,
    console_errors: list[str],
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    v1 = create_proposal(sized_project, "en", alice)
    newer_sizing_table(min_bandwidth_mbps=600)
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/proposal/")
    page.get_by_role("link", name="Compare with the current draft").click()
    expect(page.locator("#compare-title")).to_contain_text("Version 1 · English")
    expect(page.locator("section.rules-changed")).to_have_count(1)
    page.get_by_label("Only the differences").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_label("Only the differences")).to_be_checked()
    assert f"a={v1.pk}" in page.url
    assert console_errors == []
