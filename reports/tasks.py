"""Celery tasks of the proposals: thin wrappers around `reports.services`.

Acknowledged late and rejected when the worker dies (config/celery.py), so a killed
worker's proposal is delivered again; rendering is idempotent, so that is harmless.
Transient failures are retried with exponential backoff up to `MAX_RETRIES` times, then
the proposal is marked failed with the reason.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from celery import shared_task
from celery.signals import worker_process_init

from . import services
from .render import warm_up

logger = logging.getLogger(__name__)

MAX_RETRIES: Final = 5


@shared_task(bind=True, name="reports.render_proposal", max_retries=MAX_RETRIES)
def render_proposal(self: Any, proposal_id: int) -> str:
    try:
        return str(services.render_and_store(proposal_id).status)
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
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc


@worker_process_init.connect
def _warm_up_worker_process(**_: Any) -> None:
    """Import and lay out once per worker process: the first proposal is not the slow one."""
    try:
        warm_up()
    except Exception:  # a warm-up problem must not stop the worker; the task will report it
        logger.exception("proposal renderer warm-up failed")
