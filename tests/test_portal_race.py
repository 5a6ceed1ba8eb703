"""Two requests at once on one offer (portal/links.py): an acceptance racing a revocation,
two acceptances of one project through two links, a double-clicked acceptance. Each
request runs on a thread of its own, with its own database connection, through the real
views; exactly one wins, the other is refused with its reason, and the rows agree.

On the embedded default SQLite serialises writers (transactions begin IMMEDIATE); on the
production shape (DATABASE_URL set to PostgreSQL) the conditional UPDATEs of
portal/links.py meet row locks: the same tests run on both, and each interleaving that
matters is forced, not left to chance, by holding one request between its check and its
claim (`_paused_after_check`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.models import CustomerLink, Decision, Outcome

from .test_portal_public import accept_data, browser, link_of, sent_link

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sizing_table", "media_storage"),
]

# How long a request held after its check waits for the other to get through. On SQLite
# the other is queued behind the held one's write transaction and never gets through: the
# held request goes on after this, commits, and the other then finds the link decided.
HOLD_SECONDS = 2.0


def run_together(**requests: Callable[[], Any]) -> dict[str, Any]:
    """Run each request on its own thread, released at the same moment; their results (or
    the exception each raised) by name."""
    barrier = threading.Barrier(len(requests), timeout=30)
    results: dict[str, Any] = {}

    def run(name: str, request: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[name] = request()
        except Exception as exc:  # the test reads it: a thread must not swallow it
            results[name] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, request), name=name)
        for name, request in requests.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


@contextlib.contextmanager
def _paused_after_check(thread_name: str, went_through: threading.Event) -> Iterator[None]:
    """The acceptance on the thread `thread_name`, once it has found its link open and its
    PDF the one shown (portal.links._claim_link), waits until `went_through` is set (or
    HOLD_SECONDS) before it claims the link: the other request comes between."""
    import hmac

    def compare_digest(a: bytes, b: bytes) -> bool:
        if threading.current_thread().name == thread_name:
            went_through.wait(HOLD_SECONDS)
        return hmac.compare_digest(a, b)

    with mock.patch.object(links, "hmac", SimpleNamespace(compare_digest=compare_digest)):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def revoke_request(client: Client, link: CustomerLink, done: threading.Event) -> Any:
    try:
        return client.post(reverse("link_revoke", args=[link.pk]))
    finally:
        done.set()


def accept_request(token: str, data: dict[str, str]) -> Any:
    return browser().post(reverse("offer_accept", args=[token]), data)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_accepted_once(project: Project, link: CustomerLink) -> None:
    decision = Decision.objects.get(project=project)
    assert (decision.link_id, decision.outcome) == (link.pk, Outcome.ACCEPTED)
    fresh = CustomerLink.objects.get(pk=link.pk)
    assert fresh.decided_at is not None and fresh.revoked_at is None
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACCEPTED


def assert_revoked_not_accepted(project: Project, link: CustomerLink) -> None:
    assert not Decision.objects.filter(project=project).exists()
    fresh = CustomerLink.objects.get(pk=link.pk)
    assert fresh.revoked_at is not None and fresh.decided_at is None
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.SENT


# --- Acceptance against revocation ------------------------------------------------------------


def test_an_acceptance_held_after_its_check_and_a_revocation_give_one_winner(
    project: Project, alice: User, maria: User
) -> None:
    """The customer's acceptance has found the link open when the engineer revokes it. On
    PostgreSQL the revocation commits first and the acceptance's claim then matches no row:
    refused, it says the link was revoked. On SQLite the revocation waits for the
    acceptance's transaction and then finds the link decided: refused, it says so."""
    token = sent_link(project, maria)
    link, data, engineer = link_of(token), accept_data(token), signed_in(alice)
    revoked = threading.Event()
    with _paused_after_check("customer", revoked):
        results = run_together(
            customer=lambda: accept_request(token, data),
            engineer=lambda: revoke_request(engineer, link, revoked),
        )
    accepted, revocation = results["customer"], results["engineer"]
    assert not isinstance(accepted, Exception), accepted
    assert not isinstance(revocation, Exception), revocation
    assert revocation.status_code == 302
    if accepted.status_code in (409, 410):  # the revocation won (410: before the check)
        assert "withdrawn by the sender" in accepted.content.decode()
        assert_revoked_not_accepted(project, link)
        assert any("is revoked" in text for text in messages_of(revocation))
    else:
        assert accepted.status_code == 303, accepted.content[:400]
        assert_accepted_once(project, link)
        # The engineer is told why nothing was revoked: not "revoked already".
        assert messages_of(revocation) == [
            "The customer decided through this link: it stays on record."
        ]
    if connection.vendor == "postgresql":
        assert accepted.status_code in (409, 410), "the held acceptance cannot win here"


