"""The Django admin is scoped to the administrator's organisation; the page shell carries
the CSRF header for htmx, loads htmx from our own static files and sends a CSP."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Customer, Project, Role, User


def test_it_lets_an_administrator_manage_only_their_organisations_users(
    client: Client, adam: User, alice: User, charlie: User
) -> None:
    client.force_login(adam)
    listing = client.get(reverse("admin:configurator_user_changelist"))
    assert listing.status_code == 200
    names = {u.username for u in listing.context["cl"].result_list}
    assert names == {"adam", "alice"}
    assert (
        client.get(reverse("admin:configurator_user_change", args=[charlie.pk])).status_code == 302
    )
    assert client.get(reverse("admin:configurator_user_change", args=[alice.pk])).status_code == 200


def test_it_lets_an_administrator_change_a_role_but_not_grant_superuser(
    client: Client, adam: User, alice: User
) -> None:
    client.force_login(adam)
    page = client.get(reverse("admin:configurator_user_change", args=[alice.pk]))
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert "role" in page.context["adminform"].form.fields


def test_the_admin_cannot_set_a_logo_by_hand(client: Client, adam: User) -> None:
    """A logo is stored under its content hash: typed in the admin, a hash could overwrite
    another organisation's logo unchecked. Only the branding page sets it."""
    client.force_login(adam)
    page = client.get(
        reverse("admin:configurator_organization_change", args=[adam.organization_id])
    )
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert {"logo", "logo_sha256", "logo_content_type"}.isdisjoint(fields)
    assert "legal_footer" in fields


def test_it_keeps_sales_engineers_and_managers_out_of_the_admin(
    client: Client, alice: User, maria: User
) -> None:
    for user in (alice, maria):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_it_never_deletes_customers_or_projects_from_the_admin(
    client: Client, adam: User, project: Project, customer: Customer
) -> None:
    client.force_login(adam)
    response = client.post(
        reverse("admin:configurator_project_delete", args=[project.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_it_shows_a_customer_of_another_organisation_to_no_administrator(
    client: Client, adam: User, charlie: User
) -> None:
    theirs = Customer.objects.create(
        organization=charlie.organization, created_by=charlie, company_name="Theirs"
    )
    client.force_login(adam)
    listing = client.get(reverse("admin:configurator_customer_changelist"))
    assert theirs not in list(listing.context["cl"].result_list)


def test_the_shell_sends_the_csrf_token_to_htmx_and_loads_htmx_locally(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_list"))
    page = response.content.decode()
    headers = re.search(r"<body hx-headers='([^']+)'", page)
    assert headers is not None
    assert json.loads(headers.group(1))["X-CSRFToken"]
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="', page)
    assert "https://" not in re.sub(r'href="https://docs[^"]*"', "", page.split("<body", 1)[0])


def test_the_shell_sends_a_content_security_policy_with_a_nonce(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_list"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assertContains(response, f'nonce="{nonce.group(1)}"')


def test_the_user_menu_shows_the_role(client: Client, maria: User) -> None:
    client.force_login(maria)
    page = client.get(reverse("project_list"))
    assertContains(page, str(Role.MANAGER.label))
