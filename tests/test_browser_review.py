"""The review in headless Chromium, with and without JavaScript: alice (sales engineer)
submits, maria (manager) sends it back with a comment, alice reads it, changes the answers
and resubmits, maria sees what changed and approves; alice is then warned that saving
would send it back. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from configurator.models import Project, ProjectStatus, User
from review.models import Action, Transition

from .browser_support import _screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("sizing_table")]

COMMENT = "Two TVox systems: the customer keeps the second site's."


def _as(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, username)


def _review_journey(page: Page, base: str, project: Project, name: str) -> None:
    panel = page.locator("#review")
    project_url = f"{base}/projects/{project.pk}/"

    _as(page, base, "alice")
    page.goto(project_url)
    expect(panel).to_contain_text("Draft")
    panel.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message--success")).to_have_text(
        "Project submitted for review (revision 1)."
    )
    expect(panel.get_by_role("button", name="Recall from review")).to_be_visible()

    _as(page, base, "maria")
    page.goto(project_url)
    panel.get_by_role("link", name="Review: approve or send back").click()
    expect(page.locator("#changes")).to_contain_text("this is its first review")
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Send back with the comment").click()
    expect(page.locator(".message--success")).to_have_text(
        "Project sent back to its owner with your comment."
    )

    _as(page, base, "alice")
    page.goto(project_url)
    expect(panel).to_contain_text("Sent back by Maria on")
    expect(panel).to_contain_text(COMMENT)
    page.goto(f"{base}/projects/{project.pk}/questionnaire/")
    expect(page.locator(".reviewed-warning")).to_have_count(0)
    page.get_by_label("TVox systems").fill("2")
    page.get_by_role("button", name="Save answers").click()
    expect(page.locator(".message--success")).to_have_text("Project saved (revision 2).")
    page.goto(project_url)
    panel.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message--success")).to_have_text(
        "Project submitted for review (revision 2)."
    )

    _as(page, base, "maria")
    page.goto(f"{base}/projects/{project.pk}/review/")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Revision 1 (submitted on")
    expect(changes.locator("tr.diff-changed", has_text="TVox systems")).to_contain_text("1")
    expect(changes.locator("tr.diff-changed", has_text="TVox systems")).to_contain_text("2")
    _screenshot(page, f"{name}-what-changed")
    page.get_by_label("Comment").fill("Sizing checked.")
    page.get_by_role("button", name="Approve revision 2").click()
    expect(page.locator(".message--success")).to_have_text("Project approved (revision 2).")
    expect(panel).to_contain_text("Approved")

    _as(page, base, "alice")
    page.goto(f"{base}/projects/{project.pk}/questionnaire/")
    expect(page.locator(".reviewed-warning")).to_have_text(
        "This project is approved: saving sends it back to draft and it will need a new review."
    )

    project.refresh_from_db()
    assert (project.status, project.revision) == (ProjectStatus.APPROVED, 2)
    actions = list(Transition.objects.filter(project=project).values_list("action", "revision"))
    assert actions == [
        (Action.SUBMIT, 1),
        (Action.SEND_BACK, 1),
        (Action.SUBMIT, 2),
        (Action.APPROVE, 2),
    ]


def test_submit_send_back_resubmit_and_approve(
    page: Page,
    live_server: object,
    sized_project: Project,
    alice: User,
    maria: User,
    console_errors: list[str],
) -> None:
    _review_journey(page, live_server.url, sized_project, "review")  # type: ignore[attr-defined]
    assert console_errors == []


def test_the_same_review_without_javascript(
    nojs_page: Page, live_server: object, sized_project: Project, alice: User, maria: User
) -> None:
    _review_journey(nojs_page, live_server.url, sized_project, "review-nojs")  # type: ignore[attr-defined]
