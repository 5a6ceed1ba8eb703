"""The broker down: pages still serve, a proposal is accepted and waits, nothing saved is
lost, and the waiting work completes by itself once Redis is back.

The production-shape test starts its own `redis-server` (no persistence, a free port, its
own process group, always stopped in a `finally`) and points gunicorn and a Celery worker
at it, then stops it and starts it again on the same port. The embedded tests check the
outbox itself (reports.services.publish / publish_waiting) with a broker that refuses.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tvox_test \
    REDIS_URL=redis://127.0.0.1:6379/6 uv run pytest tests/test_broker_down.py
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from configurator.models import Project, User

from .production_support import (
    DEMO_PASSWORD,
    HOSPITALS,
    WAIT,
    ZURICH,
    Browser,
    Shape,
    db_query,
    demo_project,
    download,
    free_port,
    htmx_get,
    http_get,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    proposal_row,
    require_production_shape,
    start,
    start_gunicorn,
    stop,
    tail,
    unique_name,
    wait_for_answer,
    worker_command,
)

WAITING = "waiting for the rendering queue"
# A generate request with the broker down answers within this (seconds): kombu's publish
# retries and socket timeouts are bounded on purpose (config/settings.py).
GENERATE_BOUND = 5.0
# With Redis hung rather than stopped: one socket timeout (5 s) and the publish retries.
HUNG_BOUND = 10.0


# --- The outbox, in-process (embedded default and production shape alike) --------------


@pytest.fixture
def broker_refuses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every publish of the render task fails as kombu fails when Redis is down."""
    from reports.tasks import render_proposal

    refused: list[int] = []

    def refuse(args: tuple[int], **_: Any) -> None:
        refused.append(args[0])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_proposal, "apply_async", refuse)
    return refused


def _generate_in_process(client: Client, project: Project, on_commit: Any) -> Any:
    """POST the generate form, run what it left for after the commit (the publish), and
    open the proposal page again."""
    url = reverse("project_proposals", args=[project.pk])
    with on_commit(execute=True):
        assert client.post(url, {"language": "en"}).status_code == 302
    return client.get(url)


