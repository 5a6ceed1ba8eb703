"""The proposal step of a project: generate a version, watch it render, download it.

A proposal is visible exactly when its project is; generating or retrying needs the right
to edit the project. PDFs are streamed through the application after that check (never a
storage URL: presigned URLs name internal hosts and outlive access rights).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from configurator.access import AuthenticatedRequest, get_project_for_user, get_proposal_for_user
from configurator.models import Project
from sizing.models import SizingTableVersion

from . import services
from .compare import Change, compare_snapshots, table_changes
from .forms import CompareForm, GenerateProposalForm
from .models import Proposal
from .snapshot import CannotPropose, build_snapshot, create_proposal

POLL_SECONDS = 2


def enqueue(proposal_id: int) -> list[bool]:
    """Queue the rendering once the proposal row is committed (a worker must find it). A
    broker that refuses leaves it waiting in the outbox (services.publish). The list gets
    the outcome of the publish once it ran: [True] sent, [False] not sent."""
    outcome: list[bool] = []
    transaction.on_commit(lambda: outcome.append(services.publish(proposal_id)))
    return outcome


def _page_context(request: AuthenticatedRequest, project: object, form: object) -> dict:
    proposals = list(
        Proposal.objects.filter(project=project).select_related("created_by").defer("snapshot")
    )
    return {
        "project": project,
        "form": form,
        "proposals": proposals,
        "can_edit": project.can_be_edited_by(request.user),  # type: ignore[attr-defined]
        "pending": any(p.is_pending for p in proposals),
        "poll_seconds": POLL_SECONDS,
        "step": "proposal",
    }


@login_required
@require_http_methods(["GET", "POST"])
def project_proposals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, edit=request.method == "POST")
    if request.method == "POST":
        form = GenerateProposalForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    proposal = create_proposal(project, form.cleaned_data["language"], request.user)
                    sent = enqueue(proposal.pk)
            except CannotPropose as exc:
                form.add_error(None, str(exc))
            else:
                proposal.refresh_from_db(fields=["status", "sent_at"])  # in-process: rendered
                if proposal.is_ready:
                    text = _("Proposal version %(version)s is ready to download.")
                elif sent == [False] and proposal.is_waiting:
                    text = _(
                        "Proposal version %(version)s is saved and waiting for the rendering "
                        "queue, which is unavailable: it starts by itself once the queue is back."
                    )
                else:
                    text = _("Proposal version %(version)s is queued for rendering.")
                messages.success(request, text % {"version": proposal.version})
                return redirect("project_proposals", pk=project.pk)
        return render(
            request, "proposals/project_proposals.html", _page_context(request, project, form)
        )
    form = GenerateProposalForm(initial={"language": project.customer.preferred_language})
    return render(
        request, "proposals/project_proposals.html", _page_context(request, project, form)
    )


@login_required
@require_GET
def proposal_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One proposal's row, polled by htmx while it is queued or rendering."""
    proposal = get_proposal_for_user(request, pk)
    if not request.htmx:
        return redirect("project_proposals", pk=proposal.project_id)
    return render(
        request,
        "proposals/_proposal_row.html",
        {
            "proposal": proposal,
            "can_edit": proposal.project.can_be_edited_by(request.user),
            "poll_seconds": POLL_SECONDS,
        },
    )


@login_required
@require_POST
def proposal_retry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request, pk)
    if not proposal.project.can_be_edited_by(request.user):
        raise PermissionDenied(_("You can view this project but not change it."))
    # One click queues it once: the row moves to queued only if nobody did it meanwhile.
    if proposal.can_be_retried and services.requeue(proposal):
        enqueue(proposal.pk)
        messages.success(
            request,
            _("Proposal version %(version)s is queued again.") % {"version": proposal.version},
        )
    return redirect("project_proposals", pk=proposal.project_id)


@login_required
@require_GET
def proposal_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    proposal = get_proposal_for_user(request, pk)
    if not proposal.is_ready:
        raise Http404(_("This proposal has no PDF yet."))
    try:
        handle = default_storage.open(proposal.pdf_key, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The PDF of this proposal is missing from the file store.")) from exc
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("inline") != "1",
        filename=proposal.download_name(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Proposal-SHA256"] = proposal.sha256
    return response


# The current state of the project, as a side of a comparison.
DRAFT = "draft"


def _version_label(proposal: Proposal | None, project: Project) -> str:
    if proposal is None:
        return _("Current draft (revision %(revision)s)") % {"revision": project.revision}
    return _("Version %(version)s · %(language)s · %(date)s") % {
        "version": proposal.version,
        "language": proposal.get_language_display(),
        "date": date_format(proposal.created_at, "SHORT_DATE_FORMAT"),
    }


def _chosen(value: str, proposals: list[Proposal]) -> Proposal | None:
    """The proposal of this project that `value` names, None for the draft; anything else
    (another project's proposal, another organisation's, no id) is a 404."""
    if value == DRAFT:
        return None
    found = next((p for p in proposals if value.isdigit() and p.pk == int(value)), None)
    if found is None:
        raise Http404(_("This project has no such proposal."))
    return found


def _default_pair(proposals: list[Proposal]) -> tuple[str, str]:
    """The last two versions; with one, it and the draft (proposals are newest first)."""
    if len(proposals) >= 2:
        return str(proposals[1].pk), str(proposals[0].pk)
    return (str(proposals[0].pk) if proposals else DRAFT), DRAFT


def _snapshot(
    request: AuthenticatedRequest, project: Project, proposal: Proposal | None
) -> dict[str, Any] | None:
    if proposal is not None:
        return proposal.snapshot
    try:
        return build_snapshot(project, get_language() or "en", request.user)
    except CannotPropose:
        return None


def _rules_changed(
    proposals: list[Proposal | None], current: SizingTableVersion | None
) -> list[tuple[Proposal, list[Change]]]:
    """For each proposal shown, what the table in effect would change in it."""
    if current is None:
        return []
    table = current.as_table()
    shown = dict.fromkeys(p for p in proposals if p is not None)
    return [
        (proposal, changes)
        for proposal in shown
        if proposal.table_version != current.version
        and (changes := table_changes(proposal.snapshot, table))
    ]


@login_required
@require_GET
def project_compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Two versions of a project side by side: proposals, or a proposal and the draft."""
    project = get_project_for_user(request, pk)
    # Newest first; only the two compared have their snapshot read.
    proposals = list(Proposal.objects.filter(project=project).defer("snapshot"))
    default_a, default_b = _default_pair(proposals)
    a_value, b_value = request.GET.get("a", default_a), request.GET.get("b", default_b)
    old, new = _chosen(a_value, proposals), _chosen(b_value, proposals)
    old_snapshot, new_snapshot = _snapshot(request, project, old), _snapshot(request, project, new)
    versions = [(str(p.pk), _version_label(p, project)) for p in proposals]
    versions.append((DRAFT, _version_label(None, project)))
    only = request.GET.get("only") == "on"
    form = CompareForm(initial={"a": a_value, "b": b_value, "only": only}, versions=versions)
    diff = None
    if old_snapshot is not None and new_snapshot is not None:
        diff = compare_snapshots(old_snapshot, new_snapshot)
    current = SizingTableVersion.objects.in_effect()
    return render(
        request,
        "reports/compare.html",
        {
            "project": project,
            "form": form,
            "proposals": proposals,
            "diff": diff,
            "old_title": _version_label(old, project),
            "new_title": _version_label(new, project),
            "changes_only": only,
            "rules_changed": _rules_changed([old, new], current),
            "current_table": current,
            "step": "proposal",
        },
    )
