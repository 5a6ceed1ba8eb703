"""The site inventory's spreadsheet pages: export, the template to fill in, and the
import with its preview (the reading, checking and writing are configurator.inventory_io).

Nothing is written by the preview; the rows that passed are kept on the server, in the
session under a random token, and the confirmation only names that token (why: the
module docstring of configurator.inventory_io).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from simple_history.utils import bulk_create_with_history

from .access import AuthenticatedRequest, get_project_for_user
from .forms import ConfirmForm, UploadForm
from .inventory_io import (
    COLUMNS,
    CSV_TYPE,
    SESSION_KEY,
    XLSX_TYPE,
    ImportRefused,
    export_sheets,
    read_upload,
    template_sheets,
    validate_rows,
    write_csv,
    write_xlsx,
)
from .models import IMPORT_REASON, Project, Site


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _spreadsheet(fmt: str, sheets: list[tuple[str, list[list[object]]]], stem: str) -> HttpResponse:
    if fmt == "csv":
        return _download(write_csv([rows for _title, rows in sheets]), CSV_TYPE, f"{stem}.csv")
    if fmt == "xlsx":
        return _download(write_xlsx(sheets), XLSX_TYPE, f"{stem}.xlsx")
    raise Http404(_("Export formats are CSV and XLSX."))


@login_required
@require_GET
def sites_export(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    project = get_project_for_user(request, pk)
    sheets = export_sheets(project, list(project.sites.all()))
    stem = f"sites-{project.pk}-{slugify(project.title) or 'project'}"
    return _spreadsheet(fmt, sheets, stem)


@login_required
@require_GET
def sites_template(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    return _spreadsheet(fmt, template_sheets(), "sites-template")


def _import_page(
    request: AuthenticatedRequest, project: Project, status: int = 200, **context: Any
) -> HttpResponse:
    context = {
        "project": project,
        "step": "sites",
        "upload": UploadForm(),
        "current_sites": project.sites.count(),
        "columns": COLUMNS,
        **context,
    }
    return render(request, "configurator/sites_import.html", context, status=status)


def _preview(request: AuthenticatedRequest, project: Project, upload: UploadForm) -> HttpResponse:
    try:
        rows = validate_rows(project, read_upload(upload.cleaned_data["file"]))
    except ImportRefused as exc:
        upload.add_error("file", str(exc))
        return _import_page(request, project, upload=upload)
    refused = [row for row in rows if row.errors]
    confirm = None
    if not refused:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_KEY.format(pk=project.pk)] = {
            "token": token,
            "revision": project.revision,
            "rows": [row.cleaned for row in rows],
        }
        confirm = ConfirmForm(initial={"token": token})
    context = {"upload": upload, "rows": rows, "refused": refused, "confirm": confirm}
    return _import_page(request, project, **context)


def _apply(request: AuthenticatedRequest, project: Project, confirm: ConfirmForm) -> HttpResponse:
    pending = request.session.pop(SESSION_KEY.format(pk=project.pk), None)
    posted = confirm.cleaned_data["token"].encode()  # bytes: compare_digest refuses non-ASCII str
    if not pending or not secrets.compare_digest(pending["token"].encode(), posted):
        message = _("This preview has expired or was already used: upload the file again.")
        return _import_page(request, project, status=400, error=message)
    rows = pending["rows"]
    with transaction.atomic():
        if not project.bump_revision(pending["revision"], by=request.user):
            fresh = Project.objects.select_related("owner").get(pk=project.pk)
            message = _(
                "%(user)s changed this project after your preview (now revision %(n)d): "
                "nothing was imported. Upload the file again to check it against the "
                "current inventory."
            ) % {"user": fresh.owner, "n": fresh.revision}
            return _import_page(request, project, status=409, error=message)
        # Every row recorded with the import's reason: the history shows one entry.
        recorded = {"reason": IMPORT_REASON, "project_revision": project.revision}
        if confirm.cleaned_data["mode"] == "replace":
            project.sites.all().delete_with_history(by=request.user, **recorded)
        start = (project.sites.aggregate(last=Max("position"))["last"] or -1) + 1
        bulk_create_with_history(
            [
                Site(project=project, position=start + index, **row)
                for index, row in enumerate(rows)
            ],
            Site,
            default_user=request.user,
            default_change_reason=IMPORT_REASON,
            custom_historical_attrs={"project_revision": project.revision},
        )
    messages.success(
        request,
        ngettext("%(n)d site imported.", "%(n)d sites imported.", len(rows)) % {"n": len(rows)},
    )
    return redirect("project_sites", pk=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sites_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview, nothing written. POST with the
    token of a preview where every row passed: the import, in one revision of the project."""
    project = get_project_for_user(request, pk, edit=True)
    if request.method == "GET":
        return _import_page(request, project)
    if "token" in request.POST:
        confirm = ConfirmForm(request.POST)
        if not confirm.is_valid():
            message = _("Choose whether to append or replace, then confirm again.")
            return _import_page(request, project, status=400, error=message)
        return _apply(request, project, confirm)
    upload = UploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _import_page(request, project, upload=upload)
    return _preview(request, project, upload)
