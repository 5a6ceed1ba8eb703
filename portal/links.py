"""The rules of customer links: who may send what, how long a link lasts, what it may
still do, and the customer's decision. Plain functions over the models; the views
(`portal.views` for the organisation, `portal.public` for the customer) call them.

A link is for one approved, rendered proposal version of the project's current revision,
created while the project is approved or sent (the first link makes it sent). Its token
(`new_token`, 192 bits from `secrets`) is shown once and sent by e-mail; only its SHA-256
is stored, so a leak of the database gives no working link.

What a link may do (`state_of`): while OPEN the customer views, downloads and decides;
EXPIRED and REVOKED say so and show nothing of the offer; SUPERSEDED (the project changed
since, or a newer approved version in the same language exists) and CLOSED (the customer
decided, through this link or another) show the offer but accept nothing.

The decision is one transaction of conditional UPDATEs: the link (still open: not
revoked, not expired, not decided), then the project (still sent, at the proposal's
revision), then the `Decision` row, unique per project revision. Of an acceptance and a
revocation (or two acceptances, through one link or two) sent at once exactly one wins;
the other is refused and writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from configurator.models import APPROVED_STATUSES, CLOSED_STATUSES, Project, ProjectStatus, User
from reports.models import Proposal, ProposalStatus
from review.models import Action, Transition

from .models import CustomerLink, Decision, Outcome, ReceiptStatus

TOKEN_BYTES = 24  # 192 bits: more than the 128 the link needs to be unguessable

# Sent once per link, in the transaction that records its first counted view (`link`):
# the sender and the managers are told (portal.notifications).
link_first_viewed = Signal()


class LinkState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    CLOSED = "closed"


class LinkRefused(Exception):
    """The action was not done; `message` (translated) says why, `state` is the link's."""

    def __init__(self, message: str, state: LinkState | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.state = state

    def __str__(self) -> str:
        return self.message


# --- Tokens --------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token. Any string hashes (a mistyped token costs the same
    lookup as a good one): the caller never checks the token's shape first."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def find_link(token: str) -> CustomerLink | None:
    """The link a token opens, or None: one indexed lookup by hash, whatever the token."""
    return (
        CustomerLink.objects.filter(token_hash=token_hash(token))
        .select_related("proposal", "project", "project__organization", "project__owner")
        .first()
    )


# --- Expiry --------------------------------------------------------------------------------


def default_days() -> int:
    return int(settings.CUSTOMER_LINK_DAYS)


def max_days() -> int:
    return int(settings.CUSTOMER_LINK_MAX_DAYS)


def validity_end(valid_until: date) -> datetime:
    """The end of the offer's last day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(valid_until + timedelta(days=1), time.min))


def expiry_for(project: Project, days: int, now: datetime | None = None) -> datetime:
    """When a link made now for `days` days expires: at most CUSTOMER_LINK_MAX_DAYS, never
    past the offer's validity. Refused (LinkRefused) for days out of range or an offer
    whose validity has ended."""
    now = now or timezone.now()
    if not 1 <= days <= max_days():
        raise LinkRefused(
            _("A link lasts from 1 to %(max)d days.") % {"max": max_days()},
        )
    expires = now + timedelta(days=days)
    if project.offer_valid_until is not None:
        end = validity_end(project.offer_valid_until)
        if end <= now:
            raise LinkRefused(
                _("The offer was valid until %(date)s: set a new validity before sending it.")
                % {"date": project.offer_valid_until.isoformat()}
            )
        expires = min(expires, end)
    return expires


# --- What a link may do ---------------------------------------------------------------------


def newer_version_exists(proposal: Proposal, project: Project) -> bool:
    """The project changed since the proposal was made, or a newer approved version of it
    in the same language is rendered: that one is the offer now (one still rendering, or
    failed, is not: the customer could not read it)."""
    if project.revision != proposal.project_revision:
        return True
    return Proposal.objects.filter(
        project_id=proposal.project_id,
        version__gt=proposal.version,
        language=proposal.language,
        status=ProposalStatus.READY,
        snapshot__approval__approved=True,
    ).exists()


def state_of(
    link: CustomerLink, now: datetime | None = None, *, newer: bool | None = None
) -> LinkState:
    """What `link` may do now (its project and proposal as loaded with it). `newer`, when
    given, is `newer_version_exists` of its proposal, already asked (`states_of`)."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if link.decided_at is not None or link.project.status in CLOSED_STATUSES:
        return LinkState.CLOSED
    if now >= link.expires_at:
        return LinkState.EXPIRED
    if newer is None:
        newer = newer_version_exists(link.proposal, link.project)
    if link.project.status != ProjectStatus.SENT or newer:
        return LinkState.SUPERSEDED
    return LinkState.OPEN


