"""The customer link in headless Chromium, with JavaScript: alice creates a link to her
approved proposal on the proposals page and copies it; the customer opens it in a browser
of their own (no cookie, no session), reads the offer in Italian and in English, downloads
the PDF, accepts it and gets the receipt; alice sees the decision and its receipt on the
project page. Then a revoked and an expired link, which show nothing of the offer.
Screenshots of the customer's page go to test-output/screenshots/."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.models import CustomerLink, Decision, ReceiptStatus
from reports.models import Proposal

from .browser_support import DESKTOP, _screenshot, sign_in
from .factories import approved_project_with_proposal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks"),
]

RECIPIENT = "Giulia Verdi"
RECIPIENT_EMAIL = "giulia.verdi@example.com"
SIGNER = {"full_name": "Giulia Verdi", "role": "Direttrice acquisti", "company": "Acme S.p.A."}
# Words of the page already in the Italian catalogue (the summary's, shared with the PDF).
SUMMARY_HEADING = {"it": "Sintesi", "en": "Executive summary"}
WITHDRAWN = "This link was withdrawn by the sender. Ask them for a new one."
EXPIRED = "This link has expired. Ask the sender for a new one."


@dataclass
class Customer:
    """The customer's own browser: a fresh context, and what its console reported."""

    page: Page
    errors: list[str] = field(default_factory=list)


