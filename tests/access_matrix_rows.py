"""The access matrix: every named URL with the object it is about, the method, the status
each persona gets and, for a POST, the valid data an allowed persona's request carries.

tests/test_access_matrix.py enforces it; tests/test_no_store.py and tests/test_hostile_http.py
send the same requests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from configurator.inventory_io import COLUMNS, SESSION_KEY
from configurator.models import Customer, Organization, Project, ProjectStatus, Site
from portal import links
from portal.models import ReceiptStatus
from reports import services
from reports.models import Proposal
from reports.snapshot import create_proposal

from .factories import approved_project_with_proposal, make_project, make_site, make_user, png

GET = "get"
POST = "post"
HTMX = "get-htmx"  # a GET sent by htmx (header HX-Request: true)
UPLOAD = "post-upload"  # a multipart POST carrying a spreadsheet


class Objects(NamedTuple):
    """What a row's POST data may refer to (fresh for each test)."""

    client: Client
    project: Project
    customer: Customer
    site: Site


class Row(NamedTuple):
    name: str
    obj: str | None
    method: str
    expected: dict[str, int]
    # A POST's valid data (an allowed persona's request succeeds), posted as a form or,
    # with `content_type`, as that document.
    body: Callable[[Objects], dict[str, Any]] | None = None
    content_type: str | None = None
    # A GET's query string, from the objects (for example the proposals a page compares).
    query: Callable[[Objects], dict[str, Any]] | None = None


def _site_fields(prefix: str, project: Project, name: str) -> dict[str, str]:
    fields = {"name": name, "address": "Via Roma 1", "connectivity": "lan", "revision": "0"}
    fields.update(dict.fromkeys(Site.COUNT_FIELDS, "0"))
    fields.update({"users": "20", "mobile_apps": "15", "revision": str(project.revision)})
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _answers(o: Objects) -> dict[str, str]:
    return {
        "tvox_systems": "3",
        "concurrency": "0.5",
        "hypervisor": "vmware",
        "public_domain": "mcs.example.com",
        "revision": str(o.project.revision),
    }


def _revision(o: Objects) -> dict[str, str]:
    return {"revision": str(o.project.revision)}


def _previewed_import(o: Objects) -> dict[str, str]:
    """The preview's rows, kept in the session under a token, as the preview leaves them."""
    row = dict(zip(COLUMNS, ["Torino", "", "vpn", 30, 10, 5, 0, 0, 0, 0], strict=True))
    session = o.client.session
    session[SESSION_KEY.format(pk=o.project.pk)] = {
        "token": "previewed",
        "revision": o.project.revision,
        "rows": [row],
    }
    session.save()
    return {"token": "previewed", "mode": "append"}


