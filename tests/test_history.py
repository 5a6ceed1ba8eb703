"""The history: every change to a customer, a project (answers included) and its sites is
recorded (who, when, field by field old → new) and read as a timeline, one entry per
save, on the project page, on its history page and on the customer page."""

from __future__ import annotations

from importlib import import_module

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from configurator.history import Entry, project_timeline
from configurator.models import Customer, Project, ProjectStatus, Site, User

from .factories import make_project, parse_html, project_edit_data, signed_in, site_data
from .spreadsheets import HEADER, csv_file, token_of, upload

ANSWERS = {
    "tvox_systems": "2",
    "concurrency": "0.5",
    "hypervisor": "vmware",
    "public_domain": "mcs.example.com",
    "redundancy": "on",
}


def _entries(client: Client, project: Project, url: str = "project_detail") -> list[str]:
    """The timeline's entries as a reader sees them, newest first, whitespace collapsed."""
    page = client.get(reverse(url, args=[project.pk]))
    assert page.status_code == 200
    return [li.text for li in parse_html(page.content.decode()).find_all("li", "history__entry")]


def _save_project(client: Client, project: Project, **changes: str) -> None:
    project.refresh_from_db()
    url = reverse("project_edit", args=[project.pk])
    assert client.post(url, project_edit_data(project, **changes)).status_code == 302


def _add_site(client: Client, project: Project, **changes: str) -> Site:
    project.refresh_from_db()
    data = site_data("new", project.revision, **changes)
    assert client.post(reverse("site_create", args=[project.pk]), data).status_code == 302
    return project.sites.latest("pk")


def test_it_shows_a_project_save_as_one_entry_with_the_changed_fields_only(
    alice: User, project: Project
) -> None:
    client = signed_in(alice)

    _save_project(client, project, title="Four hospitals")

    newest, created = _entries(client, project)
    assert "Project changed" in newest and "Alice" in newest and "revision 2" in newest
    assert "Title: Three hospitals → Four hospitals" in newest
    assert "Notes" not in newest and "Customer" not in newest  # unchanged: not listed
    assert "Project created" in created
    record = Project.history.filter(id=project.pk).latest()
    assert (record.history_user, record.revision, record.title) == (alice, 2, "Four hospitals")


def test_it_writes_the_labels_in_the_readers_language(alice: User, project: Project) -> None:
    client = signed_in(alice)
    _save_project(client, project, title="Four hospitals")
    project.refresh_from_db()
    data = {**ANSWERS, "revision": str(project.revision)}
    client.post(reverse("project_questionnaire", args=[project.pk]), data)

    page = client.get(
        reverse("project_detail", args=[project.pk]), headers={"Accept-Language": "it"}
    )

    assertContains(page, "Titolo:</span> <del>Three hospitals</del>")
    assertContains(page, "<del>No</del> → <ins>Sì</ins>")
    assertNotContains(page, "Title:</span>")


def test_it_shows_the_answers_by_their_labels(alice: User, project: Project) -> None:
    client = signed_in(alice)
    data = {**ANSWERS, "revision": str(project.revision)}

    response = client.post(reverse("project_questionnaire", args=[project.pk]), data)

    assert response.status_code == 302
    newest = _entries(client, project)[0]
    assert "TVox systems: 1 → 2" in newest
    assert "Concurrency share: 100 % → 50 %" in newest.replace("\u00a0", " ")
    assert "Hypervisor: — → VMware ESXi / vSphere" in newest
    assert "Public domain name: — → mcs.example.com" in newest
    assert "No single point of failure: No → Yes" in newest
    assert "Fully in the cloud" not in newest  # unchanged


def test_a_site_added_changed_and_removed_is_one_entry_each(alice: User, project: Project) -> None:
    client = signed_in(alice)
    site = _add_site(client, project, users="20")
    data = site_data(f"site-{site.pk}", 2, users="30", connectivity="vpn")
    assert client.post(reverse("site_edit", args=[project.pk, site.pk]), data).status_code == 302
    url = reverse("site_delete", args=[project.pk, site.pk])
    assert client.post(url, {"revision": "3"}).status_code == 302

    removed, changed, added, created = _entries(client, project)

    assert "Site “Milano” removed" in removed and "revision 4" in removed
    assert "Site “Milano” changed" in changed and "revision 3" in changed
    assert "Users: 20 → 30" in changed and "Connectivity: MPLS → VPN" in changed
    assert "Address" not in changed and "Project changed" not in changed
    assert "Site “Milano” added" in added and "Users: 20" in added
    assert "Project created" in created
    assert (
        list(Site.history.filter(id=site.pk).values_list("history_user", flat=True))
        == [alice.pk] * 3
    )


