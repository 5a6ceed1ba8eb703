"""The site inventory as a table: one row per site, a totals row,
sortable columns, the default above five sites, cards or table kept in the query string,
editing through the existing forms, and no query per site."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, Site, User

from .factories import add_sites, make_site, signed_in, site_data

HTMX = {"HX-Request": "true"}


def sites_page(client: Client, project: Project, **query: str) -> Any:
    return client.get(reverse("project_sites", args=[project.pk]), query)


def row_names(response: Any) -> list[str]:
    """The site names of the table's body rows, top to bottom."""
    table = response.content.decode().split('class="tablewrap sitetable"')[1]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<tr id="site-\d+">\s*<th scope="row">([^<]+)', body)


def make_mixed(project: Project) -> None:
    make_site(project, "Lodi", "internet", users=30, mobile_apps=5)
    make_site(project, "Bergamo", "mpls", users=10, mobile_apps=200)
    make_site(project, "Como", "lan", users=1200, mobile_apps=40)
    make_site(project, "Alba", "vpn", users=20, mobile_apps=7)
    make_site(project, "Pavia", "mpls", users=5, mobile_apps=0)
    make_site(project, "Monza", "vpn", users=400, mobile_apps=90, widgets=3)


def test_it_shows_cards_up_to_five_sites(client: Client, alice: User, project: Project) -> None:
    add_sites(project, 5)
    client.force_login(alice)
    response = sites_page(client, project)
    assertContains(response, '<article id="site-', count=5)
    assertNotContains(response, "sitetable")


def test_it_shows_a_table_above_five_sites(client: Client, alice: User, project: Project) -> None:
    add_sites(project, 6)
    client.force_login(alice)
    response = sites_page(client, project)
    assertNotContains(response, '<article id="site-')
    assert row_names(response) == [
        "Milano",
        "Bergamo",
        "Lodi",
        *(f"Filiale {n:03d}" for n in range(3)),
    ]
    assertContains(response, "Internet only")  # the connectivity by its label
    assertContains(response, 'aria-current="true">Table</a>')


def test_the_chosen_view_wins_over_the_default(
    client: Client, alice: User, project: Project
) -> None:
    add_sites(project, 6)
    client.force_login(alice)
    cards = sites_page(client, project, view="cards")
    assertContains(cards, '<article id="site-', count=6)
    assertContains(cards, 'aria-current="true">Cards</a>')
    project_of_two = Project.objects.create(
        organization=project.organization, owner=alice, customer=project.customer, title="Two"
    )
    add_sites(project_of_two, 2)
    table = sites_page(client, project_of_two, view="table")
    assert row_names(table) == ["Milano", "Bergamo"]
    # The toggle keeps the other parameters and links to the page itself, not a relative URL.
    url = reverse("project_sites", args=[project_of_two.pk])
    assertContains(table, f'href="{url}?view=cards"')
    assertContains(table, f'href="{url}?view=table"')


def test_the_totals_row_adds_every_count(client: Client, alice: User, project: Project) -> None:
    make_mixed(project)
    client.force_login(alice)
    page = sites_page(client, project).content.decode()
    totals = page.split('<tr class="sitetable__totals">')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', totals)
    # users, SIP phones, mobile apps, web clients, widgets, smart working (2)
    assert cells == ["1,665", "0", "342", "0", "3", "0", "0"]


