"""The admin is no way around the review: the status is not a field there, and a change to
a reviewed project sends it back to draft, recorded, as a change in the application does."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client

from configurator.models import Organization, Project, ProjectStatus, Role
from review.models import Action

from .factories import add_sites, make_project, make_user


def _admin_change(client: Client, project: Project, **changes: str) -> HttpResponse:
    data = {
        "organization": str(project.organization_id),
        "customer": str(project.customer_id),
        "title": project.title,
        "description": project.description,
        "owner": str(project.owner_id),
        "status": ProjectStatus.APPROVED,
        "tvox_systems": str(project.tvox_systems),
        "concurrency": str(project.concurrency),
        "hypervisor": project.hypervisor,
        "public_domain": project.public_domain,
        "opened_at_revision": str(project.revision),
        **changes,
    }
    return client.post(f"/admin/configurator/project/{project.pk}/change/", data)


def test_an_admin_change_to_an_approved_project_sends_it_back_to_draft(db: None) -> None:
    org = Organization.objects.create(name="Acme")
    admin = make_user(org, "root", Role.ADMINISTRATOR)
    owner = make_user(org, "alice")
    project = add_sites(make_project(owner), 1)
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.APPROVED)
    project.refresh_from_db()
    client = Client()
    client.force_login(admin)

    response = _admin_change(client, project, title="Renamed in the admin")

    assert response.status_code == 302, response.content
    project.refresh_from_db()
    assert project.title == "Renamed in the admin"
    assert project.status == ProjectStatus.DRAFT
    reopen = project.transitions.get()
    assert (reopen.action, reopen.from_status, reopen.actor) == (
        Action.REOPEN,
        ProjectStatus.APPROVED,
        admin,
    )


def test_the_admin_cannot_set_a_status(db: None) -> None:
    org = Organization.objects.create(name="Acme")
    admin = make_user(org, "root", Role.ADMINISTRATOR)
    owner = make_user(org, "alice")
    project = add_sites(make_project(owner), 1)
    client = Client()
    client.force_login(admin)

    response = _admin_change(client, project, status=ProjectStatus.APPROVED)

    assert response.status_code == 302, response.content
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert not project.transitions.exists()


def test_an_admin_form_opened_before_a_save_does_not_overwrite_it(db: None) -> None:
    org = Organization.objects.create(name="Acme")
    admin = make_user(org, "root", Role.ADMINISTRATOR)
    owner = make_user(org, "alice")
    stale = add_sites(make_project(owner), 1)
    newer = Project.objects.get(pk=stale.pk)
    newer.title = "The owner's newer title"
    assert newer.save_revision(newer.revision, by=owner)
    client = Client()
    client.force_login(admin)

    response = _admin_change(client, stale, description="The admin's note")

    assert response.status_code == 200
    assert "changed while you were editing it" in response.content.decode()
    fresh = Project.objects.get(pk=stale.pk)
    assert (fresh.title, fresh.description, fresh.revision) == ("The owner's newer title", "", 2)


def test_a_project_the_customer_decided_on_is_locked_in_the_admin_too(db: None) -> None:
    org = Organization.objects.create(name="Acme")
    admin = make_user(org, "root", Role.ADMINISTRATOR)
    project = add_sites(make_project(make_user(org, "alice")), 1)
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.ACCEPTED)
    project.refresh_from_db()
    client = Client()
    client.force_login(admin)

    response = _admin_change(client, project, title="Renamed after the acceptance")

    assert response.status_code == 200
    assert "locked" in response.content.decode()
    project.refresh_from_db()
    assert (project.title, project.revision, project.status) == (
        "Contact centre",
        1,
        ProjectStatus.ACCEPTED,
    )
