"""The proposal step in headless Chromium: generate, watch the status change by polling,
download the PDF. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project, User
from reports import tasks
from reports.models import Proposal
from reports.snapshot import create_proposal

from .browser_support import _screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_storage", "eager_tasks")]


@pytest.fixture(autouse=True)
def _sizing_table(sizing_table: None) -> None:
    """Every page that sizes needs the table in effect (see conftest.sizing_table)."""


def test_a_sales_engineer_generates_and_downloads_a_proposal(
    page: Page,
    live_server: object,
    sized_project: Project,
    alice: User,
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/")
    page.get_by_role("navigation", name="Project steps").get_by_role(
        "link", name="Proposal"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Proposal")).to_be_visible()
    page.get_by_label("Italian").check()
    page.get_by_role("button", name="Generate proposal").click()

    # Embedded default: the task ran in-process, so the version is ready at once.
    expect(page.locator(".message--success")).to_have_text(
        "Proposal version 1 is ready to download."
    )
    row = page.locator("#proposal-" + str(Proposal.objects.get().pk))
    expect(row).to_contain_text("v1")
    expect(row).to_contain_text("Ready")
    _screenshot(page, "proposal-step")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    proposal = Proposal.objects.get()
    assert target.name == proposal.download_name()
    assert target.read_bytes().startswith(b"%PDF-")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == proposal.sha256
    assert proposal.language == "it"
    assert console_errors == []


def test_the_status_follows_the_worker_by_polling(
    page: Page, live_server: object, sized_project: Project, alice: User, console_errors: list[str]
) -> None:
    """A proposal still queued (as with a real worker) turns ready on the page without a
    reload once the worker has rendered it."""
    proposal = create_proposal(sized_project, "en", alice)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base)
    page.goto(f"{base}/projects/{sized_project.pk}/proposal/")
    row = page.locator(f"#proposal-{proposal.pk}")
    expect(row).to_contain_text("Queued")
    expect(row.get_by_role("link", name="Download PDF")).to_have_count(0)
    page.evaluate("() => { window.__sameDocument = true; }")

    tasks.render_proposal.delay(proposal.pk)  # the "worker" renders it
    expect(row).to_contain_text("Ready", timeout=15_000)
    expect(row.get_by_role("link", name="Download PDF")).to_be_visible()
    assert page.evaluate("() => window.__sameDocument === true")  # no reload: htmx swapped
    assert console_errors == []


def test_without_javascript_the_page_refreshes_itself_while_pending(
    nojs_page: Page, live_server: object, sized_project: Project, alice: User
) -> None:
    proposal = create_proposal(sized_project, "en", alice)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(nojs_page, base)
    nojs_page.goto(f"{base}/projects/{sized_project.pk}/proposal/")
    expect(nojs_page.locator(f"#proposal-{proposal.pk}")).to_contain_text("Queued")
    tasks.render_proposal.delay(proposal.pk)
    expect(nojs_page.locator(f"#proposal-{proposal.pk}")).to_contain_text("Ready", timeout=15_000)
