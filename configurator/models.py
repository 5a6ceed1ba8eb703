"""Organisations, users with roles, customers and projects.

Logic on one object lives on the model, logic on many on its QuerySet: `visible_to(user)`
is the one place that decides which rows a user may see.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from sizing.inputs import COUNT_FIELDS as SITE_COUNT_FIELDS
from sizing.inputs import REQUIREMENT_NAMES
from sizing.schema import MAX_COUNT, MAX_TVOX_SYSTEMS

from .brand import DEFAULT_ACCENT, DEFAULT_PRIMARY, HEX_COLOUR
from .countries import COUNTRY_CHOICES
from .validators import guard_text_fields

LOGO_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}

color_validator = RegexValidator(
    rf"\A{HEX_COLOUR.pattern}\Z", _("Enter a colour as #RRGGBB, for example #0B3D5C.")
)


def logo_upload_to(instance: Organization, filename: str) -> str:
    """The logo's content address: the same bytes always get the same key, and a new logo
    never replaces the file an older proposal refers to."""
    digest = instance.logo_sha256
    if len(digest) != 64 or instance.logo_content_type not in LOGO_EXTENSIONS:
        raise ValueError("Set the logo with Organization.set_logo(), which records its hash.")
    return f"brand-logos/{digest}.{LOGO_EXTENSIONS[instance.logo_content_type]}"


class Organization(models.Model):
    """A Telenia partner company: every user, customer and project belongs to one.

    Its branding (logo, colours, legal details) goes on the proposals; a proposal keeps a
    copy of it (`brand_snapshot`) so that later changes do not alter proposals sent.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    logo = models.FileField(_("logo"), upload_to=logo_upload_to, blank=True)
    logo_sha256 = models.CharField(_("logo SHA-256"), max_length=64, blank=True)
    logo_content_type = models.CharField(_("logo content type"), max_length=40, blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default=DEFAULT_PRIMARY, validators=[color_validator]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[color_validator]
    )
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    legal_footer = models.TextField(_("legal footer"), max_length=600, blank=True)
    # Counts the saves of the branding page, so that of two administrators editing it at
    # once the second is shown the first one's save instead of overwriting it.
    branding_revision = models.PositiveIntegerField(_("branding revision"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def claim_branding_revision(self, expected_revision: int) -> bool:
        """Take the next branding revision, only if nobody saved the branding since
        `expected_revision` was read; call it in the save's transaction, before the save.

        The check and the increment are one UPDATE, which holds the row until the
        transaction ends: of two concurrent saves exactly one gets True.
        """
        claimed = Organization.objects.filter(
            pk=self.pk, branding_revision=expected_revision
        ).update(branding_revision=F("branding_revision") + 1)
        if claimed:
            self.branding_revision = expected_revision + 1
        return bool(claimed)

    def set_logo(self, content_type: str, sha256: str, data: bytes) -> None:
        """Store a logo checked by `configurator.branding.validate_logo` under its content
        address (call save() afterwards). A file already at that address holds the same
        bytes, so it is kept; old logos are never deleted, proposals refer to them."""
        self.logo_sha256, self.logo_content_type = sha256, content_type
        key = self.logo.field.generate_filename(self, "logo")
        storage = self.logo.storage
        if not storage.exists(key):
            stored = storage.save(key, ContentFile(data))
            if stored != key:  # a concurrent upload of the same logo won the race
                storage.delete(stored)
        # A plain name: the field file is stored already, saving must not write it again.
        self.logo = key  # type: ignore[assignment]

    def clear_logo(self) -> None:
        """Stop using the logo; the file stays for the proposals that refer to it."""
        self.logo = ""  # type: ignore[assignment]
        self.logo_sha256 = self.logo_content_type = ""

    def brand_snapshot(self) -> dict[str, Any]:
        """The branding as plain data, copied into a proposal when it is made."""
        logo = None
        if self.logo:
            logo = {
                "key": self.logo.name,
                "sha256": self.logo_sha256,
                "content_type": self.logo_content_type,
            }
        return {
            "name": self.name,
            "legal_name": self.legal_name or self.name,
            "address": self.address,
            "vat_number": self.vat_number,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
            "primary_color": self.primary_color,
            "accent_color": self.accent_color,
            "legal_footer": self.legal_footer,
            "logo": logo,
        }


class Role(models.TextChoices):
    SALES_ENGINEER = "sales_engineer", _("Sales engineer")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class Language(models.TextChoices):
    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")


class User(AbstractUser):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SALES_ENGINEER
    )
    # The language of what the application writes to the user (e-mails).
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )

    objects = UserManager()  # type: ignore[misc]
    REQUIRED_FIELDS = ["email", "organization"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_whole_organization(self) -> bool:
        """Managers and administrators see every project of their organisation."""
        return self.role in (Role.MANAGER, Role.ADMINISTRATOR)

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


class CustomerQuerySet(models.QuerySet["Customer"]):
    def visible_to(self, user: User) -> CustomerQuerySet:
        """Customers are shared within the organisation, invisible outside it."""
        return self.filter(organization_id=user.organization_id)


class Customer(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="customers"
    )
    company_name = models.CharField(_("company name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, default="IT")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="customers_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()
    # Who changed what, field by field (configurator.history reads it).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["company_name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "vat_number"],
                condition=~models.Q(vat_number=""),
                name="customer_vat_unique_in_organization",
                violation_error_message=_("A customer with this VAT number already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.company_name

    def get_absolute_url(self) -> str:
        return reverse("customer_detail", args=[self.pk])

    def can_be_edited_by(self, user: User) -> bool:
        return user.organization_id == self.organization_id and (
            user.is_administrator or self.created_by_id == user.pk
        )

    def reopen_reviewed_projects(self, by: User | None) -> int:
        """After a change to this customer, in its transaction: the customer's details are
        in every proposal, so each of its projects in review or approved gets a new
        revision and goes back to draft (its review did not see the change). Returns how
        many did."""
        reopened = 0
        for project in Project.objects.filter(customer=self, status__in=REVIEWED_STATUSES):
            reopened += project.bump_revision(project.revision, by=by)
        return reopened


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    LOST = "lost", _("Lost")


# A review is of one revision: a change to a project in review, approved or sent to the
# customer sends it back to draft (`Project.save_revision`, `Project.bump_revision`); the
# links of a sent offer then stop accepting (portal.links: superseded).
REVIEWED_STATUSES = (ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED, ProjectStatus.SENT)
# The statuses in which an approval holds, and an approved offer may be sent.
APPROVED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.SENT)
# The customer decided (portal.links): the project is locked, nobody edits it, until a
# manager reopens it as a new revision (portal.links.reopen).
CLOSED_STATUSES = (ProjectStatus.ACCEPTED, ProjectStatus.LOST)

# Sent in the transaction of every new revision of a project, after its row is written,
# with `project`, `previous_status` (its status before the change: a reviewed status means
# the change sent it back to draft) and `by` (the user who changed it, or None).
project_revised = Signal()

# The questionnaire's answers are the sizing's requirements, one model field each.
REQUIREMENT_FIELDS = REQUIREMENT_NAMES


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: User) -> ProjectQuerySet:
        """Sales engineers see their own projects; managers and administrators, all of
        their organisation's. Nobody sees another organisation's."""
        mine = self.filter(organization_id=user.organization_id)
        return mine if user.sees_whole_organization else mine.filter(owner=user)

    def search(self, text: str) -> ProjectQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(title__icontains=text)
            | models.Q(customer__company_name__icontains=text)
            | models.Q(customer__vat_number__icontains=text)
        )


class Project(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="projects", verbose_name=_("customer")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="projects", verbose_name=_("owner")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # What the sizing needs at project level (sizing.inputs.SizingInput).
    tvox_systems = models.PositiveIntegerField(
        _("TVox systems"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TVOX_SYSTEMS)],
    )
    concurrency = models.DecimalField(
        _("concurrency share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(1))],
        help_text=_("Share of devices connected at the same time (S3): 1 = all of them."),
    )
    hypervisor = models.CharField(_("hypervisor"), max_length=40, blank=True)
    public_domain = models.CharField(_("public domain name"), max_length=253, blank=True)
    # The questionnaire's requirements (Q1, Q2 and those behind R1-R5).
    full_cloud = models.BooleanField(_("fully in the cloud"), default=False)
    keep_tvox_private = models.BooleanField(
        _("TVox kept in the private infrastructure"), default=False
    )
    reuse_local_lines_and_phones = models.BooleanField(
        _("reuse local lines and SIP phones"), default=False
    )
    redundancy = models.BooleanField(_("no single point of failure"), default=False)
    no_public_pbx_exposure = models.BooleanField(_("no public exposure of the PBX"), default=False)
    dhcp_provisioning = models.BooleanField(_("DHCP provisioning of phones"), default=False)
    # The last day the offer holds, where one is set: no customer link outlives it.
    offer_valid_until = models.DateField(
        _("offer valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the customer may accept the offer; empty for no limit."),
    )

    objects = ProjectQuerySet.as_manager()
    # One record per revision, written by `_claim_revision` (a conditional UPDATE, which
    # the library's signals do not see), and by save() for the creation and the admin.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "owner"]),
            models.Index(fields=["organization", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.pk])

    def can_be_edited_by(self, user: User) -> bool:
        """The owner and the organisation's administrators edit a project, unless the
        customer has decided on it (accepted or declined): then it is locked."""
        return (
            user.organization_id == self.organization_id
            and (user.is_administrator or self.owner_id == user.pk)
            and not self.is_closed
        )

    @property
    def is_closed(self) -> bool:
        """The customer accepted or declined the offer: no change until it is reopened."""
        return self.status in CLOSED_STATUSES

    def sizing_data(self, sites: list[Site] | None = None) -> dict[str, Any]:
        """The project in the JSON contract of `sizing.schema` (see the README)."""
        sites = list(self.sites.all()) if sites is None else sites
        data: dict[str, Any] = {
            "sites": [site.sizing_data() for site in sites],
            "tvox_systems": self.tvox_systems,
            "concurrency": Decimal(self.concurrency),
            "requirements": {name: getattr(self, name) for name in REQUIREMENT_FIELDS},
        }
        if self.hypervisor:
            data["hypervisor"] = self.hypervisor
        if self.public_domain:
            data["public_domain"] = self.public_domain
        return data

    def bump_revision(self, expected_revision: int, *, by: User | None = None) -> bool:
        """Count a change made elsewhere (a site) as a new revision of the project, only if
        nobody saved since `expected_revision`; call it in the change's transaction."""
        return self._claim_revision(expected_revision, {}, by)

    def save_revision(self, expected_revision: int, *, by: User | None = None) -> bool:
        """Save this project only if nobody saved it since `expected_revision` was read.

        The check and the increment are one UPDATE, so of two concurrent saves exactly one
        wins; the loser gets False and nothing of the winner's is overwritten.
        """
        fields = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "revision", "updated_at")
        }
        return self._claim_revision(expected_revision, fields, by)

    def reopen_closed(self, expected_revision: int, *, by: User | None) -> bool:
        """A project the customer decided on, back to draft as a new revision (a manager's
        decision: portal.links.reopen records it); False if it changed since."""
        return self._claim_revision(expected_revision, {}, by, reopening=True)

    def _claim_revision(
        self,
        expected_revision: int,
        fields: dict[str, Any],
        by: User | None,
        *,
        reopening: bool = False,
    ) -> bool:
        """Write `fields` and the next revision if the row is still at `expected_revision`.

        A project in review or approved goes back to draft: its review was of the revision
        this change replaces. The UPDATE is also conditioned on the status read just before
        it, so the status it replaces is exact even when a review transition (which does not
        change the revision) commits in between; then it reads again. A project the customer
        decided on (accepted, lost) is locked: nothing is written, unless `reopening` (then
        it goes back to draft, and only a closed project does).
        """
        fields.pop("status", None)  # the status changes by review transitions only
        with transaction.atomic():
            for _attempt in range(3):
                previous = (
                    Project.objects.filter(pk=self.pk, revision=expected_revision)
                    .values_list("status", flat=True)
                    .first()
                )
                if previous is None or (previous in CLOSED_STATUSES) != reopening:
                    return False
                reviewed = previous in REVIEWED_STATUSES or reopening
                status = ProjectStatus.DRAFT if reviewed else previous
                now = timezone.now()
                updated = Project.objects.filter(
                    pk=self.pk, revision=expected_revision, status=previous
                ).update(**fields, status=status, revision=F("revision") + 1, updated_at=now)
                if updated:
                    self.revision, self.updated_at, self.status = expected_revision + 1, now, status
                    Project.history.bulk_history_create(
                        [self], update=True, default_user=by, default_date=now
                    )
                    project_revised.send(
                        sender=Project, project=self, previous_status=previous, by=by
                    )
                    return True
        return False


