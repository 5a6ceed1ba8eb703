from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains

from configurator.models import Customer, Organization, Project, ProjectStatus, Role, User


def test_it_reports_healthy_parts(client: Client, db: None) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["status"] == "ok"


def test_it_reports_a_broken_storage_with_503(
    client: Client, db: None, settings: pytest.FixtureRequest, tmp_path: object
) -> None:
    blocked = tmp_path / "not-a-dir"  # type: ignore[operator]
    blocked.write_text("a file where the media folder should be")
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")


def test_it_reports_an_unreachable_broker_with_503(
    client: Client, db: None, settings: pytest.FixtureRequest
) -> None:
    from config.celery import app

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_load_demo_creates_a_user_per_role_and_is_safe_to_run_again(db: None) -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=io.StringIO())
    # The partner, and Telenia's own organisation for its platform operator.
    assert sorted(Organization.objects.values_list("name", flat=True)) == [
        "Demo Partner S.r.l.",
        "Telenia S.p.A.",
    ]
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Customer.objects.count() == 3
    assert Project.objects.count() == 5
    assert "demo-manager-2026" in out.getvalue()
    sales = User.objects.get(username="sales")
    assert sales.check_password("demo-sales-2026")


def test_only_the_demo_operator_changes_the_shared_sizing_tables(client: Client, db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # the grant survives a re-run
    add_page = "/admin/sizing/sizingtableversion/add/"
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/admin/sizing/sizingtableversion/").status_code == 200  # reads them
    assert client.get(add_page).status_code == 403
    client.logout()
    signed_in = client.post(
        "/accounts/login/", {"username": "telenia", "password": "demo-operator-2026"}
    )
    assert signed_in.status_code == 302
    assert client.get(add_page).status_code == 200
    # The operator's organisation holds no partner's data.
    assert not Project.objects.filter(organization__name="Telenia S.p.A.").exists()


def test_the_demo_users_can_sign_in(client: Client, db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())
    response = client.post(
        "/accounts/login/", {"username": "manager", "password": "demo-manager-2026"}
    )
    assert response.status_code == 302
    listing = client.get("/projects/")
    # The manager sees every project of the organisation, whoever owns it.
    assertContains(listing, "Warehouses and drivers")
    assertContains(listing, "Contact centre for 3 hospitals")


def test_the_demo_projects_under_review_have_their_review_record(db: None) -> None:
    """A reviewed demo project got there by transitions: the dashboard's queue has an age
    and the project page a record; a second run adds none."""
    from review.models import Action, Transition

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    by_status = {
        project.status: [
            (t.action, t.to_status, t.actor.username) for t in project.transitions.all()
        ]
        for project in Project.objects.prefetch_related("transitions__actor")
    }
    assert by_status["draft"] == []
    assert by_status["in_review"] == [(Action.SUBMIT, "in_review", "sales")]
    assert by_status["approved"] == [
        (Action.SUBMIT, "in_review", "sales"),
        (Action.APPROVE, "approved", "manager"),
    ]
    submitted = Transition.objects.get(project__status="in_review").at
    assert submitted < timezone.now() - timedelta(days=1)


def test_the_demos_sent_project_has_a_link_the_customer_opens(
    db: None, media_storage: object
) -> None:
    """The demo shows the customer's side too: its sent project was sent as an engineer
    sends one (a rendered proposal, a link to the customer's contact, a SEND transition),
    and the URL printed once opens the offer without an account; a re-run sends nothing
    more."""
    import re

    from portal.models import CustomerLink
    from reports.models import ProposalStatus
    from review.models import Action, Transition

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(title="Warehouses and drivers' app")
    assert project.status == ProjectStatus.SENT
    (link,) = CustomerLink.objects.filter(project=project)
    assert (link.recipient_email, link.language) == ("p.conti@example.it", "it")
    assert link.proposal.status == ProposalStatus.READY and len(link.proposal.sha256) == 64
    assert Transition.objects.filter(project=project, action=Action.SEND).count() == 1
    printed = re.search(r"/offer/([A-Za-z0-9_-]+)/", out.getvalue())
    assert printed, out.getvalue()
    offer = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").get(
        printed.group(0)
    )
    assert offer.status_code == 200
    assertContains(offer, link.proposal.sha256)
