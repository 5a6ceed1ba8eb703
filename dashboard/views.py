"""The managers' dashboard and the spreadsheet exports of the project list and of the
dashboard's figures.

Only managers and administrators see the dashboard (a sales engineer gets a 403), and only
their own organisation's projects; the project list's export shows what the list shows
(`Project.objects.visible_to`): a sales engineer exports their own projects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from configurator.access import AuthenticatedRequest
from configurator.forms import ProjectListForm
from configurator.inventory_io import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx
from configurator.svg import localized_number

from . import charts, exports, figures
from .forms import DashboardForm


def _spreadsheet(fmt: str, sheets: list[exports.Sheet], stem: str) -> HttpResponse:
    """The sheets as a CSV (one after the other) or an XLSX download, as the site
    inventory's export writes them."""
    if fmt == "csv":
        content: str | bytes = write_csv([rows for _title, rows in sheets])
        content_type = CSV_TYPE
    elif fmt == "xlsx":
        content, content_type = write_xlsx(sheets), XLSX_TYPE
    else:
        raise Http404(_("Export formats are CSV and XLSX."))
    disposition = content_disposition_header(True, f"{stem}.{fmt}")
    return HttpResponse(
        content, content_type=content_type, headers={"Content-Disposition": disposition}
    )


def _board(request: AuthenticatedRequest) -> tuple[DashboardForm, figures.Dashboard]:
    if not request.user.sees_whole_organization:
        raise PermissionDenied(_("The dashboard is for managers and administrators."))
    form = DashboardForm(request.GET or None, user=request.user)
    # The valid filters apply even when another one is not (an owner of another
    # organisation is no choice; the period stays).
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        data = form.cleaned_data
    key = data.get("period") or "quarter"
    if data.get("start") or data.get("end"):
        key = "dates"  # dates typed in mean those dates, whichever period is chosen
    period = figures.period_of(key, data.get("start"), data.get("end"))
    return form, figures.build(request.user, period, data.get("owner"))


def _review_url(pk: int) -> str:
    """The reviewer's page of a project (the project page where there is none)."""
    try:
        return reverse("project_review", args=[pk])
    except NoReverseMatch:
        return reverse("project_detail", args=[pk])


def _charts(board: figures.Dashboard) -> list[dict[str, object]]:
    """Each chart with the table beside it: id, heading, the first column's title, the
    chart, the rows and (for what is summed) the total, numbers as the reader writes them."""
    sections: list[tuple[str, str, str, list[tuple[str, int | Decimal]], int | Decimal | None]] = [
        ("by-status", _("Projects by status"), _("Status"), _tallies(board.by_status), None),
        (
            "by-architecture",
            _("Projects by recommended architecture"),
            _("Recommended architecture"),
            _tallies(board.by_architecture),
            None,
        ),
        ("by-owner", _("Projects by owner"), _("Owner"), _tallies(board.by_owner), None),
    ]
    for chart_id, heading, name in (
        ("users", _("Users sized, by owner"), "users"),
        ("mcs-devices", _("MCS devices sized, by owner"), "mcs_devices"),
        ("mcs-instances", _("MCS instances sized, by owner"), "mcs_instances"),
        ("bandwidth", _("Internet bandwidth sized (Mbit/s), by owner"), "bandwidth_mbps"),
    ):
        rows = [(label, getattr(totals, name)) for label, totals in board.sized_by_owner]
        sections.append((chart_id, heading, _("Owner"), rows, getattr(board.totals, name)))
    return [
        {
            "id": chart_id,
            "heading": heading,
            "column": column,
            "svg": charts.bar_chart(
                chart_id,
                heading,
                _("A bar per row of the table beside the chart, with its value."),
                [charts.Bar(str(label), float(value)) for label, value in rows],
            ),
            "rows": [(label, localized_number(value)) for label, value in rows],
            "total": None if total is None else localized_number(total),
            "counts_projects": total is None,
        }
        for chart_id, heading, column, rows, total in sections
    ]


def _tallies(rows: list[figures.Tally]) -> list[tuple[str, int | Decimal]]:
    return [(row.label, row.count) for row in rows]


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    form, board = _board(request)
    context = {
        "form": form,
        "board": board,
        "period_text": exports.period_text(board),
        "charts": _charts(board),
        "queue": [(entry, _review_url(entry.project.pk)) for entry in board.queue],
        "query": request.GET.urlencode(),
    }
    return render(request, "dashboard/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    _form, board = _board(request)
    stem = f"dashboard-{timezone.localdate().isoformat()}"
    return _spreadsheet(fmt, exports.dashboard_sheets(board), stem)


@login_required
@require_GET
def project_list_export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    form = ProjectListForm(request.GET or None, user=request.user)
    sheets = exports.project_sheets(exports.listed_projects(form, request.user))
    return _spreadsheet(fmt, sheets, f"projects-{timezone.localdate().isoformat()}")
