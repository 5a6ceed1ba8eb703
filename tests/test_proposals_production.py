"""Proposals in the production shape, for real: a Celery worker process renders the PDF
from PostgreSQL, Redis carries the task, gunicorn serves the download.

Nothing is mocked. Each test starts a prefork Celery worker and gunicorn (and, for S3, moto's
server) as subprocesses in their own process groups, always stopped in a `finally`; the
database is created, migrated and filled with the demo data by `prepared_site` (dropped at
the end of the module); every wait is bounded. Worker and web share a queue of their own
(`CELERY_TASK_DEFAULT_QUEUE`), purged before use and deleted afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tvox_test \
    REDIS_URL=redis://127.0.0.1:6379/5 uv run pytest tests/test_proposals_production.py
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from .test_production_shape import (
    DEMO_PASSWORD,
    DEMO_USER,
    WAIT,
    Browser,
    _free_port,
    _get,
    _gunicorn,
    _maintenance_params,
    _session_members,
    _start,
    _stop,
    _tail,
    _unique_name,
    _wait_for_answer,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    require_production_shape,
)

pytestmark = pytest.mark.production_shape

# Rendering includes the worker's start (WeasyPrint import, warm-up): a longer bound.
RENDER_WAIT = 2 * WAIT
# Demo projects of the sales engineer, one per test so that each proposal is version 1.
HOSPITALS = "Contact centre for 3 hospitals"
ZURICH = "Cloud migration Zurich and Lugano"
REDUNDANCY = "Emergency line redundancy"


# --- Reading the site's database directly (the test process has no Django database) ----


def _query(database_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    connect = dict(_maintenance_params(database_url), dbname=urlsplit(database_url).path[1:])
    with psycopg.connect(**connect, connect_timeout=5, autocommit=True) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _project(database_url: str, title: str) -> tuple[int, int]:
    """(project id, organisation id) of the demo project called `title`."""
    rows = _query(
        database_url,
        "SELECT id, organization_id FROM configurator_project WHERE title = %s",
        title,
    )
    assert len(rows) == 1, f"demo project {title!r}: {rows}"
    return rows[0][0], rows[0][1]


def _proposal(database_url: str, proposal_id: int) -> dict[str, Any]:
    columns = ("status", "attempts", "pdf_key", "sha256", "size_bytes", "rendered_at")
    rows = _query(
        database_url,
        f"SELECT {', '.join(columns)}, failure_code, failure_detail "  # noqa: S608 (constants)
        "FROM reports_proposal WHERE id = %s",
        proposal_id,
    )
    assert len(rows) == 1
    return dict(zip((*columns, "failure_code", "failure_detail"), rows[0], strict=True))


# --- Redis queue of our own ------------------------------------------------------------


def _purge_queue(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


# --- Worker and gunicorn sharing a queue, a database and a file store ------------------


@dataclass
class Shape:
    base: str
    env: dict[str, str]
    database_url: str
    redis_url: str
    queue: str
    worker: Any
    worker_log: Path
    web_log: Path

    def logs(self) -> str:
        return (
            f"--- worker log ---\n{_tail(self.worker_log)}\n"
            f"--- gunicorn log ---\n{_tail(self.web_log)}"
        )


def _worker_command(queue: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=prefork", "--concurrency=1", "-Q", queue, "-n", f"{queue}@127.0.0.1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip


@contextlib.contextmanager
def _production(site: dict[str, Any], tmp: Path, **overrides: str) -> Iterator[Shape]:
    """A Celery worker and gunicorn on `site`'s database, with `overrides` in both
    environments; both stopped and the queue deleted on the way out."""
    redis_url = site["env"]["REDIS_URL"]
    queue = _unique_name("proposals_test")
    env = dict(site["env"], CELERY_TASK_DEFAULT_QUEUE=queue, **overrides)
    _purge_queue(redis_url, queue)
    port = _free_port()
    worker_log, web_log = tmp / "worker.log", tmp / "gunicorn.log"
    with contextlib.ExitStack() as stack:
        stack.callback(_purge_queue, redis_url, queue)
        worker = _start(_worker_command(queue), env, worker_log)
        stack.callback(_stop, worker)
        gunicorn = _start(_gunicorn(port), env, web_log)
        stack.callback(_stop, gunicorn)
        base = f"http://127.0.0.1:{port}"
        status, health = _wait_for_answer(base + "/healthz", gunicorn, web_log)
        assert status == 200
        assert health["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}, health
        yield Shape(base, env, site["database_url"], redis_url, queue, worker, worker_log, web_log)


def _htmx_get(browser: Browser, path: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (http only)
        browser.base + path, headers={"HX-Request": "true"}
    )
    with browser.opener.open(request, timeout=15) as answer:
        assert answer.status == 200
        return str(answer.read().decode())


def _wait_for_ready(shape: Shape, browser: Browser, proposal_id: int) -> str:
    """Poll the status row (as htmx does) until the proposal is ready; its HTML."""
    deadline = time.monotonic() + RENDER_WAIT
    row = ""
    while time.monotonic() < deadline:
        if shape.worker.poll() is not None:
            pytest.fail(f"the worker exited ({shape.worker.returncode}):\n" + shape.logs())
        row = _htmx_get(browser, f"/proposals/{proposal_id}/status/")
        if "badge--proposal-ready" in row:
            return row
        if "badge--proposal-failed" in row:
            pytest.fail(
                f"proposal {proposal_id} failed: {_proposal(shape.database_url, proposal_id)}\n"
                + shape.logs()
            )
        time.sleep(0.5)
    pytest.fail(
        f"proposal {proposal_id} not ready within {RENDER_WAIT}s "
        f"({_proposal(shape.database_url, proposal_id)['status']}):\n{row}\n" + shape.logs()
    )


@dataclass
class Downloaded:
    proposal_id: int
    project_id: int
    organization_id: int
    sha256: str
    pdf: bytes


def _download(browser: Browser, proposal_id: int) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 (http only)
        browser.base + f"/proposals/{proposal_id}/download/"
    )
    with browser.opener.open(request, timeout=30) as answer:
        assert answer.status == 200
        return dict(answer.headers.items()), answer.read()


def _signed_in(shape: Shape) -> Browser:
    browser = Browser(shape.base)
    status, landed, _page = browser.sign_in(DEMO_USER, DEMO_PASSWORD)
    assert (status, landed) == (200, shape.base + "/projects/"), landed
    return browser


def _generate(
    shape: Shape, browser: Browser, project_id: int, language: str, before_post: Any = None
) -> int:
    """Post the generate form of the project's proposal page (as the browser does); the new
    proposal's id, checked to be version 1 in `language`, listed on the page."""
    page_path = f"/projects/{project_id}/proposal/"
    _status, _url, page = browser.open(page_path)
    token = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page)
    assert token, "the proposal page has no generate form"
    if before_post is not None:
        before_post()
    status, landed, page = browser.open(
        page_path, {"csrfmiddlewaretoken": token.group(1), "language": language}
    )
    assert (status, landed) == (200, shape.base + page_path), landed
    rows = _query(
        shape.database_url,
        "SELECT id, version, language FROM reports_proposal WHERE project_id = %s",
        project_id,
    )
    assert len(rows) == 1, f"expected one new proposal: {rows}"
    proposal_id, version, proposal_language = rows[0]
    assert (version, proposal_language) == (1, language)
    assert f'id="proposal-{proposal_id}"' in page
    return int(proposal_id)


