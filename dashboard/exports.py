"""The project list and the dashboard's figures as spreadsheets: headers in the reader's
language, values by their labels, every cell neutralised against formulas by
configurator.inventory_io's writers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from configurator.forms import ProjectListForm
from configurator.models import Project, ProjectQuerySet, User
from sizing.models import SizingTableVersion

from .figures import NOT_SIZED, NOTHING_FITS, Dashboard, Tally, architecture_name
from .summaries import refresh_stale

Sheet = tuple[str, list[list[object]]]


def listed_projects(form: ProjectListForm, user: User) -> ProjectQuerySet:
    """The projects the list page shows for these filters, in its order, all pages."""
    return form.listed(Project.objects.visible_to(user))


def _local(moment: dt.datetime) -> dt.datetime:
    """A spreadsheet's date-time has no time zone: the reader's local time."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def project_sheets(projects: ProjectQuerySet) -> list[Sheet]:
    """One row per project, with its recommendation and sized figures."""
    refresh_stale(projects, SizingTableVersion.objects.in_effect())
    header: list[object] = [
        _("Title"),
        _("Customer"),
        _("Owner"),
        _("Status"),
        _("Revision"),
        _("Created"),
        _("Updated"),
        _("Recommended architecture"),
        _("Users"),
        _("MCS devices"),
        _("MCS instances"),
        _("Internet bandwidth (Mbit/s)"),
    ]
    rows: list[list[object]] = [header]
    for project in projects.select_related("customer", "owner", "summary"):
        summary = getattr(project, "summary", None)
        if summary is not None and summary.sized:
            key = summary.architecture or NOTHING_FITS
            figures: list[object] = [
                summary.users,
                summary.mcs_devices,
                summary.mcs_instances,
                summary.bandwidth_mbps,
            ]
        else:
            key, figures = NOT_SIZED, [summary.users if summary else 0, "", "", ""]
        rows.append(
            [
                project.title,
                project.customer.company_name,
                str(project.owner),
                project.get_status_display(),
                project.revision,
                _local(project.created_at),
                _local(project.updated_at),
                architecture_name(key),
                *figures,
            ]
        )
    return [(_("Projects"), rows)]


def period_text(board: Dashboard) -> str:
    period = board.period
    if period.start is None and period.end is None:
        return _("All time")
    start = date_format(period.start, "SHORT_DATE_FORMAT") if period.start else "…"
    end = date_format(period.end, "SHORT_DATE_FORMAT") if period.end else "…"
    return f"{start} – {end}"


def dashboard_sheets(board: Dashboard) -> list[Sheet]:
    """The dashboard's figures: the totals, each count, and the review queue."""
    totals = board.totals
    summary: list[list[object]] = [
        [_("Figure"), _("Value")],
        [_("Period"), period_text(board)],
        [_("Owner"), str(board.owner) if board.owner else _("Everyone")],
        [_("Projects"), totals.projects],
        [_("Projects sized"), totals.sized],
        [_("Users"), totals.users],
        [_("MCS devices"), totals.mcs_devices],
        [_("MCS instances"), totals.mcs_instances],
        [_("Internet bandwidth (Mbit/s)"), totals.bandwidth_mbps],
    ]
    queue: list[list[object]] = [
        [_("Project"), _("Customer"), _("Owner"), _("Submitted"), _("Waiting (hours)")]
    ]
    queue += [
        [
            entry.project.title,
            entry.project.customer.company_name,
            str(entry.project.owner),
            _local(entry.submitted_at),
            int(entry.age.total_seconds() // 3600),
        ]
        for entry in board.queue
    ]
    return [
        (_("Totals"), summary),
        (_("Review queue"), queue),
        (_("By status"), [[_("Status"), _("Projects")], *_tally(board.by_status)]),
        (
            _("By architecture"),
            [[_("Recommended architecture"), _("Projects")], *_tally(board.by_architecture)],
        ),
        (_("By owner"), _owner_rows(board)),
    ]


def _owner_rows(board: Dashboard) -> list[list[object]]:
    header: list[object] = [
        _("Owner"),
        _("Projects"),
        _("Projects sized"),
        _("Users"),
        _("MCS devices"),
        _("MCS instances"),
        _("Internet bandwidth (Mbit/s)"),
    ]
    return [header] + [
        [
            label,
            totals.projects,
            totals.sized,
            totals.users,
            totals.mcs_devices,
            totals.mcs_instances,
            totals.bandwidth_mbps,
        ]
        for label, totals in board.sized_by_owner
    ]


def _tally(rows: list[Tally]) -> list[list[object]]:
    return [[row.label, row.count] for row in rows]
