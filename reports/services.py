"""Rendering a proposal version and storing its PDF: the work behind the Celery task and
the `render_proposal` command (one code path for both).

Idempotent: the PDF goes to a deterministic storage key, and a proposal already ready
with its file in storage is left alone, so a task delivered twice leaves one PDF.
Transient failures (database, storage or network unavailable) raise `TransientFailure`
for the task to retry; anything else marks the proposal failed with the reason. A task the
broker refused waits in the outbox (`publish`, `publish_waiting`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import timedelta
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from .models import Proposal, ProposalStatus, delivery_window
from .render import render_pdf

logger = logging.getLogger(__name__)

# Renderings a proposal may start without finishing (its worker killed) before it fails.
MAX_CRASHES = 3


class LogoMismatch(Exception):
    """The brand logo in storage is not the one the snapshot recorded."""


class TransientFailure(Exception):
    """Worth another attempt later: the cause is in `__cause__`."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return True
    if isinstance(
        exc,
        EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError,
    ):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= 500 or exc.response.get("Error", {}).get("Code") in {
            "SlowDown",
            "RequestTimeout",
            "ServiceUnavailable",
        }
    return False


def _set(proposal: Proposal, **fields: object) -> None:
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=[*fields, "updated_at"])


def mark_failed(proposal_id: int, code: str, detail: str) -> None:
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.status != ProposalStatus.READY:
        _set(
            proposal,
            status=ProposalStatus.FAILED,
            failure_code=code,
            failure_detail=detail[:2000],
        )


def mark_queued(proposal_id: int) -> None:
    """Back in the queue (a retry after a transient failure, or the user's "try again")."""
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.status != ProposalStatus.READY:
        _set(proposal, status=ProposalStatus.QUEUED, failure_code="", failure_detail="")


def requeue(proposal: Proposal) -> bool:
    """Queue a failed (or lost) proposal again, unless another request just did: True when
    this call changed the row. A conditional update, so two clicks render it once."""
    changed = Proposal.objects.filter(
        pk=proposal.pk, status=proposal.status, updated_at=proposal.updated_at
    ).update(
        status=ProposalStatus.QUEUED,
        failure_code="",
        failure_detail="",
        crashes=0,
        sent_at=None,
        updated_at=timezone.now(),
    )
    return changed == 1


# --- The outbox: the proposal row is the truth, the broker only carries it -------------

BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, RedisError, OSError)


def publish(proposal_id: int) -> bool:
    """Send the proposal's rendering task unless it was sent already: True when this call
    sent it. When the broker refuses, the row is left waiting for the outbox."""
    from .tasks import render_proposal  # the task module imports this one

    claimed = Proposal.objects.filter(
        pk=proposal_id, status=ProposalStatus.QUEUED, sent_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    try:
        render_proposal.apply_async((proposal_id,))
    except BROKER_ERRORS as exc:
        logger.warning("proposal %s waits for the broker: %r", proposal_id, exc)
        mark_unsent(proposal_id)
        return False
    return True


def mark_unsent(proposal_id: int) -> None:
    """Its task did not reach the broker: the outbox sends it again."""
    Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.QUEUED).update(sent_at=None)


def publish_waiting(limit: int = 100) -> int:
    """Send the proposals the broker refused (oldest first); how many were sent. Stops at
    the first refusal: the broker is still down, the next sweep tries again.

    Why an outbox, and why the worker sweeps it: a proposal is saved (in the transaction
    of the request) before its task is published, so a broker that is down loses nothing
    but the message. The row then stays queued with no `sent_at`, the page says it is
    waiting and keeps polling. Every worker runs this sweep when it connects to the broker
    (so right after Redis comes back, the worker's reconnection does it) and every
    PROPOSAL_OUTBOX_SECONDS (for a broker that only the web could not reach); see
    config/celery.py. Not the polling view: a GET that publishes would retry a dead broker
    on every poll of every open page, and nothing would happen for a page nobody watches.
    A conditional update claims each row before it is sent (`publish`), so two sweepers,
    or a sweeper and a request, send it once; should a message still be delivered twice
    (a publish that failed after Redis had it), the task is idempotent: a proposal
    already ready with its file is left alone.
    """
    sent = 0
    waiting = Proposal.objects.filter(status=ProposalStatus.QUEUED, sent_at__isnull=True)
    for proposal_id in waiting.order_by("pk").values_list("pk", flat=True)[:limit]:
        if publish(proposal_id):
            sent += 1
        elif Proposal.objects.filter(pk=proposal_id, sent_at__isnull=True).exists():
            return sent  # the broker refused: it is still down
    return sent + resend_lost(limit)


