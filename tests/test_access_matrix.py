"""Every URL, every role, and someone else's object: who sees what, who changes what.

alice (sales engineer) owns the project and created the customer; bob is her teammate;
maria manages the organisation; adam administers it; charlie is of another organisation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from configurator.inventory_io import COLUMNS, SESSION_KEY
from configurator.models import Customer, Organization, Project, Site, User
from reports import services
from reports.models import Proposal
from reports.snapshot import create_proposal

from .factories import png

GET = "get"
POST = "post"
HTMX = "get-htmx"  # a GET sent by htmx (header HX-Request: true)
UPLOAD = "post-upload"  # a multipart POST carrying a spreadsheet

# (url name, uses object, method) → expected status per persona.
# 200 = allowed page, 302 = allowed and redirected after a valid change, 403 = may see but
# not change, 404 = may not know it exists.
# The objects (see `_url_args`): "project" and "customer" are alice's, "site" is a site of
# her project, the proposals are of her project (queued as made, failed, or rendered),
# "logo" is her organisation with a logo; "csv" is the format of a spreadsheet URL.
MATRIX = [
    (
        "home",
        None,
        GET,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 302},
    ),
    (
        "healthz",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        "project_list",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        "project_create",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        # For alice's customer: charlie gets the form back, the customer is not his to pick.
        "project_create",
        None,
        POST,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 200},
    ),
    (
        "project_detail",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "project_edit",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    (
        "project_edit",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "project_questionnaire",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "project_questionnaire",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        # Recalculates from the typed answers and writes nothing: a read.
        "project_preview",
        "project",
        POST,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "project_results",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "project_sites",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "site_create",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        # Recalculates with the site being typed and writes nothing: a read.
        "sites_preview",
        "project",
        POST,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        # Without htmx, the editing row is shown on the sites page: a redirect there.
        "site_edit",
        "site",
        GET,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "site_edit",
        "site",
        HTMX,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    (
        "site_edit",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "site_duplicate",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "site_delete",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "sites_import",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    (
        # The upload: a preview of the rows, nothing written to the project.
        "sites_import",
        "project",
        UPLOAD,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    (
        # The confirmation of a preview (put in every persona's session, as if previewed).
        "sites_import",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "sites_export",
        "project.csv",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "sites_template",
        "csv",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        "project_proposals",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "project_proposals",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        # Without htmx, the proposal's row is shown on the proposals page: a redirect there.
        "proposal_status",
        "proposal",
        GET,
        {"alice": 302, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
    ),
    (
        "proposal_status",
        "proposal",
        HTMX,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "proposal_retry",
        "failed proposal",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        "proposal_download",
        "rendered proposal",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "customer_list",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        "customer_create",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        "customer_create",
        None,
        POST,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 302},
    ),
    (
        "customer_detail",
        "customer",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        "customer_edit",
        "customer",
        GET,
        {"alice": 200, "bob": 403, "maria": 403, "adam": 200, "charlie": 404},
    ),
    (
        "customer_edit",
        "customer",
        POST,
        {"alice": 302, "bob": 403, "maria": 403, "adam": 302, "charlie": 404},
    ),
    (
        # No id in the URL: each user reaches their own organisation's branding only.
        "organization_branding",
        None,
        GET,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 200, "charlie": 403},
    ),
    (
        "organization_branding",
        None,
        POST,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 302, "charlie": 403},
    ),
    (
        # alice's organisation has a logo, charlie's has none: he cannot reach hers.
        "organization_logo",
        "logo",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 404},
    ),
    (
        # Plain computation on the posted JSON: no organisation's data is read.
        "sizing",
        None,
        POST,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    (
        # The API's OpenAPI description: the same for every organisation, to those who may
        # call the API (anonymous callers get 401, tests/test_openapi.py).
        "sizing_openapi",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
]
PERSONAS = ["alice", "bob", "maria", "adam", "charlie"]

# Named URLs that have no row in MATRIX, and why. The whole `admin:` namespace is left out
# too: the Django admin has its own permission system (is_staff, model permissions), tested
# in test_admin_and_shell.py.
EXEMPT = {
    # Django's sign-in, sign-out and password views: for anonymous visitors or about the
    # user's own account, no object of anybody else; covered by test_auth.py.
    "login": "Django's sign-in view (test_auth.py)",
    "logout": "Django's sign-out view (test_auth.py)",
    "password_change": "Django's view, the user's own password (test_auth.py)",
    "password_change_done": "Django's view, the user's own password (test_auth.py)",
    "password_reset": "Django's view, for anonymous visitors (test_auth.py)",
    "password_reset_done": "Django's view, for anonymous visitors (test_auth.py)",
    "password_reset_confirm": "Django's view, for anonymous visitors (test_auth.py)",
    "password_reset_complete": "Django's view, for anonymous visitors (test_auth.py)",
    # Django's i18n view: sets the language cookie of the visitor, touches no data.
    "set_language": "Django's i18n view, the visitor's own language (test_i18n.py)",
}
# Views that serve static and media files (Django's, in DEBUG): files, not data.
FILE_SERVING_VIEWS = {"django.views.static.serve", "django.contrib.staticfiles.views.serve"}


def _cases() -> list[tuple[str, str | None, str, str, int]]:
    return [
        (name, obj, method, persona, expected[persona])
        for name, obj, method, expected in MATRIX
        for persona in PERSONAS
    ]


def _url_args(obj: str | None, project: Project, customer: Customer, site: Site) -> list[Any]:
    """The arguments of the URL, creating the object it names (fresh for each test)."""
    if obj is None:
        return []
    if obj == "project":
        return [project.pk]
    if obj == "customer":
        return [customer.pk]
    if obj == "site":
        return [project.pk, site.pk]
    if obj == "project.csv":
        return [project.pk, "csv"]
    if obj == "csv":
        return ["csv"]
    if obj == "logo":
        organization = project.organization
        data = png(1, 1)
        organization.set_logo("image/png", hashlib.sha256(data).hexdigest(), data)
        organization.save()
        return []
    proposal = create_proposal(project, "en", project.owner)
    if obj == "failed proposal":
        services.mark_failed(proposal.pk, "render", "the renderer crashed")
    elif obj == "rendered proposal":
        proposal = services.render_and_store(proposal.pk)  # the task's work, in-process
        assert proposal.is_ready, proposal.failure_detail
    return [proposal.pk]


def _site_fields(prefix: str, project: Project, name: str) -> dict[str, str]:
    fields = {"name": name, "address": "Via Roma 1", "connectivity": "lan", "revision": "0"}
    fields.update(dict.fromkeys(Site.COUNT_FIELDS, "0"))
    fields.update({"users": "20", "mobile_apps": "15", "revision": str(project.revision)})
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _answers(project: Project) -> dict[str, str]:
    return {
        "tvox_systems": "3",
        "concurrency": "0.5",
        "hypervisor": "vmware",
        "public_domain": "mcs.example.com",
        "revision": str(project.revision),
    }


def _post_data(
    name: str, client: Client, project: Project, customer: Customer, site: Site
) -> dict[str, Any]:
    """Valid data for the POST: an allowed persona's request succeeds."""
    if name == "project_edit":
        return {
            "customer": str(customer.pk),
            "title": "Renamed",
            "status": "draft",
            "description": "",
            "revision": str(project.revision),
        }
    if name == "project_create":
        return {"customer": str(customer.pk), "title": "Fourth hospital", "status": "draft"}
    if name in ("customer_edit", "customer_create"):
        return {
            "company_name": "Renamed S.p.A.",
            "vat_number": "",
            "country": "IT",
            "preferred_language": "it",
        }
    if name in ("project_questionnaire", "project_preview"):
        return _answers(project)
    if name == "site_create":
        return _site_fields("new", project, "Roma")
    if name == "sites_preview":
        return {**_site_fields("new", project, "Roma"), "preview_site": "new"}
    if name == "site_edit":
        return _site_fields(f"site-{site.pk}", project, "Milano Centrale")
    if name in ("site_duplicate", "site_delete"):
        return {"revision": str(project.revision)}
    if name == "sites_import":
        # The preview's rows, kept in the session under a token, as `_preview` leaves them.
        row = dict(zip(COLUMNS, ["Torino", "", "vpn", 30, 10, 5, 0, 0, 0, 0], strict=True))
        session = client.session
        session[SESSION_KEY.format(pk=project.pk)] = {
            "token": "previewed",
            "revision": project.revision,
            "rows": [row],
        }
        session.save()
        return {"token": "previewed", "mode": "append"}
    if name == "project_proposals":
        return {"language": "en"}
    if name == "proposal_retry":
        return {}
    if name == "organization_branding":
        return {
            "revision": "1",
            "primary_color": "#112233",
            "accent_color": "#AABBCC",
            "legal_name": "Renamed S.p.A.",
            "vat_number": "01234567897",
            "address": "Via Roma 1, 20100 Milano",
            "phone": "+39 02 1234567",
            "email": "info@example.com",
            "website": "https://example.com",
            "legal_footer": "Capitale sociale € 10.000 i.v.",
        }
    raise AssertionError(f"no POST data for {name}: add it to _post_data")


