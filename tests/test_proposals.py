"""Proposal versions: generated from the project page, rendered by the Celery task (eager
here), stored under a deterministic key, downloaded after the access check, immutable."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, Site, User
from reports import services, tasks
from reports.models import ImmutableProposalError, Proposal, ProposalStatus
from reports.snapshot import CannotPropose, create_proposal

from .factories import signed_in

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")


@pytest.fixture
def sized(project: Project) -> Project:
    for name, link, apps in (
        ("Milano", "mpls", 300),
        ("Bergamo", "mpls", 120),
        ("Lodi", "vpn", 40),
    ):
        Site.objects.create(
            project=project, name=name, connectivity=link, sip_phones=40, mobile_apps=apps
        )
    return project


@pytest.fixture
def generate(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> Callable[..., Any]:
    """POST the generate form and run what was queued on commit (the eager task)."""

    def post(client: Client, project: Project, language: str = "en") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("project_proposals", args=[project.pk]), {"language": language}
            )

    return post


def pdf_files(media: Path) -> list[Path]:
    return sorted(media.rglob("*.pdf"))


# --- Generating and downloading ----------------------------------------------------------


def test_generating_renders_a_pdf_that_downloads_with_its_recorded_hash(
    sized: Project, alice: User, media_storage: Path, generate: Callable[..., Any]
) -> None:
    client = signed_in(alice)
    response = generate(client, sized)
    assert response.status_code == 302
    proposal = Proposal.objects.get(project=sized)
    assert (proposal.version, proposal.language, proposal.status) == (1, "en", "ready")
    assert proposal.pdf_key == (
        f"proposals/org-{sized.organization_id}/project-{sized.pk}/proposal-{sized.pk}-v1-en.pdf"
    )
    assert proposal.table_version == proposal.snapshot["table"]["version"]
    assert proposal.created_by == alice

    page = client.get(reverse("project_proposals", args=[sized.pk]))
    # The test's transaction delays the eager task to after the response: "queued" here;
    # with real transactions it is rendered already (see test_browser_proposals).
    assertContains(page, "Proposal version 1 is queued for rendering.")
    assert proposal.sha256 in page.content.decode()

    download = client.get(reverse("proposal_download", args=[proposal.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert hashlib.sha256(body).hexdigest() == proposal.sha256
    assert len(body) == proposal.size_bytes
    assert pdf_files(media_storage) == [media_storage / proposal.pdf_key]


def test_each_generation_is_a_new_version_and_old_ones_never_change(
    sized: Project, alice: User, media_storage: Path, generate: Callable[..., Any]
) -> None:
    client = signed_in(alice)
    generate(client, sized, "en")
    first = Proposal.objects.get(project=sized, version=1)
    first_bytes = (media_storage / first.pdf_key).read_bytes()

    # The project changes after v1: a fourth site and a new title.
    Site.objects.create(project=sized, name="Cremona", connectivity="lan", mobile_apps=900)
    sized.title = "Renamed afterwards"
    sized.save()
    generate(client, sized, "it")

    second = Proposal.objects.get(project=sized, version=2)
    first.refresh_from_db()
    assert [s["name"] for s in first.snapshot["sites"]] == ["Milano", "Bergamo", "Lodi"]
    assert [s["name"] for s in second.snapshot["sites"]][-1] == "Cremona"
    assert first.snapshot["project"]["title"] != "Renamed afterwards"
    assert second.language == "it"
    assert (media_storage / first.pdf_key).read_bytes() == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    assert len(pdf_files(media_storage)) == 2


def test_a_proposal_is_immutable(sized: Project, alice: User) -> None:
    proposal = create_proposal(sized, "en", alice)
    proposal.snapshot = {"tampered": True}
    with pytest.raises(ImmutableProposalError):
        proposal.save()
    with pytest.raises(ImmutableProposalError):
        proposal.save(update_fields=["snapshot"])
    with pytest.raises(ImmutableProposalError):
        proposal.delete()
    proposal.refresh_from_db()
    assert "tampered" not in proposal.snapshot


def test_without_sites_nothing_is_created_and_the_page_says_why(
    project: Project, alice: User, generate: Callable[..., Any]
) -> None:
    response = generate(signed_in(alice), project)
    assert response.status_code == 200
    assertContains(response, "Add at least one site before generating a proposal.")
    assert not Proposal.objects.exists()
    with pytest.raises(CannotPropose):
        create_proposal(project, "en", alice)


def test_a_bad_language_is_refused_next_to_the_field(
    sized: Project, alice: User, generate: Callable[..., Any]
) -> None:
    response = generate(signed_in(alice), sized, "fr")
    assert response.status_code == 200
    assertContains(response, 'id="id_language_error"')
    assert not Proposal.objects.exists()


def test_the_customer_language_is_proposed_by_default(sized: Project, alice: User) -> None:
    sized.customer.preferred_language = "it"
    sized.customer.save()
    page = signed_in(alice).get(reverse("project_proposals", args=[sized.pk]))
    assert page.context["form"].initial["language"] == "it"


# --- Who may do what ------------------------------------------------------------------------


def test_a_teammate_and_another_organisation_see_nothing(
    sized: Project, alice: User, bob: User, charlie: User, generate: Callable[..., Any]
) -> None:
    generate(signed_in(alice), sized)
    proposal = Proposal.objects.get()
    for outsider in (bob, charlie):
        client = signed_in(outsider)
        assert client.get(reverse("project_proposals", args=[sized.pk])).status_code == 404
        assert client.get(reverse("proposal_download", args=[proposal.pk])).status_code == 404
        status = client.get(reverse("proposal_status", args=[proposal.pk]), HTTP_HX_REQUEST="true")
        assert status.status_code == 404
        assert client.post(reverse("proposal_retry", args=[proposal.pk])).status_code == 404
        assert generate(client, sized).status_code == 404
    assert Proposal.objects.count() == 1


def test_a_manager_reads_and_downloads_but_does_not_generate(
    sized: Project, alice: User, maria: User, generate: Callable[..., Any]
) -> None:
    generate(signed_in(alice), sized)
    proposal = Proposal.objects.get()
    client = signed_in(maria)
    page = client.get(reverse("project_proposals", args=[sized.pk]))
    assert page.status_code == 200
    assertNotContains(page, "Generate proposal")
    assert client.get(reverse("proposal_download", args=[proposal.pk])).status_code == 200
    assert generate(client, sized).status_code == 403
    assert Proposal.objects.count() == 1


def test_signed_out_users_are_sent_to_sign_in(sized: Project, alice: User) -> None:
    proposal = create_proposal(sized, "en", alice)
    for url in (
        reverse("project_proposals", args=[sized.pk]),
        reverse("proposal_download", args=[proposal.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- The task: idempotent, retried, failing clearly ---------------------------------------


def test_rendering_twice_leaves_one_pdf_and_changes_nothing(
    sized: Project, alice: User, media_storage: Path
) -> None:
    proposal = create_proposal(sized, "en", alice)
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    rendered_at, sha = proposal.rendered_at, proposal.sha256
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 1)
    assert (proposal.rendered_at, proposal.sha256) == (rendered_at, sha)
    assert len(pdf_files(media_storage)) == 1


def test_a_redelivered_task_whose_file_vanished_renders_it_again_identically(
    sized: Project, alice: User, media_storage: Path
) -> None:
    proposal = create_proposal(sized, "en", alice)
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    first = proposal.sha256
    default_storage.delete(proposal.pdf_key)
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == "ready"
    assert proposal.sha256 == first  # the same snapshot gives the same file
    assert len(pdf_files(media_storage)) == 1


def test_a_proposal_that_keeps_killing_its_worker_fails_instead_of_coming_back_forever(
    sized: Project, alice: User
) -> None:
    """A redelivered task finds its proposal still "rendering" when the worker died during
    the render: a crash. After MAX_CRASHES of them it is failed, not rendered again;
    before that it renders normally. Transient retries (queued again) are no crashes."""
    proposal = create_proposal(sized, "en", alice)
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.RENDERING, attempts=4, crashes=services.MAX_CRASHES - 2
    )
    tasks.render_proposal.delay(proposal.pk)  # one crash more is still allowed, and works
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 5)
    assert proposal.crashes == services.MAX_CRASHES - 1

    second = create_proposal(sized, "en", alice)
    Proposal.objects.filter(pk=second.pk).update(
        status=ProposalStatus.RENDERING, attempts=3, crashes=services.MAX_CRASHES - 1
    )
    tasks.render_proposal.delay(second.pk)
    second.refresh_from_db()
    assert (second.status, second.failure_code) == ("failed", "crashed")
    assert (second.attempts, second.crashes) == (3, services.MAX_CRASHES)
    assert second.pdf_key == ""


def test_a_lost_proposal_stops_polling_and_can_be_tried_again_once(
    sized: Project,
    alice: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    proposal = create_proposal(sized, "en", alice)
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.RENDERING)
    client = signed_in(alice)
    row_url = reverse("proposal_status", args=[proposal.pk])
    assert "hx-trigger" in client.get(row_url, HTTP_HX_REQUEST="true").content.decode()

    # Longer than a redelivery and a render can take: the task was lost.
    limit = settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
    Proposal.objects.filter(pk=proposal.pk).update(
        updated_at=timezone.now() - timedelta(seconds=limit + 1)
    )
    row = client.get(row_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in row
    assert "The rendering was lost on the way and did not finish." in row
    assert "Try again" in row

    stale = Proposal.objects.get(pk=proposal.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("proposal_retry", args=[proposal.pk]))
        client.post(reverse("proposal_retry", args=[proposal.pk]))  # a double click
    assert len(callbacks) == 1  # queued once
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 1)
    assert services.requeue(stale) is False  # what the second click saw: nothing to do


def test_a_logo_that_is_not_the_recorded_one_fails_the_proposal(
    sized: Project, alice: User
) -> None:
    organization = sized.organization
    logo = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    organization.set_logo("image/svg+xml", hashlib.sha256(logo).hexdigest(), logo)
    organization.save()
    proposal = create_proposal(sized, "en", alice)
    default_storage.delete(organization.logo.name)
    default_storage.save(organization.logo.name, ContentFile(b"<svg>another</svg>"))
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.failure_code) == ("failed", "logo")
    assert "does not match its recorded SHA-256" in proposal.failure_detail


def test_a_transient_storage_failure_is_retried_until_it_works(
    sized: Project, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = create_proposal(sized, "en", alice)
    real_save = FileSystemStorage.save
    failures = iter([ConnectionError("store down"), ConnectionError("store still down")])

    def flaky_save(storage: Any, name: str, content: Any, **kwargs: Any) -> str:
        error = next(failures, None)
        if error is not None:
            raise error
        return real_save(storage, name, content, **kwargs)

    # On the class: default_storage is a lazy proxy that the settings fixture replaces.
    monkeypatch.setattr(FileSystemStorage, "save", flaky_save)
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 3)


def test_a_store_that_stays_down_ends_in_a_clear_failed_state(
    sized: Project, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = create_proposal(sized, "en", alice)

    def down(*args: Any, **kwargs: Any) -> str:
        raise ConnectionError("store down")

    monkeypatch.setattr(FileSystemStorage, "save", down)
    tasks.render_proposal.delay(proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == "failed"
    assert proposal.failure_code == "unavailable"
    assert proposal.attempts == tasks.MAX_RETRIES + 1
    assert "stayed unavailable" in proposal.failure_message


def test_a_permanent_error_fails_at_once_with_the_reason_and_can_be_tried_again(
    sized: Project,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    generate: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("layout exploded")

    monkeypatch.setattr(services, "render_pdf", broken)
    client = signed_in(alice)
    generate(client, sized)
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.attempts, proposal.failure_code) == ("failed", 1, "render")
    assert "layout exploded" in proposal.failure_detail
    page = client.get(reverse("project_proposals", args=[sized.pk])).content.decode()
    assert "The document could not be laid out." in page
    assert "Try again" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposal_retry", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 2)


def test_an_unavailable_queue_leaves_the_proposal_waiting_for_the_outbox(
    sized: Project, alice: User, monkeypatch: pytest.MonkeyPatch, generate: Callable[..., Any]
) -> None:
    def no_broker(*args: Any, **kwargs: Any) -> Any:
        raise BrokerUnavailable("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.render_proposal, "apply_async", no_broker)
    response = generate(signed_in(alice), sized)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.sent_at) == ("queued", None)  # tests/test_broker_down.py


def test_the_status_row_polls_while_pending_and_stops_when_done(
    sized: Project, alice: User
) -> None:
    proposal = create_proposal(sized, "en", alice)
    client = signed_in(alice)
    url = reverse("proposal_status", args=[proposal.pk])
    pending = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in pending
    assert "Queued" in pending
    assert client.get(url).status_code == 302  # without htmx: the whole page

    tasks.render_proposal.delay(proposal.pk)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert "Download PDF" in done


def test_a_pending_proposal_has_no_download(sized: Project, alice: User) -> None:
    proposal = create_proposal(sized, "en", alice)
    response = signed_in(alice).get(reverse("proposal_download", args=[proposal.pk]))
    assert response.status_code == 404
    assert proposal.status == ProposalStatus.QUEUED


# --- The operator command ---------------------------------------------------------------------


def test_the_command_renders_a_new_version_and_prints_path_and_hash(
    sized: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.pdf"
    call_command("render_proposal", str(sized.pk), "--lang", "it", "--output", str(output))
    printed = capsys.readouterr().out
    proposal = Proposal.objects.get(project=sized)
    assert (proposal.version, proposal.language, proposal.status) == (1, "it", "ready")
    assert proposal.created_by is None
    assert f"path: {output}" in printed
    assert f"sha256: {proposal.sha256}" in printed
    assert hashlib.sha256(output.read_bytes()).hexdigest() == proposal.sha256

    call_command("render_proposal", str(sized.pk))
    printed = capsys.readouterr().out
    second = Proposal.objects.get(project=sized, version=2)
    assert second.language == sized.customer.preferred_language
    assert f"path: {default_storage.path(second.pdf_key)}" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["abc"], "project_id: must be a whole number"),
        (["999999"], "project_id: no project with id 999999"),
        (["{pk}", "--lang", "fr"], "--lang: must be one of it, en"),
        (["{pk}", "--output", "/nonexistent-folder/x.pdf"], "--output: folder"),
    ],
)
def test_the_command_refuses_bad_arguments_naming_them(
    sized: Project, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("render_proposal", *[a.format(pk=sized.pk) for a in args])
    assert not Proposal.objects.exists()


def test_the_command_exits_non_zero_for_a_project_without_sites(project: Project) -> None:
    with pytest.raises(CommandError, match=f"project_id {project.pk}: Add at least one site"):
        call_command("render_proposal", str(project.pk))


@pytest.fixture
def command_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    import os

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cmd.sqlite3'}"}
    env.pop("REDIS_URL", None)
    yield env


def test_the_command_exit_status_in_a_real_process(command_env: dict[str, str]) -> None:
    manage = str(Path(django_settings.BASE_DIR) / "manage.py")
    subprocess.run(
        [sys.executable, manage, "migrate", "-v0"], env=command_env, check=True, timeout=120
    )
    bad = subprocess.run(
        [sys.executable, manage, "render_proposal", "42"],
        env=command_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0
    assert "project_id: no project with id 42" in bad.stderr