class Connectivity(models.TextChoices):
    LAN = "lan", _("Local LAN")
    VPN = "vpn", _("VPN")
    MPLS = "mpls", _("MPLS")
    INTERNET = "internet", _("Internet only")


def _count_field(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0, validators=[MaxValueValidator(MAX_COUNT)])


# The history's reason of every record an import writes: the timeline shows the rows of one
# import as one entry (configurator.history).
IMPORT_REASON = "import"
# The reason of the first record of what existed before the history (migration 0008).
BASELINE_REASON = "baseline"


class SiteHistory(models.Model):
    """What a site's historical record adds: the project revision its change made, so the
    timeline shows a site change and the revision it counted as one entry."""

    project_revision = models.PositiveIntegerField(_("revision"), null=True, editable=False)

    class Meta:
        abstract = True


class SiteQuerySet(models.QuerySet["Site"]):
    def delete_with_history(self, *, by: User | None, reason: str, project_revision: int) -> int:
        """Delete these sites and record each deletion, in two bulk queries instead of the
        delete signal's insert per site (an import may replace thousands)."""
        sites = list(self)
        history = Site.history.model
        now = timezone.now()
        history.objects.bulk_create(
            history(
                history_date=now,
                history_type="-",
                history_user=by,
                history_change_reason=reason,
                project_revision=project_revision,
                **{f.attname: getattr(site, f.attname) for f in history.tracked_fields},
            )
            for site in sites
        )
        # The rows are recorded above: a plain DELETE, without the per-site signals (no
        # model refers to a site, so there is nothing to cascade to).
        deleted: int = Site.objects.filter(pk__in=[site.pk for site in sites])._raw_delete(self.db)
        return deleted


