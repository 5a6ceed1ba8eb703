"""The review's e-mails: who is told of each transition, in which language, with what.

Submitted and withdrawn go to the organisation's managers (its administrators when it has
no other manager), approved and sent back to the owner with the reviewer's comment; nobody
of another organisation ever. Each mail is a task queued after the transition commits, in
the recipient's language, plain text and HTML, linking to the project on SITE_URL.

Transitions are written here as the workflow writes them (a row in a transaction); the
mail tasks run in-process (`eager_tasks`)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from configurator.models import Organization, Project, ProjectStatus, Role, User
from review.models import Action, Transition

from .factories import make_user

SITE = "https://configurator.example.com"

pytestmark = pytest.mark.usefixtures("eager_tasks")

STATUSES = {
    Action.SUBMIT: (ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW),
    Action.RECALL: (ProjectStatus.IN_REVIEW, ProjectStatus.DRAFT),
    Action.APPROVE: (ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED),
    Action.SEND_BACK: (ProjectStatus.IN_REVIEW, ProjectStatus.DRAFT),
    Action.REOPEN: (ProjectStatus.APPROVED, ProjectStatus.DRAFT),
}


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Transition]:
    """Write a transition as the workflow does and commit it (its on-commit work runs)."""

    def write(project: Project, action: str, actor: User, comment: str = "") -> Transition:
        from_status, to_status = STATUSES[Action(action)]
        with django_capture_on_commit_callbacks(execute=True):
            return Transition.objects.create(
                project=project,
                action=action,
                from_status=from_status,
                to_status=to_status,
                revision=project.revision,
                actor=actor,
                comment=comment,
            )

    return write


def speaking(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def to(message: mail.EmailMessage) -> str:
    (address,) = message.to
    return address


def html_of(message: Any) -> str:
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(content)


@pytest.fixture
def nora(org: Organization) -> User:
    """A second manager of alice's organisation, who reads English."""
    return speaking(make_user(org, "nora", Role.MANAGER), "en")


@pytest.fixture
def outsiders(other_org: Organization) -> list[User]:
    """Another organisation's manager and administrator: never told of alice's projects."""
    return [
        make_user(other_org, "mario", Role.MANAGER),
        make_user(other_org, "olivia", Role.ADMINISTRATOR),
    ]


def test_a_submission_mails_each_manager_in_their_own_language_and_nobody_else(
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    bob: User,
    maria: User,
    nora: User,
    adam: User,
    outsiders: list[User],
) -> None:
    speaking(maria, "it")
    commit(project, Action.SUBMIT, alice)

    messages = {to(message): message for message in mail.outbox}
    assert sorted(messages) == ["maria@example.com", "nora@example.com"]
    italian, english = messages["maria@example.com"], messages["nora@example.com"]

    assert italian.subject == "“Three hospitals” inviato in revisione"
    assert "Buongiorno Maria," in italian.body
    assert "Alice ha inviato in revisione “Three hospitals”" in italian.body
    assert "(cliente: Ospedale San Luca S.p.A., revisione 1)" in italian.body
    assert "Apri il progetto" in html_of(italian)

    assert english.subject == "“Three hospitals” submitted for review"
    assert "Hello Nora," in english.body
    assert (
        "Alice submitted “Three hospitals” (customer: Ospedale San Luca S.p.A., revision 1)"
        in english.body
    )
    assert "for your review on" in english.body
    assert "Open the project" in html_of(english)
    assert "inviato" not in english.body + html_of(english)


