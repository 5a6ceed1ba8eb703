"""The sizing tables as versioned data (R8-R11 and the assumptions where the seeds are
silent). A version is never changed once saved: the admin saves every edit as a new
version, so a result that records `table_version` can always be reproduced.

The core (`sizing.engine`) never reads these models: `as_table()` hands it a frozen
`SizingTable`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from configurator.validators import guard_text_fields

from .tables import SizingTable, Tier

HYPERVISOR_LIST = RegexValidator(
    r"^[a-z0-9_]+(\s*,\s*[a-z0-9_]+)*$",
    _("Enter lower-case names separated by commas, such as vmware, xen."),
)


class ImmutableVersionError(Exception):
    """A saved sizing table version is never changed or deleted; save a new one."""


class SizingTableVersionQuerySet(models.QuerySet["SizingTableVersion"]):
    def in_effect(self, on: date | None = None) -> SizingTableVersion | None:
        """The version that applies on a day: the latest effective date not after it,
        the highest version number among those of the same date."""
        day = on or timezone.localdate()
        return (
            self.filter(effective_date__lte=day)
            .order_by("-effective_date", "-version")
            .prefetch_related("tiers")
            .first()
        )


class SizingTableVersion(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_date = models.DateField(_("effective date"), default=timezone.localdate)
    source = models.TextField(
        _("source"), help_text=_("The document and page the values come from.")
    )
    max_tvox_per_instance = models.PositiveIntegerField(
        _("TVox systems per MCS instance, at most"), validators=[MinValueValidator(1)]
    )
    kb_per_second_per_connection = models.PositiveIntegerField(
        _("KB/s per active connection"), validators=[MinValueValidator(1)]
    )
    bytes_per_kb = models.PositiveIntegerField(_("bytes per KB"), validators=[MinValueValidator(1)])
    supported_hypervisors = models.CharField(
        _("supported hypervisors"), max_length=300, validators=[HYPERVISOR_LIST]
    )
    default_concurrency = models.DecimalField(
        _("default concurrency"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(1))],
        help_text=_("Share of devices connected at the same time when the input gives none."),
    )
    counts_mobile_apps = models.BooleanField(_("mobile apps count toward the tier"))
    counts_web_clients = models.BooleanField(_("web clients count toward the tier"))
    counts_widgets = models.BooleanField(_("widgets count toward the tier"))
    os_name = models.CharField(_("operating system"), max_length=100)
    os_end_of_life = models.DateField(_("operating system end of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SizingTableVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("sizing table version")
        verbose_name_plural = _("sizing table versions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_concurrency__gt=0, default_concurrency__lte=1),
                name="sizing_default_concurrency_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_date.isoformat()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableVersionError(f"sizing table v{self.version} is already saved")
        if self.version is None:
            latest = SizingTableVersion.objects.aggregate(latest=Max("version"))["latest"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersionError(f"sizing table v{self.version} is never deleted")

    def clean(self) -> None:
        if not (self.counts_mobile_apps or self.counts_web_clients or self.counts_widgets):
            raise ValidationError(_("At least one kind of device must count toward the tier."))

    @property
    def tier_devices(self) -> tuple[str, ...]:
        flags = (
            ("mobile_apps", self.counts_mobile_apps),
            ("web_clients", self.counts_web_clients),
            ("widgets", self.counts_widgets),
        )
        return tuple(name for name, counted in flags if counted)

    def as_table(self) -> SizingTable:
        """The frozen table the core sizes with."""
        return SizingTable(
            version=self.version,
            effective_date=self.effective_date,
            source=self.source,
            tiers=tuple(tier.as_tier() for tier in self.tiers.all()),
            max_tvox_per_instance=self.max_tvox_per_instance,
            kb_per_second_per_connection=self.kb_per_second_per_connection,
            bytes_per_kb=self.bytes_per_kb,
            supported_hypervisors=tuple(
                name.strip() for name in self.supported_hypervisors.split(",") if name.strip()
            ),
            default_concurrency=Decimal(self.default_concurrency),
            tier_devices=self.tier_devices,
            os_name=self.os_name,
            os_end_of_life=self.os_end_of_life,
        )


class SizingTier(models.Model):
    """One row of the R9 table, per MCS instance."""

    table = models.ForeignKey(
        SizingTableVersion,
        verbose_name=_("sizing table version"),
        on_delete=models.PROTECT,
        related_name="tiers",
    )
    max_users = models.PositiveIntegerField(_("users, up to"), validators=[MinValueValidator(1)])
    vcpu = models.PositiveIntegerField(_("CPU cores"), validators=[MinValueValidator(1)])
    ram_gb = models.PositiveIntegerField(_("RAM (GB)"), validators=[MinValueValidator(1)])
    disk_gb = models.PositiveIntegerField(_("disk (GB)"), validators=[MinValueValidator(1)])
    disk_type = models.CharField(_("disk type"), max_length=20, default="SSD")
    nic_gbit = models.PositiveIntegerField(_("Ethernet (Gbit)"), validators=[MinValueValidator(1)])
    min_bandwidth_mbps = models.PositiveIntegerField(
        _("internet bandwidth, at least (Mb/s)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["max_users"]
        verbose_name = _("MCS tier")
        verbose_name_plural = _("MCS tiers")
        constraints = [
            models.UniqueConstraint(fields=["table", "max_users"], name="sizing_tier_unique_bound"),
        ]

    def __str__(self) -> str:
        return f"≤ {self.max_users}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableVersionError("a tier of a saved sizing table version is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersionError("a tier of a saved sizing table version is never deleted")

    def as_tier(self) -> Tier:
        return Tier(
            max_users=self.max_users,
            vcpu=self.vcpu,
            ram_gb=self.ram_gb,
            disk_gb=self.disk_gb,
            disk_type=self.disk_type,
            nic_gbit=self.nic_gbit,
            min_bandwidth_mbps=self.min_bandwidth_mbps,
        )


# No invisible control characters in any text (configurator.validators).
guard_text_fields(SizingTableVersion, SizingTier)