def test_an_acceptance_and_a_revocation_released_together_give_one_winner(
    project: Project, alice: User, maria: User
) -> None:
    """Released at the same moment, in either order the database picks: one wins, the
    other is refused, and the rows agree with whichever won. Repeated, so both orders
    have their chance."""
    for round_ in range(4):
        current = project if round_ == 0 else _another_project(project, alice)
        token = sent_link(current, maria)
        link, data, engineer = link_of(token), accept_data(token), signed_in(alice)
        results = run_together(
            customer=lambda: accept_request(token, data),  # noqa: B023 (joined before the loop goes on)
            engineer=lambda: revoke_request(engineer, link, threading.Event()),  # noqa: B023
        )
        accepted = results["customer"]
        assert not isinstance(accepted, Exception), accepted
        assert results["engineer"].status_code == 302
        if accepted.status_code in (409, 410):  # 410: revoked before the page's check
            assert "withdrawn by the sender" in accepted.content.decode()
            assert_revoked_not_accepted(current, link)
        else:
            assert accepted.status_code == 303, accepted.content[:400]
            assert_accepted_once(current, link)


def _another_project(like: Project, owner: User) -> Project:
    from .factories import add_sites, make_project

    return add_sites(make_project(owner, like.customer, f"Another {Project.objects.count()}"))


# --- Two acceptances at once -------------------------------------------------------------------


def second_recipient(first: str, owner: User, language: str) -> str:
    """The token of a second link to the proposal of the link `first`, another recipient."""
    return links.create_link(
        link_of(first).proposal,
        owner,
        recipient_name="Marco Verdi",
        recipient_email="marco@cliente.example",
        language=language,
    ).token


def test_two_recipients_accepting_one_project_at_once_give_one_acceptance(
    project: Project, alice: User, maria: User
) -> None:
    """Two links of one project (two recipients), both accepted at the same moment, the
    first held after its check until the second is through: the project is accepted once,
    through one link; the other recipient is told the offer was decided."""
    first = sent_link(project, maria)
    second = second_recipient(first, alice, "en")
    first_data, second_data = accept_data(first), accept_data(second, full_name="Marco Verdi")
    second_done = threading.Event()

    def second_request() -> Any:
        try:
            return accept_request(second, second_data)
        finally:
            second_done.set()

    with _paused_after_check("first", second_done):
        results = run_together(
            first=lambda: accept_request(first, first_data), second=second_request
        )
    codes = sorted(response.status_code for response in results.values())
    assert codes == [303, 409], {name: r.status_code for name, r in results.items()}
    winner = next(name for name, response in results.items() if response.status_code == 303)
    loser = results["second" if winner == "first" else "first"]
    assert "A decision on this offer has already been recorded." in loser.content.decode()
    decision = Decision.objects.get(project=project)
    assert decision.link.token_hash == links.token_hash(first if winner == "first" else second)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACCEPTED
    assert CustomerLink.objects.filter(project=project, decided_at__isnull=False).count() == 1
    if connection.vendor == "postgresql":
        assert winner == "second", "the held acceptance cannot win on PostgreSQL"


def test_a_double_clicked_acceptance_is_recorded_once(
    project: Project, alice: User, maria: User
) -> None:
    """The same form sent twice at the same moment (a double click, a retry): one
    acceptance; the other request is refused and records nothing."""
    token = sent_link(project, maria)
    data = accept_data(token)
    results = run_together(
        one=lambda: accept_request(token, data), two=lambda: accept_request(token, data)
    )
    codes = sorted(response.status_code for response in results.values())
    assert codes == [303, 409], codes
    assert Decision.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACCEPTED


def test_an_acceptance_racing_a_decline_leaves_one_decision(
    project: Project, alice: User, maria: User
) -> None:
    """One recipient accepts while another declines: the project ends accepted or lost,
    never both, with one decision that says which."""
    first = sent_link(project, maria)
    second = second_recipient(first, alice, "it")
    accept = accept_data(first)
    decline = {"reason": "Too expensive", "shown_sha256": accept["shown_sha256"], "lang": "it"}
    results = run_together(
        accept=lambda: accept_request(first, accept),
        decline=lambda: browser().post(reverse("offer_decline", args=[second]), decline),
    )
    codes = sorted(response.status_code for response in results.values())
    assert codes == [303, 409], codes
    decision = Decision.objects.get(project=project)
    status = Project.objects.get(pk=project.pk).status
    expected = (
        ProjectStatus.ACCEPTED if decision.outcome == Outcome.ACCEPTED else ProjectStatus.LOST
    )
    assert status == expected
    winner = "accept" if decision.outcome == Outcome.ACCEPTED else "decline"
    assert results[winner].status_code == 303