def test_the_mail_is_plain_text_and_html_with_the_link_to_the_project(
    commit: Callable[..., Transition], project: Project, alice: User, maria: User
) -> None:
    speaking(maria, "en")
    commit(project, Action.SUBMIT, alice)

    (message,) = mail.outbox
    link = f"{SITE}/projects/{project.pk}/"
    assert link == SITE + project.get_absolute_url()
    assert f"Open the project: {link}" in message.body
    html = html_of(message)
    assert html.startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert f'<a href="{link}">Open the project</a>' in html
    assert "<p>" not in message.body
    assert message.from_email == "configurator@localhost"
    assert message.reply_to == ["alice@example.com"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_without_another_manager_a_submission_goes_to_the_administrators(
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    maria: User,
    adam: User,
    outsiders: list[User],
) -> None:
    maria.is_active = False
    maria.save(update_fields=["is_active"])
    nobody = make_user(project.organization, "nemo", Role.MANAGER)
    nobody.email = ""
    nobody.save(update_fields=["email"])

    commit(project, Action.SUBMIT, alice)

    assert [to(message) for message in mail.outbox] == ["adam@example.com"]


def test_the_recipients_are_never_of_another_organisation(
    project: Project, alice: User, maria: User, nora: User, outsiders: list[User]
) -> None:
    from review.notifications import recipients

    submitted = Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
    )
    assert recipients(submitted) == [maria, nora]
    for user in (maria, nora):
        user.delete()
    assert recipients(submitted) == []  # the other organisation's administrator neither


def test_a_manager_submitting_their_own_project_is_not_told_of_it(
    commit: Callable[..., Transition], maria: User, nora: User, customer: Any
) -> None:
    from .factories import make_project

    own = make_project(maria, customer, "Manager's own")
    commit(own, Action.SUBMIT, maria)

    assert [to(message) for message in mail.outbox] == ["nora@example.com"]


def test_a_recall_tells_the_managers_it_was_withdrawn(
    commit: Callable[..., Transition], project: Project, alice: User, maria: User, nora: User
) -> None:
    speaking(maria, "it")
    commit(project, Action.RECALL, alice)

    messages = {to(message): message for message in mail.outbox}
    assert sorted(messages) == ["maria@example.com", "nora@example.com"]
    assert messages["maria@example.com"].subject == "“Three hospitals” ritirato dalla revisione"
    assert "per ora non c'è nulla da rivedere" in messages["maria@example.com"].body
    assert messages["nora@example.com"].subject == "“Three hospitals” withdrawn from review"
    assert "there is nothing to review for now" in messages["nora@example.com"].body


@pytest.mark.parametrize(
    ("language", "subject", "sentence", "heading"),
    [
        (
            "it",
            "“Three hospitals” approvato",
            "Maria ha approvato la revisione 1 di “Three hospitals”",
            "Commento:",
        ),
        (
            "en",
            "“Three hospitals” approved",
            "Maria approved revision 1 of “Three hospitals”",
            "Comment:",
        ),
    ],
)
def test_an_approval_mails_the_owner_only_with_the_comment(
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    bob: User,
    maria: User,
    nora: User,
    outsiders: list[User],
    language: str,
    subject: str,
    sentence: str,
    heading: str,
) -> None:
    speaking(alice, language)
    commit(project, Action.APPROVE, maria, comment="Good to go.\nSend it on Monday.")

    (message,) = mail.outbox
    assert to(message) == "alice@example.com"
    assert message.subject == subject
    assert sentence in message.body
    assert f"{heading}\nGood to go.\nSend it on Monday.\n" in message.body
    assert "Good to go.<br>Send it on Monday." in html_of(message)
    assert message.reply_to == ["maria@example.com"]


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "it",
            "“Three hospitals” rimandato indietro per modifiche",
            "Maria ha rimandato indietro per modifiche la revisione 1 di “Three hospitals”",
        ),
        (
            "en",
            "“Three hospitals” sent back for changes",
            "Maria sent revision 1 of “Three hospitals” (customer: Ospedale San Luca S.p.A.) back",
        ),
    ],
)
def test_a_project_sent_back_mails_the_owner_with_the_comment(
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    maria: User,
    outsiders: list[User],
    language: str,
    subject: str,
    sentence: str,
) -> None:
    speaking(alice, language)
    commit(project, Action.SEND_BACK, maria, comment="Add the <Milano> site & its phones.")

    (message,) = mail.outbox
    assert to(message) == "alice@example.com"
    assert (message.subject, sentence in message.body) == (subject, True)
    # The text part is not HTML-escaped; the HTML part is.
    assert "Add the <Milano> site & its phones." in message.body
    assert "Add the &lt;Milano&gt; site &amp; its phones." in html_of(message)


