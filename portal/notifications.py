"""What happens after the customer's steps commit: the receipt is queued, the organisation
is told.

- An acceptance (a `Decision` created, accepted): its receipt's task
  (`portal.tasks.render_receipt`). A broker that refuses it leaves the receipt queued;
  `publish_waiting_receipts` sends again those still queued after RECEIPT_SWEEP_AFTER
  (run with the proposals' outbox by every worker: config/celery.py).
- The first counted view of a link (`portal.links.link_first_viewed`), an acceptance and a
  refusal: a notice by e-mail to the project's owner and the organisation's managers (its
  administrators when it has no manager to mail), never to a user of another
  organisation, an inactive account or one without an address; in each recipient's
  language, plain text with an HTML alternative, linking to the project's page.

Everything here runs once the transaction has committed (`transaction.on_commit`): a step
rolled back queues nothing and mails nobody, and the worker always finds the rows. One
task per recipient (`portal.tasks.send_notice`), so one refused address stops no other.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from smtplib import SMTPRecipientsRefused
from typing import Any, Final

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models.signals import post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from configurator.models import Project, Role, User

from .links import link_first_viewed
from .models import CustomerLink, Decision, Outcome, ReceiptStatus
from .receipt import local_moment
from .tasks import render_receipt, send_notice

logger = logging.getLogger(__name__)

BROKER_ERRORS: Final = (BrokerError, RedisError, OSError)
# A receipt still queued this long after its decision lost its message (a broker refusal,
# a Redis restarted empty): the sweep sends it again. Longer than a render and its
# retries, so that a receipt on its way is seldom sent twice (twice is harmless).
RECEIPT_SWEEP_AFTER: Final = timedelta(minutes=5)

VIEWED: Final = "viewed"
ACCEPTED: Final = "accepted"
DECLINED: Final = "declined"
SUBJECTS: Final = {
    VIEWED: _("“%(project)s”: the customer opened the offer"),
    ACCEPTED: _("“%(project)s”: the customer accepted the offer"),
    DECLINED: _("“%(project)s”: the customer declined the offer"),
}


# --- The receipt -----------------------------------------------------------------------------


def queue_receipt(decision_id: int) -> bool:
    """Send the receipt's task; False (logged, the receipt stays queued) if refused."""
    try:
        render_receipt.delay(decision_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "receipt of decision %s waits for the broker: %s", decision_id, type(exc).__name__
        )
        return False
    return True


def publish_waiting_receipts(limit: int = 100) -> int:
    """Send again the receipts still queued RECEIPT_SWEEP_AFTER after their decision,
    oldest first; how many were sent. Stops at the first refusal (the broker is down)."""
    cutoff = timezone.now() - RECEIPT_SWEEP_AFTER
    waiting = Decision.objects.filter(
        outcome=Outcome.ACCEPTED, receipt_status=ReceiptStatus.QUEUED, at__lt=cutoff
    )
    sent = 0
    for decision_id in waiting.order_by("at", "pk").values_list("pk", flat=True)[:limit]:
        if not queue_receipt(decision_id):
            break
        sent += 1
    return sent


# --- The notices -----------------------------------------------------------------------------


def recipients(project: Project) -> list[User]:
    """The project's owner and its organisation's managers (administrators when there is
    no manager to mail): active, with an address, of the project's organisation only."""
    reachable = (
        User.objects.filter(organization_id=project.organization_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    managers = list(reachable.filter(role=Role.MANAGER)) or list(
        reachable.filter(role=Role.ADMINISTRATOR)
    )
    owner = list(reachable.filter(pk=project.owner_id))
    return owner + [user for user in managers if user.pk != project.owner_id]


def queue_notices(kind: str, object_id: int, project_id: int) -> None:
    """One task per recipient; each is tried even if another's was refused."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    for recipient in recipients(project):
        try:
            send_notice.delay(kind, object_id, recipient.pk)
        except BROKER_ERRORS as exc:
            logger.warning(
                "notice %s of %s to user %s could not be queued, it is lost: %s",
                kind,
                object_id,
                recipient.pk,
                type(exc).__name__,
            )


Facts = tuple[Project, CustomerLink, Decision | None]


def _facts(kind: str, object_id: int) -> Facts | None:
    """The project, link and decision a notice is about, or None when it is gone."""
    if kind == VIEWED:
        link = CustomerLink.objects.select_related("project", "proposal").filter(pk=object_id)
        found = link.defer("proposal__snapshot").first()
        return (found.project, found, None) if found else None
    decision = Decision.objects.select_related("project", "link").filter(pk=object_id).first()
    expected = Outcome.ACCEPTED if kind == ACCEPTED else Outcome.DECLINED
    if decision is None or decision.outcome != expected:
        return None
    return decision.project, decision.link, decision


def notice_mail(kind: str, facts: Facts, recipient: User) -> EmailMultiAlternatives:
    """The notice to `recipient` of what `facts` tell, in the recipient's language."""
    project, link, decision = facts
    with translation.override(recipient.language):
        subject = str(SUBJECTS[kind]) % {"project": project.title}
        context = {
            "kind": kind,
            "subject": subject,
            "recipient": recipient,
            "project": project,
            "link": link,
            "decision": decision,
            "version": decision.proposal_version if decision else link.proposal.version,
            "when": local_moment(decision.at if decision else link.first_viewed_at),
            "project_url": settings.SITE_URL + reverse("project_detail", args=[project.pk]),
        }
        text = render_to_string("portal/email/notice.txt", context)
        html = render_to_string("portal/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(kind: str, object_id: int, user_id: int) -> None:
    """Mail `user_id` the notice, if they can still be told (active, with an address, of
    the project's organisation). A mail server's failure is raised to the task."""
    recipient = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    facts = _facts(kind, object_id) if kind in SUBJECTS else None
    if recipient is None or facts is None:
        return
    if recipient.organization_id != facts[0].organization_id:
        return
    try:
        notice_mail(kind, facts, recipient).send()
    except SMTPRecipientsRefused:
        # The server refuses this address: trying again would not change its mind.
        logger.warning("notice %s of %s: the server refused user %s", kind, object_id, user_id)


# --- The signals -----------------------------------------------------------------------------


def _after_decision(decision: Decision) -> None:
    if decision.is_accepted:
        queue_receipt(decision.pk)
    kind = ACCEPTED if decision.is_accepted else DECLINED
    queue_notices(kind, decision.pk, decision.project_id)


def on_decision(
    sender: type[Decision], instance: Decision, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw:
        return
    # robust: on the embedded default the tasks run here, in the customer's request; an
    # error is logged and the committed decision's answer stays.
    transaction.on_commit(
        partial(_after_decision, instance), using=kwargs.get("using"), robust=True
    )


def on_first_view(sender: Any, link: CustomerLink, **kwargs: Any) -> None:
    # Sent inside the transaction that records the view: told once it has committed.
    transaction.on_commit(partial(queue_notices, VIEWED, link.pk, link.project_id), robust=True)


post_save.connect(on_decision, sender=Decision, dispatch_uid="portal.on_decision")
link_first_viewed.connect(on_first_view, dispatch_uid="portal.on_first_view")
