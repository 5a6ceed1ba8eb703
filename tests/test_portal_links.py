"""The rules of customer links (portal/links.py), without pages: who may send what, how
long a link lasts, what it may still do, and the customer's decision.

The proposals here are marked rendered without rendering (the rules read the row, not the
file): the PDF's own tests are elsewhere."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.links import LinkRefused, LinkState, Visitor
from portal.models import CustomerLink, Decision, Outcome
from reports.models import Proposal, ProposalStatus
from reports.snapshot import create_proposal
from review.models import Action, Transition

from .factories import add_sites
from .test_proposal_approval import approve

pytestmark = pytest.mark.usefixtures("sizing_table")

VISITOR = Visitor("198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")


def rendered(proposal: Proposal, content: bytes = b"%PDF-1.7 the offer") -> Proposal:
    """The proposal as its rendering leaves it (the file itself is not read here)."""
    proposal.status = ProposalStatus.READY
    proposal.sha256 = hashlib.sha256(content).hexdigest()
    proposal.pdf_key = f"proposals/test-{proposal.pk}.pdf"
    proposal.save(update_fields=["status", "sha256", "pdf_key", "updated_at"])
    return proposal


def approved_proposal(project: Project, reviewer: User, language: str = "it") -> Proposal:
    add_sites(project) if not project.sites.exists() else None
    approve(project, reviewer)
    return rendered(create_proposal(project, language, project.owner))


def send(proposal: Proposal, by: User, **options: object) -> links.IssuedLink:
    fields: dict[str, object] = {
        "recipient_name": "Giulia Bianchi",
        "recipient_email": "giulia@cliente.example",
        "language": "it",
    }
    fields.update(options)
    return links.create_link(proposal, by, **fields)  # type: ignore[arg-type]


def fresh(link: CustomerLink) -> CustomerLink:
    found = links.find_link_by_pk(link.pk)
    assert found is not None
    return found


def accept(link: CustomerLink, shown: str | None = None) -> Decision:
    return links.accept(
        fresh(link),
        link.proposal.sha256 if shown is None else shown,
        VISITOR,
        full_name="Giulia Bianchi",
        role="CIO",
        company="Acme S.p.A.",
    )


# --- Tokens ---------------------------------------------------------------------------------


def test_a_token_carries_at_least_128_bits_and_only_its_hash_is_stored(
    project: Project, alice: User, maria: User
) -> None:
    issued = send(approved_proposal(project, maria), alice)
    assert len(issued.token) >= 22  # 128 bits in URL-safe base64
    stored = CustomerLink.objects.filter(pk=issued.link.pk).values()[0]
    assert issued.token not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    found = links.find_link(issued.token)
    assert found is not None and found.pk == issued.link.pk


def test_two_links_never_share_a_token(project: Project, alice: User, maria: User) -> None:
    proposal = approved_proposal(project, maria)
    tokens = {send(proposal, alice).token for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize("change", ["missing", "mistyped", "tampered", "empty", "huge", "odd"])
def test_a_wrong_token_finds_nothing(
    project: Project, alice: User, maria: User, change: str
) -> None:
    token = send(approved_proposal(project, maria), alice).token
    wrong = {
        "missing": "x" * len(token),
        "mistyped": token[:-1],
        "tampered": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "empty": "",
        "huge": token * 400,
        "odd": "\udcff../" + token,
    }[change]
    assert links.find_link(wrong) is None


# --- Expiry ---------------------------------------------------------------------------------


def test_a_link_lasts_the_default_thirty_days(project: Project, alice: User, maria: User) -> None:
    issued = send(approved_proposal(project, maria), alice)
    link = issued.link
    assert link.expires_at - link.created_at == timedelta(days=30)


@pytest.mark.parametrize("days", [0, -1, 91, 1000])
def test_a_link_lasts_one_to_ninety_days(
    project: Project, alice: User, maria: User, days: int
) -> None:
    proposal = approved_proposal(project, maria)
    with pytest.raises(LinkRefused, match="1 to 90"):
        send(proposal, alice, days=days)
    assert not CustomerLink.objects.exists()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.APPROVED


@override_settings(CUSTOMER_LINK_MAX_DAYS=10, CUSTOMER_LINK_DAYS=5)
def test_the_limits_come_from_the_settings(project: Project, alice: User, maria: User) -> None:
    proposal = approved_proposal(project, maria)
    assert send(proposal, alice).link.expires_at - timezone.now() < timedelta(days=5, seconds=5)
    with pytest.raises(LinkRefused, match="1 to 10"):
        send(proposal, alice, days=11)


def test_a_link_never_outlives_the_offer(project: Project, alice: User, maria: User) -> None:
    valid_until = timezone.localdate() + timedelta(days=7)
    Project.objects.filter(pk=project.pk).update(offer_valid_until=valid_until)
    project.refresh_from_db()
    link = send(approved_proposal(project, maria), alice, days=60).link
    assert link.expires_at == links.validity_end(valid_until)
    assert timezone.localtime(link.expires_at - timedelta(seconds=1)).date() == valid_until


def test_an_offer_past_its_validity_is_not_sent(project: Project, alice: User, maria: User) -> None:
    Project.objects.filter(pk=project.pk).update(
        offer_valid_until=timezone.localdate() - timedelta(days=1)
    )
    project.refresh_from_db()
    proposal = approved_proposal(project, maria)
    with pytest.raises(LinkRefused, match="valid until"):
        send(proposal, alice)


@settings(max_examples=200, deadline=None)
@given(
    days=st.integers(min_value=1, max_value=90),
    validity=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_the_expiry_is_within_the_days_and_the_validity(
    days: int, validity: int | None, now: datetime
) -> None:
    now = timezone.make_aware(now)
    project = Project(
        offer_valid_until=None
        if validity is None
        else timezone.localtime(now).date() + timedelta(days=validity)
    )
    expires = links.expiry_for(project, days, now)
    assert now < expires <= now + timedelta(days=days)
    if project.offer_valid_until is not None:
        assert expires <= links.validity_end(project.offer_valid_until)
        assert expires == min(
            now + timedelta(days=days), links.validity_end(project.offer_valid_until)
        )


def test_a_link_is_open_until_the_second_it_expires(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    assert (
        links.state_of(fresh(link), link.expires_at - timedelta(microseconds=1)) == LinkState.OPEN
    )
    assert links.state_of(fresh(link), link.expires_at) == LinkState.EXPIRED


def test_an_expired_link_accepts_nothing(project: Project, alice: User, maria: User) -> None:
    link = send(approved_proposal(project, maria), alice).link
    later = link.expires_at + timedelta(seconds=1)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        pytest.raises(LinkRefused) as refused,
    ):
        accept(link)
    assert refused.value.state == LinkState.EXPIRED
    assert not Decision.objects.exists()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.SENT


def test_an_acceptance_in_the_links_last_second_holds(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    just_before = link.expires_at - timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=just_before):
        decision = accept(link)
    assert decision.at == just_before


# --- Sending ------------------------------------------------------------------------------


def test_the_first_link_marks_the_project_sent(project: Project, alice: User, maria: User) -> None:
    proposal = approved_proposal(project, maria)
    send(proposal, alice)
    send(proposal, alice, recipient_name="Marco Neri", recipient_email="marco@cliente.example")
    project.refresh_from_db()
    assert project.status == ProjectStatus.SENT
    sends = Transition.objects.filter(project=project, action=Action.SEND)
    assert [(t.from_status, t.to_status, t.actor) for t in sends] == [
        (ProjectStatus.APPROVED, ProjectStatus.SENT, alice)
    ]


def test_a_proposal_made_after_sending_is_still_approved(
    project: Project, alice: User, maria: User
) -> None:
    send(approved_proposal(project, maria), alice)
    again = create_proposal(Project.objects.get(pk=project.pk), "en", alice)
    assert again.is_approved


@pytest.mark.parametrize("status", [ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW])
def test_only_an_approved_project_is_sent(
    project: Project, alice: User, maria: User, status: str
) -> None:
    proposal = approved_proposal(project, maria)
    Project.objects.filter(pk=project.pk).update(status=status)
    with pytest.raises(LinkRefused, match="approved project"):
        send(proposal, alice)
    assert not CustomerLink.objects.exists()


def test_a_draft_proposal_is_not_sent(project: Project, alice: User, maria: User) -> None:
    add_sites(project)
    draft = rendered(create_proposal(project, "it", alice))  # made before the approval
    approve(project, maria)
    assert not draft.is_approved
    with pytest.raises(LinkRefused, match="approved revision"):
        send(draft, alice)


def test_a_proposal_still_rendering_is_not_sent(project: Project, alice: User, maria: User) -> None:
    add_sites(project)
    approve(project, maria)
    queued = create_proposal(project, "it", alice)
    with pytest.raises(LinkRefused, match="no PDF yet"):
        send(queued, alice)


def test_another_organisations_user_sends_nothing(
    project: Project, alice: User, maria: User, charlie: User
) -> None:
    proposal = approved_proposal(project, maria)
    with pytest.raises(LinkRefused, match="another organisation"):
        send(proposal, charlie)
    assert not CustomerLink.objects.exists()


def test_the_sendable_proposals_are_the_approved_rendered_newest(
    project: Project, alice: User, maria: User
) -> None:
    older = approved_proposal(project, maria, "it")
    english = rendered(create_proposal(project, "en", alice))
    newer = rendered(create_proposal(project, "it", alice))
    create_proposal(project, "it", alice)  # queued: not yet
    assert {p.pk for p in links.sendable_proposals(project)} == {english.pk, newer.pk}
    assert links.sendable_refusal(older, project) is not None


# --- Revocation, re-issue, superseded versions ---------------------------------------------------


def test_a_revoked_link_says_so_and_accepts_nothing(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    assert links.revoke(link, alice) is True
    assert links.revoke(link, alice) is False  # once
    assert links.state_of(fresh(link)) == LinkState.REVOKED
    assert not links.shows_offer(LinkState.REVOKED)
    with pytest.raises(LinkRefused) as refused:
        accept(link)
    assert refused.value.state == LinkState.REVOKED
    assert not Decision.objects.exists()


def test_a_reissued_link_replaces_the_old_one(project: Project, alice: User, maria: User) -> None:
    old = send(approved_proposal(project, maria), alice)
    new = links.reissue(fresh(old.link), alice, days=10)
    assert new.token != old.token
    assert links.state_of(fresh(old.link)) == LinkState.REVOKED
    assert links.state_of(fresh(new.link)) == LinkState.OPEN
    assert new.link.replaces_id == old.link.pk
    assert (new.link.recipient_email, new.link.language) == (
        old.link.recipient_email,
        old.link.language,
    )
    with pytest.raises(LinkRefused, match="re-issued already"):
        links.reissue(fresh(old.link), alice)
    accept(new.link)


def test_an_expired_link_is_reissued(project: Project, alice: User, maria: User) -> None:
    old = send(approved_proposal(project, maria), alice).link
    with mock.patch("django.utils.timezone.now", return_value=old.expires_at + timedelta(days=1)):
        assert links.state_of(fresh(old)) == LinkState.EXPIRED
        new = links.reissue(fresh(old), alice)
        assert links.state_of(fresh(new.link)) == LinkState.OPEN


def test_a_change_to_a_sent_project_supersedes_its_links(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    sent = Project.objects.get(pk=project.pk)
    sent.title = "Contact centre, phase two"
    assert sent.save_revision(sent.revision, by=alice)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.DRAFT
    assert Transition.objects.filter(project=project, action=Action.REOPEN).exists()
    assert links.state_of(fresh(link)) == LinkState.SUPERSEDED
    assert links.shows_offer(LinkState.SUPERSEDED)
    with pytest.raises(LinkRefused) as refused:
        accept(link)
    assert refused.value.state == LinkState.SUPERSEDED


def test_a_newer_approved_version_supersedes_the_older_links(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria, "it"), alice).link
    other_language = send(
        rendered(create_proposal(Project.objects.get(pk=project.pk), "en", alice)), alice
    ).link
    rendered(create_proposal(Project.objects.get(pk=project.pk), "it", alice))
    assert links.state_of(fresh(link)) == LinkState.SUPERSEDED
    assert links.state_of(fresh(other_language)) == LinkState.OPEN  # a newer Italian one


def test_a_stale_page_cannot_accept(project: Project, alice: User, maria: User) -> None:
    link = send(approved_proposal(project, maria), alice).link
    with pytest.raises(LinkRefused, match="changed since"):
        accept(link, shown="0" * 64)
    assert not Decision.objects.exists()
    assert links.state_of(fresh(link)) == LinkState.OPEN


# --- The decision ------------------------------------------------------------------------------


def test_an_acceptance_records_the_evidence_and_locks_the_project(
    project: Project, alice: User, maria: User
) -> None:
    proposal = approved_proposal(project, maria)
    link = send(proposal, alice).link
    decision = accept(link)
    assert (decision.outcome, decision.full_name, decision.role, decision.company) == (
        Outcome.ACCEPTED,
        "Giulia Bianchi",
        "CIO",
        "Acme S.p.A.",
    )
    assert (decision.ip, decision.user_agent) == (VISITOR.ip, VISITOR.user_agent)
    assert decision.proposal_sha256 == proposal.sha256
    assert (decision.proposal_version, decision.project_revision) == (
        proposal.version,
        proposal.project_revision,
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and project.is_closed
    assert not project.can_be_edited_by(alice)
    project.title = "Changed after acceptance"
    assert project.save_revision(project.revision, by=alice) is False
    assert Project.objects.get(pk=project.pk).title == "Three hospitals"
    assert links.state_of(fresh(link)) == LinkState.CLOSED
    assert Transition.objects.filter(project=project, action=Action.ACCEPT).count() == 1


def test_a_second_acceptance_is_refused(project: Project, alice: User, maria: User) -> None:
    proposal = approved_proposal(project, maria)
    first, second = send(proposal, alice).link, send(proposal, alice).link
    accept(first)
    for link in (first, second):
        with pytest.raises(LinkRefused) as refused:
            accept(link)
        assert refused.value.state == LinkState.CLOSED
    assert Decision.objects.count() == 1


def test_a_decided_link_cannot_be_revoked(project: Project, alice: User, maria: User) -> None:
    link = send(approved_proposal(project, maria), alice).link
    accept(link)
    assert links.revoke(fresh(link), alice) is False
    assert fresh(link).revoked_at is None


def test_the_database_refuses_two_decisions_on_one_revision(
    project: Project, alice: User, maria: User
) -> None:
    proposal = approved_proposal(project, maria)
    first, second = send(proposal, alice).link, send(proposal, alice).link
    decision = accept(first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            link=second,
            project=project,
            proposal=proposal,
            outcome=Outcome.DECLINED,
            proposal_version=proposal.version,
            proposal_sha256=proposal.sha256,
            project_revision=decision.project_revision,
        )


def test_a_decline_makes_the_project_lost_with_its_reason(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    decision = links.decline(
        fresh(link), link.proposal.sha256, VISITOR, reason="Budget moved to next year."
    )
    assert decision.outcome == Outcome.DECLINED and decision.reason == "Budget moved to next year."
    project.refresh_from_db()
    assert project.status == ProjectStatus.LOST and project.is_closed
    declined = Transition.objects.get(project=project, action=Action.DECLINE)
    assert declined.comment == "Budget moved to next year."
    with pytest.raises(LinkRefused):
        accept(link)


def test_a_refused_acceptance_writes_nothing(project: Project, alice: User, maria: User) -> None:
    link = send(approved_proposal(project, maria), alice).link
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.APPROVED)  # not sent
    with pytest.raises(LinkRefused):
        accept(link)
    assert fresh(link).decided_at is None
    assert not Decision.objects.exists()
    assert not Transition.objects.filter(action=Action.ACCEPT).exists()


# --- Reopening -------------------------------------------------------------------------------


def test_a_manager_reopens_an_accepted_project_as_a_new_revision(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    accept(link)
    project.refresh_from_db()
    revision = project.revision
    restart = links.reopen(project, maria, "The customer adds a site.", revision=revision)
    project.refresh_from_db()
    assert (project.status, project.revision) == (ProjectStatus.DRAFT, revision + 1)
    assert (restart.action, restart.actor, restart.comment, restart.revision) == (
        Action.RESTART,
        maria,
        "The customer adds a site.",
        revision + 1,
    )
    assert project.can_be_edited_by(alice)
    assert Decision.objects.filter(project=project).count() == 1  # the record stays
    assert links.state_of(fresh(link)) == LinkState.CLOSED


def test_only_a_manager_or_an_administrator_reopens(
    project: Project, alice: User, maria: User, adam: User, charlie: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    links.decline(fresh(link), link.proposal.sha256, VISITOR, reason="")
    project.refresh_from_db()
    for user in (alice, charlie):
        with pytest.raises(LinkRefused):
            links.reopen(project, user, revision=project.revision)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.LOST
    links.reopen(project, adam, revision=project.revision)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.DRAFT


def test_reopening_a_project_not_decided_is_refused(project: Project, maria: User) -> None:
    with pytest.raises(LinkRefused):
        links.reopen(project, maria, revision=project.revision)


def test_a_reopening_read_at_an_old_revision_is_refused(
    project: Project, alice: User, maria: User
) -> None:
    link = send(approved_proposal(project, maria), alice).link
    accept(link)
    project.refresh_from_db()
    with pytest.raises(LinkRefused, match="changed meanwhile"):
        links.reopen(project, maria, revision=project.revision - 1)


def test_the_first_view_is_marked_once(project: Project, alice: User, maria: User) -> None:
    link = send(approved_proposal(project, maria), alice).link
    heard: list[int] = []

    def receiver(sender: object, link: CustomerLink, **kwargs: object) -> None:
        heard.append(link.pk)

    links.link_first_viewed.connect(receiver, dispatch_uid="test.first_view")
    try:
        now = timezone.now()
        assert links.mark_first_view(fresh(link), now) is True
        assert links.mark_first_view(fresh(link), now + timedelta(hours=1)) is False
    finally:
        links.link_first_viewed.disconnect(dispatch_uid="test.first_view")
    assert heard == [link.pk]
    assert fresh(link).first_viewed_at == now


def test_a_link_is_a_record(project: Project, alice: User, maria: User) -> None:
    from portal.models import RecordError

    link = send(approved_proposal(project, maria), alice).link
    link.recipient_email = "someone.else@example.com"
    with pytest.raises(RecordError):
        link.save()
    with pytest.raises(RecordError):
        link.delete()


def test_the_validity_end_is_the_end_of_the_day() -> None:
    end = links.validity_end(date(2027, 3, 31))
    local = timezone.localtime(end)
    assert (local.date(), local.hour, local.minute) == (date(2027, 4, 1), 0, 0)
