"""What the dashboard keeps of each project's sizing: a summary, so that its figures are a
few aggregate queries however many projects there are (sizing 5,000 projects on every
page would take seconds: bench/bench_dashboard.py).

A summary is of one revision of the project and one sizing table version; one that names
another revision or table is stale, and `dashboard.summaries.refresh_stale` sizes it again
before the figures are read.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from configurator.models import Project
from configurator.validators import guard_text_fields


class ProjectSummary(models.Model):
    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
        verbose_name=_("project"),
    )
    revision = models.PositiveIntegerField(_("revision"))
    table_version = models.PositiveIntegerField(_("sizing table version"))
    # False: no site yet, or the sites cannot be sized (the project page says why).
    sized = models.BooleanField(_("sized"), default=False)
    # A key of sizing.results.ARCHITECTURES, "" when nothing fits or it is not sized.
    architecture = models.CharField(_("recommended architecture"), max_length=20, blank=True)
    users = models.PositiveIntegerField(_("users"), default=0)
    mcs_devices = models.PositiveIntegerField(_("MCS devices"), default=0)
    mcs_instances = models.PositiveIntegerField(_("MCS instances"), default=0)
    bandwidth_mbps = models.DecimalField(
        _("internet bandwidth (Mbit/s)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("project summary")
        verbose_name_plural = _("project summaries")

    def __str__(self) -> str:
        return f"{self.project_id} r{self.revision}"


# No invisible control characters in any text (configurator.validators).
guard_text_fields(ProjectSummary)