def states_of(
    project_links: list[CustomerLink], now: datetime | None = None
) -> dict[int, LinkState]:
    """`state_of` of each link (by pk), asking for a newer version once per proposal, not
    once per link: a page listing the links makes as many queries for one as for many."""
    now = now or timezone.now()
    newer: dict[int, bool] = {}
    for link in project_links:
        if link.proposal_id not in newer:
            newer[link.proposal_id] = newer_version_exists(link.proposal, link.project)
    return {link.pk: state_of(link, now, newer=newer[link.proposal_id]) for link in project_links}


def shows_offer(state: LinkState) -> bool:
    """An expired or revoked link shows nothing of the offer; the others show it."""
    return state not in (LinkState.EXPIRED, LinkState.REVOKED)


def refusal_message(state: LinkState) -> str:
    return {
        LinkState.EXPIRED: _("This link has expired. Ask the sender for a new one."),
        LinkState.REVOKED: _("This link was withdrawn by the sender. Ask them for a new one."),
        LinkState.SUPERSEDED: _(
            "A newer version of this offer exists, or is being prepared: this one can no "
            "longer be accepted. Ask the sender for the link to the newer version."
        ),
        LinkState.CLOSED: _("A decision on this offer has already been recorded."),
        LinkState.OPEN: "",
    }[state]


def mark_first_view(link: CustomerLink, at: datetime) -> bool:
    """Record `at` as the link's first view a person made, once: True for the first."""
    with transaction.atomic():
        first = CustomerLink.objects.filter(pk=link.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=at
        )
        if first:
            link.first_viewed_at = at
            link_first_viewed.send(sender=CustomerLink, link=link)
    return bool(first)


# --- Sending ---------------------------------------------------------------------------------


def sendable_refusal(proposal: Proposal, project: Project) -> str | None:
    """Why `proposal` may not be sent to a customer now, or None."""
    if project.status not in APPROVED_STATUSES:
        return _("Only an approved project is sent to the customer.")
    if proposal.project_id != project.pk:
        return _("This project has no such proposal.")
    if not proposal.is_approved or proposal.project_revision != project.revision:
        return _("Only a proposal of the approved revision is sent: generate the proposal again.")
    if proposal.status != ProposalStatus.READY:
        return _("The proposal has no PDF yet: wait for it to be rendered.")
    if newer_version_exists(proposal, project):
        return _("A newer approved version of this proposal exists: send that one.")
    return None


def sendable_proposals(project: Project) -> list[Proposal]:
    """The proposals a link may be created for now, newest first."""
    if project.status not in APPROVED_STATUSES:
        return []
    candidates = Proposal.objects.filter(
        project=project, project_revision=project.revision, status=ProposalStatus.READY
    )
    return [p for p in candidates if sendable_refusal(p, project) is None]


@dataclass(frozen=True)
class IssuedLink:
    link: CustomerLink
    token: str  # shown once, mailed once, never stored


