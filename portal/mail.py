"""The e-mail carrying a customer link to its recipient, and its Celery task.

Queued after the link's transaction commits (`queue_link_mail`), one task per link, in the
link's language: plain text with an HTML alternative naming the recipient, the sender and
their organisation, the project, the expiry and the URL. The token travels only in the
task's arguments: it is never stored (the database keeps its hash, portal.links), so the
task cannot rebuild the URL from the row. A mail server that is down or times out is
retried as the review's mails are (review.tasks: exponential backoff, MAX_RETRIES); an
address the server refuses is logged and given up.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import Any

from celery import shared_task
from celery.exceptions import Reject
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from review.tasks import EAGER_RETRIES, MAX_RETRIES, retry_countdown

from .models import CustomerLink

logger = logging.getLogger(__name__)


def offer_url(token: str) -> str:
    return settings.SITE_URL + reverse("offer", args=[token])


def link_mail(link: CustomerLink, token: str) -> EmailMultiAlternatives:
    """The mail of `link` to its recipient, in the link's language."""
    sender = link.created_by
    organization = link.project.organization
    with translation.override(link.language):
        subject = gettext("%(organization)s: your offer “%(project)s”") % {
            "organization": organization.name,
            "project": link.project.title,
        }
        context = {
            "subject": subject,
            "link": link,
            "project": link.project,
            "organization": organization,
            "sender_name": sender.get_full_name() or sender.username,
            "url": offer_url(token),
        }
        text = render_to_string("portal/email/link.txt", context)
        html = render_to_string("portal/email/link.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[link.recipient_email],
        # The customer's reply reaches the person who sent the offer.
        reply_to=[sender.email] if sender.email else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(link_pk: int, token: str) -> None:
    """Mail the link, unless it was revoked meanwhile (its URL would only say so)."""
    link = (
        CustomerLink.objects.select_related("project__organization", "created_by")
        .filter(pk=link_pk, revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return
    try:
        link_mail(link, token).send()
    except SMTPRecipientsRefused:
        # The server refuses this address: trying again would not change its mind.
        logger.warning("link mail: the server refused the recipient's address (link %s)", link_pk)


# Celery has no type hints: its decorator is untyped.
@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name="portal.send_link_mail", max_retries=MAX_RETRIES, ignore_result=True
)
def send_link_mail(self: Any, link_pk: int, token: str) -> None:
    # `token` is never logged nor stored: only the link's id is named below.
    try:
        deliver(link_pk, token)
    except (SMTPException, OSError) as exc:  # the server is down, times out, hangs up
        failure = (link_pk, type(exc).__name__)
        retries, eager = self.request.retries, self.request.is_eager
        if retries >= (EAGER_RETRIES if eager else MAX_RETRIES):
            logger.error("link mail (link %s) given up: %s", *failure)
            return
        if eager:
            # In-process there is no broker to deliver the retry later: try again now.
            send_link_mail.apply((link_pk, token), retries=retries + 1)
            return
        logger.info("link mail (link %s) will be retried: %s", *failure)
        try:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries))
        except Reject:
            logger.error("link mail (link %s) lost: %s", *failure)


def queue_link_mail(link_pk: int, token: str) -> list[bool]:
    """Queue the mail once the link is committed (the worker must find it). The list gets
    the outcome once the commit ran: [True] queued, [False] the broker refused it."""
    outcome: list[bool] = []

    def publish() -> None:
        try:
            send_link_mail.delay(link_pk, token)
        except (BrokerError, RedisError, OSError) as exc:
            logger.warning("link mail (link %s) could not be queued: %s", link_pk, exc)
            outcome.append(False)
        else:
            outcome.append(True)

    transaction.on_commit(publish)
    return outcome
