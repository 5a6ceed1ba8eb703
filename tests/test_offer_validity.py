"""The offer's validity: an optional last day on the project, set on its edit page, kept in
the proposal's snapshot and printed on its cover; no customer link outlives it
(tests/test_portal_links.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from configurator.models import Project, User
from reports.render import proposal_html
from reports.snapshot import build_snapshot

from .factories import add_sites, field_errors, project_edit_data, signed_in

pytestmark = pytest.mark.usefixtures("sizing_table")


def test_the_owner_sets_the_offers_last_day(project: Project, alice: User) -> None:
    response = signed_in(alice).post(
        reverse("project_edit", args=[project.pk]),
        project_edit_data(project, offer_valid_until="2027-01-31"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.offer_valid_until == date(2027, 1, 31)
    assert project.revision == 2
    page = signed_in(alice).get(reverse("project_edit", args=[project.pk]))
    assertContains(page, 'value="2027-01-31"')


def test_a_day_that_is_not_a_date_is_refused_next_to_the_field(
    project: Project, alice: User
) -> None:
    response = signed_in(alice).post(
        reverse("project_edit", args=[project.pk]),
        project_edit_data(project, offer_valid_until="31/31/2027"),
    )
    assert response.status_code == 200
    assert field_errors(response, "offer_valid_until")
    project.refresh_from_db()
    assert (project.offer_valid_until, project.revision) == (None, 1)


def test_the_proposal_keeps_and_prints_the_validity(project: Project) -> None:
    add_sites(project)
    Project.objects.filter(pk=project.pk).update(offer_valid_until=date(2027, 1, 31))
    project.refresh_from_db()
    snapshot = build_snapshot(project, "en", None)
    assert snapshot["project"]["offer_valid_until"] == "2027-01-31"
    with translation.override("en"):
        html = proposal_html(snapshot)
    assert "Offer valid until" in html and "31 Jan 2027" in html


def test_without_a_validity_the_snapshot_and_the_cover_say_nothing(project: Project) -> None:
    add_sites(project)
    snapshot = build_snapshot(project, "en", None)
    assert "offer_valid_until" not in snapshot["project"]
    assert "Offer valid until" not in proposal_html(snapshot)
