"""The link panel of the proposals page (portal/views.py, portal/templatetags): create a
link, see its URL once, list, revoke and re-issue; who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.models import CustomerLink, EventKind, LinkEvent
from reports.models import Proposal
from reports.snapshot import create_proposal

from .factories import (
    add_sites,
    approved_project_with_proposal,
    field_errors,
    make_user,
    parse_html,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")


def link_data(sent: Proposal, **changes: Any) -> dict[str, Any]:
    data = {
        "proposal": sent.pk,
        "recipient_name": "Giulia Bianchi",
        "recipient_email": "giulia@cliente.example",
        "language": "it",
        "days": 30,
    }
    data.update(changes)
    return data


@pytest.fixture
def proposal(alice: User, maria: User, project: Project) -> Proposal:
    return approved_project_with_proposal(alice, maria, project=add_sites(project))


def proposals_page(client: Client, project: Project) -> Any:
    return client.get(reverse("project_proposals", args=[project.pk]))


def create(client: Client, sent: Proposal, **changes: Any) -> Any:
    return client.post(reverse("project_links", args=[sent.project_id]), link_data(sent, **changes))


def new_link_url(response: Any) -> str:
    inputs = parse_html(response.content).find_all("input")
    shown = [i for i in inputs if i.attrs.get("id") == "new-link-url"]
    assert len(shown) == 1 and "readonly" in shown[0].attrs, "the new link's URL is not shown"
    return shown[0].attrs.get("value") or ""


# --- The panel ------------------------------------------------------------------------------


def test_it_offers_the_form_with_the_customers_language_and_the_default_days(
    alice: User, proposal: Proposal, settings: Any
) -> None:
    settings.CUSTOMER_LINK_DAYS = 21
    response = proposals_page(signed_in(alice), proposal.project)
    assertContains(response, 'id="customer-links"')
    assertContains(response, 'id="link-form"')
    assertContains(response, f'value="{proposal.pk}" selected')
    assertContains(response, 'name="days" value="21"')
    assertContains(response, "never past the offer")
    language = proposal.project.customer.preferred_language
    assertContains(response, f'value="{language}" selected')


def test_a_draft_project_says_to_approve_it_first_and_has_no_form(
    alice: User, project: Project
) -> None:
    response = proposals_page(signed_in(alice), add_sites(project))
    assertContains(response, "Approve the project first")
    assertNotContains(response, 'id="link-form"')


def test_an_approved_project_without_its_proposal_says_to_generate_it(
    alice: User, maria: User, project: Project
) -> None:
    proposal = approved_project_with_proposal(alice, maria, project=add_sites(project))
    Project.objects.filter(pk=project.pk).update(revision=project.revision + 1)
    assert proposal.project_revision == project.revision
    response = proposals_page(signed_in(alice), project)
    assertContains(response, "Generate the proposal of the approved revision")
    assertNotContains(response, 'id="link-form"')


def test_a_manager_sees_the_links_read_only(alice: User, maria: User, proposal: Proposal) -> None:
    links.create_link(
        proposal, alice, recipient_name="Giulia", recipient_email="g@c.example", language="it"
    )
    response = proposals_page(signed_in(maria), proposal.project)
    assertContains(response, 'id="link-list"')
    assertNotContains(response, 'id="link-form"')
    assertNotContains(response, "Revoke")
    assertContains(response, "Read-only: the project")


# --- Creating ---------------------------------------------------------------------------------


def test_it_creates_a_link_shows_its_url_once_and_mails_it(
    alice: User, proposal: Proposal, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, proposal)
    assert response.status_code == 302
    link = CustomerLink.objects.get()
    assert (link.recipient_name, link.recipient_email, link.language) == (
        "Giulia Bianchi",
        "giulia@cliente.example",
        "it",
    )
    page = proposals_page(client, proposal.project)
    url = new_link_url(page)
    assert url.startswith(settings.SITE_URL + "/offer/")
    token = url.removeprefix(settings.SITE_URL + "/offer/").rstrip("/")
    assert links.find_link(token) == link
    assertContains(page, 'id="copy-link"')
    assertContains(page, "js/copy-link.js")
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body
    # Shown once: the next page has it no more, and no row holds the token.
    again = proposals_page(client, proposal.project)
    assertNotContains(again, 'id="new-link-url"')
    assertNotContains(again, token)
    assertContains(again, f'data-link="{link.pk}"')
    proposal.project.refresh_from_db()
    assert proposal.project.status == ProjectStatus.SENT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient_name", ""),
        ("recipient_name", "Giulia\u202e Bianchi"),
        ("recipient_email", ""),
        ("recipient_email", "not-an-address"),
        ("language", "de"),
        ("days", "0"),
        ("days", "91"),
        ("days", "many"),
        ("proposal", ""),
    ],
)
def test_bad_input_is_told_beside_its_field_and_creates_nothing(
    alice: User, proposal: Proposal, field: str, value: str
) -> None:
    response = create(signed_in(alice), proposal, **{field: value})
    assert response.status_code == 200
    assert field_errors(response, field)
    assert not CustomerLink.objects.exists()
    assert mail.outbox == []


def test_a_superseded_proposal_is_refused(alice: User, proposal: Proposal) -> None:
    newer = create_proposal(proposal.project, "it", alice)
    Proposal.objects.filter(pk=newer.pk).update(
        status=proposal.status, sha256=proposal.sha256, pdf_key=proposal.pdf_key
    )
    response = create(signed_in(alice), proposal)
    assert response.status_code == 200
    assert field_errors(response, "proposal")
    assert not CustomerLink.objects.exists()


def test_another_organisations_proposal_is_refused(
    alice: User, proposal: Proposal, charlie: User, other_org: Any
) -> None:
    boss = make_user(other_org, "olga", "manager")
    elsewhere = approved_project_with_proposal(charlie, boss)
    response = create(signed_in(alice), proposal, proposal=elsewhere.pk)
    assert response.status_code == 200
    assert field_errors(response, "proposal")
    assert not CustomerLink.objects.exists()


def test_a_draft_project_refuses_a_link(alice: User, proposal: Proposal) -> None:
    Project.objects.filter(pk=proposal.project_id).update(status=ProjectStatus.DRAFT)
    response = create(signed_in(alice), proposal)
    assert response.status_code == 200
    assert not CustomerLink.objects.exists()


def test_a_refusal_of_the_rules_is_a_form_error(alice: User, proposal: Proposal) -> None:
    Project.objects.filter(pk=proposal.project_id).update(
        offer_valid_until=timezone.localdate() - timedelta(days=1)
    )
    response = create(signed_in(alice), proposal)
    assert response.status_code == 200
    assertContains(response, "set a new validity before sending it")
    assert not CustomerLink.objects.exists()


def test_a_manager_cannot_create_a_link(maria: User, proposal: Proposal) -> None:
    assert create(signed_in(maria), proposal).status_code == 403
    assert not CustomerLink.objects.exists()


def test_an_administrator_creates_a_link(adam: User, proposal: Proposal) -> None:
    assert create(signed_in(adam), proposal).status_code == 302
    assert CustomerLink.objects.get().created_by == adam


@pytest.mark.django_db(transaction=True)  # the mail is queued once the link commits
def test_a_broker_refusal_still_shows_the_url_and_says_the_mail_was_not_sent(
    alice: User, proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kombu.exceptions import OperationalError

    from portal import mail as portal_mail

    class Refused:
        def delay(self, *args: Any) -> None:
            raise OperationalError("connection refused")

    monkeypatch.setattr(portal_mail, "send_link_mail", Refused())
    client = signed_in(alice)
    create(client, proposal)
    page = proposals_page(client, proposal.project)
    assert new_link_url(page)
    assertContains(page, "could not be sent")
    assert [m for m in mail.outbox if "giulia@cliente.example" in m.to] == []


def test_the_get_of_the_links_url_goes_to_the_proposals_page(
    alice: User, proposal: Proposal
) -> None:
    response = signed_in(alice).get(reverse("project_links", args=[proposal.project_id]))
    assert response.status_code == 302
    assert response.url == reverse("project_proposals", args=[proposal.project_id])


# --- The list, revoke, re-issue ------------------------------------------------------------------


def issue(proposal: Proposal, by: User, email: str = "giulia@cliente.example") -> Any:
    return links.create_link(
        proposal, by, recipient_name="Giulia", recipient_email=email, language="it"
    )


def row_of(response: Any, link: CustomerLink) -> str:
    for tr in parse_html(response.content).find_all("tr"):
        if tr.attrs.get("data-link") == str(link.pk):
            return tr.text
    raise AssertionError(f"no row for link {link.pk}")


def test_the_list_shows_each_link_with_its_state_and_counts(
    alice: User, proposal: Proposal
) -> None:
    first = issue(proposal, alice, "first@cliente.example").link
    second = issue(proposal, alice, "second@cliente.example").link
    links.revoke(first, alice)
    LinkEvent.objects.create(link=second, kind=EventKind.VIEW, counted=True)
    LinkEvent.objects.create(link=second, kind=EventKind.VIEW, counted=False, not_counted="head")
    LinkEvent.objects.create(link=second, kind=EventKind.DOWNLOAD, counted=True)
    response = proposals_page(signed_in(alice), proposal.project)
    rows = parse_html(response.content).find_all("tr")
    order = [tr.attrs.get("data-link") for tr in rows if tr.attrs.get("data-link")]
    assert order == [str(second.pk), str(first.pk)]  # newest first
    assert "Revoked" in row_of(response, first)
    assert "Open" in row_of(response, second)
    assert "second@cliente.example" in row_of(response, second)


def test_the_list_says_when_the_customer_opened_a_closed_link(
    alice: User, proposal: Proposal
) -> None:
    """The customer opens the link after it was revoked (or expired): they see nothing of
    the offer, and the sender's list says they tried, beside the link's Re-issue."""
    tried = issue(proposal, alice, "tried@cliente.example")
    untried = issue(proposal, alice, "untried@cliente.example")
    links.revoke(tried.link, alice)
    links.revoke(untried.link, alice)
    customer = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    assert customer.get(reverse("offer", args=[tried.token])).status_code == 410
    response = proposals_page(signed_in(alice), proposal.project)
    assert "Opened after it closed, on" in row_of(response, tried.link)
    assert "Re-issue" in row_of(response, tried.link)
    assert "Opened after it closed" not in row_of(response, untried.link)


def test_the_list_costs_the_same_queries_for_one_link_or_five(
    alice: User, proposal: Proposal, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(alice)
    issue(proposal, alice)
    with CaptureQueriesContext(connection) as one:
        proposals_page(client, proposal.project)
    for n in range(4):
        link = issue(proposal, alice, f"r{n}@cliente.example").link
        LinkEvent.objects.create(link=link, kind=EventKind.VIEW, counted=True)
        LinkEvent.objects.create(link=link, kind=EventKind.VIEW, not_counted="revoked")
    with django_assert_max_num_queries(len(one.captured_queries)):
        proposals_page(client, proposal.project)


def test_it_revokes_a_link(alice: User, proposal: Proposal) -> None:
    issued = issue(proposal, alice)
    client = signed_in(alice)
    response = client.post(reverse("link_revoke", args=[issued.link.pk]))
    assert response.status_code == 302
    assert links.state_of(links.find_link(issued.token)) == links.LinkState.REVOKED  # type: ignore[arg-type]
    assertContains(client.get(response.url), "is revoked")


def test_a_decided_link_is_not_revoked(alice: User, proposal: Proposal) -> None:
    issued = issue(proposal, alice)
    links.accept(
        links.find_link(issued.token),  # type: ignore[arg-type]
        proposal.sha256,
        links.Visitor("198.51.100.7", "Firefox"),
        full_name="Giulia Bianchi",
        role="CIO",
        company="Acme",
    )
    client = signed_in(alice)
    response = client.post(reverse("link_revoke", args=[issued.link.pk]), follow=True)
    assertContains(response, "it stays on record")
    issued.link.refresh_from_db()
    assert issued.link.revoked_at is None


def test_it_reissues_a_link_revoking_the_old_one_and_mailing_the_new(
    alice: User, proposal: Proposal, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = issue(proposal, alice)
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("link_reissue", args=[old.link.pk]))
    assert response.status_code == 302
    page = client.get(response.url)
    url = new_link_url(page)
    token = url.removeprefix(settings.SITE_URL + "/offer/").rstrip("/")
    new = links.find_link(token)
    assert new is not None and new.replaces_id == old.link.pk
    assert links.state_of(new) == links.LinkState.OPEN
    assert links.state_of(links.find_link(old.token)) == links.LinkState.REVOKED  # type: ignore[arg-type]
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body
    assertNotContains(client.get(response.url), 'id="new-link-url"')


def test_a_manager_neither_revokes_nor_reissues(
    maria: User, alice: User, proposal: Proposal
) -> None:
    issued = issue(proposal, alice)
    client = signed_in(maria)
    assert client.post(reverse("link_revoke", args=[issued.link.pk])).status_code == 403
    assert client.post(reverse("link_reissue", args=[issued.link.pk])).status_code == 403
    issued.link.refresh_from_db()
    assert issued.link.revoked_at is None
    assert CustomerLink.objects.count() == 1


def test_outsiders_get_404(bob: User, charlie: User, alice: User, proposal: Proposal) -> None:
    issued = issue(proposal, alice)
    for user in (bob, charlie):
        client = signed_in(user)
        assert client.post(reverse("link_revoke", args=[issued.link.pk])).status_code == 404
        assert create(client, proposal).status_code == 404
