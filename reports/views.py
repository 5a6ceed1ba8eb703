"""The proposal step of a project: generate a version, watch it render, download it.

A proposal is visible exactly when its project is; generating or retrying needs the right
to edit the project. PDFs are streamed through the application after that check (never a
storage URL: presigned URLs name internal hosts and outlive access rights).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from configurator.access import AuthenticatedRequest, get_project_for_user, get_proposal_for_user

from . import services
from .forms import GenerateProposalForm
from .models import Proposal
from .snapshot import CannotPropose, create_proposal

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