def resend_lost(limit: int = 100) -> int:
    """Send again the proposals whose message the broker lost after it took it (Redis
    restarted without persistence, or was flushed): sent, and neither rendered nor touched
    for longer than any delivery takes. One still marked rendering lost its worker too: a
    crash, counted as a redelivery counts it, so that it fails at MAX_CRASHES. A
    conditional update claims each row, so two sweepers send it once; should a message
    that was only slow still arrive, `_claim` finds the proposal ready or being rendered
    by the new message and leaves it alone. How many were sent."""
    cutoff = timezone.now() - delivery_window()
    lost = Proposal.objects.filter(
        status__in=(ProposalStatus.QUEUED, ProposalStatus.RENDERING),
        sent_at__lt=cutoff,
        updated_at__lt=cutoff,
    )
    sent = 0
    for proposal in lost.order_by("pk")[:limit]:
        crashed = proposal.status == ProposalStatus.RENDERING
        crashes = proposal.crashes + crashed
        unchanged = Proposal.objects.filter(
            pk=proposal.pk, status=proposal.status, updated_at=proposal.updated_at
        )
        if crashed and crashes >= MAX_CRASHES:
            unchanged.update(
                status=ProposalStatus.FAILED,
                crashes=crashes,
                failure_code="crashed",
                failure_detail=f"the worker stopped during {crashes} renderings",
                updated_at=timezone.now(),
            )
            continue
        claimed = unchanged.update(
            status=ProposalStatus.QUEUED, sent_at=None, crashes=crashes, updated_at=timezone.now()
        )
        if not claimed:
            continue
        logger.warning("proposal %s: its message was lost, sending it again", proposal.pk)
        if publish(proposal.pk):
            sent += 1
        elif Proposal.objects.filter(pk=proposal.pk, sent_at__isnull=True).exists():
            break  # the broker refused: the row waits in the outbox like any other
    return sent


def _claim(proposal_id: int, message_id: str | None = None) -> Proposal | None:
    """Mark the proposal rendering by this message (the Celery task id, None from the
    command), or None when there is nothing to do: already ready with its file, failed (a
    failed proposal is queued again only on purpose), or being rendered right now by
    another message (a duplicate: a publish that failed after Redis had it, sent again)."""
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update().select_related("project").get(pk=proposal_id)
        )
        if proposal.status == ProposalStatus.READY and default_storage.exists(proposal.pdf_key):
            return None
        if proposal.status == ProposalStatus.FAILED:
            return None
        crashes = proposal.crashes
        if proposal.status == ProposalStatus.RENDERING:
            running_for = timezone.now() - proposal.updated_at
            still_running = running_for <= timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
            if still_running and message_id and proposal.render_task_id not in ("", message_id):
                return None
            # Its own message redelivered while still marked rendering, or a rendering
            # that outlived the time limit: the worker died during the render (acks_late +
            # reject_on_worker_lost). Stop a proposal that kills every worker.
            crashes += 1
            if crashes >= MAX_CRASHES:
                _set(
                    proposal,
                    status=ProposalStatus.FAILED,
                    crashes=crashes,
                    failure_code="crashed",
                    failure_detail=f"the worker stopped during {crashes} renderings",
                )
                return None
        _set(
            proposal,
            status=ProposalStatus.RENDERING,
            attempts=proposal.attempts + 1,
            crashes=crashes,
            render_task_id=message_id or "",
        )
        return proposal


def snapshot_logo(snapshot: dict[str, Any]) -> bytes | None:
    """The brand logo a proposal's snapshot recorded, read from storage and checked against
    its SHA-256 (None when it has none); for the proposal, the receipt and the customer's
    page alike."""
    logo = snapshot.get("organization", {}).get("logo")
    if not logo:
        return None
    with default_storage.open(logo["key"], "rb") as handle:
        content: bytes = handle.read()
    if hashlib.sha256(content).hexdigest() != logo["sha256"]:
        # Logos are stored under their hash and never rewritten: another file here means
        # the store was tampered with. Print no logo rather than a wrong one.
        raise LogoMismatch(f"logo {logo['key']} does not match its recorded SHA-256")
    return content


def render_and_store(proposal_id: int, message_id: str | None = None) -> Proposal:
    """Render the proposal's PDF from its snapshot and store it; returns the proposal in
    its final state (ready or failed), or still rendering when another message is at it
    (`_claim`). Raises `TransientFailure` to be retried."""
    step = "render"
    try:
        proposal = _claim(proposal_id, message_id)
        if proposal is None:
            return Proposal.objects.get(pk=proposal_id)
        try:
            logo = snapshot_logo(proposal.snapshot)
        except (FileNotFoundError, LogoMismatch) as exc:
            mark_failed(proposal_id, "logo", repr(exc))
            return Proposal.objects.get(pk=proposal_id)
        rendered = render_pdf(proposal.snapshot, logo, proposal.version)
        step = "storage"
        key = proposal.storage_key()
        stored = default_storage.save(key, ContentFile(rendered.content))
        if stored != key:  # a storage that renames instead of overwriting: not idempotent
            default_storage.delete(stored)
            raise RuntimeError(f"storage saved {stored!r} instead of {key!r}")
        _set(
            proposal,
            status=ProposalStatus.READY,
            pdf_key=key,
            sha256=rendered.sha256,
            size_bytes=len(rendered.content),
            rendered_at=timezone.now(),
            failure_code="",
            failure_detail="",
        )
        if rendered.refused_urls:
            logger.warning(
                "proposal %s: refused %d URL(s)", proposal_id, len(rendered.refused_urls)
            )
        return proposal
    except SoftTimeLimitExceeded:
        mark_failed(proposal_id, "timeout", "soft time limit exceeded")
        return Proposal.objects.get(pk=proposal_id)
    except Exception as exc:
        if is_transient(exc):
            raise TransientFailure(repr(exc)) from exc
        if isinstance(exc, DatabaseError):
            # A bug, not a document problem: let it be seen, but leave no proposal
            # "rendering" for ever if the database still answers.
            with contextlib.suppress(DatabaseError):
                mark_failed(proposal_id, step, repr(exc))
            raise
        logger.exception("proposal %s failed", proposal_id)
        mark_failed(proposal_id, step, repr(exc))
        return Proposal.objects.get(pk=proposal_id)
