"""Every URL, every role, and someone else's object: who sees what, who changes what.

alice (sales engineer) owns the project and created the customer; bob is her teammate;
maria manages the organisation; adam administers it; charlie is of another organisation.
The rows are in tests/access_matrix_rows.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from pytest_django.asserts import assertNotContains

from configurator.models import Customer, Organization, Project, Site, User
from portal.models import CustomerLink, Decision
from reports.models import Proposal

from .access_matrix_rows import (
    ANONYMOUS_NOT_REDIRECTED,
    ANONYMOUS_PAGES,
    ANONYMOUS_POSTS,
    EXEMPT,
    FILE_SERVING_VIEWS,
    GET,
    MATRIX,
    PERSONAS,
    POST,
    SIZING_REQUEST,
    Objects,
    Row,
    send,
    url_args,
)


def _cases() -> list[Any]:
    return [
        pytest.param(
            row, persona, row.expected[persona], id=f"{row.name}-{row.obj}-{row.method}-{persona}"
        )
        for row in MATRIX
        for persona in PERSONAS
    ]


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
        "links": list(CustomerLink.objects.order_by("pk").values()),
        "decisions": list(Decision.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize(("row", "persona", "expected"), _cases())
def test_it_enforces_the_access_matrix(
    request: pytest.FixtureRequest,
    client: Client,
    sizing_table: None,
    media_storage: Path,
    project: Project,
    customer: Customer,
    row: Row,
    persona: str,
    expected: int,
) -> None:
    user: User = request.getfixturevalue(persona)
    site = Site.objects.create(project=project, name="Milano", connectivity="lan", mobile_apps=10)
    url = reverse(row.name, args=url_args(row.obj, project, customer, site))
    client.force_login(user)
    before = _state()

    response = send(client, row, url, Objects(client, project, customer, site))

    assert response.status_code == expected, response.content[:500]
    # A POST answered with a redirect changed something; no other answer changed anything
    # (previews and refusals write nothing).
    if row.method == POST and expected in (302, 303):
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
    in_matrix = {row.name for row in MATRIX}
    assert unnamed == [], "name these URLs and give them rows in MATRIX"
    assert names - in_matrix - set(EXEMPT) == set(), "give these URLs rows in MATRIX"
    assert set(EXEMPT) - names == set(), "these exemptions name no URL any more"
    assert in_matrix & set(EXEMPT) == set()
    for row in MATRIX:
        assert set(row.expected) == set(PERSONAS)
        # A POST carries its valid data in its row; no other request carries any.
        assert (row.body is not None) == (row.method == POST), row.name


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
    in_matrix = {row.name for row in MATRIX}
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
    assertNotContains(client.get(reverse("project_list")), project.title)
    assertNotContains(client.get(reverse("customer_list")), customer.company_name)


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