def create_link(
    proposal: Proposal,
    by: User,
    *,
    recipient_name: str,
    recipient_email: str,
    language: str,
    days: int | None = None,
    replaces: CustomerLink | None = None,
) -> IssuedLink:
    """A new link to `proposal` for one recipient. The first link of an approved project
    marks it sent (a `SEND` transition). Under a row lock on the project, so a change or a
    review transition comes wholly before or after it."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=proposal.project_id)
        if project.organization_id != by.organization_id:
            raise LinkRefused(_("This project belongs to another organisation."))
        refused = sendable_refusal(proposal, project)
        if refused:
            raise LinkRefused(refused)
        now = timezone.now()
        token = new_token()
        link = CustomerLink.objects.create(
            proposal=proposal,
            project=project,
            recipient_name=recipient_name,
            recipient_email=recipient_email,
            language=language,
            token_hash=token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=expiry_for(project, default_days() if days is None else days, now),
            replaces=replaces,
        )
        if project.status == ProjectStatus.APPROVED:
            _transition(project, Action.SEND, ProjectStatus.SENT, by)
        return IssuedLink(link, token)


def revoke(link: CustomerLink, by: User) -> bool:
    """Withdraw `link`: from now on it says so and shows nothing. False (nothing done) when
    it was revoked already or the customer decided through it: a decision stays."""
    now = timezone.now()
    done = CustomerLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, decided_at__isnull=True
    ).update(revoked_at=now, revoked_by=by)
    if done:
        link.revoked_at, link.revoked_by = now, by
    return bool(done)


def reissue(link: CustomerLink, by: User, *, days: int | None = None) -> IssuedLink:
    """A new link for the same recipient and proposal, replacing `link` (revoked now if it
    was not): for a link expired, lost or forwarded by mistake."""
    with transaction.atomic():
        if link.decided_at is not None:
            raise LinkRefused(refusal_message(LinkState.CLOSED), LinkState.CLOSED)
        if CustomerLink.objects.filter(replaces=link).exists():
            raise LinkRefused(_("This link was re-issued already: re-issue the newer one."))
        revoke(link, by)
        return create_link(
            link.proposal,
            by,
            recipient_name=link.recipient_name,
            recipient_email=link.recipient_email,
            language=link.language,
            days=days,
            replaces=link,
        )


# --- The customer's decision -------------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    """Who sent the request, as the evidence records it."""

    ip: str | None
    user_agent: str


def _claim_link(link: CustomerLink, shown_sha256: str, now: datetime) -> None:
    """Mark the link decided, only if it is still open and showed this very PDF."""
    state = state_of(link, now)
    if state != LinkState.OPEN:
        raise LinkRefused(refusal_message(state), state)
    if not hmac.compare_digest(shown_sha256.encode(), link.proposal.sha256.encode()):
        raise LinkRefused(
            _("The offer changed since this page was shown: open the link again to read it."),
            LinkState.SUPERSEDED,
        )
    claimed = CustomerLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, decided_at__isnull=True, expires_at__gt=now
    ).update(decided_at=now)
    if not claimed:
        fresh = find_link_by_pk(link.pk)
        state = state_of(fresh, now) if fresh else LinkState.REVOKED
        raise LinkRefused(refusal_message(state) or refusal_message(LinkState.CLOSED), state)
    link.decided_at = now


def find_link_by_pk(pk: int) -> CustomerLink | None:
    return (
        CustomerLink.objects.filter(pk=pk)
        .select_related("proposal", "project", "project__organization", "project__owner")
        .first()
    )


def _decide(
    link: CustomerLink, shown_sha256: str, visitor: Visitor, outcome: str, **typed: str
) -> Decision:
    now = timezone.now()
    to_status = ProjectStatus.ACCEPTED if outcome == Outcome.ACCEPTED else ProjectStatus.LOST
    try:
        with transaction.atomic():
            _claim_link(link, shown_sha256, now)
            proposal, project = link.proposal, link.project
            moved = Project.objects.filter(
                pk=project.pk, status=ProjectStatus.SENT, revision=proposal.project_revision
            ).update(status=to_status, updated_at=now)
            if not moved:
                raise LinkRefused(refusal_message(LinkState.CLOSED), LinkState.CLOSED)
            decision = Decision.objects.create(
                link=link,
                project=project,
                proposal=proposal,
                outcome=outcome,
                at=now,
                ip=visitor.ip,
                user_agent=visitor.user_agent[:400],
                proposal_version=proposal.version,
                proposal_sha256=proposal.sha256,
                project_revision=proposal.project_revision,
                receipt_status=ReceiptStatus.QUEUED if outcome == Outcome.ACCEPTED else "",
                **typed,
            )
            action = Action.ACCEPT if outcome == Outcome.ACCEPTED else Action.DECLINE
            Transition.objects.create(
                project=project,
                action=action,
                from_status=ProjectStatus.SENT,
                to_status=to_status,
                revision=proposal.project_revision,
                actor=None,
                comment=typed.get("reason", ""),
                at=now,
            )
    except IntegrityError as exc:  # a decision on this revision was written meanwhile
        raise LinkRefused(refusal_message(LinkState.CLOSED), LinkState.CLOSED) from exc
    project.status = to_status
    return decision


def accept(
    link: CustomerLink,
    shown_sha256: str,
    visitor: Visitor,
    *,
    full_name: str,
    role: str,
    company: str,
) -> Decision:
    """The customer accepts the offer the link showed (its PDF named by `shown_sha256`):
    the project is accepted and locked; the receipt is rendered by a worker."""
    return _decide(
        link,
        shown_sha256,
        visitor,
        Outcome.ACCEPTED,
        full_name=full_name,
        role=role,
        company=company,
    )


def decline(link: CustomerLink, shown_sha256: str, visitor: Visitor, *, reason: str) -> Decision:
    """The customer declines: the project is lost, with the reason they gave (or none)."""
    return _decide(link, shown_sha256, visitor, Outcome.DECLINED, reason=reason)


# --- Reopening ------------------------------------------------------------------------------


def may_reopen(project: Project, user: User) -> bool:
    return (
        user.organization_id == project.organization_id
        and (user.is_manager or user.is_administrator)
        and project.status in CLOSED_STATUSES
    )


def reopen(project: Project, by: User, comment: str = "", *, revision: int) -> Transition:
    """A project the customer decided on, back to draft as a new revision, by a manager
    (or an administrator) of its organisation; recorded as a `RESTART` transition. Its
    links of the old revision stay superseded; the decision stays on record."""
    if not may_reopen(project, by):
        raise LinkRefused(_("Only a manager reopens a project the customer decided on."))
    from_status = project.status
    with transaction.atomic():
        if not project.reopen_closed(revision, by=by):
            raise LinkRefused(_("The project changed meanwhile: nothing was done."))
        return Transition.objects.create(
            project=project,
            action=Action.RESTART,
            from_status=from_status,
            to_status=ProjectStatus.DRAFT,
            revision=project.revision,
            actor=by,
            comment=comment,
        )


def _transition(project: Project, action: str, to_status: str, by: User | None) -> Transition:
    """Move the locked `project` and record it (the caller holds the row lock)."""
    from_status = project.status
    Project.objects.filter(pk=project.pk).update(status=to_status)
    project.status = to_status
    return Transition.objects.create(
        project=project,
        action=action,
        from_status=from_status,
        to_status=to_status,
        revision=project.revision,
        actor=by,
    )


def links_of(project: Project) -> list[CustomerLink]:
    """The project's links, newest first, with what the page shows of each."""
    return list(
        CustomerLink.objects.filter(project=project)
        .select_related("proposal", "project", "created_by", "revoked_by")
        .defer("proposal__snapshot")
    )


def evidence(decision: Decision) -> dict[str, Any]:
    """What an acceptance proves, as the receipt and the project page show it."""
    return {
        "outcome": decision.outcome,
        "full_name": decision.full_name,
        "role": decision.role,
        "company": decision.company,
        "reason": decision.reason,
        "at": decision.at,
        "ip": decision.ip,
        "user_agent": decision.user_agent,
        "proposal_version": decision.proposal_version,
        "proposal_sha256": decision.proposal_sha256,
        "project_revision": decision.project_revision,
        "recipient_email": decision.link.recipient_email,
    }
