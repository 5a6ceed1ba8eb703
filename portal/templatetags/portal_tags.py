"""The customer links of a project's pages: `{% load portal_tags %}`.

`{% customer_links project %}` on the proposals page: the form that creates a link (for the
owner and administrators), the URL of the link just created (once: popped from the
session), and every link of the project with its state and counts. `{% customer_decision
project %}` on the project page: the customer's decision, its receipt, and a manager's
"Reopen as a new revision". Both read `request` from the page's context.

The list's queries do not grow with its links: the links in one query, the counts in one
aggregate, the last attempt through a closed link in another, and a newer version asked
for once per proposal (`links.states_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from configurator.models import APPROVED_STATUSES, Project
from portal import links
from portal.link_forms import LinkForm, ReopenForm, initial_for
from portal.models import Decision, LinkEvent, NotCounted, ReceiptStatus
from portal.views import NEW_LINK_KEY, may_send

register = template.Library()

STATE_LABELS = {
    links.LinkState.OPEN: gettext_lazy("Open"),
    links.LinkState.EXPIRED: gettext_lazy("Expired"),
    links.LinkState.REVOKED: gettext_lazy("Revoked"),
    links.LinkState.SUPERSEDED: gettext_lazy("Superseded"),
    links.LinkState.CLOSED: gettext_lazy("Decided"),
}


def _counts(project: Project) -> dict[tuple[int, str], int]:
    """Counted views and downloads per link: one aggregate query."""
    rows = (
        LinkEvent.objects.filter(link__project=project, counted=True)
        .order_by()
        .values("link_id", "kind")
        .annotate(n=Count("pk"))
    )
    return {(row["link_id"], row["kind"]): row["n"] for row in rows}


def _tried_closed(project: Project) -> dict[int, datetime]:
    """Per link, the last request through it once it was expired or revoked: the customer
    tried it and saw nothing, so the sender may re-issue it. One aggregate query."""
    rows = (
        LinkEvent.objects.filter(
            link__project=project, not_counted__in=(NotCounted.EXPIRED, NotCounted.REVOKED)
        )
        .order_by()
        .values("link_id")
        .annotate(last=Max("at"))
    )
    return {row["link_id"]: row["last"] for row in rows}


def not_yet_reason(project: Project) -> str:
    """Why no link can be created now (empty when one can)."""
    if project.is_closed:
        return _("The customer has decided on this offer: reopen the project to send another.")
    if project.status not in APPROVED_STATUSES:
        return _("Approve the project first: only an approved project is sent to the customer.")
    return _(
        "Generate the proposal of the approved revision (revision %(n)d) and wait for its "
        "PDF: then send it from here."
    ) % {"n": project.revision}


@register.inclusion_tag("portal/_links_panel.html", takes_context=True)
def customer_links(context: template.Context, project: Project) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    can_send = may_send(project, user)
    form = context.get("link_form")
    if form is None and can_send:
        form = LinkForm(project=project, initial=initial_for(project))
    sendable = bool(form and form.fields["proposal"].queryset.exists()) if can_send else False
    # Shown once: the URL leaves the session with this page.
    new_link = request.session.pop(NEW_LINK_KEY.format(pk=project.pk), None)
    project_links = links.links_of(project)
    now = timezone.now()
    states = links.states_of(project_links, now)
    counts = _counts(project)
    tried = _tried_closed(project)
    rows = [
        {
            "link": link,
            "state": states[link.pk],
            "state_label": STATE_LABELS[states[link.pk]],
            "views": counts.get((link.pk, "view"), 0),
            "downloads": counts.get((link.pk, "download"), 0),
            "tried_closed": tried.get(link.pk),
            "revocable": states[link.pk] != links.LinkState.REVOKED and link.decided_at is None,
            "reissuable": link.decided_at is None,
        }
        for link in project_links
    ]
    return {
        "project": project,
        "can_send": can_send,
        "sendable": sendable,
        "form": form,
        "not_yet": "" if sendable else not_yet_reason(project),
        "new_link": new_link,
        "rows": rows,
        "csrf_token": context.get("csrf_token"),
        "csp_nonce": context.get("csp_nonce"),
    }


@register.inclusion_tag("portal/_decision.html", takes_context=True)
def customer_decision(context: template.Context, project: Project) -> dict[str, Any]:
    user = context["request"].user
    decision = (
        Decision.objects.filter(project=project)
        .select_related("link")
        .order_by("-at", "-pk")
        .first()
    )
    return {
        "project": project,
        "decision": decision,
        "evidence": links.evidence(decision) if decision else None,
        "receipt_ready": decision is not None and decision.receipt_status == ReceiptStatus.READY,
        "receipt_queued": decision is not None and decision.receipt_status == ReceiptStatus.QUEUED,
        "may_reopen": links.may_reopen(project, user),
        "reopen_form": ReopenForm(initial={"revision": project.revision}),
        "csrf_token": context.get("csrf_token"),
    }
