"""Customer links, what happened through them, and the customer's decision.

A `CustomerLink` gives one recipient access to one approved proposal version, through a
token of which only the SHA-256 is stored (`portal.links`). Each request through it is a
`LinkEvent`: a view or a download, counted only when a person's browser made it. The
customer's acceptance or refusal is a `Decision`, with the evidence of what was accepted
(the proposal's version and the SHA-256 of its PDF) and, for an acceptance, the receipt
rendered by a worker.

Records: a decision is never changed (its receipt's rendering fields aside) nor deleted;
a link changes only to be revoked, viewed or decided; events are never deleted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from configurator.models import Language, Project
from configurator.validators import guard_text_fields
from reports.models import Proposal

NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000
USER_AGENT_MAX_LENGTH = 400


class RecordError(Exception):
    """A record of the customer's journey is written once; only its named fields change."""


class Record(models.Model):
    """A row written once: a save changes only the fields in MUTABLE_FIELDS (passed as
    update_fields), and a delete is refused; each refusal says why in the model's words."""

    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset()
    CHANGE_REFUSED: ClassVar[str] = "this record is never changed"
    DELETE_REFUSED: ClassVar[str] = "this record is never deleted"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (
            update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS
        ):
            raise RecordError(self.CHANGE_REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RecordError(self.DELETE_REFUSED)


class CustomerLinkQuerySet(models.QuerySet["CustomerLink"]):
    def visible_to(self, user: Any) -> CustomerLinkQuerySet:
        """A link is visible exactly when its project is (Project.objects.visible_to)."""
        return self.filter(project__in=Project.objects.visible_to(user))


class CustomerLink(Record):
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"revoked_at", "revoked_by", "first_viewed_at", "decided_at"}
    )
    CHANGE_REFUSED = "a customer link changes only to be revoked, viewed or decided"
    DELETE_REFUSED = "customer links are never deleted: revoke them"

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="customer_links",
        verbose_name=_("proposal"),
    )
    # The proposal's project, kept on the link: a project's links in one query, and the
    # organisation every access check starts from.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="customer_links", verbose_name=_("project")
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=NAME_MAX_LENGTH)
    recipient_email = models.EmailField(_("recipient's e-mail"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # SHA-256 of the token, hex: the token itself is shown once and never stored.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customer_links_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customer_links_revoked",
        verbose_name=_("revoked by"),
    )
    # The link this one was issued to replace (the old one is revoked by the re-issue).
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    # The first view a person's browser made (its notice is mailed once).
    first_viewed_at = models.DateTimeField(_("first viewed"), null=True, blank=True)
    # When the customer accepted or declined through this link (the Decision says which).
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = CustomerLinkQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-created_at", "-pk"]
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_name} <{self.recipient_email}> v{self.proposal_id}"


class EventKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded the proposal")
    RECEIPT = "receipt", _("Downloaded the receipt")


class NotCounted(models.TextChoices):
    """Why a request through a link is not counted as a person's view or download."""

    HEAD = "head", _("HEAD request")
    SCANNER = "scanner", _("Link preview or mail scanner")
    NO_COOKIE = "no_cookie", _("No cookie")
    NO_ASSETS = "no_assets", _("The page's assets were never loaded")
    MEMBER = "member", _("Preview by a member of the organisation")
    # The link no longer shows the offer: the visitor was told so and saw nothing of it.
    EXPIRED = "expired", _("The link had expired: nothing of the offer was shown")
    REVOKED = "revoked", _("The link was revoked: nothing of the offer was shown")


class LinkEvent(Record):
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset({"counted", "not_counted"})
    CHANGE_REFUSED = "a link event changes only to be counted"
    DELETE_REFUSED = "link events are never deleted"

    link = models.ForeignKey(
        CustomerLink, on_delete=models.PROTECT, related_name="events", verbose_name=_("link")
    )
    kind = models.CharField(_("what"), max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    counted = models.BooleanField(_("counted"), default=False)
    # Empty when counted; otherwise why not (a view waits as NO_ASSETS for its beacon).
    not_counted = models.CharField(
        _("not counted because"), max_length=10, choices=NotCounted.choices, blank=True
    )
    # A view's random beacon: the page's stylesheet request naming it counts the view.
    beacon = models.CharField(_("beacon"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["link", "at", "pk"]
        verbose_name = _("link event")
        verbose_name_plural = _("link events")
        indexes = [models.Index(fields=["link", "at"]), models.Index(fields=["beacon"])]

    def __str__(self) -> str:
        return f"{self.link_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ReceiptStatus(models.TextChoices):
    NONE = "", _("No receipt")
    QUEUED = "queued", _("Queued")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Decision(Record):
    RECEIPT_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"receipt_status", "receipt_key", "receipt_sha256", "receipt_rendered_at", "receipt_error"}
    )
    MUTABLE_FIELDS = RECEIPT_FIELDS  # the receipt's rendering only
    CHANGE_REFUSED = "a customer's decision is never changed"
    DELETE_REFUSED = "a customer's decision is never deleted"

    link = models.OneToOneField(
        CustomerLink, on_delete=models.PROTECT, related_name="decision", verbose_name=_("link")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="customer_decisions",
        verbose_name=_("project"),
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="customer_decisions",
        verbose_name=_("proposal"),
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    # Typed by the customer (an acceptance needs all three; a refusal none).
    full_name = models.CharField(_("full name"), max_length=NAME_MAX_LENGTH, blank=True)
    role = models.CharField(_("role"), max_length=NAME_MAX_LENGTH, blank=True)
    company = models.CharField(_("company"), max_length=NAME_MAX_LENGTH, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    # What was decided on, copied from the proposal when deciding: the evidence stays
    # whole even if it were read without the proposal.
    proposal_version = models.PositiveIntegerField(_("proposal version"))
    proposal_sha256 = models.CharField(_("SHA-256 of the proposal's PDF"), max_length=64)
    project_revision = models.PositiveIntegerField(_("project revision"))

    receipt_status = models.CharField(
        _("receipt"), max_length=10, choices=ReceiptStatus.choices, blank=True
    )
    receipt_key = models.CharField(_("receipt file"), max_length=300, blank=True)
    receipt_sha256 = models.CharField(_("SHA-256 of the receipt"), max_length=64, blank=True)
    receipt_rendered_at = models.DateTimeField(_("receipt rendered"), null=True, blank=True)
    receipt_error = models.TextField(_("receipt failure"), blank=True)

    class Meta:
        ordering = ["project", "-at"]
        verbose_name = _("customer decision")
        verbose_name_plural = _("customer decisions")
        constraints = [
            # One decision per revision of a project: a second acceptance, or an acceptance
            # and a refusal through two links, cannot both be written.
            models.UniqueConstraint(
                fields=["project", "project_revision"], name="one_decision_per_project_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} r{self.project_revision}: {self.outcome}"

    @property
    def is_accepted(self) -> bool:
        return self.outcome == Outcome.ACCEPTED

    def receipt_storage_key(self) -> str:
        """Where the receipt lives: deterministic, so rendering twice overwrites one file."""
        return (
            f"receipts/org-{self.project.organization_id}/project-{self.project_id}/"
            f"receipt-{self.pk}.pdf"
        )

    def receipt_download_name(self) -> str:
        return f"TVox-acceptance-{self.project_id}-v{self.proposal_version}.pdf"


# No invisible control characters in any text (configurator.validators).
guard_text_fields(CustomerLink, LinkEvent, Decision)
