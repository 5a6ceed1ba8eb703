"""Every POST that changes a project, its answers or its sites carries the revision it was
read at; a missing, empty, malformed, negative or stale one gets the conflict page and
writes nothing. The spreadsheet import keeps the revision of its preview
on the server: tests/test_inventory_io.py checks a confirm after another change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Project, Site, User

HTMX = {"HX-Request": "true"}
PROJECT_CONFLICT = "saved this project while you were editing it"
SITES_CONFLICT = "changed this project while you were editing it"

# What a hostile or broken client may send instead of the revision it read. None: no field.
BAD_REVISIONS = {
    "missing": None,
    "empty": "",
    "not a number": "abc",
    "negative": "-1",
    "zero": "0",
    "a superscript digit": "²",
    "beyond any integer column": "9" * 30,
    "stale": "1",  # the project is at revision 2 when the request arrives
}


def _state() -> dict[str, list[dict[str, Any]]]:
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
    }


def _with(data: dict[str, str], key: str, revision: str | None) -> dict[str, str]:
    data = {k: v for k, v in data.items() if k != key}
    if revision is not None:
        data[key] = revision
    return data


def _site_fields(prefix: str, name: str) -> dict[str, str]:
    fields = {"name": name, "address": "Via Roma 1", "connectivity": "lan"}
    fields.update(dict.fromkeys(Site.COUNT_FIELDS, "0"))
    fields["users"] = "20"
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _request(name: str, project: Project, site: Site, revision: str | None) -> tuple[str, dict]:
    """The URL and the otherwise valid data of each change, with this revision."""
    if name == "project_edit":
        data = {
            "customer": str(project.customer_id),
            "title": "Typed over a newer save",
            "status": "draft",
            "description": "",
        }
        return reverse(name, args=[project.pk]), _with(data, "revision", revision)
    if name == "project_questionnaire":
        data = {"tvox_systems": "7", "concurrency": "0.5", "hypervisor": "vmware"}
        return reverse(name, args=[project.pk]), _with(data, "revision", revision)
    if name == "site_create":
        data = _site_fields("new", "Typed over a newer save")
        return reverse(name, args=[project.pk]), _with(data, "new-revision", revision)
    if name == "site_edit":
        prefix = f"site-{site.pk}"
        data = _site_fields(prefix, "Typed over a newer save")
        url = reverse(name, args=[project.pk, site.pk])
        return url, _with(data, f"{prefix}-revision", revision)
    url = reverse(name, args=[project.pk, site.pk])  # site_duplicate, site_delete
    return url, _with({}, "revision", revision)


CHANGES = {
    # url name: (status of the conflict page, its message)
    "project_edit": (409, PROJECT_CONFLICT),
    "project_questionnaire": (409, PROJECT_CONFLICT),
    # The sites step answers 200 so that htmx swaps the inventory with the message in.
    "site_create": (200, SITES_CONFLICT),
    "site_edit": (200, SITES_CONFLICT),
    "site_duplicate": (200, SITES_CONFLICT),
    "site_delete": (200, SITES_CONFLICT),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("revision", list(BAD_REVISIONS), ids=list(BAD_REVISIONS))
@pytest.mark.parametrize("name", list(CHANGES))
def test_it_answers_a_change_without_the_current_revision_with_the_conflict_page(
    client: Client, alice: User, project: Project, name: str, revision: str, htmx: bool
) -> None:
    site = Site.objects.create(project=project, name="Milano", connectivity="lan", users=5)
    assert project.bump_revision(1)  # somebody else's save: the project is at revision 2
    client.force_login(alice)
    url, data = _request(name, project, site, BAD_REVISIONS[revision])
    before = _state()

    response = client.post(url, data, headers=HTMX if htmx else {})

    status, message = CHANGES[name]
    assert response.status_code == status
    assertContains(response, message, status_code=status)
    assert _state() == before


@pytest.mark.parametrize("name", list(CHANGES))
def test_the_current_revision_still_saves(
    client: Client, alice: User, project: Project, name: str
) -> None:
    site = Site.objects.create(project=project, name="Milano", connectivity="lan", users=5)
    client.force_login(alice)
    url, data = _request(name, project, site, str(project.revision))

    response = client.post(url, data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.revision == 2


def test_the_conflict_page_carries_the_fresh_revision_so_saving_again_is_a_choice(
    client: Client, alice: User, project: Project
) -> None:
    assert project.bump_revision(1)
    client.force_login(alice)
    url, data = _request("project_edit", project, Site(), None)

    response = client.post(url, data)

    assert response.status_code == 409
    assertContains(response, 'name="revision" value="2"', status_code=409)
    again = client.post(url, {**data, "revision": "2"})
    assert again.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.revision) == ("Typed over a newer save", 3)
