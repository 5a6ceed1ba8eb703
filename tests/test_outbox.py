"""The proposal outbox's edge cases: a second message for a proposal already being rendered,
and a message lost after it was sent (the broker took it, then lost it).

The row is the truth and the broker only carries it (reports/services.py). Tasks run
in-process here (`eager_tasks`); the sweep is the function every worker runs
(config/celery.py), called directly. The same recovery on real processes is
tests/test_worker_faults.py's `test_a_message_the_broker_lost_is_sent_again_by_a_worker`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from configurator.models import Project, Site, User
from reports import services, tasks
from reports.models import Proposal, ProposalStatus
from reports.snapshot import create_proposal

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")


@pytest.fixture
def proposal(project: Project, alice: User) -> Proposal:
    Site.objects.create(project=project, name="Milano", connectivity="mpls", mobile_apps=300)
    return create_proposal(project, "en", alice)


def _lost_for(settings: Any) -> timedelta:
    """Longer than any delivery can take since the message was sent (Proposal.is_stale)."""
    limit = settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
    return timedelta(seconds=limit + 1)


def test_a_second_message_for_a_proposal_being_rendered_is_not_a_crash(
    proposal: Proposal,
) -> None:
    """Another worker is rendering it (claimed by message A a moment ago) when a second
    message B for it arrives (a publish that failed after Redis had it, then sent again by
    the outbox): B leaves it to A. Counting B as a crash would fail a healthy proposal
    after MAX_CRASHES such duplicates, and render it twice at once."""
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.RENDERING, attempts=1, render_task_id="message-a"
    )
    result = tasks.render_proposal.apply((proposal.pk,), task_id="message-b")
    assert result.result == "rendering"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts, proposal.crashes) == ("rendering", 1, 0)
    assert proposal.render_task_id == "message-a"


def test_the_same_message_delivered_again_while_rendering_is_a_crash(
    proposal: Proposal,
) -> None:
    """Message A comes back while its proposal is still marked rendering: the worker that
    took it died (acks late, reject on worker lost). That is a crash, rendered again."""
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.RENDERING, attempts=1, render_task_id="message-a"
    )
    tasks.render_proposal.apply((proposal.pk,), task_id="message-a")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts, proposal.crashes) == ("ready", 2, 1)


def test_a_rendering_that_outlived_the_time_limit_is_taken_over(
    proposal: Proposal, settings: Any
) -> None:
    """Claimed by message A longer ago than the hard time limit allows a render to run: A's
    worker is gone, whatever message comes next renders it (a crash)."""
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.RENDERING, attempts=1, render_task_id="message-a"
    )
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=long_ago)
    tasks.render_proposal.apply((proposal.pk,), task_id="message-b")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts, proposal.crashes) == ("ready", 2, 1)


def test_a_message_lost_after_it_was_sent_is_sent_again_by_the_sweep(
    proposal: Proposal, settings: Any, media_storage: Path
) -> None:
    """Redis accepted the message and then lost it (restarted without persistence, or
    flushed): the row stays queued with a `sent_at` for ever, and the page would end on
    "lost, try again". The sweep sends it again once no delivery can still be on its way."""
    assert proposal.status == ProposalStatus.QUEUED
    sent_long_ago = timezone.now() - _lost_for(settings)
    Proposal.objects.filter(pk=proposal.pk).update(sent_at=sent_long_ago)
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=sent_long_ago)
    assert Proposal.objects.get(pk=proposal.pk).is_stale

    assert services.publish_waiting() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts, proposal.crashes) == ("ready", 1, 0)
    assert len(list(media_storage.rglob("*.pdf"))) == 1


def test_a_message_sent_recently_is_not_sent_twice(proposal: Proposal, settings: Any) -> None:
    """A message still inside its delivery window may be waiting in a long queue: the
    sweep leaves it alone."""
    almost_lost = timezone.now() - _lost_for(settings) + timedelta(seconds=30)
    Proposal.objects.filter(pk=proposal.pk).update(sent_at=almost_lost)
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=almost_lost)
    assert services.publish_waiting() == 0
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sent_at) == ("queued", almost_lost)


def test_a_rendering_lost_with_its_message_is_sent_again_as_a_crash_and_fails_at_the_limit(
    proposal: Proposal, project: Project, alice: User, settings: Any
) -> None:
    """The worker died mid-render and the broker lost its message too: nothing would ever
    deliver it again. The sweep sends it again and counts the crash; at MAX_CRASHES the
    proposal fails with the reason instead of coming back for ever."""
    long_ago = timezone.now() - _lost_for(settings)
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.RENDERING, attempts=1, sent_at=long_ago, render_task_id="gone"
    )
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=long_ago)
    assert services.publish_waiting() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts, proposal.crashes) == ("ready", 2, 1)

    doomed = create_proposal(project, "en", alice)
    Proposal.objects.filter(pk=doomed.pk).update(
        status=ProposalStatus.RENDERING,
        attempts=3,
        crashes=services.MAX_CRASHES - 1,
        sent_at=long_ago,
        render_task_id="gone",
    )
    Proposal.objects.filter(pk=doomed.pk).update(updated_at=long_ago)
    assert services.publish_waiting() == 0
    doomed.refresh_from_db()
    assert (doomed.status, doomed.failure_code) == ("failed", "crashed")
    assert (doomed.attempts, doomed.crashes) == (3, services.MAX_CRASHES)
