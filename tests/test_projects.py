from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Customer, Project, ProjectStatus, User

from .factories import make_customer, make_project, project_edit_data


def test_it_creates_a_project_owned_by_the_signed_in_user(
    client: Client, alice: User, customer: Customer
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("project_create"),
        {"customer": customer.pk, "title": "  New contact centre  ", "status": "draft"},
    )
    project = Project.objects.get(title="New contact centre")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.owner == alice
    assert project.organization == alice.organization
    assert project.revision == 1


def test_it_shows_the_message_next_to_an_empty_title(
    client: Client, alice: User, customer: Customer
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("project_create"), {"customer": customer.pk, "title": "   ", "status": "draft"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assertContains(response, 'id="id_title_error"')
    assert not Project.objects.exists()


def test_it_preselects_the_customer_from_the_query(
    client: Client, alice: User, customer: Customer
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_create") + f"?customer={customer.pk}")
    assert response.context["form"].initial["customer"] == customer


def test_it_does_not_let_a_sales_engineer_approve(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("project_edit", args=[project.pk]), project_edit_data(project, status="approved")
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_it_increments_the_revision_on_each_save(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    client.post(reverse("project_edit", args=[project.pk]), project_edit_data(project, title="A"))
    project.refresh_from_db()
    client.post(reverse("project_edit", args=[project.pk]), project_edit_data(project, title="B"))
    project.refresh_from_db()
    assert (project.title, project.revision) == ("B", 3)


def test_it_refuses_a_stale_save_and_keeps_what_was_typed(
    client: Client, alice: User, adam: User, project: Project
) -> None:
    stale = project_edit_data(project, title="Alice's title", description="typed by alice")
    admin_client = Client()
    admin_client.force_login(adam)
    admin_client.post(
        reverse("project_edit", args=[project.pk]), project_edit_data(project, title="Adam's title")
    )
    client.force_login(alice)
    response = client.post(reverse("project_edit", args=[project.pk]), stale)

    assert response.status_code == 409
    assertContains(response, "Alice&#x27;s title", status_code=409)
    assertContains(response, "typed by alice", status_code=409)
    assertContains(response, "Adam&#x27;s title", status_code=409)
    project.refresh_from_db()
    assert (project.title, project.revision) == ("Adam's title", 2)
    # The form now carries the fresh revision: saving again on purpose succeeds.
    again = client.post(reverse("project_edit", args=[project.pk]), {**stale, "revision": "2"})
    assert again.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.revision) == ("Alice's title", 3)


def test_it_lets_only_one_of_two_saves_of_the_same_revision_win(project: Project) -> None:
    first = Project.objects.get(pk=project.pk)
    second = Project.objects.get(pk=project.pk)
    first.title, second.title = "first", "second"
    assert first.save_revision(1) is True
    assert second.save_revision(1) is False
    project.refresh_from_db()
    assert (project.title, project.revision) == ("first", 2)


# --- The list ------------------------------------------------------------------------------


@pytest.fixture
def many_projects(alice: User, bob: User, customer: Customer) -> list[Project]:
    other = make_customer(alice.organization, alice, "Logistica Adriatica S.r.l.")
    projects = [
        make_project(alice, customer, f"Hospital wing {i:02d}", ProjectStatus.DRAFT)
        for i in range(25)
    ]
    projects.append(make_project(alice, other, "Warehouses", ProjectStatus.SENT))
    projects.append(make_project(bob, other, "Bob's drivers", ProjectStatus.LOST))
    return projects


def _titles(response: object) -> list[str]:
    return [p.title for p in response.context["page"].object_list]  # type: ignore[attr-defined]


def test_it_paginates_the_list(client: Client, alice: User, many_projects: list[Project]) -> None:
    client.force_login(alice)
    first = client.get(reverse("project_list"))
    second = client.get(reverse("project_list") + "?page=2")
    assert len(_titles(first)) == 20
    assert len(_titles(second)) == 6  # alice owns 26; bob's is not hers
    assert "Bob's drivers" not in _titles(first) + _titles(second)


def test_it_searches_by_title_and_customer(
    client: Client, maria: User, many_projects: list[Project]
) -> None:
    client.force_login(maria)
    assert _titles(client.get(reverse("project_list") + "?q=warehouse")) == ["Warehouses"]
    by_customer = _titles(client.get(reverse("project_list") + "?q=adriatica&sort=title"))
    assert by_customer == ["Bob's drivers", "Warehouses"]


def test_it_filters_by_status_and_owner(
    client: Client, maria: User, bob: User, many_projects: list[Project]
) -> None:
    client.force_login(maria)
    assert _titles(client.get(reverse("project_list") + "?status=lost")) == ["Bob's drivers"]
    assert _titles(client.get(reverse("project_list") + f"?owner={bob.pk}")) == ["Bob's drivers"]


def test_it_sorts_by_title_both_ways(
    client: Client, alice: User, many_projects: list[Project]
) -> None:
    client.force_login(alice)
    ascending = _titles(client.get(reverse("project_list") + "?sort=title"))
    descending = _titles(client.get(reverse("project_list") + "?sort=-title"))
    assert ascending[0] == "Hospital wing 00"
    assert descending[0] == "Warehouses"


def test_it_ignores_an_unknown_sort_instead_of_failing(
    client: Client, alice: User, many_projects: list[Project]
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_list") + "?sort=password&status=nonsense")
    assert response.status_code == 200
    assert len(_titles(response)) == 20


def test_it_renders_only_the_results_for_htmx(
    client: Client, alice: User, many_projects: list[Project]
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_list") + "?q=warehouse", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"')
    assertContains(response, "Warehouses")
    assertNotContains(response, "<html")
    assert "HX-Request" in response["Vary"]


def test_it_renders_the_whole_page_for_an_htmx_history_restore(
    client: Client, alice: User, many_projects: list[Project]
) -> None:
    client.force_login(alice)
    response = client.get(
        reverse("project_list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assertContains(response, "<html")


def test_it_keeps_the_list_query_count_flat(
    client: Client, maria: User, alice: User, customer: Customer
) -> None:
    client.force_login(maria)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("project_list")).status_code == 200
        return len(queries)

    make_project(alice, customer, "One")
    few = count()
    for i in range(15):
        make_project(alice, make_customer(alice.organization, alice, f"C{i}"), f"P{i}")
    assert count() == few


def test_it_marks_the_sorted_column_for_screen_readers(
    client: Client, alice: User, many_projects: list[Project]
) -> None:
    client.force_login(alice)
    page = client.get(reverse("project_list") + "?sort=-title").content.decode()
    assert 'aria-sort="descending"><a' in page
    assert page.count('aria-sort="none"') == 4
