"""The review of a project: one row per transition of its status.

A row is never changed or deleted: the project page shows them as the review's record
(who, when, from, to, the comment, the revision reviewed). The transitions themselves are
`review.workflow`'s functions; a change to a reviewed project is recorded here too, as
`Action.REOPEN` (`review.receivers`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from configurator.models import Project, ProjectStatus
from configurator.validators import guard_text_fields

COMMENT_MAX_LENGTH = 2000


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted for review")
    RECALL = "recall", _("Recalled from review")
    APPROVE = "approve", _("Approved")
    SEND_BACK = "send_back", _("Sent back")
    # A change to a project in review or approved: back to draft, by the change's author.
    REOPEN = "reopen", _("Changed after review")
    # The customer's journey (portal.links): the first link of an approved offer, the
    # customer's decision, and a manager's reopening of a decided project.
    SEND = "send", _("Sent to the customer")
    ACCEPT = "accept", _("Accepted by the customer")
    DECLINE = "decline", _("Declined by the customer")
    RESTART = "restart", _("Reopened as a new revision")


class ImmutableTransitionError(Exception):
    """A transition is a record: written once, never changed or deleted."""


class Transition(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("project")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProjectStatus.choices)
    # The project's revision the transition is about (for an approval: the one approved).
    revision = models.PositiveIntegerField(_("revision"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_transitions",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # A submission keeps the project as submitted (reports.snapshot.build_snapshot), so the
    # next review can show what changed since the one before; other transitions have none.
    snapshot = models.JSONField(
        _("snapshot"), encoder=DjangoJSONEncoder, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["project", "at", "pk"]
        verbose_name = _("review transition")
        verbose_name_plural = _("review transitions")
        indexes = [models.Index(fields=["project", "-at"]), models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.project_id} r{self.revision}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableTransitionError("a review transition is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableTransitionError("a review transition is never deleted")


def approval_of(project: Project) -> tuple[Transition, Transition | None] | None:
    """The latest approval of the project's current revision and the submission it approved
    (the latest submission of that revision before it, None if none was recorded); None
    when that revision has no approval. `reports.snapshot.approval_record` checks a
    proposal against it, `review.workflow.outdated_approval` its sizing table."""
    approval = (
        Transition.objects.filter(project=project, action=Action.APPROVE, revision=project.revision)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if approval is None:
        return None
    submission = (
        Transition.objects.filter(
            project=project, action=Action.SUBMIT, revision=project.revision, pk__lt=approval.pk
        )
        .order_by("-pk")
        .first()
    )
    return approval, submission


# No invisible control characters in any text (configurator.validators).
guard_text_fields(Transition)