SIZING_REQUEST = {
    "sites": [
        {
            "name": "Milano",
            "connectivity": "lan",
            **dict.fromkeys(Site.COUNT_FIELDS, 0),
            "mobile_apps": 100,
            "sip_phones": 5,
        }
    ],
    "tvox_systems": 2,
}
SITES_CSV = (
    ",".join(COLUMNS)
    + "\n"
    + "Torino,Via Po 1,vpn,30,10,5,0,0,0,0\n"
    + "Genova,,lan,8,0,2,0,0,0,0\n"
).encode()


def _request(
    client: Client,
    name: str,
    url: str,
    method: str,
    project: Project,
    customer: Customer,
    site: Site,
) -> Any:
    if method == GET:
        return client.get(url)
    if method == HTMX:
        return client.get(url, headers={"HX-Request": "true"})
    if method == UPLOAD:
        upload = SimpleUploadedFile("sites.csv", SITES_CSV, content_type="text/csv")
        return client.post(url, {"file": upload})
    if name == "sizing":
        return client.post(url, json.dumps(SIZING_REQUEST), content_type="application/json")
    return client.post(url, _post_data(name, client, project, customer, site))


def _state() -> dict[str, list[Any]]:
    """Everything a request could change, of every organisation."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "customers": list(Customer.objects.order_by("pk").values()),
        "projects": list(Project.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
        "proposals": list(
            Proposal.objects.order_by("pk").values("pk", "version", "status", "pdf_key")
        ),
    }


@pytest.mark.parametrize(("name", "obj", "method", "persona", "expected"), _cases())
def test_it_enforces_the_access_matrix(
    request: pytest.FixtureRequest,
    client: Client,
    sizing_table: None,
    media_storage: Path,
    project: Project,
    customer: Customer,
    name: str,
    obj: str | None,
    method: str,
    persona: str,
    expected: int,
) -> None:
    user: User = request.getfixturevalue(persona)
    site = Site.objects.create(project=project, name="Milano", connectivity="lan", mobile_apps=10)
    url = reverse(name, args=_url_args(obj, project, customer, site))
    client.force_login(user)
    before = _state()

    response = _request(client, name, url, method, project, customer, site)

    assert response.status_code == expected, response.content[:500]
    # A POST answered with a redirect changed something; no other answer changed anything
    # (previews and refusals write nothing).
    if method == POST and expected == 302:
        assert _state() != before
    else:
        assert _state() == before
    project.refresh_from_db()
    customer.refresh_from_db()
    if expected in (403, 404):
        assert project.title == "Three hospitals"
        assert project.revision == 1
        assert customer.company_name == "Ospedale San Luca S.p.A."
        assert list(project.sites.values_list("name", flat=True)) == ["Milano"]


def _named_urls(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> tuple[set[str], list[str]]:
    """The names of the URL patterns, through includes; and the patterns without a name."""
    names: set[str] = set()
    unnamed: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found, missing = _named_urls(pattern.url_patterns, inner)
            names |= found
            unnamed += missing
        elif pattern.name:
            names.add(namespace + pattern.name)
        elif pattern.lookup_str not in FILE_SERVING_VIEWS:
            unnamed.append(str(pattern.pattern))
    return names, unnamed


def test_every_url_is_in_the_matrix() -> None:
    names, unnamed = _named_urls(get_resolver().url_patterns)
    in_matrix = {name for name, _obj, _method, _expected in MATRIX}
    assert unnamed == [], "name these URLs and give them rows in MATRIX"
    assert names - in_matrix - set(EXEMPT) == set(), "give these URLs rows in MATRIX"
    assert set(EXEMPT) - names == set(), "these exemptions name no URL any more"
    assert in_matrix & set(EXEMPT) == set()
    for _name, _obj, _method, expected in MATRIX:
        assert set(expected) == set(PERSONAS)


ANONYMOUS_PAGES = [
    "/",
    "/projects/",
    "/projects/new/",
    "/projects/1/",
    "/projects/1/edit/",
    "/projects/1/questionnaire/",
    "/projects/1/results/",
    "/projects/1/sites/",
    "/projects/1/sites/1/edit/",
    "/projects/1/sites/import/",
    "/projects/1/sites/export.csv",
    "/sites-template.csv",
    "/projects/1/proposal/",
    "/proposals/1/status/",
    "/proposals/1/download/",
    "/customers/",
    "/customers/new/",
    "/customers/1/",
    "/customers/1/edit/",
    "/organization/branding/",
    "/organization/logo",
    "/accounts/password_change/",
]
# Answered to POST only; the sign-in redirect comes first all the same.
ANONYMOUS_POSTS = [
    "/projects/new/",
    "/projects/1/edit/",
    "/projects/1/questionnaire/",
    "/projects/1/preview/",
    "/projects/1/sites/new/",
    "/projects/1/sites/preview/",
    "/projects/1/sites/1/edit/",
    "/projects/1/sites/1/duplicate/",
    "/projects/1/sites/1/delete/",
    "/projects/1/sites/import/",
    "/projects/1/proposal/",
    "/proposals/1/retry/",
    "/customers/new/",
    "/customers/1/edit/",
    "/organization/branding/",
]
# Answer anonymous visitors without a sign-in redirect (see the tests below them).
ANONYMOUS_NOT_REDIRECTED = {"healthz", "sizing", "sizing_openapi"}


@pytest.mark.parametrize(
    ("method", "url"),
    [(GET, url) for url in ANONYMOUS_PAGES] + [(POST, url) for url in ANONYMOUS_POSTS],
)
def test_it_sends_anonymous_visitors_to_sign_in(
    client: Client, db: None, method: str, url: str
) -> None:
    response = client.get(url) if method == GET else client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_anonymous_visitor_test_covers_every_url_of_the_matrix() -> None:
    covered = {resolve(url).url_name for url in ANONYMOUS_PAGES + ANONYMOUS_POSTS}
    in_matrix = {name for name, _obj, _method, _expected in MATRIX}
    assert in_matrix - covered == ANONYMOUS_NOT_REDIRECTED


def test_the_sizing_api_answers_anonymous_callers_with_401(client: Client, db: None) -> None:
    response = client.post(
        reverse("sizing"), json.dumps(SIZING_REQUEST), content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_health_check_answers_anonymous_probes(
    client: Client, db: None, media_storage: Path
) -> None:
    # Load balancers and orchestrators probe it without a session; it shows no data.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_it_hides_other_organisations_from_lists(
    client: Client, charlie: User, project: Project, customer: Customer
) -> None:
    client.force_login(charlie)
    assert project.title not in client.get(reverse("project_list")).content.decode()
    assert customer.company_name not in client.get(reverse("customer_list")).content.decode()


def test_it_refuses_a_project_for_another_organisations_customer(
    client: Client, charlie: User, customer: Customer
) -> None:
    client.force_login(charlie)
    response = client.post(
        reverse("project_create"),
        {"customer": str(customer.pk), "title": "Stolen", "status": "draft"},
    )
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Project.objects.filter(title="Stolen").exists()


def test_it_hides_a_customer_of_another_organisation_as_preselection(
    client: Client, charlie: User, customer: Customer
) -> None:
    client.force_login(charlie)
    response = client.get(reverse("project_create") + f"?customer={customer.pk}")
    assert response.status_code == 404
