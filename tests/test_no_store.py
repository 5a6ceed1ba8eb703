"""No page or file of the application may be kept by a browser or a shared cache:
every answer says `Cache-Control: private, no-store` unless its view chose a
policy on purpose; static files stay cacheable.

The URLs and personas are those of the access matrix: every row, answered once for each
different status it has (a page, a redirect, a 403, a 404), as a page and as htmx asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from configurator.models import Customer, Project, Site, User

from .access_matrix_rows import (
    ANONYMOUS_PAGES,
    ANONYMOUS_POSTS,
    GET,
    MATRIX,
    POST,
    Objects,
    Row,
    send,
    url_args,
)

# Views that set their own policy, and why.
OWN_POLICY = {
    # The logo is the partner's branding, not customer data, and its URL stays the same
    # when it changes: the browser may keep it but must ask again (branding_views.py).
    "organization_logo": "private, no-cache",
}


def _one_persona_per_status() -> list[Any]:
    cases = []
    for row in MATRIX:
        seen: set[int] = set()
        for persona, status in row.expected.items():
            if status not in seen:
                seen.add(status)
                cases.append(
                    pytest.param(
                        row, persona, status, id=f"{row.name}-{row.obj}-{row.method}-{persona}"
                    )
                )
    return cases


def _assert_not_stored(response: object, name: str | None = None) -> None:
    policy = response.headers.get("Cache-Control", "")  # type: ignore[attr-defined]
    directives = {part.strip() for part in policy.split(",")}
    if name in OWN_POLICY and response.status_code == 200:  # type: ignore[attr-defined]
        assert policy == OWN_POLICY[name]
    else:
        assert {"private", "no-store"} <= directives, f"Cache-Control: {policy!r}"


@pytest.mark.parametrize(("row", "persona", "expected"), _one_persona_per_status())
def test_no_answer_of_the_access_matrix_may_be_stored(
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

    response = send(client, row, url, Objects(client, project, customer, site))

    assert response.status_code == expected
    _assert_not_stored(response, row.name)


@pytest.mark.parametrize(
    "name", ["project_detail", "project_results", "project_sites", "project_list"]
)
def test_htmx_fragments_may_not_be_stored(
    client: Client, sizing_table: None, alice: User, project: Project, name: str
) -> None:
    client.force_login(alice)
    args = [] if name == "project_list" else [project.pk]
    response = client.get(reverse(name, args=args), headers={"HX-Request": "true"})
    assert response.status_code == 200
    _assert_not_stored(response)


@pytest.mark.parametrize(
    ("method", "url"),
    [(GET, url) for url in ANONYMOUS_PAGES] + [(POST, url) for url in ANONYMOUS_POSTS],
)
def test_the_sign_in_redirects_of_anonymous_visitors_may_not_be_stored(
    client: Client, db: None, method: str, url: str
) -> None:
    response = client.get(url) if method == GET else client.post(url, {})
    assert response.status_code == 302
    _assert_not_stored(response)


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/", "/no-such-page/"])
def test_pages_of_anonymous_visitors_may_not_be_stored(client: Client, db: None, url: str) -> None:
    _assert_not_stored(client.get(url))


def test_a_signed_in_404_may_not_be_stored(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/projects/999999/")
    assert response.status_code == 404
    _assert_not_stored(response)


def test_static_files_stay_cacheable(settings: object) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # type: ignore[attr-defined]
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    policy = response.headers.get("Cache-Control", "")
    assert "public" in policy and "no-store" not in policy
