"""Small frictions a new user meets: a unit written two ways, a count field that keeps its
"0" in front of what is typed, a read-only viewer sent to "Not allowed", a missing icon, a
promise of a page that does not exist.

olga (the platform operator) edits the sizing tables, adam (a partner's administrator)
reads them; alice (a sales engineer) owns the project, maria (her manager) only reads it.
"""

from __future__ import annotations

from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import translation

from configurator.inventory_io import validate_rows
from configurator.models import Customer, Project, Site, User
from sizing.models import SizingTableVersion

from .factories import make_project


def tier_headers(client: Client, language: str = "en") -> str:
    """The header row of the MCS tiers on the admin page of the seed sizing table."""
    version = SizingTableVersion.objects.get(version=1)
    url = reverse("admin:sizing_sizingtableversion_change", args=[version.pk])
    page = client.get(url, headers={"Accept-Language": language}).content.decode()
    start = page.index("<table>", page.index('id="tiers-group"'))
    return page[start : page.index("</thead>", start)]


# --- The admin's tier column writes Mbit/s like every other page ---------------------------


def test_it_names_the_tier_bandwidth_in_mbit_per_second(client: Client, operator: User) -> None:
    client.force_login(operator)
    headers = tier_headers(client)
    assert "Internet bandwidth, at least (Mbit/s)" in headers
    assert "Mb/s" not in headers


def test_it_names_the_tier_bandwidth_in_mbit_per_second_in_italian(
    client: Client, operator: User
) -> None:
    with translation.override("it"):
        italian = str(translation.gettext("internet bandwidth, at least (Mbit/s)"))
    assert italian != "internet bandwidth, at least (Mbit/s)", "the Italian catalogue lacks it"
    client.force_login(operator)
    assert "Banda internet, almeno (Mbit/s)" in tier_headers(client, "it")


def test_it_names_the_tier_bandwidth_in_mbit_per_second_to_a_partners_administrator(
    client: Client, adam: User
) -> None:
    """adam only reads the tiers: his columns are titled the same."""
    client.force_login(adam)
    headers = tier_headers(client)
    assert "Internet bandwidth, at least (Mbit/s)" in headers
    assert "Mb/s" not in headers


# --- The customer form promises only what exists ------------------------------------------


def test_the_customer_form_says_what_the_preferred_language_does(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    form = client.get(reverse("customer_create"))
    assert "customer&#x27;s page" not in form.content.decode()
    assert "customer's page" not in form.content.decode()
    assert "chosen for you when you generate a proposal" in form.content.decode()


def test_the_proposal_form_starts_in_the_customers_preferred_language(
    client: Client, alice: User, customer: Customer
) -> None:
    """What the help text of the customer form promises."""
    customer.preferred_language = "en"
    customer.save()
    project = make_project(alice, customer)
    client.force_login(alice)
    page = client.get(reverse("project_proposals", args=[project.pk]))
    assert page.context["form"]["language"].initial == "en"


# --- Count fields start empty, with "0" as their placeholder ------------------------------


def count_input(page: str, name: str) -> str:
    """The <input> of count `name` on the form to add a site."""
    start = page.index(f'name="new-{name}"')
    return page[page.rindex("<input", 0, start) : page.index(">", start) + 1]


def test_the_site_form_shows_empty_counts_with_a_zero_placeholder(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = client.get(reverse("project_sites", args=[project.pk])).content.decode()
    for name in Site.COUNT_FIELDS:
        field = count_input(page, name)
        assert 'placeholder="0"' in field, field
        assert "value=" not in field, field
        assert "required" not in field, field


def test_an_empty_count_is_saved_as_zero(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    data = {f"new-{name}": "" for name in Site.COUNT_FIELDS}
    data.update({"new-name": "Lodi", "new-connectivity": "lan", "new-users": "450"})
    data["new-revision"] = str(project.revision)
    response = client.post(reverse("site_create", args=[project.pk]), data)
    assert response.status_code == 302
    site = project.sites.get()
    assert site.users == 450
    assert [getattr(site, name) for name in Site.COUNT_FIELDS[1:]] == [0] * 6


def test_a_saved_zero_is_edited_from_an_empty_field(
    client: Client, alice: User, project: Project
) -> None:
    site = Site.objects.create(project=project, name="Lodi", users=12)
    client.force_login(alice)
    url = reverse("project_sites", args=[project.pk])
    page = client.get(f"{url}?edit={site.pk}").content.decode()
    start = page.index(f'name="site-{site.pk}-sip_phones"')
    assert "value=" not in page[page.rindex("<input", 0, start) : page.index(">", start)]
    assert f'name="site-{site.pk}-users" value="12"' in page


def test_the_import_still_wants_every_count_cell(project: Project) -> None:
    """The spreadsheet keeps its own rule: an empty count cell is refused, not read as 0."""
    header = ["name", "address", "connectivity", *Site.COUNT_FIELDS]
    row = ["Lodi", "", "lan", *("" if name == "widgets" else "1" for name in Site.COUNT_FIELDS)]
    [checked] = validate_rows(project, [header, row])
    assert checked.errors == [("Widgets", "This field is required.")]


# --- A read-only viewer gets every step read-only, never "Not allowed" --------------------


def test_a_manager_sees_the_project_details_read_only(
    client: Client, maria: User, project: Project
) -> None:
    client.force_login(maria)
    page = client.get(reverse("project_edit", args=[project.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Customer and project</h1>" in html
    assert "Three hospitals" in html and "Ospedale San Luca S.p.A." in html
    assert 'aria-current="step"><span class="flow__n">1</span>' in html
    assert 'name="title"' not in html
    assert ">Save<" not in html


def test_a_manager_still_cannot_change_the_project_details(
    client: Client, maria: User, project: Project
) -> None:
    client.force_login(maria)
    data = {"customer": project.customer_id, "title": "Renamed", "status": "draft"}
    response = client.post(reverse("project_edit", args=[project.pk]), {**data, "revision": 1})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Three hospitals"


def test_the_owner_still_gets_the_form_to_edit_the_details(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    html = client.get(reverse("project_edit", args=[project.pk])).content.decode()
    assert 'name="title"' in html and ">Save<" in html


# --- /favicon.ico is the icon the pages link ----------------------------------------------


def test_the_favicon_is_served_to_anybody(client: Client, db: None) -> None:
    # The static file itself is served by WhiteNoise from collected files (production) or
    # by the live server's finders (the browser test of the icon); here: the redirect, and
    # that it points at a file the project has.
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/img/favicon.svg")
    found = finders.find("img/favicon.svg")
    assert found, "no static img/favicon.svg"
    assert Path(found).read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml"))
