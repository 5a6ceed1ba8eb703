"""The customer link in headless Chromium without JavaScript: the customer opens the link,
downloads the PDF and declines the offer with a reason; alice's project page then shows
the refusal, its reason, and the project lost. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from configurator.models import ProjectStatus, User
from portal.models import Decision, Outcome
from reports.models import Proposal

from .browser_support import _screenshot, sign_in
from .test_browser_portal import (
    SUMMARY_HEADING,
    customer_browser,
    download,
    open_link,
    project_url,
    proposal,  # noqa: F401 (the fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks"),
]

REASON = "Il budget di quest'anno è già impegnato: ne riparliamo a marzo."


def test_without_javascript_the_customer_downloads_and_declines_with_a_reason(
    page: Page,
    browser: Browser,
    live_server: object,
    proposal: Proposal,  # noqa: F811
    alice: User,
    tmp_path: Path,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    _link, token = open_link(proposal, alice, language="it")
    with customer_browser(browser, javascript=False) as customer:
        offer = customer.page
        offer.goto(f"{base}/offer/{token}/")
        expect(offer.locator("html")).to_have_attribute("lang", "it")
        expect(offer.locator("#summary h2")).to_have_text(SUMMARY_HEADING["it"])
        pdf = download(offer, offer.locator("#download-pdf"), tmp_path)
        assert hashlib.sha256(pdf).hexdigest() == proposal.sha256

        form = offer.locator("#decline-form")
        form.locator("[name=reason]").fill(REASON)
        form.locator("button[type=submit]").click()
        expect(offer.locator("#declined")).to_be_visible()
        expect(offer.locator("#declined")).to_contain_text(REASON)
        expect(offer.locator("#accept-form")).to_have_count(0)
        _screenshot(offer, "offer-customer-declined-nojs")

    sign_in(page, base)
    page.goto(project_url(base, proposal.project))
    decision = page.locator("#customer-decision")
    expect(decision).to_contain_text("Declined")
    expect(decision).to_contain_text(REASON)
    expect(decision.locator("#decision-receipt")).to_have_count(0)  # a refusal has none
    expect(page.locator("dt:text-is('Status') + dd")).to_have_text("Lost")
    assert Decision.objects.get(project=proposal.project).outcome == Outcome.DECLINED
    proposal.project.refresh_from_db()
    assert proposal.project.status == ProjectStatus.LOST