@pytest.mark.django_db
def test_it_keeps_a_proposal_waiting_when_the_broker_refuses_it(
    client: Client,
    alice: User,
    sized_project: Project,
    django_capture_on_commit_callbacks: Any,
    eager_tasks: None,
    media_storage: Path,
    broker_refuses: list[int],
    sizing_table: None,
) -> None:
    from reports.models import Proposal

    client.force_login(alice)
    response = _generate_in_process(client, sized_project, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    proposal = Proposal.objects.get(project=sized_project)
    assert broker_refuses == [proposal.pk]
    assert (proposal.status, proposal.sent_at) == ("queued", None)
    page = response.content.decode()
    assert WAITING in page, page
    # Still polled, never given up on as lost, nothing to retry by hand.
    assert proposal.is_pending and not proposal.can_be_retried
    assert 'hx-trigger="every' in page


@pytest.mark.django_db
def test_it_sends_a_waiting_proposal_once_when_the_broker_is_back(
    client: Client,
    alice: User,
    sized_project: Project,
    django_capture_on_commit_callbacks: Any,
    eager_tasks: None,
    media_storage: Path,
    monkeypatch: pytest.MonkeyPatch,
    sizing_table: None,
) -> None:
    from reports import services
    from reports.models import Proposal
    from reports.tasks import render_proposal

    client.force_login(alice)
    with monkeypatch.context() as patch:
        patch.setattr(render_proposal, "apply_async", _refuse)
        _generate_in_process(client, sized_project, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.get(project=sized_project)
    assert proposal.sent_at is None

    assert services.publish_waiting() == 1  # the sweep: rendered in-process (eager)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.attempts) == ("ready", 1)
    assert proposal.sent_at is not None
    # Swept again, or published twice: nothing more is sent, nothing rendered again.
    assert services.publish_waiting() == 0
    assert services.publish(proposal.pk) is False
    proposal.refresh_from_db()
    assert proposal.attempts == 1
    assert [p.name for p in media_storage.rglob("*.pdf")] == [proposal.pdf_key.split("/")[-1]]


def _refuse(*_: Any, **__: Any) -> None:
    raise OperationalError("Error 111 connecting. Connection refused.")


# --- The production shape with a Redis of its own -------------------------------------


class RedisServer:
    """A redis-server of this test on `port`, without persistence; stop() and start()
    again on the same port, as an operator's restart does (it comes back empty)."""

    def __init__(self, port: int, tmp: Path) -> None:
        self.port, self.tmp, self.process = port, tmp, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.tmp),
        ]  # fmt: skip
        self.process = start(command, {"PATH": "/usr/bin:/bin"}, self.tmp / "redis.log")
        deadline = time.monotonic() + WAIT
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start:\n" + tail(self.tmp / "redis.log"))
            time.sleep(0.1)

    def pause(self) -> None:
        """Freeze the server: its port still accepts connections, nothing answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.resume()
            stop(self.process, grace=10)
            self.process = None

    def _answers(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


@contextlib.contextmanager
def _shape_on_own_redis(site: dict[str, Any], tmp: Path) -> Iterator[tuple[Shape, RedisServer]]:
    redis_server = RedisServer(free_port(), tmp)
    queue = unique_name("broker_down")
    env = dict(
        site["env"],
        REDIS_URL=redis_server.url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        MEDIA_ROOT=str(tmp / "media"),
    )
    worker_log, web_log = tmp / "worker.log", tmp / "gunicorn.log"
    with contextlib.ExitStack() as stack:
        stack.callback(redis_server.stop)
        redis_server.start()
        worker = start(worker_command(queue), env, worker_log)
        stack.callback(stop, worker)
        gunicorn, base = start_gunicorn(env, web_log)
        stack.callback(stop, gunicorn)
        wait_for_answer(base + "/healthz", gunicorn, web_log)
        shape = Shape(
            base, env, site["database_url"], redis_server.url, queue, worker, worker_log, web_log
        )
        yield shape, redis_server


def _pages(database_url: str) -> dict[str, list[str]]:
    """The main pages, by demo user."""
    project_id, _org = demo_project(database_url, HOSPITALS)
    ((customer_id,),) = db_query(
        database_url, "SELECT customer_id FROM configurator_project WHERE id = %s", project_id
    )
    project = f"/projects/{project_id}"
    common = [
        "/projects/",
        f"{project}/",
        f"{project}/questionnaire/",
        f"{project}/sites/",
        f"{project}/proposal/",
        "/customers/",
        f"/customers/{customer_id}/",
        "/accounts/password_reset/",
    ]
    return {
        "sales": [*common, f"{project}/edit/", f"{project}/sites/import/"],
        "manager": common,
        "admin": [*common, "/organization/branding/"],
    }


def _walk(shape: Shape) -> dict[str, Browser]:
    browsers = {}
    for user, paths in _pages(shape.database_url).items():
        browser = Browser(shape.base)
        password = DEMO_PASSWORD if user == "sales" else f"demo-{user}-2026"
        status, landed, _page = browser.sign_in(user, password)
        assert (status, landed) == (200, shape.base + "/projects/"), (user, landed)
        for path in paths:
            status, _url, _page = browser.open(path)
            assert status == 200, (user, path)
        browsers[user] = browser
    return browsers


def _ask_reset(shape: Shape, username: str) -> tuple[int, str]:
    """Ask for a password reset for `username`'s e-mail address, signed out, as a stranger
    would: the answer's status and page."""
    ((email,),) = db_query(
        shape.database_url, "SELECT email FROM configurator_user WHERE username = %s", username
    )
    browser = Browser(shape.base)
    _status, _url, page = browser.open("/accounts/password_reset/")
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    try:
        status, _url, page = browser.open(
            "/accounts/password_reset/", {"csrfmiddlewaretoken": token, "email": email}
        )
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()
    return status, page


def _wait_for_reset_mail(shape: Shape) -> None:
    """The worker's mail backend (the console, as no EMAIL_URL is set) prints the link."""
    deadline = time.monotonic() + WAIT
    while "/accounts/reset/" not in shape.worker_log.read_text():
        assert time.monotonic() < deadline, "no reset mail from the worker:\n" + shape.logs()
        time.sleep(0.5)


def _counts(database_url: str) -> dict[str, int]:
    tables = ("configurator_project", "configurator_site", "configurator_customer")
    return {
        table: db_query(database_url, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        for table in (*tables, "reports_proposal")
    }


def _generate_timed(shape: Shape, browser: Browser, project_id: int) -> tuple[int, float]:
    """Post the generate form with the broker unavailable: the new proposal's id (saved,
    queued and shown waiting) and how long the request took."""
    page_path = f"/projects/{project_id}/proposal/"
    _status, _url, page = browser.open(page_path)
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    started = time.monotonic()
    status, landed, page = browser.open(page_path, {"csrfmiddlewaretoken": token, "language": "en"})
    took = time.monotonic() - started
    assert (status, landed) == (200, shape.base + page_path)
    assert WAITING in page, page
    ((proposal_id,),) = db_query(
        shape.database_url, "SELECT id FROM reports_proposal WHERE project_id = %s", project_id
    )
    assert proposal_row(shape.database_url, proposal_id)["status"] == "queued"
    row = htmx_get(browser, f"/proposals/{proposal_id}/status/")
    assert WAITING in row and "hx-trigger" in row, row
    return int(proposal_id), took


def _polled_until_ready(shape: Shape, browser: Browser, proposal_id: int) -> dict[str, Any]:
    """Poll the status row as the page does until the proposal is ready; its row."""
    deadline = time.monotonic() + 2 * WAIT
    row = ""
    while "badge--proposal-ready" not in row:
        assert time.monotonic() < deadline, f"not ready:\n{row}\n" + shape.logs()
        assert "badge--proposal-failed" not in row, row
        time.sleep(1)
        row = htmx_get(browser, f"/proposals/{proposal_id}/status/")
    recorded = proposal_row(shape.database_url, proposal_id)
    _headers, pdf = download(browser, proposal_id)
    assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]
    return recorded


