"""Customers, projects, the questionnaire and the site inventory.

Every view fetches through `configurator.access`: an object of another organisation, or a
project a sales engineer does not own, is a 404; an object the user may see but not
change is a 403 on any attempt to change it. The sizing the pages show comes from
`configurator.project_sizing`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import (
    AuthenticatedRequest,
    get_customer_for_user,
    get_project_for_user,
    get_site_of_project,
)
from .forms import (
    CustomerForm,
    CustomerListForm,
    ProjectForm,
    ProjectListForm,
    QuestionnaireForm,
    RevisionField,
    SiteForm,
    id_or_none,
)
from .history import fill_entries, project_timeline_skeleton
from .models import Customer, Project, Site
from .project_sizing import ProjectSizing, size_project

PAGE_SIZE = 20
# What a refresh or a preview of the results panel answers: its content, swapped into the
# panel, which stays in the page (see the template).
RESULTS_CONTENT = "configurator/_results_panel.html#results"


def _fragment_or_page(request: AuthenticatedRequest, template: str, fragment: str) -> str:
    """The htmx region of a page for htmx requests, the whole page otherwise (including
    history restores, which need the whole page)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{fragment}"
    return template


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    return redirect("project_list")


# --- Projects ----------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ProjectListForm(request.GET or None, user=request.user)
    projects = form.listed(
        Project.objects.visible_to(request.user).select_related("customer", "owner")
    )
    sort = (form.cleaned_data["sort"] if form.is_valid() else "") or "-updated"
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "sees_whole_organization": request.user.sees_whole_organization,
    }
    return render(
        request, _fragment_or_page(request, "configurator/project_list.html", "results"), context
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    initial = {}
    customer_id = id_or_none(request.GET.get("customer"))
    if customer_id:
        initial["customer"] = get_customer_for_user(request, customer_id)
    project = Project(organization=request.user.organization, owner=request.user)
    form = ProjectForm(request.POST or None, instance=project, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, _("Project “%(title)s” created.") % {"title": project.title})
        return redirect(project)
    return render(request, "configurator/project_form.html", {"form": form, "project": None})


@login_required
@require_GET
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    sites = list(project.sites.all())
    context = {
        "project": project,
        "sites": sites,
        "can_edit": project.can_be_edited_by(request.user),
        "sizing": size_project(project, sites),
        "step": "results",
    }
    return render(request, "configurator/project_detail.html", context)


@login_required
@require_GET
def project_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every change of the project and its sites, newest first, a page at a time; read-only
    for everyone who sees the project."""
    project = get_project_for_user(request, pk)
    page = Paginator(project_timeline_skeleton(project), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"project": project, "page": page, "entries": fill_entries(project, page.object_list)}
    return render(request, "configurator/project_history.html", context)


def _save_or_show_conflict(
    request: AuthenticatedRequest, project: Project, form: Any, template: str, step: str
) -> HttpResponse | None:
    """Save the validated form's project unless somebody saved it since the form was read.

    On a conflict nothing is written: the page comes back with what was typed still in the
    form, the saved values beside it, and the fresh revision, so saving again is a choice.
    """
    if project.save_revision(form.cleaned_data["revision"], by=request.user):
        messages.success(request, _("Project saved (revision %(n)d).") % {"n": project.revision})
        return None
    fresh = get_project_for_user(request, project.pk)
    form.add_error(
        None,
        _(
            "%(user)s saved this project while you were editing it (now revision "
            "%(n)d). Your changes are still in the form below; the saved values are "
            "shown beside it. Review them and save again."
        )
        % {"user": fresh.owner, "n": fresh.revision},
    )
    form.data = form.data.copy()
    form.data["revision"] = str(fresh.revision)
    context = {
        "form": form,
        "project": fresh,
        "conflict": fresh,
        "step": step,
        "can_edit": True,
    }
    return render(request, template, context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, edit=request.method == "POST")
    if not project.can_be_edited_by(request.user):
        # The flow's first step: a read-only viewer sees the details, not a form to refuse.
        context = {"project": project, "step": "details"}
        return render(request, "configurator/project_details.html", context)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        conflict = _save_or_show_conflict(
            request, project, form, "configurator/project_form.html", "details"
        )
        return conflict or redirect(project)
    context = {"form": form, "project": project, "step": "details"}
    return render(request, "configurator/project_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_questionnaire(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = "configurator/project_questionnaire.html"
    edit = request.method == "POST"
    project = get_project_for_user(request, pk, edit=edit)
    form = QuestionnaireForm(
        request.POST or None, instance=project, initial={"revision": project.revision}
    )
    if edit and form.is_valid():
        conflict = _save_or_show_conflict(request, project, form, template, "questionnaire")
        return conflict or redirect("project_questionnaire", pk=project.pk)
    sites = list(project.sites.all())
    context = {
        "form": form,
        "project": project,
        "step": "questionnaire",
        "can_edit": project.can_be_edited_by(request.user),
        "sizing": size_project(project, sites),
    }
    return render(request, template, context)


@login_required
@require_POST
def project_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The results panel for the questionnaire as typed, saved or not: nothing is written."""
    project = get_project_for_user(request, pk)
    form = QuestionnaireForm(request.POST, instance=project)
    sites = list(project.sites.all())
    if form.is_valid():
        sizing = size_project(form.instance, sites)
    else:
        sizing = ProjectSizing.refused(_("Correct the marked fields to see the results."))
    context = {"project": project, "sizing": sizing}
    return render(request, RESULTS_CONTENT, context)


@login_required
@require_GET
def project_results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The results panel for the project as saved (refreshed after each site change)."""
    project = get_project_for_user(request, pk)
    sites = list(project.sites.all())
    context = {"project": project, "sizing": size_project(project, sites)}
    return render(request, RESULTS_CONTENT, context)


# --- Customers ---------------------------------------------------------------------------


@login_required
@require_GET
def customer_list(request: AuthenticatedRequest) -> HttpResponse:
    search = CustomerListForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    customers = Customer.objects.visible_to(request.user)
    if text:
        customers = customers.filter(company_name__icontains=text) | customers.filter(
            vat_number__icontains=text
        )
    page = Paginator(customers.order_by("company_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "q": text}
    return render(
        request, _fragment_or_page(request, "configurator/customer_list.html", "results"), context
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthenticatedRequest) -> HttpResponse:
    customer = Customer(organization=request.user.organization, created_by=request.user)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        customer = form.save()
        messages.success(request, _("Customer “%(name)s” created.") % {"name": customer})
        return redirect(customer)
    return render(request, "configurator/customer_form.html", {"form": form, "customer": None})


@login_required
@require_GET
def customer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk)
    projects = (
        Project.objects.visible_to(request.user)
        .filter(customer=customer)
        .select_related("owner")
        .order_by("-updated_at")
    )
    return render(
        request,
        "configurator/customer_detail.html",
        {
            "customer": customer,
            "projects": projects,
            "can_edit": customer.can_be_edited_by(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request, pk, edit=True)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            reopened = customer.reopen_reviewed_projects(request.user) if form.changed_data else 0
        messages.success(request, _("Customer saved."))
        if reopened:
            messages.warning(
                request,
                ngettext(
                    "%(n)d project of this customer was in review or approved: it is a draft "
                    "again and needs a new review.",
                    "%(n)d projects of this customer were in review or approved: they are "
                    "drafts again and need a new review.",
                    reopened,
                )
                % {"n": reopened},
            )
        return redirect(customer)
    return render(request, "configurator/customer_form.html", {"form": form, "customer": customer})


# --- Sites --------------------------------------------------------------------------------

SITES_TEMPLATE = "configurator/project_sites.html"
SITE_SORTS = ("name", "connectivity", *Site.COUNT_FIELDS)
CARDS_AT_MOST = 5  # above this many sites the inventory opens as a table


def _site_view(request: AuthenticatedRequest, project: Project, count: int) -> str:
    """Cards or table: the one chosen (`?view=`), remembered in the session for this project
    so that it stays through every edit, addition, copy and removal, with or without
    JavaScript; by default a table above CARDS_AT_MOST sites."""
    key = f"site_view:{project.pk}"
    chosen = request.GET.get("view")
    if chosen in ("cards", "table"):
        request.session[key] = chosen
    else:
        chosen = request.session.get(key)
    if chosen in ("cards", "table"):
        return str(chosen)
    return "table" if count > CARDS_AT_MOST else "cards"


def _site_layout(
    request: AuthenticatedRequest, project: Project, sites: list[Site]
) -> tuple[str, str, list[Site]]:
    """Cards or table (`_site_view`) and, for the table, the sites ordered by `?sort=` (a
    column, `-` first for descending) in memory: the page already holds every site for the
    sizing, so no other query."""
    view = _site_view(request, project, len(sites))
    sort = request.GET.get("sort", "")
    key = sort.removeprefix("-")
    if view == "cards" or key not in SITE_SORTS:
        return view, "", sites

    def value(site: Site) -> Any:
        if key == "name":
            return site.name.casefold()
        if key == "connectivity":
            return str(site.get_connectivity_display()).casefold()
        return getattr(site, key)

    return view, sort, sorted(sites, key=value, reverse=sort.startswith("-"))


def _site_form(project: Project, site: Site | None = None, data: Any = None) -> SiteForm:
    site = site or Site(project=project)
    prefix = f"site-{site.pk}" if site.pk else "new"
    return SiteForm(data, instance=site, prefix=prefix, initial={"revision": project.revision})


def _sites_page(
    request: AuthenticatedRequest,
    project: Project,
    *,
    editing: SiteForm | None = None,
    adding: SiteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The sites step: the inventory (one row being edited at most), the form to add a
    site, and the results panel. htmx requests get the inventory region only."""
    sites = list(project.sites.all())
    view, sort, shown = _site_layout(request, project, sites)
    editing_pk = editing.instance.pk if editing else None
    rows = [(site, editing if site.pk == editing_pk else None) for site in shown]
    context = {
        "project": project,
        "step": "sites",
        "rows": rows,
        "view": view,
        "sort": sort,
        "totals": {name: sum(getattr(site, name) for site in sites) for name in Site.COUNT_FIELDS},
        "adding": adding or _site_form(project),
        "error": error,
        "can_edit": project.can_be_edited_by(request.user),
        "sizing": size_project(project, sites),
    }
    template = _fragment_or_page(request, SITES_TEMPLATE, "inventory")
    return render(request, template, context, status=status)


def _after_site_change(request: AuthenticatedRequest, project: Project) -> HttpResponse:
    if request.htmx:
        response = _sites_page(request, project)
        response["HX-Trigger"] = "sites-changed"
        return response
    # Back to the inventory as it was shown: the table's sort, carried in the form's action.
    url = reverse("project_sites", args=[project.pk])
    sort = request.GET.get("sort")
    return redirect(f"{url}?{urlencode({'sort': sort})}" if sort else url)


def _conflict_message(project: Project) -> str:
    fresh = Project.objects.select_related("owner").get(pk=project.pk)
    project.revision = fresh.revision
    return _(
        "%(user)s changed this project while you were editing it (now revision %(n)d): "
        "nothing was saved. The inventory below is the saved one; what you typed is still in "
        "the form. Check it and save again."
    ) % {"user": fresh.owner, "n": fresh.revision}


def _posted_revision(request: AuthenticatedRequest) -> int:
    """The revision a bare button (duplicate, delete) was shown at; 0 if none or malformed."""
    return RevisionField().clean(request.POST.get("revision"))


@login_required
@require_GET
def project_sites(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    editing = None
    edit_pk = id_or_none(request.GET.get("edit"))
    if edit_pk and project.can_be_edited_by(request.user):
        site = get_site_of_project(project, edit_pk)
        editing = _site_form(project, site)
    return _sites_page(request, project, editing=editing)


@login_required
@require_POST
def site_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, edit=True)
    form = _site_form(project, data=request.POST)
    if not form.is_valid():
        return _sites_page(request, project, adding=form)
    with transaction.atomic():
        if not project.bump_revision(form.cleaned_data["revision"], by=request.user):
            return _refused(request, project, adding=form)
        form.instance.position = project.sites.count()
        form.save()
    return _after_site_change(request, project)


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: AuthenticatedRequest, pk: int, site_pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, edit=True)
    site = get_site_of_project(project, site_pk)
    if request.method == "GET":
        if not request.htmx:
            return redirect(f"{reverse('project_sites', args=[pk])}?edit={site.pk}#site-{site.pk}")
        return _sites_page(request, project, editing=_site_form(project, site))
    form = _site_form(project, site, data=request.POST)
    if not form.is_valid():
        return _sites_page(request, project, editing=form)
    with transaction.atomic():
        if not project.bump_revision(form.cleaned_data["revision"], by=request.user):
            return _refused(request, project, editing=form)
        form.save()
    return _after_site_change(request, project)


