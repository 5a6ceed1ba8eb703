"""The project list's and the dashboard's exports: CSV and XLSX with headers in the
reader's language and values by label, every cell neutralised against formulas, the list's
filters and visibility respected."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Customer, Project, ProjectStatus, User
from review.models import Action, Transition

from .factories import make_project, make_site, signed_in

pytestmark = pytest.mark.usefixtures("sizing_table")

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _csv_rows(response: object) -> list[list[str]]:
    text = response.content.decode()  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response: object, sheet: int = 0) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


@pytest.fixture
def projects(alice: User, bob: User, charlie: User, customer: Customer) -> dict[str, Project]:
    sized = make_project(alice, customer, "Ospedale Nord", ProjectStatus.IN_REVIEW)
    make_site(sized, "Milano", "mpls", users=5, sip_phones=4, mobile_apps=300)
    Transition.objects.create(
        project=sized,
        action=Action.SUBMIT,
        from_status="draft",
        to_status="in_review",
        revision=1,
        actor=alice,
    )
    return {
        "sized": sized,
        "formula": make_project(alice, customer, FORMULA),
        "bob": make_project(bob, title="Banca Est", status=ProjectStatus.APPROVED),
        "charlie": make_project(charlie, title="Segreto Charlie"),
    }


def test_the_project_list_exports_as_csv_by_label(maria: User, projects: dict) -> None:
    response = signed_in(maria).get(reverse("project_list_export", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:4] == ["Title", "Customer", "Owner", "Status"]
    assert rows[0][7:] == [
        "Recommended architecture",
        "Users",
        "MCS devices",
        "MCS instances",
        "Internet bandwidth (Mbit/s)",
    ]
    by_title = {row[0]: row for row in rows[1:]}
    assert set(by_title) == {"Ospedale Nord", "'" + FORMULA, "Banca Est"}
    assert by_title["Ospedale Nord"][2:5] == ["Alice", "In review", "1"]
    assert by_title["Ospedale Nord"][7:] == ["TVox Pure Cloud", "5", "300", "1", "144.00"]
    assert by_title["Banca Est"][3] == "Approved"
    assert by_title["Banca Est"][7] == "Not sized"


def test_a_formula_title_is_neutralised_in_xlsx(maria: User, projects: dict) -> None:
    response = signed_in(maria).get(reverse("project_list_export", args=["xlsx"]))

    assert response.status_code == 200
    rows = _xlsx_rows(response)
    titles = [row[0] for row in rows[1:]]
    assert "'" + FORMULA in titles
    assert FORMULA not in titles
    sized = next(row for row in rows if row[0] == "Ospedale Nord")
    assert sized[8:11] == [5, 300, 1]


def test_the_export_keeps_the_lists_filters(maria: User, bob: User, projects: dict) -> None:
    client = signed_in(maria)
    url = reverse("project_list_export", args=["csv"])

    by_status = _csv_rows(client.get(url, {"status": "approved"}))
    by_owner = _csv_rows(client.get(url, {"owner": bob.pk}))
    by_search = _csv_rows(client.get(url, {"q": "nord", "sort": "title"}))

    assert [row[0] for row in by_status[1:]] == ["Banca Est"]
    assert [row[0] for row in by_owner[1:]] == ["Banca Est"]
    assert [row[0] for row in by_search[1:]] == ["Ospedale Nord"]


def test_the_export_keeps_the_lists_order(maria: User, projects: dict) -> None:
    rows = _csv_rows(
        signed_in(maria).get(reverse("project_list_export", args=["csv"]), {"sort": "title"})
    )

    assert [row[0] for row in rows[1:]] == ["'" + FORMULA, "Banca Est", "Ospedale Nord"]


def test_a_sales_engineer_exports_only_their_projects(
    bob: User, charlie: User, projects: dict
) -> None:
    bobs = _csv_rows(signed_in(bob).get(reverse("project_list_export", args=["csv"])))
    charlies = _csv_rows(signed_in(charlie).get(reverse("project_list_export", args=["csv"])))

    assert [row[0] for row in bobs[1:]] == ["Banca Est"]
    assert [row[0] for row in charlies[1:]] == ["Segreto Charlie"]


def test_the_export_speaks_italian(maria: User, projects: dict) -> None:
    client: Client = signed_in(maria, headers={"accept-language": "it"})
    rows = _csv_rows(client.get(reverse("project_list_export", args=["csv"])))

    by_title = {row[0]: row for row in rows[1:]}
    assert by_title["Ospedale Nord"][3] == "In revisione"
    assert by_title["Banca Est"][3] == "Approvato"
    assert rows[0][1] == "Cliente"


def test_an_unknown_format_is_404(maria: User) -> None:
    client = signed_in(maria)

    assert client.get(reverse("project_list_export", args=["pdf"])).status_code == 404
    assert client.get(reverse("dashboard_export", args=["ods"])).status_code == 404


def test_the_dashboard_exports_its_figures(maria: User, projects: dict) -> None:
    client = signed_in(maria)

    as_csv = client.get(reverse("dashboard_export", args=["csv"]), {"period": "all"})
    as_xlsx = client.get(reverse("dashboard_export", args=["xlsx"]), {"period": "all"})

    text = as_csv.content.decode()
    assert "Segreto Charlie" not in text
    workbook = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    assert workbook.sheetnames == [
        "Totals",
        "Review queue",
        "By status",
        "By architecture",
        "By owner",
    ]
    totals = {row[0]: row[1] for row in workbook["Totals"].iter_rows(values_only=True)}
    assert totals["Projects"] == 3
    assert totals["Projects sized"] == 1
    assert totals["MCS devices"] == 300
    assert totals["Period"] == "All time"
    queue = list(workbook["Review queue"].iter_rows(values_only=True))
    assert [row[0] for row in queue[1:]] == ["Ospedale Nord"]
    by_status = dict(workbook["By status"].iter_rows(values_only=True))
    assert by_status["In review"] == 1
    assert by_status["Approved"] == 1
    by_owner = list(workbook["By owner"].iter_rows(values_only=True))
    assert by_owner[0][:4] == ("Owner", "Projects", "Projects sized", "Users")
    assert by_owner[1:] == [("Alice", 2, 1, 5, 300, 1, 144), ("Bob", 1, 0, 0, 0, 0, 0)]


def test_the_dashboard_export_neutralises_a_formula_title(maria: User, projects: dict) -> None:
    Project.objects.filter(pk=projects["formula"].pk).update(status=ProjectStatus.IN_REVIEW)
    rows = _csv_rows(signed_in(maria).get(reverse("dashboard_export", args=["csv"])))

    titles = [row[0] for row in rows if row]
    assert "'" + FORMULA in titles
    assert FORMULA not in titles


def test_the_dashboard_export_keeps_the_owner_filter(
    maria: User, bob: User, projects: dict
) -> None:
    response = signed_in(maria).get(
        reverse("dashboard_export", args=["xlsx"]), {"period": "all", "owner": bob.pk}
    )

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [row[:2] for row in workbook["By owner"].iter_rows(values_only=True)] == [
        ("Owner", "Projects"),
        ("Bob", 1),
    ]
    assert list(workbook["Review queue"].iter_rows(values_only=True))[1:] == []


def test_the_list_links_its_export_with_its_filters(alice: User, projects: dict) -> None:
    client = signed_in(alice)

    plain = client.get(reverse("project_list"))
    filtered = client.get(reverse("project_list"), {"status": "draft", "q": "nord"})
    fragment = client.get(
        reverse("project_list"), {"status": "draft"}, headers={"HX-Request": "true"}
    )

    assertContains(plain, f'href="{reverse("project_list_export", args=["csv"])}"')
    assertContains(plain, f'href="{reverse("project_list_export", args=["xlsx"])}"')
    assertContains(
        filtered, f'href="{reverse("project_list_export", args=["csv"])}?status=draft&amp;q=nord"'
    )
    # The htmx answer to a filter carries the links with the new filters too.
    assertContains(fragment, f'href="{reverse("project_list_export", args=["xlsx"])}?status=draft"')
