"""The review's pages: a POST per transition (plain forms, so without JavaScript too) and
the reviewer's page of a project.

Projects are fetched through `configurator.access`: another organisation's project, or a
project a sales engineer does not own, is a 404. What a visible project's user may do is
`review.workflow`'s to decide: a refusal comes back as the review panel with its reason,
403 when the user may never make that transition, 409 when the project's state does not
allow it now (400 for a comment that is not valid), and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from configurator.access import AuthenticatedRequest, get_project_for_user
from configurator.forms import RevisionField
from configurator.models import Project, User
from configurator.project_sizing import size_project
from reports.compare import SnapshotDiff, compare_snapshots

from . import workflow
from .models import COMMENT_MAX_LENGTH, Transition

# Lazy: read in the request's language, not in the one active when the module was imported.
SUCCESS = {
    "submit": _("Project submitted for review (revision %(n)d)."),
    "recall": _("Project recalled from review: it is a draft again."),
    "approve": _("Project approved (revision %(n)d)."),
    "send_back": _("Project sent back to its owner with your comment."),
}


def _transition(
    request: AuthenticatedRequest, pk: int, action: str, make: Callable[..., Transition]
) -> HttpResponse:
    """The transition `make` on the project, as the page showed it: the button posts the
    revision it was shown at (missing or malformed: 0, refused as changed meanwhile) and,
    for a review, the comment, whose rules are the workflow's."""
    project = get_project_for_user(request, pk)
    comment = request.POST.get("comment", "")
    kwargs: dict[str, Any] = {"revision": RevisionField().clean(request.POST.get("revision"))}
    if action in workflow.REVIEW_ACTIONS:
        kwargs["comment"] = comment
    try:
        make(project, request.user, **kwargs)
    except workflow.TransitionRefused as refused:
        return _refused_page(request, project, refused, comment)
    messages.success(request, str(SUCCESS[action]) % {"n": project.revision})
    return redirect(project)


def _refused_page(
    request: AuthenticatedRequest,
    project: Project,
    refused: workflow.TransitionRefused,
    comment: str,
) -> HttpResponse:
    """The project's review panel with the reason, the project as it is now, and the
    comment as typed (a refused send-back keeps it)."""
    fresh = get_project_for_user(request, project.pk)
    context = {
        "project": fresh,
        "review_error": refused.message,
        "comment": comment,
        "allowed": workflow.allowed_actions(fresh, request.user),
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
    return render(request, "review/refused.html", context, status=refused.status)


@login_required
@require_POST
def project_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit", workflow.submit)


@login_required
@require_POST
def project_recall(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "recall", workflow.recall)


@login_required
@require_POST
def project_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "approve", workflow.approve)


@login_required
@require_POST
def project_send_back(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "send_back", workflow.send_back)


@dataclass
class ReviewChanges:
    """The submission reviewed last time, the latest one, and what differs between them."""

    reviewed: Transition
    latest: Transition
    diff: SnapshotDiff


def changes_since_last_review(project: Project) -> ReviewChanges | None:
    """What changed since the submission last reviewed, when an earlier one was reviewed."""
    pair = workflow.submissions_to_compare(project)
    if pair is None:
        return None
    reviewed, latest = pair
    return ReviewChanges(
        reviewed, latest, compare_snapshots(reviewed.snapshot or {}, latest.snapshot or {})
    )


@login_required
@require_GET
def project_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The reviewer's page: the project as submitted, what changed since the last review
    (when an earlier submission was reviewed), and the comment with Approve / Send back."""
    project = get_project_for_user(request, pk)
    user: User = request.user
    sites = list(project.sites.all())
    context = {
        "project": project,
        "sites": sites,
        "sizing": size_project(project, sites),
        "allowed": workflow.allowed_actions(project, user),
        "is_reviewer": workflow.is_reviewer(project, user),
        "last_review": workflow.last_review(project),
        "changes": changes_since_last_review(project),
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
    return render(request, "review/project_review.html", context)
