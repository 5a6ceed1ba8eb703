"""A customer's details are printed in every proposal: changing them after a review sends
the customer's reviewed projects back to draft, on the customer page and in the admin."""

from __future__ import annotations

from django.test import Client

from configurator.models import Customer, Organization, Project, ProjectStatus, Role
from review.models import Action

from .factories import add_sites, make_project, make_user, signed_in


def _customer_data(customer: Customer, **changes: str) -> dict[str, str]:
    data = {
        "company_name": customer.company_name,
        "vat_number": customer.vat_number,
        "contact_name": customer.contact_name,
        "contact_email": customer.contact_email,
        "contact_phone": customer.contact_phone,
        "country": customer.country,
        "preferred_language": customer.preferred_language,
    }
    return {**data, **changes}


def _reviewed(status: str) -> Project:
    org = Organization.objects.create(name="Acme")
    owner = make_user(org, "alice")
    make_user(org, "maria", Role.MANAGER)
    project = add_sites(make_project(owner), 1)
    Project.objects.filter(pk=project.pk).update(status=status)
    return Project.objects.get(pk=project.pk)


def test_renaming_the_customer_of_an_approved_project_sends_it_back_to_draft(db: None) -> None:
    project = _reviewed(ProjectStatus.APPROVED)
    draft = make_project(project.owner, project.customer, title="Another, a draft")

    response = signed_in(project.owner).post(
        f"/customers/{project.customer_id}/edit/",
        _customer_data(project.customer, company_name="Another name S.p.A."),
        follow=True,
    )

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.status, project.revision) == (ProjectStatus.DRAFT, 2)
    reopen = project.transitions.get()
    assert (reopen.action, reopen.from_status, reopen.actor) == (
        Action.REOPEN,
        ProjectStatus.APPROVED,
        project.owner,
    )
    assert "is a draft again" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.revision) == (ProjectStatus.DRAFT, 1)  # nothing to reopen


def test_saving_the_customer_unchanged_keeps_the_review(db: None) -> None:
    project = _reviewed(ProjectStatus.IN_REVIEW)
    signed_in(project.owner).post(
        f"/customers/{project.customer_id}/edit/", _customer_data(project.customer)
    )
    project.refresh_from_db()
    assert (project.status, project.revision) == (ProjectStatus.IN_REVIEW, 1)


def test_a_customer_change_in_the_admin_sends_its_projects_back_to_draft(db: None) -> None:
    project = _reviewed(ProjectStatus.IN_REVIEW)
    admin = make_user(project.organization, "root", Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    data = _customer_data(project.customer, vat_number="12345678903")
    data["organization"] = str(project.organization_id)
    data["created_by"] = str(project.owner_id)

    response = client.post(f"/admin/configurator/customer/{project.customer_id}/change/", data)

    assert response.status_code == 302, response.content
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert project.transitions.get().actor == admin
