from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import User

from .factories import PASSWORD


def test_it_signs_in_and_lands_on_the_projects(client: Client, alice: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("project_list")


def test_it_says_why_a_sign_in_failed(client: Client, alice: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assertContains(response, "Please enter a correct username and password")


def test_it_locks_out_after_repeated_failures(
    client: Client, alice: User, settings: object
) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assertContains(response, "Too many failed sign-in attempts", status_code=429)
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_a_post_only(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-7",
            "new_password2": "a-much-longer-passphrase-7",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-much-longer-passphrase-7")


@pytest.mark.usefixtures("eager_tasks")  # the mail is sent by a Celery task
def test_it_resets_a_forgotten_password_by_email(client: Client, alice: User) -> None:
    client.post(reverse("password_reset"), {"email": alice.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/reset/[^\s]+/", mail.outbox[0].body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "another-long-passphrase-9",
            "new_password2": "another-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-long-passphrase-9")


@pytest.mark.parametrize("history_restore", [False, True])
def test_it_answers_an_expired_htmx_request_with_hx_redirect(
    client: Client, db: None, history_restore: bool
) -> None:
    headers = {"HX-Request": "true"}
    if history_restore:
        headers["HX-History-Restore-Request"] = "true"
    response = client.get(reverse("project_list") + "?q=x", headers=headers)
    if history_restore:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