def test_it_sorts_by_a_count_a_name_or_the_connectivity(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    client.force_login(alice)
    assert row_names(sites_page(client, project, sort="-users")) == [
        "Como",
        "Monza",
        "Lodi",
        "Alba",
        "Bergamo",
        "Pavia",
    ]
    assert row_names(sites_page(client, project, sort="mobile_apps")) == [
        "Pavia",
        "Lodi",
        "Alba",
        "Como",
        "Monza",
        "Bergamo",
    ]
    assert row_names(sites_page(client, project, sort="name")) == [
        "Alba",
        "Bergamo",
        "Como",
        "Lodi",
        "Monza",
        "Pavia",
    ]
    # By label: Internet only, LAN, MPLS, VPN; equal labels keep the inventory's order.
    assert row_names(sites_page(client, project, sort="connectivity")) == [
        "Lodi",
        "Como",
        "Bergamo",
        "Pavia",
        "Alba",
        "Monza",
    ]


def test_an_unknown_sort_keeps_the_inventory_order(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    client.force_login(alice)
    for sort in ("position", "-pk", "__class__", ""):
        assert row_names(sites_page(client, project, sort=sort)) == [
            "Lodi",
            "Bergamo",
            "Como",
            "Alba",
            "Pavia",
            "Monza",
        ]


def test_the_sorted_column_says_so_and_links_to_the_other_direction(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    client.force_login(alice)
    url = reverse("project_sites", args=[project.pk])
    response = sites_page(client, project, sort="users")
    assertContains(response, 'aria-sort="ascending"', count=1)
    assertContains(response, f'href="{url}?sort=-users"')
    assertContains(response, f'href="{url}?sort=name"')


def test_the_edit_link_opens_the_sites_form_in_its_row_with_and_without_javascript(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    como = Site.objects.get(name="Como")
    client.force_login(alice)
    url = reverse("project_sites", args=[project.pk])
    listing = sites_page(client, project, sort="-users")
    assertContains(listing, f'href="{url}?sort=-users&amp;edit={como.pk}#site-{como.pk}"')
    edit = reverse("site_edit", args=[project.pk, como.pk])
    assertContains(listing, f'hx-get="{edit}?sort=-users"')
    for response in (
        sites_page(client, project, sort="-users", edit=str(como.pk)),
        client.get(edit, {"sort": "-users"}, headers=HTMX),
    ):
        assertContains(response, f'<form id="site-{como.pk}"')
        assertContains(response, f'action="{edit}?sort=-users"')
        assertContains(response, f'value="{project.revision}"')  # the revision guard
        assert row_names(response) == ["Monza", "Lodi", "Alba", "Bergamo", "Pavia"]


def test_a_save_from_the_table_answers_with_the_same_sorted_table(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    pavia = Site.objects.get(name="Pavia")
    client.force_login(alice)
    edit = reverse("site_edit", args=[project.pk, pavia.pk])
    data = site_data(f"site-{pavia.pk}", project.revision, name="Pavia", users="9000")
    response = client.post(f"{edit}?sort=-users", data, headers=HTMX)
    assert response.status_code == 200
    assert row_names(response)[0] == "Pavia"
    pavia.refresh_from_db()
    assert pavia.users == 9000


def test_duplicate_and_remove_keep_their_revision_guard_in_the_table(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    alba = Site.objects.get(name="Alba")
    client.force_login(alice)
    response = sites_page(client, project, sort="name")
    duplicate = reverse("site_duplicate", args=[project.pk, alba.pk])
    remove = reverse("site_delete", args=[project.pk, alba.pk])
    assertContains(response, f'action="{duplicate}?sort=name"')
    assertContains(response, f'action="{remove}?sort=name"')
    stale = client.post(f"{remove}?sort=name", {"revision": str(project.revision - 1)})
    assertContains(stale, "nothing was saved")
    assert project.sites.filter(pk=alba.pk).exists()
    client.post(f"{remove}?sort=name", {"revision": str(project.revision)})
    assert not project.sites.filter(pk=alba.pk).exists()


def test_a_read_only_viewer_sees_the_table_without_edit_buttons(
    client: Client, maria: User, project: Project
) -> None:
    make_mixed(project)
    client.force_login(maria)
    response = sites_page(client, project)
    assert len(row_names(response)) == 6
    assertNotContains(response, ">Edit<")
    assertNotContains(response, "Duplicate")


def test_the_table_reads_in_italian(client: Client, alice: User, project: Project) -> None:
    make_mixed(project)
    client.force_login(alice)
    client.cookies["django_language"] = "it"
    response = sites_page(client, project)
    assertContains(response, "Totale")
    assertContains(response, "Solo internet")
    assertContains(response, '<td class="num">1.665</td>')


def test_the_table_needs_no_query_per_site(
    client: Client, alice: User, project: Project, django_assert_max_num_queries: Any
) -> None:
    client.force_login(alice)
    add_sites(project, 5)
    with CaptureQueriesContext(connection) as few:
        assert sites_page(client, project, view="table", sort="-mobile_apps").status_code == 200
    add_sites(Project.objects.get(pk=project.pk), 495)
    with django_assert_max_num_queries(len(few)):
        response = sites_page(client, project, sort="-mobile_apps")
    assert len(row_names(response)) == 500


# --- The chosen view sticks through every action --------------------------------------------


def shows_cards(response: Any) -> bool:
    page = response.content.decode()
    return '<article id="site-' in page and 'class="tablewrap sitetable"' not in page


def shows_table(response: Any) -> bool:
    page = response.content.decode()
    return 'class="tablewrap sitetable"' in page and '<article id="site-' not in page


def test_cards_chosen_above_five_sites_stay_through_every_change(
    client: Client, alice: User, project: Project
) -> None:
    add_sites(project, 6)
    client.force_login(alice)
    assert shows_table(sites_page(client, project))
    assert shows_cards(sites_page(client, project, view="cards"))
    assert shows_cards(sites_page(client, project))  # the plain page, as after a reload
    milano = project.sites.get(name="Milano")
    edit = reverse("site_edit", args=[project.pk, milano.pk])
    assert shows_cards(client.get(edit, headers=HTMX))  # the form in place
    assert shows_cards(sites_page(client, project, edit=str(milano.pk)))  # without JS

    def revision() -> int:
        return Project.objects.get(pk=project.pk).revision

    data = site_data(f"site-{milano.pk}", revision(), name="Milano", users="90")
    assert shows_cards(client.post(edit, data, headers=HTMX))
    data = site_data(f"site-{milano.pk}", revision(), name="Milano", users="91")
    assert shows_cards(client.post(edit, data, follow=True))
    create = reverse("site_create", args=[project.pk])
    assert shows_cards(client.post(create, site_data("new", revision(), name="A"), headers=HTMX))
    assert shows_cards(client.post(create, site_data("new", revision(), name="B"), follow=True))
    duplicate = reverse("site_duplicate", args=[project.pk, milano.pk])
    assert shows_cards(client.post(duplicate, {"revision": revision()}, headers=HTMX))
    assert shows_cards(client.post(duplicate, {"revision": revision()}, follow=True))
    remove = reverse("site_delete", args=[project.pk, milano.pk])
    assert shows_cards(client.post(remove, {"revision": revision()}, follow=True))
    assert project.sites.count() == 9
    assert shows_cards(sites_page(client, project))


def test_the_table_chosen_for_a_few_sites_stays_and_each_project_keeps_its_own(
    client: Client, alice: User, maria: User, project: Project
) -> None:
    add_sites(project, 2)
    other = Project.objects.create(
        organization=project.organization, owner=alice, customer=project.customer, title="Two"
    )
    add_sites(other, 6)
    client.force_login(alice)
    assert shows_table(sites_page(client, project, view="table"))
    assert shows_cards(sites_page(client, other, view="cards"))
    milano = project.sites.get(name="Milano")
    edit = reverse("site_edit", args=[project.pk, milano.pk])
    data = site_data(f"site-{milano.pk}", project.revision, name="Milano")
    assert shows_table(client.post(edit, data, follow=True))
    assert shows_cards(sites_page(client, other))
    assert shows_cards(sites_page(client, project, view="cards"))
    assert shows_cards(sites_page(client, project))
    # The choice is the user's: Maria, the manager, sees the default of six sites.
    assert shows_table(sites_page(signed_in(maria), other))


def test_a_sort_chosen_in_the_table_stays_after_a_save_without_javascript(
    client: Client, alice: User, project: Project
) -> None:
    make_mixed(project)
    pavia = Site.objects.get(name="Pavia")
    client.force_login(alice)
    edit = reverse("site_edit", args=[project.pk, pavia.pk])
    data = site_data(f"site-{pavia.pk}", project.revision, name="Pavia", users="9000")
    response = client.post(f"{edit}?sort=-users", data)
    assert response.status_code == 302
    assert response["Location"] == reverse("project_sites", args=[project.pk]) + "?sort=-users"
    assert row_names(client.get(response["Location"]))[0] == "Pavia"
