"""Celery tasks of the proposals: thin wrappers around `reports.services`.

Acknowledged late and rejected when the worker dies (config/celery.py), so a killed
worker's proposal is delivered again; rendering is idempotent, so that is harmless.
Transient failures are retried with exponential backoff up to `MAX_RETRIES` times, then
the proposal is marked failed with the reason. A task the broker refused is sent again by
the outbox (`services.publish_waiting`, run by every worker: config/celery.py).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from celery import shared_task
from celery.exceptions import Reject
from celery.signals import worker_process_init
from django.conf import settings

from . import services
from .render import warm_up

logger = logging.getLogger(__name__)

MAX_RETRIES: Final = 5


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling from PROPOSAL_RETRY_BACKOFF, at
    most a minute and at most a third of the visibility timeout (a retry waits
    unacknowledged in its worker; past the timeout Redis would deliver it twice)."""
    return min(
        settings.PROPOSAL_RETRY_BACKOFF * 2**retries, 60, settings.CELERY_VISIBILITY_TIMEOUT / 3
    )


# No result is stored: the proposal row is the outcome, and publishing then needs the
# broker only (the result backend would retry a dead Redis for 20 s first).
@shared_task(bind=True, name="reports.render_proposal", max_retries=MAX_RETRIES, ignore_result=True)
def render_proposal(self: Any, proposal_id: int) -> str:
    try:
        return str(services.render_and_store(proposal_id, self.request.id).status)
    except services.TransientFailure as exc:
        if self.request.retries >= MAX_RETRIES:
            services.mark_failed(proposal_id, "unavailable", str(exc))
            return "failed"
        services.mark_queued(proposal_id)
        if self.request.is_eager:
            # In-process (the embedded default) there is no broker to deliver the retry
            # later, and an eager retry propagates as an error: try again now instead.
            again = render_proposal.apply((proposal_id,), retries=self.request.retries + 1)
            return str(again.result)
        try:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries))
        except Reject:
            # Celery could not queue the retry (the broker went down) and drops this
            # message: the outbox sends the proposal again.
            services.mark_unsent(proposal_id)
            return "queued"


@worker_process_init.connect
def _warm_up_worker_process(**_: Any) -> None:
    """Import and lay out once per worker process: the first proposal is not the slow one."""
    try:
        warm_up()
    except Exception:  # a warm-up problem must not stop the worker; the task will report it
        logger.exception("proposal renderer warm-up failed")