def _generate_through_http(shape: Shape, title: str, language: str) -> Downloaded:
    """Sign in as the demo sales engineer, generate a proposal of `title` from its page,
    wait until the worker has rendered it, download it through gunicorn and check it."""
    project_id, organization_id = _project(shape.database_url, title)
    browser = _signed_in(shape)
    page_path = f"/projects/{project_id}/proposal/"
    proposal_id = _generate(shape, browser, project_id, language)

    _wait_for_ready(shape, browser, proposal_id)
    recorded = _proposal(shape.database_url, proposal_id)
    assert recorded["status"] == "ready"
    assert re.fullmatch(r"[0-9a-f]{64}", recorded["sha256"]), recorded

    # The page shows the recorded SHA-256 beside the download link.
    _status, _url, page = browser.open(page_path)
    assert title in page
    shown = re.search(
        rf'id="proposal-{proposal_id}".*?<code>([0-9a-f]{{64}})</code>', page, re.DOTALL
    )
    assert shown, "the proposal page shows no SHA-256 for the ready proposal"
    assert shown.group(1) == recorded["sha256"]

    headers, pdf = _download(browser, proposal_id)
    assert pdf.startswith(b"%PDF-")
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Proposal-SHA256"] == recorded["sha256"]
    assert headers["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]
    assert len(pdf) == recorded["size_bytes"]
    # A real document of this project's customer, not an empty or error page.
    (customer,) = _query(
        shape.database_url,
        "SELECT c.company_name FROM configurator_customer c "
        "JOIN configurator_project p ON p.customer_id = c.id WHERE p.id = %s",
        project_id,
    )[0]
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert customer in " ".join(text.split()), text[:2000]
    return Downloaded(proposal_id, project_id, organization_id, recorded["sha256"], pdf)


def _key(downloaded: Downloaded, language: str) -> str:
    return (
        f"proposals/org-{downloaded.organization_id}/project-{downloaded.project_id}/"
        f"proposal-{downloaded.project_id}-v1-{language}.pdf"
    )


def _render_again(shape: Shape, proposal_id: int) -> str:
    """Send the task once more, over the broker, to the test's worker; its result."""
    from config.celery import app

    # The task stores no result (the row is the outcome); this delivery asks for one.
    result = app.send_task(
        "reports.render_proposal", args=[proposal_id], queue=shape.queue, ignore_result=False
    )
    try:
        deadline = time.monotonic() + RENDER_WAIT
        while not result.ready() and time.monotonic() < deadline:
            if shape.worker.poll() is not None:
                pytest.fail(f"the worker exited ({shape.worker.returncode}):\n" + shape.logs())
            time.sleep(0.25)
        assert result.ready(), f"the task did not finish within {RENDER_WAIT}s\n" + shape.logs()
        return str(result.get(timeout=5))
    finally:
        result.forget()


# --- 1. local media shared by worker and web --------------------------------------------


def test_worker_renders_a_proposal_that_gunicorn_serves(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with _production(site, tmp_path, MEDIA_ROOT=str(media)) as shape:
        downloaded = _generate_through_http(shape, HOSPITALS, "it")
        # The worker wrote it into the shared media folder, under the deterministic key.
        key = _key(downloaded, "it")
        assert _proposal(shape.database_url, downloaded.proposal_id)["pdf_key"] == key
        stored = [str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()]
        assert stored == [key]
        assert (media / key).read_bytes() == downloaded.pdf


# --- 2. S3-compatible storage (moto's server) -------------------------------------------


@contextlib.contextmanager
def _moto(tmp: Path) -> Iterator[str]:
    """moto's S3 server on a free port; its endpoint URL once it answers."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp / "moto.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    server = _start(command, dict(_moto_env(), PYTHONUNBUFFERED="1"), log)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto exited ({server.returncode}):\n" + _tail(log))
            try:
                status, _headers, _body = _get(endpoint + "/moto-api/", timeout=3)
            except (OSError, urllib.error.URLError):
                status = 0
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"moto did not answer within {WAIT}s:\n" + _tail(log))
            time.sleep(0.25)
        yield endpoint
    finally:
        _stop(server, grace=10)


def _moto_env() -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "S3_", "MOTO_"))
    }
    return env


def _s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def _objects(client: Any, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


def test_worker_renders_into_s3_and_gunicorn_serves_from_s3(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    bucket = _unique_name("proposals").replace("_", "-")
    empty_media = tmp_path / "media"  # must stay empty: every file goes to S3
    empty_media.mkdir()
    with _moto(tmp_path) as endpoint:
        client = _s3_client(endpoint)
        client.create_bucket(Bucket=bucket)
        s3 = {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "S3_REGION": "us-east-1",
        }
        with _production(site, tmp_path, MEDIA_ROOT=str(empty_media), **s3) as shape:
            downloaded = _generate_through_http(shape, ZURICH, "en")
            key = _key(downloaded, "en")
            first = _proposal(shape.database_url, downloaded.proposal_id)
            assert first["pdf_key"] == key
            assert _objects(client, bucket) == {key: downloaded.pdf}

            # Delivered again once ready: nothing to do, still one object.
            assert _render_again(shape, downloaded.proposal_id) == "ready"
            again = _proposal(shape.database_url, downloaded.proposal_id)
            assert again == first
            assert _objects(client, bucket) == {key: downloaded.pdf}

            # Delivered again while marked rendering (as a worker killed mid-render leaves
            # it): rendered once more, overwriting the same object.
            _query(
                shape.database_url,
                "UPDATE reports_proposal SET status = 'rendering' WHERE id = %s",
                downloaded.proposal_id,
            )
            assert _render_again(shape, downloaded.proposal_id) == "ready"
            rerendered = _proposal(shape.database_url, downloaded.proposal_id)
            assert rerendered["status"] == "ready"
            assert rerendered["attempts"] == first["attempts"] + 1
            assert rerendered["rendered_at"] > first["rendered_at"]
            assert rerendered["pdf_key"] == key
            objects = _objects(client, bucket)
            assert list(objects) == [key]
            assert hashlib.sha256(objects[key]).hexdigest() == rerendered["sha256"]
            # The snapshot fixes every byte: the same PDF again.
            assert rerendered["sha256"] == first["sha256"]

            # The web process streams what is in S3.
            browser = _signed_in(shape)
            _headers, pdf = _download(browser, downloaded.proposal_id)
            assert pdf == objects[key]

            # The object lost from the bucket: the download is a 404, not a 500 (the S3
            # backend's error is a FileNotFoundError), and a new delivery renders it back.
            client.delete_object(Bucket=bucket, Key=key)
            with pytest.raises(urllib.error.HTTPError) as lost:
                _download(browser, downloaded.proposal_id)
            assert lost.value.code == 404
            assert _render_again(shape, downloaded.proposal_id) == "ready"
            assert _proposal(shape.database_url, downloaded.proposal_id)["attempts"] == (
                first["attempts"] + 2
            )
            _headers, pdf = _download(browser, downloaded.proposal_id)
            assert _objects(client, bucket) == {key: pdf}
            assert hashlib.sha256(pdf).hexdigest() == first["sha256"]
        assert not any(empty_media.iterdir()), list(empty_media.rglob("*"))


# --- 3. a worker killed mid-render: the task is delivered again -------------------------


def _pool_children(worker: Any) -> list[int]:
    """The prefork pool's child processes of `worker` (same session, not the parent)."""
    return [pid for pid in _session_members(worker.pid) if pid != worker.pid]


def test_killed_pool_child_is_redelivered_and_the_proposal_completes(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with _production(site, tmp_path, MEDIA_ROOT=str(media)) as shape:
        project_id, _organization_id = _project(shape.database_url, REDUNDANCY)
        browser = _signed_in(shape)
        children: list[int] = []

        def wait_for_the_pool_child() -> None:
            # Generate only once the child is up, so that the kill hits the render.
            deadline = time.monotonic() + WAIT
            while not _pool_children(shape.worker) and time.monotonic() < deadline:
                time.sleep(0.1)
            children.extend(_pool_children(shape.worker))
            assert len(children) == 1, f"one pool child expected: {children}\n" + shape.logs()

        proposal_id = _generate(shape, browser, project_id, "en", wait_for_the_pool_child)

        # SIGKILL the child as soon as it has claimed the proposal (status rendering).
        deadline = time.monotonic() + RENDER_WAIT
        while time.monotonic() < deadline:
            status = _proposal(shape.database_url, proposal_id)["status"]
            if status != "queued":
                break
            time.sleep(0.02)
        assert status == "rendering", (
            f"the render was not caught in progress ({status})\n" + shape.logs()
        )
        os.kill(children[0], signal.SIGKILL)

        _wait_for_ready(shape, browser, proposal_id)
        recorded = _proposal(shape.database_url, proposal_id)
        assert recorded["attempts"] == 2, recorded
        assert _query(
            shape.database_url,
            "SELECT crashes FROM reports_proposal WHERE project_id = %s AND version = 1",
            project_id,
        ) == [(1,)]  # one row for the version, one crash counted
        assert "WorkerLostError" in shape.worker_log.read_text(errors="replace"), shape.logs()
        assert _pool_children(shape.worker) != children, "no new pool child"
        _headers, pdf = _download(browser, proposal_id)
        assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]
        assert [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")] == [
            recorded["pdf_key"]
        ]
        assert (
            hashlib.sha256((media / recorded["pdf_key"]).read_bytes()).hexdigest()
            == (recorded["sha256"])
        )
