"""An organisation's branding: its administrator edits it, its members see its logo.

There is no id in these URLs: a user reaches only their own organisation, so another
organisation's branding cannot even be named.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .branding import SVG
from .forms import OrganizationBrandingForm
from .models import Organization
from .views import AuthenticatedRequest

# The logo is served from this application's origin: an SVG must not run or fetch
# anything even if opened on its own (the upload check refuses that too; this is a second
# line of defence). Inline styles are how many SVG editors write colours.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _get_organization_for_administrator(request: AuthenticatedRequest) -> Organization:
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only an administrator can change the organisation's branding."))
    return request.user.organization


@login_required
@require_http_methods(["GET", "POST"])
def organization_branding(request: AuthenticatedRequest) -> HttpResponse:
    organization = _get_organization_for_administrator(request)
    # What is stored, taken before validation: a refused form must not preview its values.
    brand = organization.brand_snapshot()
    form = OrganizationBrandingForm(
        request.POST or None, request.FILES or None, instance=organization
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Branding saved."))
        return redirect("organization_branding")
    return render(
        request, "configurator/organization_branding.html", {"form": form, "brand": brand}
    )


@login_required
@require_GET
def organization_logo(request: AuthenticatedRequest) -> FileResponse:
    organization = request.user.organization
    if not organization.logo:
        raise Http404(_("This organisation has no logo."))
    try:
        handle = default_storage.open(organization.logo.name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The logo is missing from the file store.")) from exc
    response = FileResponse(handle, content_type=organization.logo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    if organization.logo_content_type == SVG:
        response["Content-Security-Policy"] = SVG_POLICY
    return response


# Included under organization/ by config/urls.py, so that these pages take one line there.
urlpatterns = [
    path("branding/", organization_branding, name="organization_branding"),
    path("logo", organization_logo, name="organization_logo"),
]
