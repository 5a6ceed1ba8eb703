"""An organisation's branding: its administrator edits it, its members see its logo.

There is no id in these URLs: a user reaches only their own organisation, so another
organisation's branding cannot even be named.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .access import AuthenticatedRequest, get_organization_for_administrator
from .branding import SVG
from .forms import OrganizationBrandingForm
from .models import Organization

# The logo is served from this application's origin: an SVG must not run or fetch
# anything even if opened on its own (the upload check refuses that too; this is a second
# line of defence). Inline styles are how many SVG editors write colours.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@login_required
@require_http_methods(["GET", "POST"])
def organization_branding(request: AuthenticatedRequest) -> HttpResponse:
    organization = get_organization_for_administrator(request)
    # What is stored, taken before validation: a refused form must not preview its values.
    brand = organization.brand_snapshot()
    form = OrganizationBrandingForm(
        request.POST or None,
        request.FILES or None,
        instance=organization,
        initial={"revision": organization.branding_revision},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if organization.claim_branding_revision(form.cleaned_data["revision"]):
                form.save()
                messages.success(request, _("Branding saved."))
                return redirect("organization_branding")
        return _conflict(request, form, organization)
    return render(
        request, "configurator/organization_branding.html", {"form": form, "brand": brand}
    )


def _conflict(
    request: AuthenticatedRequest, form: OrganizationBrandingForm, organization: Organization
) -> HttpResponse:
    """Somebody saved the branding since this form was read (or the form carries no
    revision): nothing is written, the logo not stored. The page comes back with what was
    typed, the saved values beside it and the fresh revision, so saving again is a choice."""
    fresh = Organization.objects.get(pk=organization.pk)
    message = _(
        "Another administrator saved the branding while you were editing it (now revision "
        "%(n)d). Your changes are still in the form below; the saved values are shown "
        "beside it. Review them and save again."
    ) % {"n": fresh.branding_revision}
    if form.checked_logo:
        message += " " + _("Choose the logo file again: it was not saved.")
    form.add_error(None, message)
    form.data = form.data.copy()
    form.data["revision"] = str(fresh.branding_revision)
    context = {"form": form, "brand": fresh.brand_snapshot(), "conflict": fresh}
    return render(request, "configurator/organization_branding.html", context, status=409)


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