@contextmanager
def customer_browser(browser: Browser, *, javascript: bool = True) -> Iterator[Customer]:
    """A context of its own, as the customer's browser is: no cookie, no session of alice's."""
    context = browser.new_context(
        viewport=DESKTOP, locale="it-IT", java_script_enabled=javascript, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    customer = Customer(context.new_page())

    def on_console(message: ConsoleMessage) -> None:
        # A CSP violation is reported as a console error too ("Refused to ...").
        if message.type == "error":
            customer.errors.append(message.text)

    customer.page.on("console", on_console)
    customer.page.on("pageerror", lambda exc: customer.errors.append(str(exc)))
    try:
        yield customer
    finally:
        context.close()


@pytest.fixture
def proposal(alice: User, maria: User, settings: object, live_server: object) -> Proposal:
    """alice's approved project with its approved, rendered proposal (Italian); links are
    built on the live server's address, as SITE_URL is in a deployment."""
    settings.SITE_URL = live_server.url  # type: ignore[attr-defined]
    return approved_project_with_proposal(alice, maria)


def project_url(base: str, project: Project) -> str:
    return f"{base}/projects/{project.pk}/"


def download(page: Page, trigger: Locator, tmp_path: Path) -> bytes:
    """Click `trigger`, wait for the download it starts, return its bytes."""
    with page.expect_download() as info:
        trigger.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def reload_until(page: Page, selector: str, attempts: int = 6) -> Locator:
    """Reload `page` until `selector` is on it (a receipt rendered after the request)."""
    for _ in range(attempts):
        if page.locator(selector).count():
            break
        page.wait_for_timeout(1_000)
        page.reload()
    return page.locator(selector)


def create_link_in_the_panel(page: Page, base: str, project: Project) -> str:
    """alice fills the proposals page's link form, in Italian; returns the URL shown once."""
    page.goto(f"{base}/projects/{project.pk}/proposal/")
    form = page.locator("#link-form")
    form.locator("[name=recipient_name]").fill(RECIPIENT)
    form.locator("[name=recipient_email]").fill(RECIPIENT_EMAIL)
    form.locator("[name=language]").select_option("it")
    form.locator("button[type=submit]").click()
    url_field = page.locator("#new-link-url")
    expect(url_field).to_be_visible()
    url = url_field.input_value()
    assert url.startswith(f"{base}/offer/")
    return url


def copy_the_link(page: Page, base: str, url: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    copy = page.locator("#copy-link")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")  # the button's visible confirmation
    assert page.evaluate("() => navigator.clipboard.readText()") == url


def read_in_both_languages(customer: Page, proposal: Proposal) -> None:
    """The link's language first (Italian), then English and back through the switcher."""
    html = customer.locator("html")
    heading = customer.locator("#summary h2")
    expect(html).to_have_attribute("lang", "it")
    expect(heading).to_have_text(SUMMARY_HEADING["it"])
    _screenshot(customer, "offer-customer-it")
    customer.locator("a[hreflang=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(SUMMARY_HEADING["en"])
    _screenshot(customer, "offer-customer-en")
    customer.locator("a[hreflang=it]").click()
    expect(html).to_have_attribute("lang", "it")
    expect(heading).to_have_text(SUMMARY_HEADING["it"])


def download_and_check(customer: Page, proposal: Proposal, tmp_path: Path) -> None:
    pdf = download(customer, customer.locator("#download-pdf"), tmp_path)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == proposal.sha256
    customer.locator(".offer-sha summary").click()  # the full hash, under its summary
    expect(customer.locator("#offer-sha256")).to_be_visible()
    expect(customer.locator("#offer-sha256")).to_have_text(proposal.sha256)


def accept_the_offer(customer: Page) -> None:
    form = customer.locator("#accept-form")
    for name, value in SIGNER.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=agree]").check()
    form.locator("button[type=submit]").click()
    expect(customer.locator("#accepted")).to_be_visible()
    expect(customer.locator("#accepted")).to_contain_text(SIGNER["full_name"])


def test_the_customer_opens_the_link_reads_downloads_and_accepts(
    page: Page,
    browser: Browser,
    live_server: object,
    proposal: Proposal,
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    project = proposal.project
    sign_in(page, base)
    url = create_link_in_the_panel(page, base, project)
    copy_the_link(page, base, url)
    expect(page.locator("#link-list tr[data-link]")).to_contain_text(RECIPIENT)

    with customer_browser(browser) as customer:
        customer.page.goto(url)
        read_in_both_languages(customer.page, proposal)
        download_and_check(customer.page, proposal, tmp_path)
        accept_the_offer(customer.page)

        page.goto(project_url(base, project))
        decision_panel = page.locator("#customer-decision")
        expect(decision_panel).to_contain_text(SIGNER["full_name"])
        expect(decision_panel).to_contain_text(proposal.sha256)
        receipt = download(page, reload_until(page, "#decision-receipt"), tmp_path)
        decision = Decision.objects.get(project=project)
        assert decision.receipt_status == ReceiptStatus.READY
        assert receipt.startswith(b"%PDF-")
        assert hashlib.sha256(receipt).hexdigest() == decision.receipt_sha256

        own = download(customer.page, reload_until(customer.page, "#download-receipt"), tmp_path)
        assert own == receipt
        _screenshot(customer.page, "offer-customer-accepted")
        assert customer.errors == []
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert console_errors == []


def open_link(proposal: Proposal, by: User, language: str = "en") -> tuple[CustomerLink, str]:
    """A link created by the rules (the panel's journey is the test above)."""
    issued = links.create_link(
        proposal,
        by,
        recipient_name=RECIPIENT,
        recipient_email=RECIPIENT_EMAIL,
        language=language,
    )
    return issued.link, issued.token


def shows_nothing_of_the_offer(customer: Page, proposal: Proposal, message: str) -> None:
    expect(customer.locator("main")).to_contain_text(message)
    body = customer.locator("body")
    expect(body).not_to_contain_text(proposal.project.customer.company_name)
    expect(body).not_to_contain_text(proposal.project.title)
    expect(body).not_to_contain_text(RECIPIENT)
    expect(customer.locator("#download-pdf")).to_have_count(0)
    expect(customer.locator("#accept-form")).to_have_count(0)


def test_a_link_the_engineer_revokes_says_it_was_withdrawn_and_shows_nothing(
    page: Page, browser: Browser, live_server: object, proposal: Proposal, alice: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    link, token = open_link(proposal, alice)
    offer = f"{base}/offer/{token}/"
    with customer_browser(browser) as customer:
        customer.page.goto(offer)
        expect(customer.page.locator("#download-pdf")).to_be_visible()

        sign_in(page, base)
        page.goto(f"{base}/projects/{proposal.project.pk}/proposal/")
        row = page.locator(f"#link-list tr[data-link='{link.pk}']")
        row.get_by_role("button", name="Revoke").click()
        expect(page.locator(f"#link-list tr[data-link='{link.pk}']")).to_contain_text("Revoked")

        customer.page.reload()
        shows_nothing_of_the_offer(customer.page, proposal, WITHDRAWN)
        _screenshot(customer.page, "offer-customer-revoked")
        pdf = customer.page.request.get(f"{offer}pdf/")
        assert pdf.status == 410
        assert not pdf.body().startswith(b"%PDF")


def test_an_expired_link_says_so_and_shows_nothing(
    browser: Browser, live_server: object, proposal: Proposal, alice: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    link, token = open_link(proposal, alice)
    # Past its expiry (an UPDATE: the record's save allows only its named fields).
    CustomerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    with customer_browser(browser) as customer:
        customer.page.goto(f"{base}/offer/{token}/")
        shows_nothing_of_the_offer(customer.page, proposal, EXPIRED)
        assert customer.page.request.get(f"{base}/offer/{token}/pdf/").status == 410
