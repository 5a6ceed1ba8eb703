"""Every URL, every role, and someone else's object: who sees what, who changes what.

alice (sales engineer) owns the project and created the customer; bob is her teammate;
maria manages the organisation; adam administers it; charlie is of another organisation.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from configurator.models import Customer, Project, User

GET = "get"
POST = "post"

# (url name, uses object, method) → expected status per persona.
# 200 = allowed page, 302 = allowed and redirected after a valid change, 403 = may see but
# not change, 404 = may not know it exists.
MATRIX = [
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
]
PERSONAS = ["alice", "bob", "maria", "adam", "charlie"]


def _cases() -> list[tuple[str, str | None, str, str, int]]:
    return [
        (name, obj, method, persona, expected[persona])
        for name, obj, method, expected in MATRIX
        for persona in PERSONAS
    ]


def _post_data(obj: str, project: Project, customer: Customer) -> dict[str, str]:
    if obj == "project":
        return {
            "customer": str(customer.pk),
            "title": "Renamed",
            "status": "draft",
            "description": "",
            "revision": str(project.revision),
        }
    return {
        "company_name": "Renamed S.p.A.",
        "vat_number": "",
        "country": "IT",
        "preferred_language": "it",
    }


@pytest.mark.parametrize(("name", "obj", "method", "persona", "expected"), _cases())
def test_it_enforces_the_access_matrix(
    request: pytest.FixtureRequest,
    client: Client,
    project: Project,
    customer: Customer,
    name: str,
    obj: str | None,
    method: str,
    persona: str,
    expected: int,
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    target = {"project": project, "customer": customer}.get(obj or "")
    url = reverse(name, args=[target.pk]) if target else reverse(name)
    if method == POST:
        response = client.post(url, _post_data(obj or "", project, customer))
    else:
        response = client.get(url)
    assert response.status_code == expected, response.content[:500]
    project.refresh_from_db()
    customer.refresh_from_db()
    if expected in (403, 404):
        assert project.title == "Three hospitals"
        assert customer.company_name == "Ospedale San Luca S.p.A."


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/projects/",
        "/projects/new/",
        "/projects/1/",
        "/projects/1/edit/",
        "/customers/",
        "/customers/new/",
        "/customers/1/",
        "/customers/1/edit/",
        "/accounts/password_change/",
    ],
)
def test_it_sends_anonymous_visitors_to_sign_in(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


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