class Site(models.Model):
    """A customer site: how it reaches TVox and what it has (sizing.inputs.Site)."""

    COUNT_FIELDS = SITE_COUNT_FIELDS  # the counts of sizing.inputs.Site, one model field each

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("site name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    connectivity = models.CharField(
        _("connectivity"), max_length=10, choices=Connectivity.choices, default=Connectivity.LAN
    )
    users = _count_field(_("users"))
    sip_phones = _count_field(_("SIP phones"))
    mobile_apps = _count_field(_("mobile apps"))
    web_clients = _count_field(_("web clients"))
    widgets = _count_field(_("widgets"))
    smart_working_webclient = _count_field(_("Webclient in Smart Working licences"))
    smart_working_team = _count_field(_("TVoxTeam Smartworking user licences"))

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords(bases=[SiteHistory])

    class Meta:
        ordering = ["project", "position", "pk"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    def sizing_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "connectivity": self.connectivity}
        data.update({name: getattr(self, name) for name in self.COUNT_FIELDS})
        return data


def _site_record_names_its_revision(
    sender: type[models.Model], instance: Site, history_instance: Any, **kwargs: Any
) -> None:
    """A site's record carries the project's revision: the one the view's change claimed
    (the site holds that very project), else the one in the database."""
    if Site.project.is_cached(instance):  # type: ignore[attr-defined]
        history_instance.project_revision = instance.project.revision
    else:
        history_instance.project_revision = (
            Project.objects.filter(pk=instance.project_id)
            .values_list("revision", flat=True)
            .first()
        )


pre_create_historical_record.connect(
    _site_record_names_its_revision,
    sender=Site.history.model,
    dispatch_uid="configurator.site_record_names_its_revision",
)

# No invisible control characters in any text (configurator.validators), the historical
# copies included: they were copied from the models before the validators were given.
guard_text_fields(
    Organization,
    User,
    Customer,
    Project,
    Site,
    Customer.history.model,
    Project.history.model,
    Site.history.model,
)