CUSTOMER = {
    "company_name": "Renamed S.p.A.",
    "vat_number": "",
    "country": "IT",
    "preferred_language": "it",
}
BRANDING = {
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

# (url name, uses object, method) → expected status per persona.
# 200 = allowed page, 302 = allowed and redirected after a valid change, 403 = may see but
# not change, 404 = may not know it exists.
# The objects (see `_url_args`): "project" and "customer" are alice's, "site" is a site of
# her project, the proposals are of her project (queued as made, failed, or rendered),
# "logo" is her organisation with a logo; "csv" is the format of a spreadsheet URL;
# "project with a proposal" is her project once proposed, and "project and another
# organisation's proposal" her project while a third organisation has a proposal (the
# row's query names it).
MATRIX: list[Row] = [
    Row(
        "home",
        None,
        GET,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 302},
    ),
    Row(
        "healthz",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        "project_list",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        "project_create",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # For alice's customer: charlie gets the form back, the customer is not his to pick.
        "project_create",
        None,
        POST,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 200},
        lambda o: {"customer": str(o.customer.pk), "title": "Fourth hospital", "status": "draft"},
    ),
    Row(
        "project_detail",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # A read-only viewer gets the details read-only, never a dead end.
        "project_edit",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "project_edit",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {
            "customer": str(o.customer.pk),
            "title": "Renamed",
            "status": "draft",
            "description": "",
            "revision": str(o.project.revision),
        },
    ),
    Row(
        "project_questionnaire",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "project_questionnaire",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        _answers,
    ),
    Row(
        # Recalculates from the typed answers and writes nothing: a read.
        "project_preview",
        "project",
        POST,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
        _answers,
    ),
    Row(
        "project_results",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # Read-only for everyone who sees the project.
        "project_history",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "project_sites",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "site_create",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: _site_fields("new", o.project, "Roma"),
    ),
    Row(
        # Recalculates with the site being typed and writes nothing: a read.
        "sites_preview",
        "project",
        POST,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
        lambda o: {**_site_fields("new", o.project, "Roma"), "preview_site": "new"},
    ),
    Row(
        # Without htmx, the editing row is shown on the sites page: a redirect there.
        "site_edit",
        "site",
        GET,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
    ),
    Row(
        "site_edit",
        "site",
        HTMX,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    Row(
        "site_edit",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: _site_fields(f"site-{o.site.pk}", o.project, "Milano Centrale"),
    ),
    Row(
        "site_duplicate",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        _revision,
    ),
    Row(
        "site_delete",
        "site",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        _revision,
    ),
    Row(
        "sites_import",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    Row(
        # The upload: a preview of the rows, nothing written to the project.
        "sites_import",
        "project",
        UPLOAD,
        {"alice": 200, "bob": 404, "maria": 403, "adam": 200, "charlie": 404},
    ),
    Row(
        # The confirmation of a preview (put in every persona's session, as if previewed).
        "sites_import",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        _previewed_import,
    ),
    Row(
        "sites_export",
        "project.csv",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "sites_template",
        "csv",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # Each sees their own organisation's (charlie a sales engineer of his: 403 too).
        "dashboard",
        None,
        GET,
        {"alice": 403, "bob": 403, "maria": 200, "adam": 200, "charlie": 403},
    ),
    Row(
        "dashboard",
        None,
        POST,
        {"alice": 405, "bob": 405, "maria": 405, "adam": 405, "charlie": 405},
        lambda o: {},
    ),
    Row(
        "dashboard_export",
        "csv",
        GET,
        {"alice": 403, "bob": 403, "maria": 200, "adam": 200, "charlie": 403},
    ),
    Row(
        # The list's own projects: a sales engineer's, or the organisation's.
        "project_list_export",
        "csv",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        "project_proposals",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "project_proposals",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {"language": "en"},
    ),
    Row(
        # Without htmx, the proposal's row is shown on the proposals page: a redirect there.
        "proposal_status",
        "proposal",
        GET,
        {"alice": 302, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
    ),
    Row(
        "proposal_status",
        "proposal",
        HTMX,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "proposal_retry",
        "failed proposal",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {},
    ),
    Row(
        "proposal_download",
        "rendered proposal",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # Without a proposal: the current draft, alone.
        "project_compare",
        "project",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "project_compare",
        "project with a proposal",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
        query=lambda o: {"a": _proposal_of(o.project).pk, "b": "draft"},
    ),
    Row(
        # Her project with a proposal of another organisation's project: nobody's to compare.
        "project_compare",
        "project and another organisation's proposal",
        GET,
        {"alice": 404, "bob": 404, "maria": 404, "adam": 404, "charlie": 404},
        query=lambda o: {"a": _proposal_of(o.project, other=True).pk, "b": "draft"},
    ),
    Row(
        "customer_list",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        "customer_create",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        "customer_create",
        None,
        POST,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 302},
        lambda o: CUSTOMER,
    ),
    Row(
        "customer_detail",
        "customer",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        "customer_edit",
        "customer",
        GET,
        {"alice": 200, "bob": 403, "maria": 403, "adam": 200, "charlie": 404},
    ),
    Row(
        "customer_edit",
        "customer",
        POST,
        {"alice": 302, "bob": 403, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: CUSTOMER,
    ),
    Row(
        # No id in the URL: each user reaches their own organisation's branding only.
        "organization_branding",
        None,
        GET,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 200, "charlie": 403},
    ),
    Row(
        "organization_branding",
        None,
        POST,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 302, "charlie": 403},
        lambda o: BRANDING,
    ),
    Row(
        # alice's organisation has a logo, charlie's has none: he cannot reach hers.
        "organization_logo",
        "logo",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # Plain computation on the posted JSON: no organisation's data is read.
        "sizing",
        None,
        POST,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
        lambda o: SIZING_REQUEST,
        "application/json",
    ),
    Row(
        # The API's OpenAPI description: the same for every organisation, to those who may
        # call the API (anonymous callers get 401, tests/test_openapi.py).
        "sizing_openapi",
        None,
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # The reviewer's page: whoever sees the project sees its review (the form is the
        # reviewers' only).
        "project_review",
        "project in review",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # Only the owner submits (review/workflow.py); a manager or an administrator who
        # may see the project but does not own it is refused.
        "project_submit",
        "project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 403, "charlie": 404},
        _revision,
    ),
    Row(
        "project_recall",
        "project in review",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 403, "charlie": 404},
        _revision,
    ),
    Row(
        # Never the owner (four eyes); the administrator too, the organisation having one
        # manager.
        "project_approve",
        "project in review",
        POST,
        {"alice": 403, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
        _revision,
    ),
    Row(
        "project_send_back",
        "project in review",
        POST,
        {"alice": 403, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
        lambda o: {**_revision(o), "comment": "Add the Lodi site's phones."},
    ),
    Row(
        # Without htmx the panel is on the proposals page: a redirect there, for whoever sees.
        "project_links",
        "project",
        GET,
        {"alice": 302, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
    ),
    Row(
        # The owner and the administrators send links; a manager sees them read-only.
        "project_links",
        "approved project",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {
            "proposal": str(o.project.proposals.get().pk),
            "recipient_name": "Giulia Bianchi",
            "recipient_email": "giulia@cliente.example",
            "language": "it",
            "days": "30",
        },
    ),
    Row(
        "link_revoke",
        "sent link",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {},
    ),
    Row(
        "link_reissue",
        "sent link",
        POST,
        {"alice": 302, "bob": 404, "maria": 403, "adam": 302, "charlie": 404},
        lambda o: {},
    ),
    Row(
        "decision_receipt",
        "accepted decision",
        GET,
        {"alice": 200, "bob": 404, "maria": 200, "adam": 200, "charlie": 404},
    ),
    Row(
        # A manager (or an administrator) reopens a decided project; never its owner.
        "project_reopen",
        "accepted project",
        POST,
        {"alice": 403, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
        lambda o: {"revision": str(o.project.revision), "comment": "The customer adds a site."},
    ),
    Row(
        # The customer's page: the token is the authority, whoever holds it; the members of
        # the organisation get the preview (not counted), charlie is anybody with the link.
        "offer",
        "offer token",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # The beacon stylesheet: empty, whatever it names.
        "offer_seen",
        "offer token and beacon",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # A path under a working token that is no page: the miss's 404, for everybody.
        "offer_unknown",
        "offer token path",
        GET,
        {"alice": 404, "bob": 404, "maria": 404, "adam": 404, "charlie": 404},
    ),
    Row(
        "offer_download",
        "offer token",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # The receipt of the acceptance made through this very link.
        "offer_receipt",
        "accepted offer token",
        GET,
        {"alice": 200, "bob": 200, "maria": 200, "adam": 200, "charlie": 200},
    ),
    Row(
        # Deciding is the customer's: a member of the organisation previewing is refused.
        "offer_accept",
        "offer token",
        POST,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 403, "charlie": 303},
        lambda o: {
            "full_name": "Giulia Bianchi",
            "role": "CIO",
            "company": "Acme S.p.A.",
            "agree": "on",
            "shown_sha256": o.project.proposals.get().sha256,
            "lang": "it",
        },
    ),
    Row(
        "offer_decline",
        "offer token",
        POST,
        {"alice": 403, "bob": 403, "maria": 403, "adam": 403, "charlie": 303},
        lambda o: {
            "reason": "Budget moved to next year.",
            "shown_sha256": o.project.proposals.get().sha256,
            "lang": "it",
        },
    ),
    Row(
        # The icon browsers ask of every site: a redirect to the static one, for anybody.
        "favicon",
        None,
        GET,
        {"alice": 302, "bob": 302, "maria": 302, "adam": 302, "charlie": 302},
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


def url_args(obj: str | None, project: Project, customer: Customer, site: Site) -> list[Any]:
    """The arguments of the URL, creating the object it names (fresh for each test)."""
    if obj is None:
        return []
    if obj == "project":
        return [project.pk]
    if obj == "customer":
        return [customer.pk]
    if obj == "site":
        return [project.pk, site.pk]
    if obj == "project in review":
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.IN_REVIEW)
        project.refresh_from_db()
        return [project.pk]
    if obj == "project.csv":
        return [project.pk, "csv"]
    if obj == "csv":
        return ["csv"]
    if obj == "project with a proposal":
        create_proposal(project, "en", project.owner)
        return [project.pk]
    if obj == "project and another organisation's proposal":
        outsider = make_user(Organization.objects.create(name="Partner Three S.r.l."), "olivia")
        elsewhere = make_project(outsider, title="Elsewhere")
        make_site(elsewhere, "Torino", "lan", mobile_apps=5)
        create_proposal(elsewhere, "en", outsider)
        return [project.pk]
    if obj in PORTAL_OBJECTS:
        return _portal_args(obj, project)
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


PORTAL_OBJECTS = {
    "approved project",
    "offer token path",
    "sent link",
    "accepted decision",
    "accepted project",
    "offer token",
    "offer token and beacon",
    "accepted offer token",
}


def _portal_args(obj: str, project: Project) -> list[Any]:
    """A customer link's objects: an approved, rendered proposal of `project` and a link to
    it (sent by its owner), accepted where the object says so, with its receipt stored. A
    project decided on already (the objects of several rows made for one project) is
    reopened first."""
    if project.is_closed:
        project.reopen_closed(project.revision, by=None)
        project.refresh_from_db()
    proposal = approved_project_with_proposal(project.owner, project.owner, project=project)
    if obj == "approved project":
        return [project.pk]
    issued = links.create_link(
        proposal,
        project.owner,
        recipient_name="Giulia Bianchi",
        recipient_email="giulia@cliente.example",
        language="it",
    )
    if obj == "sent link":
        return [issued.link.pk]
    if obj == "offer token":
        return [issued.token]
    if obj == "offer token path":
        return [f"{issued.token}/nothing/"]
    if obj == "offer token and beacon":
        return [issued.token, "0" * 32]
    decision = links.accept(
        issued.link,
        proposal.sha256,
        links.Visitor("198.51.100.7", "Mozilla/5.0"),
        full_name="Giulia Bianchi",
        role="CIO",
        company="Acme S.p.A.",
    )
    decision.receipt_key = default_storage.save(
        decision.receipt_storage_key(), ContentFile(b"%PDF-1.7\n% receipt\n%%EOF\n")
    )
    decision.receipt_status = ReceiptStatus.READY
    decision.save(update_fields=["receipt_key", "receipt_status"])
    project.refresh_from_db()
    if obj == "accepted decision":
        return [decision.pk]
    if obj == "accepted offer token":
        return [issued.token]
    return [project.pk]  # "accepted project"


def _proposal_of(project: Project, *, other: bool = False) -> Proposal:
    """The proposal `url_args` made: of `project`, or (`other`) of another organisation's."""
    proposals = Proposal.objects.exclude(project=project) if other else project.proposals.all()
    return proposals.get()


def send(client: Client, row: Row, url: str, objects: Objects) -> Any:
    """The row's request to `url`, as `client`."""
    if row.query is not None:
        url = f"{url}?{urlencode(row.query(objects))}"
    if row.method == GET:
        return client.get(url)
    if row.method == HTMX:
        return client.get(url, headers={"HX-Request": "true"})
    if row.method == UPLOAD:
        upload = SimpleUploadedFile("sites.csv", SITES_CSV, content_type="text/csv")
        return client.post(url, {"file": upload})
    assert row.body is not None, f"no POST data for {row.name}: give its row a body"
    data = row.body(objects)
    if row.content_type == "application/json":
        return client.post(url, json.dumps(data), content_type=row.content_type)
    return client.post(url, data)


ANONYMOUS_PAGES = [
    "/",
    "/projects/",
    "/projects/new/",
    "/projects/1/",
    "/projects/1/edit/",
    "/projects/1/questionnaire/",
    "/projects/1/results/",
    "/projects/1/history/",
    "/projects/1/sites/",
    "/projects/1/sites/1/edit/",
    "/projects/1/sites/import/",
    "/projects/1/sites/export.csv",
    "/sites-template.csv",
    "/dashboard/",
    "/dashboard/export.csv",
    "/projects/export.csv",
    "/projects/1/proposal/",
    "/projects/1/compare/",
    "/projects/1/review/",
    "/proposals/1/status/",
    "/proposals/1/download/",
    "/customers/",
    "/customers/new/",
    "/customers/1/",
    "/customers/1/edit/",
    "/organization/branding/",
    "/organization/logo",
    "/accounts/password_change/",
    "/projects/1/links/",
    "/decisions/1/receipt/",
]
# Answered to POST only; the sign-in redirect comes first all the same.
ANONYMOUS_POSTS = [
    "/dashboard/",
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
    "/projects/1/review/submit/",
    "/projects/1/review/recall/",
    "/projects/1/review/approve/",
    "/projects/1/review/send-back/",
    "/proposals/1/retry/",
    "/customers/new/",
    "/customers/1/edit/",
    "/organization/branding/",
    "/projects/1/links/",
    "/links/1/revoke/",
    "/links/1/reissue/",
    "/projects/1/reopen/",
]
# Answer anonymous visitors without a sign-in redirect (see the tests below them).
ANONYMOUS_NOT_REDIRECTED = {
    "healthz",
    "sizing",
    "sizing_openapi",
    "favicon",
    # The customer's pages: no account, the token is the authority (tests/test_portal_*).
    "offer",
    "offer_seen",
    "offer_download",
    "offer_accept",
    "offer_decline",
    "offer_receipt",
    "offer_unknown",
}
