"""The password reset's mail is sent by a task, never by the request: the request for an
address with an account and for one without does the same work (count it, queue one task
with the address), so how long the answer takes tells nothing about accounts. The task
looks the accounts up and mails them, in the language the page was asked in.

No timing here (bench/ measures speed): these tests check the structure, what the request
queues and what the task sends."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from kombu.exceptions import OperationalError

from configurator.models import User

UNKNOWN = "nobody@example.com"


def ask_reset(email: str, address: str = "127.0.0.1", language: str = "en") -> Any:
    return Client(headers={"accept-language": language}).post(
        reverse("password_reset"), {"email": email}, REMOTE_ADDR=address
    )


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The mail tasks the requests queue, kept here instead of run."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "configurator.tasks.send_password_reset.apply_async",
        lambda args, **_: calls.append(tuple(args)),
    )
    return calls


def test_a_known_and_an_unknown_address_each_queue_one_task_and_the_request_sends_nothing(
    alice: User, queued: list[tuple[Any, ...]]
) -> None:
    known, unknown = ask_reset(alice.email, "192.0.2.1"), ask_reset(UNKNOWN, "192.0.2.2")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert mail.outbox == []  # nothing was sent while the client waited
    assert queued == [
        (alice.email, "en", "testserver", False),
        (UNKNOWN, "en", "testserver", False),
    ]


def test_the_task_mails_the_known_address_only(alice: User, queued: list[tuple[Any, ...]]) -> None:
    from configurator.tasks import send_password_reset

    ask_reset(alice.email, "192.0.2.1")
    ask_reset(UNKNOWN, "192.0.2.2")
    assert mail.outbox == []
    for args in queued:  # as the worker runs them
        send_password_reset(*args)

    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert "http://testserver/accounts/reset/" in mail.outbox[0].body


def test_an_account_over_its_limit_queues_nothing(
    alice: User, queued: list[tuple[Any, ...]]
) -> None:
    for n in range(5):
        ask_reset(alice.email, f"192.0.2.{n + 1}")
    assert len(queued) == 3  # PASSWORD_RESET_ACCOUNT_LIMIT


def test_the_mail_arrives_in_the_language_the_page_was_asked_in(
    alice: User, eager_tasks: None
) -> None:
    assert ask_reset(alice.email, language="it").status_code == 302

    (message,) = mail.outbox
    with translation.override("it"):
        italian = translation.gettext("Password reset on %(site_name)s")
    assert italian != "Password reset on %(site_name)s"
    assert message.subject == italian % {"site_name": "testserver"}


def test_with_the_broker_refusing_the_task_the_answer_is_the_usual_one(
    alice: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("configurator.tasks.send_password_reset.apply_async", refuse)
    with caplog.at_level("WARNING", logger="configurator.accounts"):
        response = ask_reset(alice.email)

    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []
    assert "mail task could not be queued" in caplog.text
    assert alice.email not in caplog.text
