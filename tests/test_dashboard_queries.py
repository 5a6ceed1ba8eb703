"""The dashboard and the project list's export ask the database the same number of
queries for 5,000 projects as for 10 (projects and sites made with bulk_create)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configurator.models import Customer, Project, ProjectStatus, Site, User
from dashboard.models import ProjectSummary

from .factories import signed_in

pytestmark = pytest.mark.usefixtures("sizing_table")

STATUSES = [ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED]


def _make_projects(count: int, owners: list[User], customer: Customer) -> None:
    """`count` projects of three sites each, among the owners and statuses."""
    start = Project.objects.count()
    Project.objects.bulk_create(
        Project(
            organization=customer.organization,
            customer=customer,
            owner=owners[n % len(owners)],
            title=f"Progetto {start + n:05d}",
            status=STATUSES[n % len(STATUSES)],
        )
        for n in range(count)
    )
    Site.objects.bulk_create(
        Site(project=project, name=f"Sede {i}", connectivity="vpn", users=10, mobile_apps=5 + i)
        for project in Project.objects.filter(sites__isnull=True)
        for i in range(3)
    )


def _queries(client: Client, url: str, query: dict[str, str]) -> int:
    client.get(url, query)  # sizes what is new: the summaries are then up to date
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "args", "query"),
    [
        ("dashboard", [], {"period": "all"}),
        ("dashboard", [], {}),
        ("dashboard_export", ["xlsx"], {"period": "all"}),
        ("project_list_export", ["csv"], {"sort": "owner"}),
    ],
)
def test_the_queries_do_not_grow_with_the_projects(
    maria: User, alice: User, bob: User, customer: Customer, name: str, args: list, query: dict
) -> None:
    client = signed_in(maria)
    url = reverse(name, args=args)
    _make_projects(10, [alice, bob], customer)
    few = _queries(client, url, query)

    _make_projects(4_990, [alice, bob, maria], customer)
    many = _queries(client, url, query)

    assert ProjectSummary.objects.count() == 5_000
    assert many == few


def test_the_first_visit_sizes_every_project_once(
    maria: User, alice: User, customer: Customer
) -> None:
    """Projects written in bulk have no summary yet: the first visit sizes them all, in
    queries that do not depend on the number of projects but for the upsert's batches."""
    _make_projects(5_000, [alice], customer)
    client = signed_in(maria)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard"), {"period": "all"})

    assert response.status_code == 200
    assert ProjectSummary.objects.filter(sized=True).count() == 5_000
    assert len(captured) < 40, [q["sql"][:80] for q in captured]
