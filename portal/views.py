"""The organisation's side of customer links: create one, see it once to copy it, revoke or
re-issue it, the customer's decision and its receipt, a manager's reopening.

Projects are fetched through `configurator.access` (another organisation's, or a project a
sales engineer does not own: 404). Whoever sees the project sees its links and decision;
its owner and the organisation's administrators create, revoke and re-issue them
(`may_send`); a manager sees them read-only, and reopens a decided project. The rules are
portal.links'; a refusal comes back as its message.

A new link's token is shown once: kept in the session for the one page that shows it
(popped there, portal.templatetags.portal_tags) and passed to the mail task; never stored
with the link.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from configurator.access import AuthenticatedRequest, get_project_for_user
from configurator.models import Project, User
from reports.forms import GenerateProposalForm
from reports.views import _page_context as proposals_page_context

from . import links
from .link_forms import LinkForm, ReopenForm
from .mail import offer_url, queue_link_mail
from .models import CustomerLink, Decision, ReceiptStatus

NEW_LINK_KEY = "portal:new-link:{pk}"


def may_send(project: Project, user: User) -> bool:
    """The owner and the organisation's administrators send, revoke and re-issue links.
    Unlike `can_be_edited_by`, a closed project is not refused here: it has no proposal to
    send anyway, and its open links may still be withdrawn."""
    return user.organization_id == project.organization_id and (
        user.is_administrator or project.owner_id == user.pk
    )


def _link_for_user(request: AuthenticatedRequest, pk: int) -> CustomerLink:
    """A link the user may change: 404 when its project is not visible, 403 when visible
    but not theirs to send."""
    queryset = CustomerLink.objects.visible_to(request.user).select_related(
        "proposal", "project", "project__customer", "project__organization"
    )
    link = get_object_or_404(queryset, pk=pk)
    if not may_send(link.project, request.user):
        raise PermissionDenied(_("Only the project's owner or an administrator sends links."))
    return link


def _issued(request: AuthenticatedRequest, issued: links.IssuedLink, sent: list[bool]) -> None:
    """Keep the new URL for the next page only, and say whether its mail was queued."""
    request.session[NEW_LINK_KEY.format(pk=issued.link.project_id)] = {
        "link": issued.link.pk,
        "url": offer_url(issued.token),
        "mailed": sent != [False],
    }
    if sent == [False]:
        messages.warning(
            request,
            _(
                "The link is ready but the e-mail to %(email)s could not be sent: copy the "
                "link below and send it yourself."
            )
            % {"email": issued.link.recipient_email},
        )
    else:
        messages.success(
            request,
            _("Link created and e-mailed to %(email)s.") % {"email": issued.link.recipient_email},
        )


def _proposals_page(
    request: AuthenticatedRequest, project: Project, form: LinkForm
) -> HttpResponse:
    """The proposals page with the link form as posted (its errors beside the fields)."""
    generate = GenerateProposalForm(initial={"language": project.customer.preferred_language})
    context = proposals_page_context(request, project, generate)
    context["link_form"] = form
    return render(request, "proposals/project_proposals.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_links(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    if request.method == "GET":
        return redirect("project_proposals", pk=project.pk)
    if not may_send(project, request.user):
        raise PermissionDenied(_("Only the project's owner or an administrator sends links."))
    form = LinkForm(request.POST, project=project)
    if not form.is_valid():
        return _proposals_page(request, project, form)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            issued = links.create_link(
                data["proposal"],
                request.user,
                recipient_name=data["recipient_name"],
                recipient_email=data["recipient_email"],
                language=data["language"],
                days=data["days"],
            )
            # The token travels in the task's arguments only: it is never stored.
            sent = queue_link_mail(issued.link.pk, issued.token)
    except links.LinkRefused as refused:
        form.add_error(None, refused.message)
        return _proposals_page(request, project, form)
    _issued(request, issued, sent)
    return redirect("project_proposals", pk=project.pk)


@login_required
@require_POST
def link_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    link = _link_for_user(request, pk)
    if links.revoke(link, request.user):
        messages.success(
            request, _("The link to %(email)s is revoked.") % {"email": link.recipient_email}
        )
        return redirect("project_proposals", pk=link.project_id)
    link.refresh_from_db(fields=["decided_at", "revoked_at"])  # what won meanwhile
    if link.decided_at is not None:
        messages.error(request, _("The customer decided through this link: it stays on record."))
    else:
        messages.error(request, _("This link was revoked already."))
    return redirect("project_proposals", pk=link.project_id)


@login_required
@require_POST
def link_reissue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    link = _link_for_user(request, pk)
    try:
        with transaction.atomic():
            issued = links.reissue(link, request.user)
            sent = queue_link_mail(issued.link.pk, issued.token)  # the token: never stored
    except links.LinkRefused as refused:
        messages.error(request, refused.message)
    else:
        _issued(request, issued, sent)
    return redirect("project_proposals", pk=link.project_id)


@login_required
@require_GET
def decision_receipt(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The acceptance receipt, streamed after the access check (never a storage URL)."""
    decisions = Decision.objects.filter(project__in=Project.objects.visible_to(request.user))
    decision = get_object_or_404(decisions.select_related("project"), pk=pk)
    if decision.receipt_status != ReceiptStatus.READY or not decision.receipt_key:
        raise Http404(_("This decision has no receipt yet."))
    try:
        handle = default_storage.open(decision.receipt_key, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The receipt is missing from the file store.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=decision.receipt_download_name(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def project_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A decided project back to draft as a new revision, by a manager or administrator."""
    project = get_project_for_user(request, pk)
    form = ReopenForm(request.POST)
    allowed = request.user.is_manager or request.user.is_administrator
    if not form.is_valid():  # the comment (the revision is never an error: 0 is stale)
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        context = {"project": project, "message": message}
        return render(request, "portal/refused.html", context, status=400 if allowed else 403)
    data = form.cleaned_data
    try:
        links.reopen(project, request.user, data["comment"], revision=data["revision"])
    except links.LinkRefused as refused:
        context = {"project": project, "message": refused.message}
        return render(request, "portal/refused.html", context, status=409 if allowed else 403)
    messages.success(
        request,
        _("The project is reopened as revision %(n)d: a draft again.") % {"n": project.revision},
    )
    return redirect(project)
