"""The site inventory: added, edited, duplicated and removed in place (htmx) or by full-page
posts; every change is a project revision, and a change over a newer save is refused."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, User

from .factories import make_site, site_data

HTMX = {"HX-Request": "true"}


def test_it_adds_a_site_and_counts_a_revision(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(reverse("site_create", args=[project.pk]), site_data("new", 1))
    assert response.status_code == 302
    site = project.sites.get()
    assert (site.name, site.connectivity, site.mobile_apps, site.smart_working_team) == (
        "Milano",
        "mpls",
        20,
        2,
    )
    project.refresh_from_db()
    assert project.revision == 2


def test_it_answers_htmx_with_the_inventory_and_a_results_refresh(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("site_create", args=[project.pk]), site_data("new", 1), headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "sites-changed"
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="inventory"')
    assertContains(response, "Milano")
    assertNotContains(response, "<html")


def test_it_shows_messages_next_to_bad_counts_and_adds_nothing(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("site_create", args=[project.pk]),
        site_data(
            "new",
            1,
            name="",
            users="-3",
            mobile_apps="many",
            connectivity="satellite",
            widgets="1000001",
        ),
        headers=HTMX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("name", "users", "mobile_apps", "connectivity", "widgets"):
        assertContains(response, f'id="id_new-{field}_error"')
    assert 'value="many"' in page  # what was typed stays in the form
    assert not project.sites.exists()
    project.refresh_from_db()
    assert project.revision == 1


def test_it_edits_a_site_in_place(client: Client, alice: User, project: Project) -> None:
    site = make_site(project)
    client.force_login(alice)
    form = client.get(reverse("site_edit", args=[project.pk, site.pk]), headers=HTMX)
    assertContains(form, f'id="site-{site.pk}" method="post"')
    response = client.post(
        reverse("site_edit", args=[project.pk, site.pk]),
        site_data(f"site-{site.pk}", 1, name="Bergamo Est", sip_phones="12"),
        headers=HTMX,
    )
    assert response["HX-Trigger"] == "sites-changed"
    site.refresh_from_db()
    assert (site.name, site.sip_phones) == ("Bergamo Est", 12)


def test_without_javascript_edit_opens_the_row_form_on_the_page(
    client: Client, alice: User, project: Project
) -> None:
    site = make_site(project)
    client.force_login(alice)
    response = client.get(reverse("site_edit", args=[project.pk, site.pk]), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?edit={site.pk}#site-{site.pk}")
    assertContains(response, f'name="site-{site.pk}-name"')


def test_it_duplicates_and_removes_sites(client: Client, alice: User, project: Project) -> None:
    site = make_site(project, mobile_apps=7)
    client.force_login(alice)
    client.post(reverse("site_duplicate", args=[project.pk, site.pk]), {"revision": "1"})
    copy = project.sites.exclude(pk=site.pk).get()
    assert (copy.name, copy.mobile_apps) == ("Bergamo (copy)", 7)
    client.post(reverse("site_delete", args=[project.pk, site.pk]), {"revision": "2"})
    assert list(project.sites.values_list("name", flat=True)) == ["Bergamo (copy)"]
    project.refresh_from_db()
    assert project.revision == 3


def test_it_refuses_a_change_over_a_newer_save_and_keeps_what_was_typed(
    client: Client, alice: User, adam: User, project: Project
) -> None:
    site = make_site(project)
    other = Client()
    other.force_login(adam)
    other.post(reverse("site_duplicate", args=[project.pk, site.pk]), {"revision": "1"})
    client.force_login(alice)

    response = client.post(
        reverse("site_edit", args=[project.pk, site.pk]),
        site_data(f"site-{site.pk}", 1, name="Typed by Alice"),
        headers=HTMX,
    )
    assertContains(response, "changed this project while you were editing it")
    assertContains(response, 'value="Typed by Alice"')
    assertContains(response, f'name="site-{site.pk}-revision" value="2"')
    site.refresh_from_db()
    assert site.name == "Bergamo"
    removal = client.post(reverse("site_delete", args=[project.pk, site.pk]), {"revision": "1"})
    assert removal.status_code == 200
    assert project.sites.filter(pk=site.pk).exists()


def test_only_editors_change_sites(
    client: Client, maria: User, bob: User, charlie: User, project: Project
) -> None:
    site = make_site(project)
    expectations = {maria: 403, bob: 404, charlie: 404}
    for user, status in expectations.items():
        client.force_login(user)
        url = reverse("site_delete", args=[project.pk, site.pk])
        assert client.post(url, {"revision": "1"}).status_code == status
        create = client.post(reverse("site_create", args=[project.pk]), site_data("new", 1))
        assert create.status_code == status
    assert project.sites.count() == 1
    client.force_login(maria)
    page = client.get(reverse("project_sites", args=[project.pk])).content.decode()
    assert "Bergamo" in page and "Add a site" not in page


def test_a_site_of_another_project_is_not_found(
    client: Client, alice: User, project: Project
) -> None:
    from .factories import make_project

    other = make_project(alice, title="Other")
    site = make_site(other)
    client.force_login(alice)
    url = reverse("site_delete", args=[project.pk, site.pk])
    assert client.post(url, {"revision": "1"}).status_code == 404


def test_the_sites_page_query_count_does_not_grow_with_sites(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("project_sites", args=[project.pk])).status_code == 200
        return len(queries)

    make_site(project, "First", mobile_apps=1)
    few = count()
    for n in range(20):
        make_site(project, f"Site {n}", mobile_apps=3)
    assert count() == few


def test_the_results_panel_sizes_the_saved_sites(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, mobile_apps=600, web_clients=401)
    client.force_login(alice)
    page = client.get(reverse("project_results", args=[project.pk]), headers=HTMX).content.decode()
    # The panel's content, swapped into the panel, which stays in the page.
    assert page.lstrip().startswith('<h2 id="results-title"')
    assert 'id="results-panel"' not in page
    assert "1,001" in page


def test_the_preview_counts_a_new_site_as_it_is_typed_and_writes_nothing(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, mobile_apps=900)
    client.force_login(alice)
    data = {
        **site_data("new", 1, mobile_apps="101", web_clients="0", widgets="0"),
        "preview_site": "new",
    }
    page = client.post(reverse("sites_preview", args=[project.pk]), data, headers=HTMX)
    assertContains(page, "1,001 MCS devices")
    assert project.sites.count() == 1


def test_the_preview_counts_an_edited_site_in_place_of_the_saved_one(
    client: Client, alice: User, project: Project
) -> None:
    site = make_site(project, mobile_apps=900)
    client.force_login(alice)
    data = {
        **site_data(f"site-{site.pk}", 1, mobile_apps="5", web_clients="0", widgets="0"),
        "preview_site": str(site.pk),
    }
    page = client.post(reverse("sites_preview", args=[project.pk]), data, headers=HTMX)
    assertContains(page, "5 MCS devices")
    site.refresh_from_db()
    assert site.mobile_apps == 900


def test_an_invalid_draft_leaves_the_saved_results(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, mobile_apps=900)
    client.force_login(alice)
    data = {**site_data("new", 1, name="", mobile_apps="-5"), "preview_site": "new"}
    page = client.post(reverse("sites_preview", args=[project.pk]), data, headers=HTMX)
    assertContains(page, "900 MCS devices")


def test_the_results_views_query_count_does_not_grow_with_sites(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)

    def count(url: str, data: dict[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            if data is None:
                assert client.get(url).status_code == 200
            else:
                assert client.post(url, data).status_code == 200
        return len(queries)

    results = reverse("project_results", args=[project.pk])
    preview = reverse("sites_preview", args=[project.pk])
    draft = {**site_data("new", 1), "preview_site": "new"}
    make_site(project, "First", mobile_apps=1)
    few = (count(results), count(preview, draft))
    for n in range(25):
        make_site(project, f"Site {n}", mobile_apps=3)
    assert (count(results), count(preview, draft)) == few


def test_a_late_preview_of_a_form_already_saved_leaves_the_saved_results(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    client.post(
        reverse("site_create", args=[project.pk]),
        site_data("new", 1, mobile_apps="7", web_clients="0", widgets="0"),
    )
    # The debounced preview of the same typing arrives after the save (revision 1 < 2).
    late = {
        **site_data("new", 1, mobile_apps="7", web_clients="0", widgets="0"),
        "preview_site": "new",
    }
    page = client.post(reverse("sites_preview", args=[project.pk]), late, headers=HTMX)
    assertContains(page, "7 MCS devices")
    assertNotContains(page, "14 MCS devices")