def test_an_owner_who_is_inactive_or_has_no_address_gets_nothing(
    commit: Callable[..., Transition], project: Project, alice: User, maria: User
) -> None:
    alice.email = ""
    alice.save(update_fields=["email"])
    commit(project, Action.SEND_BACK, maria, comment="Wrong customer.")
    alice.email, alice.is_active = "alice@example.com", False
    alice.save(update_fields=["email", "is_active"])
    commit(project, Action.APPROVE, maria)

    assert mail.outbox == []


def test_a_change_after_review_mails_nobody(
    commit: Callable[..., Transition], project: Project, alice: User, maria: User
) -> None:
    commit(project, Action.REOPEN, alice)
    assert mail.outbox == []


def test_a_transition_rolled_back_mails_nobody(
    django_capture_on_commit_callbacks: Any, project: Project, alice: User, maria: User
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Transition.objects.create(
            project=project,
            action=Action.SUBMIT,
            from_status=ProjectStatus.DRAFT,
            to_status=ProjectStatus.IN_REVIEW,
            revision=1,
            actor=alice,
        )
        raise RuntimeError("the workflow's transaction fails after the row")

    assert (queued, mail.outbox, Transition.objects.count()) == ([], [], 0)


def test_nothing_is_sent_or_looked_up_before_the_transaction_commits(
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
    project: Project,
    alice: User,
    maria: User,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        django_assert_num_queries(1),  # the row's INSERT: the recipients wait for the commit
    ):
        Transition.objects.create(
            project=project,
            action=Action.SUBMIT,
            from_status=ProjectStatus.DRAFT,
            to_status=ProjectStatus.IN_REVIEW,
            revision=1,
            actor=alice,
        )
    assert (len(queued), mail.outbox) == (1, [])


class FlakyBackend(LocmemBackend):
    """The mail server drops the connection on the first try, then accepts."""

    tries: ClassVar[int] = 0

    def send_messages(self, messages: Any) -> int:
        FlakyBackend.tries += 1
        if FlakyBackend.tries == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    """The mail server never answers."""

    tries: ClassVar[int] = 0

    def send_messages(self, messages: Any) -> int:
        DownBackend.tries += 1
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(LocmemBackend):
    """The mail server refuses the recipient's address."""

    tries: ClassVar[int] = 0

    def send_messages(self, messages: Any) -> int:
        RefusingBackend.tries += 1
        raise smtplib.SMTPRecipientsRefused({"maria@example.com": (550, b"No such user")})


def use_backend(settings: Any, backend: type[LocmemBackend]) -> None:
    backend.tries = 0
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


def test_a_send_that_fails_once_is_retried_and_then_sent(
    settings: Any, commit: Callable[..., Transition], project: Project, alice: User, maria: User
) -> None:
    use_backend(settings, FlakyBackend)
    commit(project, Action.SUBMIT, alice)

    assert FlakyBackend.tries == 2
    assert [to(message) for message in mail.outbox] == ["maria@example.com"]


def test_a_mail_server_that_stays_down_never_breaks_the_transition(
    settings: Any,
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_backend(settings, DownBackend)
    nora = make_user(project.organization, "nora", Role.MANAGER)
    make_user(project.organization, "maria", Role.MANAGER)

    transition = commit(project, Action.SUBMIT, alice)

    assert Transition.objects.get().pk == transition.pk
    # Each recipient: the first try and one retry at once (in-process: a worker would wait
    # and retry five times).
    assert DownBackend.tries == 2 * 2
    assert mail.outbox == []
    assert "ConnectionRefusedError" in caplog.text
    assert nora.email not in caplog.text


def test_an_address_the_server_refuses_is_not_retried(
    settings: Any,
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    maria: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_backend(settings, RefusingBackend)
    commit(project, Action.SUBMIT, alice)

    assert RefusingBackend.tries == 1
    assert f"refused the address of user {maria.pk}" in caplog.text


def test_a_broker_that_refuses_the_task_does_not_break_the_transition(
    monkeypatch: pytest.MonkeyPatch,
    commit: Callable[..., Transition],
    project: Project,
    alice: User,
    maria: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("review.tasks.send_review_mail.delay", refuse)
    with caplog.at_level("WARNING", logger="review.notifications"):
        transition = commit(project, Action.SUBMIT, alice)

    assert Transition.objects.get().pk == transition.pk
    assert mail.outbox == []
    assert f"the task for user {maria.pk} (transition {transition.pk}) could not be queued" in (
        caplog.text
    )


def test_a_recipient_moved_to_another_organisation_before_the_send_gets_nothing(
    project: Project, alice: User, maria: User, other_org: Organization
) -> None:
    from review.tasks import send_review_mail

    transition = Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
    )
    maria.organization = other_org
    maria.save(update_fields=["organization"])

    send_review_mail(transition.pk, maria.pk)  # as the worker runs it, later
    assert mail.outbox == []


def test_the_admin_sets_a_users_preferred_language(client: Client, adam: User, bob: User) -> None:
    client.force_login(adam)
    change = client.get(reverse("admin:configurator_user_change", args=[bob.pk]))
    assert "language" in change.context["adminform"].form.fields

    added = client.post(
        reverse("admin:configurator_user_add"),
        {
            "username": "elena",
            "email": "elena@example.com",
            "organization": adam.organization_id,
            "role": Role.MANAGER,
            "language": "en",
            "usable_password": "true",
            "password1": "a-long-enough-pass-2026",
            "password2": "a-long-enough-pass-2026",
        },
    )

    assert added.status_code == 302, added.context["adminform"].form.errors
    assert User.objects.get(username="elena").language == "en"


def test_switching_the_interface_language_makes_it_the_users_mail_language(
    commit: Callable[..., Transition], project: Project, alice: User, maria: User
) -> None:
    speaking(alice, "it")
    client = Client()
    client.force_login(alice)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert response.cookies["django_language"].value == "en"
    client.post(reverse("set_language"), {"language": "de", "next": "/"})  # not offered

    alice.refresh_from_db()
    assert alice.language == "en"
    commit(project, Action.SEND_BACK, maria, comment="Add the phones.")
    (message,) = mail.outbox
    assert message.subject == "“Three hospitals” sent back for changes"


def test_a_visitors_language_switch_still_works_signed_out() -> None:
    response = Client().post(reverse("set_language"), {"language": "it", "next": "/"})
    assert (response.status_code, response.cookies["django_language"].value) == (302, "it")


def _run_in_worker(transition: Transition, recipient: User, retries: int) -> None:
    """Run the task's body as a worker does (not eager), at its `retries`-th try."""
    from review.tasks import send_review_mail

    send_review_mail.push_request(retries=retries, is_eager=False)
    try:
        send_review_mail.run(transition.pk, recipient.pk)
    finally:
        send_review_mail.pop_request()


def test_in_a_worker_a_failed_send_waits_longer_before_each_retry_then_gives_up(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    project: Project,
    alice: User,
    maria: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from celery.exceptions import Retry

    from review.tasks import MAX_RETRIES, send_review_mail

    use_backend(settings, DownBackend)
    transition = Transition.objects.create(  # not committed: nothing queued by the receiver
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
    )
    waits: list[float] = []

    def retry(exc: Exception, countdown: float) -> Retry:
        waits.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(send_review_mail, "retry", retry)
    for retries in range(MAX_RETRIES):
        with pytest.raises(Retry):
            _run_in_worker(transition, maria, retries)
    _run_in_worker(transition, maria, MAX_RETRIES)  # the last try: logged, not raised

    assert waits == [5, 10, 20, 40, 60]
    assert DownBackend.tries == MAX_RETRIES + 1
    assert f"review mail to user {maria.pk} (transition {transition.pk}) given up" in caplog.text


def test_in_a_worker_a_retry_the_broker_refuses_is_logged_as_lost(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    project: Project,
    alice: User,
    maria: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from celery.exceptions import Reject

    from review.tasks import send_review_mail

    use_backend(settings, DownBackend)
    transition = Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=1,
        actor=alice,
    )

    def retry(exc: Exception, countdown: float) -> None:
        raise Reject(exc, requeue=False)  # what Celery raises when it cannot queue the retry

    monkeypatch.setattr(send_review_mail, "retry", retry)
    _run_in_worker(transition, maria, 0)

    assert f"review mail to user {maria.pk} (transition {transition.pk}) lost" in caplog.text
