"""The per-project sizing summaries the dashboard adds up (dashboard.models).

`refresh_stale(projects)` brings the summaries of a queryset of projects up to date in a
fixed number of queries: one for the stale projects, one for their sites, one upsert (in
batches on SQLite). A change to a project refreshes its summary once the change commits
(`project_revised` is sent inside the change's transaction, sometimes before a site's own
row is written, so the receiver waits for the commit); the dashboard's lazy refresh covers
everything else: a new sizing table, rows written in bulk, a missed commit.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from configurator.models import Project, ProjectQuerySet, Site
from sizing.engine import size
from sizing.models import SizingTableVersion
from sizing.schema import InvalidInput, parse_input
from sizing.tables import SizingTable

from .models import ProjectSummary

SUMMARY_FIELDS = [
    "revision",
    "table_version",
    "sized",
    "architecture",
    "users",
    "mcs_devices",
    "mcs_instances",
    "bandwidth_mbps",
]


def summarize(project: Project, sites: list[Site], table: SizingTable) -> ProjectSummary:
    """The summary of `project` with these sites, sized with `table` (as the project page
    sizes it: configurator.project_sizing)."""
    summary = ProjectSummary(
        project_id=project.pk,
        revision=project.revision,
        table_version=table.version,
        users=sum(site.users for site in sites),
    )
    if not sites:
        return summary
    try:
        result = size(parse_input(project.sizing_data(sites)), table)
    except InvalidInput:
        return summary
    mcs = result.mcs
    summary.sized = True
    summary.architecture = result.recommendation.architecture or ""
    summary.mcs_devices = int(mcs.devices.value)
    summary.mcs_instances = int(mcs.instances.value)
    summary.bandwidth_mbps = Decimal(str(mcs.bandwidth_mbps.value))
    return summary


def stale(projects: ProjectQuerySet, table_version: int) -> ProjectQuerySet:
    """The projects of `projects` whose summary is missing or of another revision or table."""
    return projects.filter(
        Q(summary__isnull=True)
        | ~Q(summary__revision=F("revision"))
        | ~Q(summary__table_version=table_version)
    )


def refresh_stale(projects: ProjectQuerySet, version: SizingTableVersion | None = None) -> int:
    """Size again the projects of `projects` whose summary is stale; the number refreshed.
    Without a sizing table in effect nothing can be sized, and nothing is refreshed."""
    version = version or SizingTableVersion.objects.in_effect()
    if version is None:
        return 0
    todo = list(stale(projects, version.version).order_by().select_related(None))
    if not todo:
        return 0
    table = version.as_table()
    sites: dict[int, list[Site]] = defaultdict(list)
    # The sites of exactly these projects, by a subquery rather than a list of ids (a
    # database refuses too many parameters).
    for site in Site.objects.filter(project__in=stale(projects, version.version).values("pk")):
        sites[site.project_id].append(site)
    summaries = [summarize(project, sites[project.pk], table) for project in todo]
    ProjectSummary.objects.bulk_create(
        summaries,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=SUMMARY_FIELDS,
    )
    return len(summaries)


def _refresh_after_commit(sender: Any, project: Project, **kwargs: Any) -> None:
    pk = project.pk
    transaction.on_commit(lambda: refresh_stale(Project.objects.filter(pk=pk)))