@pytest.mark.production_shape
def test_with_redis_down_pages_serve_a_proposal_waits_and_completes_when_redis_is_back(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not on PATH")
    site = request.getfixturevalue("prepared_site")
    with _shape_on_own_redis(site, tmp_path) as (shape, redis_server):
        project_id, _org = demo_project(shape.database_url, HOSPITALS)
        media = Path(shape.env["MEDIA_ROOT"])
        before = _counts(shape.database_url)
        redis_server.stop()

        status, _headers, body = http_get(shape.base + "/healthz")
        assert status == 503, body
        assert b'"broker": "error' in body and b'"database": "ok"' in body, body
        browsers = _walk(shape)
        # The reset's counters live in Redis: refused as limited (no mail), never a 500.
        status, page = _ask_reset(shape, "sales")
        assert status == 429, page
        assert "Too many password reset requests" in page, page

        # Generate: accepted at once, saved, shown as waiting and still polled.
        sales = browsers["sales"]
        proposal_id, took = _generate_timed(shape, sales, project_id)
        assert took < GENERATE_BOUND, f"the generate request took {took:.1f}s"
        time.sleep(3)  # the worker keeps trying to reconnect meanwhile: it must not give up
        assert shape.worker.poll() is None, shape.logs()

        # Redis back, empty: the page's polling shows the proposal rendered, nobody clicked.
        redis_server.start()
        recorded = _polled_until_ready(shape, sales, proposal_id)
        assert recorded["attempts"] == 1, recorded  # sent once, rendered once
        assert "proposal outbox: sent 1 waiting proposal" in shape.worker_log.read_text(), (
            shape.logs()
        )
        assert [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")] == [
            recorded["pdf_key"]
        ]
        # Nothing saved was lost: everything from before, and the proposal of the outage.
        assert _counts(shape.database_url) == {
            **before,
            "reports_proposal": before["reports_proposal"] + 1,
        }
        status, _headers, _body = http_get(shape.base + "/healthz")
        assert status == 200

        # Redis hung rather than stopped (its port still accepts connections): a bounded
        # request too. Its publish may reach Redis after all once the server runs again,
        # beside the outbox's: rendered once all the same.
        zurich_id, _org = demo_project(shape.database_url, ZURICH)
        redis_server.pause()
        try:
            hung_id, took = _generate_timed(shape, sales, zurich_id)
        finally:
            redis_server.resume()
        assert took < HUNG_BOUND, f"the generate request took {took:.1f}s"
        recorded = _polled_until_ready(shape, sales, hung_id)
        assert recorded["attempts"] == 1, recorded
        assert [p.name for p in media.rglob(f"proposal-{zurich_id}-*.pdf")] == [
            recorded["pdf_key"].rsplit("/", 1)[1]
        ]

        # A password reset again: counted, answered at once, its mail sent by the worker.
        # Last on purpose: its publish leaves gunicorn a pooled broker connection, and a
        # publish on a pooled connection to a hung Redis takes about 20 s, not the bound
        # above, which holds only for a process that has not published yet (known, open).
        status, page = _ask_reset(shape, "sales")
        assert status == 200 and "If an account has this address" in page, page
        _wait_for_reset_mail(shape)


@pytest.mark.django_db
def test_a_retry_the_broker_refuses_leaves_the_proposal_waiting_for_the_outbox(
    sized_project: Project, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transient failure whose retry cannot be queued (the broker went down meanwhile):
    Celery drops the message, the row says the task is to be sent again."""
    from django.utils import timezone

    from reports import services
    from reports.models import Proposal
    from reports.snapshot import create_proposal
    from reports.tasks import render_proposal

    proposal = create_proposal(sized_project, "en", alice)
    Proposal.objects.filter(pk=proposal.pk).update(sent_at=timezone.now())

    def unavailable(proposal_id: int, message_id: str | None = None) -> None:
        raise services.TransientFailure("the file store does not answer")

    monkeypatch.setattr(services, "render_and_store", unavailable)
    monkeypatch.setattr(render_proposal, "apply_async", _refuse)
    render_proposal.push_request(
        id="delivered-by-a-worker", retries=0, is_eager=False, called_directly=False
    )
    try:
        assert render_proposal.run(proposal.pk) == "queued"
    finally:
        render_proposal.pop_request()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sent_at) == ("queued", None)
    assert proposal.is_waiting and not proposal.can_be_retried
