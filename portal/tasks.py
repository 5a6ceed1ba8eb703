"""Celery tasks of the customer links: the acceptance receipt, and the notices to the
organisation (one mail to one user per task).

Both are queued by `portal.notifications` once the decision's (or the first view's)
transaction has committed. The receipt's task is idempotent (one key per decision, the
same bytes each time); a storage or database that is unavailable is retried with backoff
as the proposals' rendering is (`reports.tasks.retry_countdown`), then the receipt is
marked failed. A mail server that is down is retried as the review's mail is
(`review.tasks`); a second copy of a notice is harmless.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any, Final

from celery import shared_task
from celery.exceptions import Reject

from reports.services import TransientFailure
from reports.tasks import retry_countdown
from review.tasks import EAGER_RETRIES
from review.tasks import MAX_RETRIES as MAIL_RETRIES
from review.tasks import retry_countdown as mail_retry_countdown

from . import receipt
from .models import Decision, ReceiptStatus

logger = logging.getLogger(__name__)

MAX_RETRIES: Final = 5


def _give_up(decision_id: int, detail: str) -> str:
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is not None and decision.receipt_status != ReceiptStatus.READY:
        receipt.mark_failed(decision, detail)
    return ReceiptStatus.FAILED


# Celery has no type hints: its decorator is untyped. No result stored: the row is it.
@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name="portal.render_receipt", max_retries=MAX_RETRIES, ignore_result=True
)
def render_receipt(self: Any, decision_id: int) -> str:
    try:
        return receipt.render_and_store(decision_id)
    except TransientFailure as exc:
        retries = self.request.retries
        if retries >= MAX_RETRIES:
            return _give_up(decision_id, f"unavailable: {exc}")
        if self.request.is_eager:
            # In-process there is no broker to deliver the retry later, and an eager retry
            # propagates as an error: try again now instead.
            return str(render_receipt.apply((decision_id,), retries=retries + 1).result)
        try:
            raise self.retry(exc=exc, countdown=retry_countdown(retries))
        except Reject:
            # The retry could not be queued (the broker went down): the receipt stays
            # queued and the outbox's sweep sends it again.
            return ReceiptStatus.QUEUED


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name="portal.send_notice", max_retries=MAIL_RETRIES, ignore_result=True
)
def send_notice(self: Any, kind: str, object_id: int, user_id: int) -> None:
    from .notifications import deliver  # notifications imports this module

    try:
        deliver(kind, object_id, user_id)
    except (SMTPException, OSError) as exc:  # the server is down, times out, hangs up
        failure = (kind, object_id, user_id, type(exc).__name__)
        retries, eager = self.request.retries, self.request.is_eager
        if retries >= (EAGER_RETRIES if eager else MAIL_RETRIES):
            logger.error("notice %s of %s to user %s given up: %s", *failure)
            return
        if eager:
            send_notice.apply((kind, object_id, user_id), retries=retries + 1)
            return
        logger.info("notice %s of %s to user %s will be retried: %s", *failure)
        try:
            raise self.retry(exc=exc, countdown=mail_retry_countdown(retries))
        except Reject:
            logger.error("notice %s of %s to user %s lost: %s", *failure)