def test_an_import_is_one_entry_whose_rows_unfold_in_append_and_replace_mode(
    alice: User, project: Project
) -> None:
    client = signed_in(alice)
    old = _add_site(client, project, name="Bergamo")
    rows = ["Torino,Via Po 1,vpn,30,10,5,0,0,0,0", "Genova,,lan,8,0,2,0,0,0,0"]
    page = upload(client, project, csv_file(HEADER, *rows))
    url = reverse("sites_import", args=[project.pk])
    assert client.post(url, {"token": token_of(page), "mode": "append"}).status_code == 302
    page = upload(client, project, csv_file(HEADER, rows[0]))
    assert client.post(url, {"token": token_of(page), "mode": "replace"}).status_code == 302

    replaced, appended, *_rest = _entries(client, project)

    assert "1 site imported from a spreadsheet, 3 replaced" in replaced
    assert "Site “Torino” added" in replaced and "Site “Bergamo” removed" in replaced
    assert "2 sites imported from a spreadsheet" in appended and "replaced" not in appended
    assert "Site “Genova” added" in appended and "Users: 8" in appended
    deleted = Site.history.get(id=old.pk, history_type="-")
    assert (deleted.history_user, deleted.project_revision) == (alice, 4)
    assert not Site.objects.filter(pk=old.pk).exists()
    detail = client.get(reverse("project_detail", args=[project.pk]))
    assert len(parse_html(detail.content.decode()).find_all("details", "history__rows")) == 2


def test_it_shows_a_customer_edit_on_the_customer_page(alice: User, customer: Customer) -> None:
    client = signed_in(alice)
    data = {
        "company_name": "Ospedale San Luca S.r.l.",
        "vat_number": "01234567897",
        "country": "IT",
        "preferred_language": "en",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }

    assert client.post(reverse("customer_edit", args=[customer.pk]), data).status_code == 302

    page = client.get(reverse("customer_detail", args=[customer.pk]))
    entries = parse_html(page.content.decode()).find_all("li", "history__entry")
    assert "Customer changed" in entries[0].text and "Alice" in entries[0].text
    assert "Company name: Ospedale San Luca S.p.A. → Ospedale San Luca S.r.l." in entries[0].text
    assert "Preferred language: Italian → English" in entries[0].text
    assert "VAT number" not in entries[0].text


def _timeline_queries(project: Project) -> tuple[int, list[Entry]]:
    with CaptureQueriesContext(connection) as queries:
        entries = project_timeline(project)
    return len(queries), entries


def test_the_timeline_reads_the_same_few_queries_for_few_or_many_entries(
    alice: User, project: Project, customer: Customer
) -> None:
    client = signed_in(alice)
    site = _add_site(client, project)
    data = site_data(f"site-{site.pk}", 2, users="7")
    client.post(reverse("site_edit", args=[project.pk, site.pk]), data)
    _save_project(client, project, title="Renamed")
    few, few_entries = _timeline_queries(project)
    for n in range(12):
        project.refresh_from_db()
        data = site_data(f"site-{site.pk}", project.revision, users=str(n + 1))
        client.post(reverse("site_edit", args=[project.pk, site.pk]), data)
        _add_site(client, project, name=f"Filiale {n}")
        _save_project(client, project, title=f"Renamed {n}", customer=str(customer.pk))

    many, many_entries = _timeline_queries(project)

    assert len(many_entries) == len(few_entries) + 36
    assert many == few, f"{few} queries for {len(few_entries)} entries, {many} for more"


def test_the_history_page_shows_every_entry_a_page_at_a_time(alice: User, project: Project) -> None:
    client = signed_in(alice)
    for n in range(21):
        _save_project(client, project, title=f"Title {n}")

    first = _entries(client, project, "project_history")
    older = client.get(reverse("project_history", args=[project.pk]), {"page": 2})

    assert len(first) == 20 and "Title: Title 19 → Title 20" in first[0]
    assertContains(older, "Project created")
    assertContains(older, "Title:</span> <del>Three hospitals</del> → <ins>Title 0</ins>")
    project_page = client.get(reverse("project_detail", args=[project.pk]))
    assertContains(project_page, reverse("project_history", args=[project.pk]))


def test_what_existed_before_the_history_gets_a_first_record_to_compare_with(
    alice: User, project: Project
) -> None:
    from django.apps import apps

    baseline = import_module("configurator.migrations.0008_history_baseline")
    site = Site.objects.create(project=project, name="Lodi", connectivity="lan", users=5)
    Project.history.all().delete()  # as they were before the history was installed
    Site.history.all().delete()

    baseline.record_baseline(apps, None)
    baseline.record_baseline(apps, None)  # a second run records nothing more
    client = signed_in(alice)
    data = site_data(f"site-{site.pk}", 1, name="Lodi", users="9")
    assert client.post(reverse("site_edit", args=[project.pk, site.pk]), data).status_code == 302

    changed, began = _entries(client, project)
    assert "Site “Lodi” changed" in changed and "Users: 5 → 9" in changed
    assert "Recorded as it was when the history began" in began and "Lodi" not in began
    assert Site.history.filter(id=site.pk).count() == 2


def test_review_transitions_are_entries_and_a_reopening_joins_its_change(
    alice: User, maria: User, customer: Customer
) -> None:
    from review.models import Action, Transition

    project = make_project(alice, customer, "Three hospitals", status=ProjectStatus.IN_REVIEW)
    Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
        comment="Please check the Lodi site.",
    )
    client = signed_in(alice)

    _save_project(client, project, title="Four hospitals")

    changed, submitted, created = _entries(signed_in(maria), project)
    assert "Project changed" in changed and "Status: In review → Draft" in changed
    assert "Title: Three hospitals → Four hospitals" in changed
    assert "Submitted for review" in submitted and "Status: Draft → In review" in submitted
    assert "Please check the Lodi site." in submitted
    assert "Project created" in created
    assert Transition.objects.filter(project=project, action=Action.REOPEN).count() == 1
