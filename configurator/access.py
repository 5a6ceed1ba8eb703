"""Fetching what a request may see: the one place every app's views ask.

Each helper returns the object when the signed-in user may see it. An object of another
organisation, or a project a sales engineer does not own, is a 404 (its existence is not
told); an object the user may see but not change is a 403 when `edit` asks for the right
to change it. The querysets' `visible_to` (configurator/models.py, reports/models.py) say
who sees what; these helpers add the 404/403 answer that views give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from .models import Customer, Organization, Project, Site, User

if TYPE_CHECKING:
    from reports.models import Proposal


class AuthenticatedRequest(HttpRequest):
    """A request behind `login_required`, with django-htmx's details."""

    user: User
    htmx: HtmxDetails


def get_project_for_user(request: AuthenticatedRequest, pk: int, *, edit: bool = False) -> Project:
    queryset = Project.objects.visible_to(request.user).select_related("customer", "owner")
    project = get_object_or_404(queryset, pk=pk)
    if edit and not project.can_be_edited_by(request.user):
        raise PermissionDenied(_("You can view this project but not change it."))
    return project


def get_customer_for_user(
    request: AuthenticatedRequest, pk: int, *, edit: bool = False
) -> Customer:
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    if edit and not customer.can_be_edited_by(request.user):
        raise PermissionDenied(_("You can view this customer but not change it."))
    return customer


def get_site_of_project(project: Project, pk: int) -> Site:
    """A site of a project already fetched for the user (so already allowed): a site of
    another project is a 404."""
    return get_object_or_404(project.sites, pk=pk)


def get_proposal_for_user(request: AuthenticatedRequest, pk: int) -> Proposal:
    """A proposal is visible exactly when its project is."""
    from reports.models import Proposal  # reports builds on configurator, not the reverse

    queryset = Proposal.objects.visible_to(request.user).select_related(
        "project", "project__customer", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def get_organization_for_administrator(request: AuthenticatedRequest) -> Organization:
    """The user's own organisation, for its administrator only (the branding)."""
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only an administrator can change the organisation's branding."))
    return request.user.organization
