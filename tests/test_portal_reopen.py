"""The customer's decision on the project page (`{% customer_decision %}`), its receipt for
the organisation, the lock it puts on the project, and a manager's reopening
(portal/views.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.models import Decision, ReceiptStatus
from review.models import Action, Transition

from .factories import (
    add_sites,
    approved_project_with_proposal,
    parse_html,
    project_edit_data,
    signed_in,
    site_data,
)

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")

VISITOR = links.Visitor("198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
RECEIPT = b"%PDF-1.7 the receipt"


@pytest.fixture
def issued(alice: User, maria: User, project: Project) -> links.IssuedLink:
    proposal = approved_project_with_proposal(alice, maria, project=add_sites(project))
    return links.create_link(
        proposal,
        alice,
        recipient_name="Giulia Bianchi",
        recipient_email="giulia@cliente.example",
        language="it",
    )


def accepted(issued: links.IssuedLink) -> Decision:
    link = links.find_link(issued.token)
    assert link is not None
    return links.accept(
        link,
        link.proposal.sha256,
        VISITOR,
        full_name="Giulia Bianchi",
        role="CIO",
        company="Ospedale San Luca S.p.A.",
    )


def with_receipt(decision: Decision) -> Decision:
    key = default_storage.save(decision.receipt_storage_key(), ContentFile(RECEIPT))
    decision.receipt_status, decision.receipt_key = ReceiptStatus.READY, key
    decision.receipt_rendered_at = timezone.now()
    decision.save(update_fields=["receipt_status", "receipt_key", "receipt_rendered_at"])
    return decision


def project_page(user: User, project: Project) -> Any:
    return signed_in(user).get(reverse("project_detail", args=[project.pk]))


def reopen(user: User, project: Project, *, follow: bool = False, **data: Any) -> Any:
    project.refresh_from_db()
    fields = {"revision": project.revision, "comment": "The customer wants two more sites."}
    fields.update(data)
    return signed_in(user).post(reverse("project_reopen", args=[project.pk]), fields, follow=follow)


# --- The decision on the project page -------------------------------------------------------


def test_the_project_page_shows_the_acceptance_and_its_evidence(
    alice: User, project: Project, issued: links.IssuedLink
) -> None:
    decision = accepted(issued)
    response = project_page(alice, project)
    assertContains(response, 'id="customer-decision"')
    for text in (
        "Giulia Bianchi",
        "CIO",
        "Ospedale San Luca S.p.A.",
        "198.51.100.7",
        "Firefox/140.0",
    ):
        assertContains(response, text)
    assertContains(response, decision.proposal_sha256)
    assertContains(response, "The acceptance receipt is being prepared.")
    assertNotContains(response, 'id="decision-receipt"')
    assertContains(response, "The project is locked because the customer decided")


def test_a_refusal_shows_its_reason(
    alice: User, project: Project, issued: links.IssuedLink
) -> None:
    link = links.find_link(issued.token)
    assert link is not None
    links.decline(link, link.proposal.sha256, VISITOR, reason="Too expensive this year.")
    response = project_page(alice, project)
    assertContains(response, 'id="customer-decision"')
    assertContains(response, "Declined")
    assertContains(response, "Too expensive this year.")
    assertNotContains(response, "being prepared")


def test_a_project_without_a_decision_has_no_decision_section(
    alice: User, project: Project, issued: links.IssuedLink
) -> None:
    assertNotContains(project_page(alice, project), 'id="customer-decision"')


def test_the_receipt_is_streamed_to_the_members_who_see_the_project(
    alice: User, maria: User, adam: User, bob: User, charlie: User, issued: links.IssuedLink
) -> None:
    decision = with_receipt(accepted(issued))
    assertContains(project_page(alice, decision.project), 'id="decision-receipt"')
    url = reverse("decision_receipt", args=[decision.pk])
    for user in (alice, maria, adam):
        response = signed_in(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == RECEIPT
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
    for user in (bob, charlie):
        assert signed_in(user).get(url).status_code == 404


def test_a_receipt_not_ready_is_404(alice: User, issued: links.IssuedLink) -> None:
    decision = accepted(issued)
    assert signed_in(alice).get(reverse("decision_receipt", args=[decision.pk])).status_code == 404


# --- The lock -------------------------------------------------------------------------------


def test_a_closed_project_refuses_changes_and_says_why(
    alice: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    project.refresh_from_db()
    client = signed_in(alice)
    edit = client.post(reverse("project_edit", args=[project.pk]), project_edit_data(project))
    assert edit.status_code == 403
    site = client.post(
        reverse("site_create", args=[project.pk]), site_data("new", project.revision)
    )
    assert site.status_code == 403
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    details = client.get(reverse("project_edit", args=[project.pk]))
    assertContains(details, "Locked: the customer decided on this offer.")
    assertNotContains(details, "only the owner or an administrator changes the project")


# --- Reopening ------------------------------------------------------------------------------


def test_a_manager_reopens_the_project_as_a_new_revision(
    maria: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    project.refresh_from_db()
    before = project.revision
    response = reopen(maria, project, follow=True)
    assert response.redirect_chain == [(reverse("project_detail", args=[project.pk]), 302)]
    project.refresh_from_db()
    assert (project.status, project.revision) == (ProjectStatus.DRAFT, before + 1)
    restart = Transition.objects.get(project=project, action=Action.RESTART)
    assert restart.actor == maria
    assert restart.comment == "The customer wants two more sites."
    assertContains(response, f"reopened as revision {before + 1}")
    # The decision stays on record; the old link is superseded.
    assert Decision.objects.filter(project=project).count() == 1
    links_page = signed_in(maria).get(reverse("project_proposals", args=[project.pk]))
    assertContains(links_page, 'data-state="closed"')


def test_the_old_links_are_superseded_once_reopened(
    alice: User, maria: User, project: Project, issued: links.IssuedLink
) -> None:
    other = links.create_link(
        issued.link.proposal,
        alice,
        recipient_name="Marco",
        recipient_email="marco@cliente.example",
        language="en",
    )
    link = links.find_link(issued.token)
    assert link is not None
    links.decline(link, link.proposal.sha256, VISITOR, reason="")
    reopen(maria, project)
    page = signed_in(alice).get(reverse("project_proposals", args=[project.pk]))
    rows = {
        tr.attrs.get("data-link"): tr.attrs.get("data-state")
        for tr in parse_html(page.content).find_all("tr")
    }
    assert rows[str(other.link.pk)] == "superseded"
    assertContains(page, "Superseded")


def test_the_administrator_reopens_too(
    adam: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    assert reopen(adam, project).status_code == 302


def test_the_owner_does_not_reopen(alice: User, project: Project, issued: links.IssuedLink) -> None:
    accepted(issued)
    response = reopen(alice, project)
    assert response.status_code == 403
    assertContains(response, "Only a manager reopens", status_code=403)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert not Transition.objects.filter(action=Action.RESTART).exists()
    assertNotContains(project_page(alice, project), "Reopen as a new revision")


def test_a_stale_revision_is_refused_as_a_conflict(
    maria: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    response = reopen(maria, project, revision=0)
    assert response.status_code == 409
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED


def test_a_project_not_decided_is_not_reopened(
    maria: User, project: Project, issued: links.IssuedLink
) -> None:
    assert reopen(maria, project).status_code == 409
    project.refresh_from_db()
    assert project.status == ProjectStatus.SENT


def test_the_manager_sees_the_reopen_button(
    maria: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    assertContains(project_page(maria, project), "Reopen as a new revision")


def test_a_comment_with_control_characters_is_refused_and_nothing_reopens(
    maria: User, project: Project, issued: links.IssuedLink
) -> None:
    accepted(issued)
    project.refresh_from_db()
    response = reopen(maria, project, comment="Two more sites\u202e")
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert not Transition.objects.filter(project=project, action=Action.RESTART).exists()
