"""Celery task of the review: one e-mail about one transition to one recipient.

Queued by `review.notifications` after the transition's transaction commits, one task per
recipient, so that an address the server refuses does not stop the others' mail. A mail
server that is down or times out is retried with exponential backoff (at most a minute
between tries and a third of the visibility timeout, as the proposals' retries: a retry
waits unacknowledged in its worker), `MAX_RETRIES` times; then the mail is given up and
logged. Acknowledged late and rejected when the worker dies (config/celery.py), so a killed
worker's mail is sent again: a second copy of a notice is harmless.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import Any, Final

from celery import shared_task
from celery.exceptions import Reject
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from configurator.models import User

from .models import Action, Transition

logger = logging.getLogger(__name__)

MAX_RETRIES: Final = 5
# In-process (the embedded default) a retry cannot wait: one at once, for a dropped
# connection, not five that would hold the request up to the SMTP timeout each.
EAGER_RETRIES: Final = 1
# Seconds before the first retry of a mail the server did not take; doubling after.
RETRY_BACKOFF: Final = 5

# The subject of each notified action (in the recipient's language when rendered).
SUBJECTS: Final = {
    Action.SUBMIT: _("“%(project)s” submitted for review"),
    Action.RECALL: _("“%(project)s” withdrawn from review"),
    Action.APPROVE: _("“%(project)s” approved"),
    Action.SEND_BACK: _("“%(project)s” sent back for changes"),
}


def review_mail(transition: Transition, recipient: User) -> EmailMultiAlternatives:
    """The e-mail telling `recipient` of `transition`, in the recipient's language: plain
    text with an HTML alternative, linking to the project's page on SITE_URL."""
    project = transition.project
    actor = transition.actor
    with translation.override(recipient.language):
        subject = str(SUBJECTS[Action(transition.action)]) % {"project": project.title}
        context = {
            "subject": subject,
            "recipient": recipient,
            "transition": transition,
            "project": project,
            "actor_name": str(actor) if actor else gettext("someone"),
            "project_url": settings.SITE_URL + reverse("project_detail", args=[project.pk]),
        }
        text = render_to_string("review/email/transition.txt", context)
        html = render_to_string("review/email/transition.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # A reply reaches the person who acted (the manager who sent the project back).
        reply_to=[actor.email] if actor and actor.email else None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling from RETRY_BACKOFF, at most a
    minute and at most a third of the visibility timeout (a retry waits unacknowledged in
    its worker; past the timeout Redis would deliver it twice)."""
    return float(min(RETRY_BACKOFF * 2**retries, 60, settings.CELERY_VISIBILITY_TIMEOUT / 3))


def deliver(transition_pk: int, recipient_pk: int) -> None:
    """Mail `recipient_pk` about `transition_pk`, if the recipient can still be told: an
    account made inactive, left without an address or moved to another organisation since
    the transition gets nothing. A mail server's failure is raised to the task."""
    transition = (
        Transition.objects.select_related("project__customer", "actor")
        .filter(pk=transition_pk)
        .first()
    )
    if transition is None or transition.action not in SUBJECTS:
        return
    recipient = (
        User.objects.filter(
            pk=recipient_pk, is_active=True, organization_id=transition.project.organization_id
        )
        .exclude(email="")
        .first()
    )
    if recipient is None:
        return
    try:
        review_mail(transition, recipient).send()
    except SMTPRecipientsRefused:
        # The server refuses this address: trying again would not change its mind.
        logger.warning(
            "review mail: the server refused the address of user %s (transition %s)",
            recipient_pk,
            transition_pk,
        )


# Celery has no type hints: its decorator is untyped.
@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name="review.send_review_mail", max_retries=MAX_RETRIES, ignore_result=True
)
def send_review_mail(self: Any, transition_pk: int, recipient_pk: int) -> None:
    try:
        deliver(transition_pk, recipient_pk)
    except (SMTPException, OSError) as exc:  # the server is down, times out, hangs up
        failure = (recipient_pk, transition_pk, type(exc).__name__)
        retries, eager = self.request.retries, self.request.is_eager
        if retries >= (EAGER_RETRIES if eager else MAX_RETRIES):
            logger.error("review mail to user %s (transition %s) given up: %s", *failure)
            return
        if eager:
            # In-process (the embedded default) there is no broker to deliver the retry
            # later, and an eager retry propagates as an error: try again now instead.
            send_review_mail.apply((transition_pk, recipient_pk), retries=retries + 1)
            return
        logger.info("review mail to user %s (transition %s) will be retried: %s", *failure)
        try:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries))
        except Reject:
            # Celery could not queue the retry (the broker went down): the mail is lost.
            logger.error("review mail to user %s (transition %s) lost: %s", *failure)