def _site_button(
    request: AuthenticatedRequest, pk: int, site_pk: int, change: Callable[[Project, Site], None]
) -> HttpResponse:
    """A bare button on a site (duplicate, remove): the change in one new revision of the
    project, or nothing written and the conflict message when the page was stale."""
    project = get_project_for_user(request, pk, edit=True)
    site = get_site_of_project(project, site_pk)
    with transaction.atomic():
        if not project.bump_revision(_posted_revision(request), by=request.user):
            return _refused(request, project)
        change(project, site)
    return _after_site_change(request, project)


def _duplicate(project: Project, site: Site) -> None:
    site.pk = None
    site.name = _("%(name)s (copy)") % {"name": site.name}
    site.position = project.sites.count()
    site.save()


@login_required
@require_POST
def site_duplicate(request: AuthenticatedRequest, pk: int, site_pk: int) -> HttpResponse:
    return _site_button(request, pk, site_pk, _duplicate)


@login_required
@require_POST
def site_delete(request: AuthenticatedRequest, pk: int, site_pk: int) -> HttpResponse:
    return _site_button(request, pk, site_pk, lambda _project, site: site.delete())


def _refused(
    request: AuthenticatedRequest,
    project: Project,
    *,
    editing: SiteForm | None = None,
    adding: SiteForm | None = None,
) -> HttpResponse:
    """A change over a newer save: nothing written, the typed form kept, the fresh
    revision in it so that saving again is a deliberate choice. 200 so htmx swaps it."""
    message = _conflict_message(project)
    for form in (editing, adding):
        if form is not None:
            form.data = form.data.copy()
            form.data[form.add_prefix("revision")] = str(project.revision)
    return _sites_page(request, project, editing=editing, adding=adding, error=message)


@login_required
@require_POST
def sites_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The results panel with the site being typed counted, saved or not: nothing is
    written. A draft that is not valid yet, or one read before the project's last change
    (a late debounced request for a form already saved), leaves the saved results."""
    project = get_project_for_user(request, pk)
    sites = list(project.sites.all())
    target = request.POST.get("preview_site", "new")
    site = next((s for s in sites if str(s.pk) == target), None)
    # The form fills its instance even when invalid: give it a copy, keep the saved site.
    form = _site_form(project, copy.copy(site), data=request.POST)
    if form.is_valid() and form.cleaned_data["revision"] == project.revision:
        draft = form.instance
        sites = [draft if s.pk == draft.pk else s for s in sites] if site else [*sites, draft]
    context = {"project": project, "sizing": size_project(project, sites)}
    return render(request, RESULTS_CONTENT, context)
