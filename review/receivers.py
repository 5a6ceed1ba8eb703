"""Records, as a transition, the change that sends a reviewed project back to draft."""

from __future__ import annotations

from typing import Any

from configurator.models import REVIEWED_STATUSES, Project, ProjectStatus, project_revised

from .models import Action, Transition


def record_reopening(
    sender: type[Project], project: Project, previous_status: str, by: Any, **kwargs: Any
) -> None:
    """In the change's transaction: the change and its record commit together or not at
    all. The row names the new revision (the one no longer reviewed)."""
    if previous_status in REVIEWED_STATUSES:
        Transition.objects.create(
            project=project,
            action=Action.REOPEN,
            from_status=previous_status,
            to_status=ProjectStatus.DRAFT,
            revision=project.revision,
            actor=by,
        )


project_revised.connect(record_reopening, sender=Project, dispatch_uid="review.record_reopening")
