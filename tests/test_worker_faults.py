"""Worker faults on real processes: the whole worker killed mid-render, and renderings that
always fail, on PostgreSQL and Redis with a short visibility timeout.

(A killed *pool child* is tests/test_proposals_production.py's
`test_killed_pool_child_is_redelivered_and_the_proposal_completes`: the worker's main
process rejects the task at once and a new child renders it.)

Killing the worker's main process with SIGKILL leaves its task unacknowledged in Redis (the
pool child dies with it: billiard's parent-death signal). Only another worker brings it
back, after the visibility timeout; the proposal must then end ready with one file, one
row for its version and the file's SHA-256 on the row. Worker, web and the test share one
database for the module (`prepared_site`) and every wait is bounded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tvox_test \
    REDIS_URL=redis://127.0.0.1:6379/6 uv run pytest tests/test_worker_faults.py
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .production_support import (
    HOSPITALS,
    REDUNDANCY,
    WAIT,
    ZURICH,
    Shape,
    db_query,
    demo_project,
    download,
    free_port,
    generate,
    htmx_get,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    proposal_row,
    purge_queue,
    require_production_shape,
    session_members,
    signed_in_browser,
    start,
    start_gunicorn,
    stop,
    unique_name,
    wait_for_answer,
    worker_command,
)

pytestmark = pytest.mark.production_shape

# Seconds. Short, so that a dead worker's task comes back quickly; still longer than the
# hard time limit, as config/settings.py requires (and as production has it).
VISIBILITY = 30
SHORT_LIMITS = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
    "CELERY_TASK_TIME_LIMIT": "25",
    "CELERY_TASK_SOFT_TIME_LIMIT": "20",
    # Retries of a transient failure one after the other, not over a minute.
    "PROPOSAL_RETRY_BACKOFF": "0.1",
}
# A render on a busy machine, the worker's start included.
RENDER = 45


def _worker(shape: Shape, log: Path, **overrides: str) -> Any:
    """Start a prefork worker (one pool child) on the shape's queue; wait for its child."""
    worker = start(worker_command(shape.queue), dict(shape.env, **overrides), log)
    deadline = time.monotonic() + WAIT
    while len(session_members(worker.pid)) < 2 and time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}):\n" + log.read_text())
        time.sleep(0.1)
    return worker


@contextlib.contextmanager
def _web_and_queue(site: dict[str, Any], tmp: Path, media: Path) -> Iterator[Shape]:
    """gunicorn with short limits on `site`, and a queue of its own; workers are started by
    the tests (`_worker`) and must be stopped by them."""
    redis_url = site["env"]["REDIS_URL"]
    queue = unique_name("worker_faults")
    env = dict(site["env"], CELERY_TASK_DEFAULT_QUEUE=queue, MEDIA_ROOT=str(media), **SHORT_LIMITS)
    purge_queue(redis_url, queue)
    web_log = tmp / "gunicorn.log"
    with contextlib.ExitStack() as stack:
        stack.callback(purge_queue, redis_url, queue)
        gunicorn, base = start_gunicorn(env, web_log)
        stack.callback(stop, gunicorn)
        wait_for_answer(base + "/healthz", gunicorn, web_log)
        yield Shape(
            base, env, site["database_url"], redis_url, queue, None, tmp / "worker.log", web_log
        )


def _wait_for_badge(shape: Shape, browser: Any, proposal_id: int, badge: str, bound: float) -> str:
    """Poll the status row as htmx does until it shows `badge`; the row's HTML."""
    deadline = time.monotonic() + bound
    row = ""
    while time.monotonic() < deadline:
        if shape.worker is not None and shape.worker.poll() is not None:
            pytest.fail(f"the worker exited ({shape.worker.returncode}):\n" + shape.logs())
        row = htmx_get(browser, f"/proposals/{proposal_id}/status/")
        if f"badge--proposal-{badge}" in row:
            return row
        if "badge--proposal-ready" in row or "badge--proposal-failed" in row:
            break
        time.sleep(0.5)
    pytest.fail(
        f"proposal {proposal_id} not {badge} within {bound:.0f}s: "
        f"{proposal_row(shape.database_url, proposal_id)}\n{row}\n" + shape.logs()
    )


def _one_stored_file(shape: Shape, media: Path, proposal_id: int, project_id: int) -> None:
    """Exactly one PDF in the store, one row for the version, the row's SHA-256 its own."""
    recorded = proposal_row(shape.database_url, proposal_id)
    rows = db_query(
        shape.database_url,
        "SELECT count(*) FROM reports_proposal WHERE project_id = %s AND version = "
        "(SELECT version FROM reports_proposal WHERE id = %s)",
        project_id,
        proposal_id,
    )
    assert rows == [(1,)], rows
    pdfs = [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")]
    assert pdfs == [recorded["pdf_key"]], pdfs
    assert (
        hashlib.sha256((media / recorded["pdf_key"]).read_bytes()).hexdigest()
        == (recorded["sha256"])
    )


def test_whole_worker_killed_mid_render_the_next_worker_renders_it_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with _web_and_queue(site, tmp_path, media) as shape:
        project_id, _org = demo_project(shape.database_url, HOSPITALS)
        browser = signed_in_browser(shape)
        first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
        shape.worker, shape.worker_log = _worker(shape, first_log), first_log
        killed = shape.worker
        try:
            proposal_id = generate(shape, browser, project_id, "en")
            deadline = time.monotonic() + RENDER
            while proposal_row(shape.database_url, proposal_id)["status"] == "queued":
                assert time.monotonic() < deadline, "never started\n" + shape.logs()
                time.sleep(0.02)
            # The main process, not a child: nobody is left to reject or acknowledge it.
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait(timeout=10)
            deadline = time.monotonic() + 10
            while session_members(killed.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not session_members(killed.pid), "the pool child outlived its worker"
            assert proposal_row(shape.database_url, proposal_id)["status"] == "rendering", (
                "the kill came after the render\n" + shape.logs()
            )
        finally:
            stop(killed)

        shape.worker, shape.worker_log = _worker(shape, second_log), second_log
        try:
            # Back after the visibility timeout (counted from the first delivery), then
            # rendered: bounded by both.
            _wait_for_badge(shape, browser, proposal_id, "ready", VISIBILITY + RENDER)
            recorded = proposal_row(shape.database_url, proposal_id)
            assert recorded["attempts"] == 2, recorded
            crashes = db_query(
                shape.database_url,
                "SELECT crashes FROM reports_proposal WHERE id = %s",
                proposal_id,
            )
            assert crashes == [(1,)]
            _one_stored_file(shape, media, proposal_id, project_id)
            _headers, pdf = download(browser, proposal_id)
            assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]

            _logo_that_does_not_match_fails_the_proposal_once(shape, browser, media)
        finally:
            stop(shape.worker)


def test_a_message_the_broker_lost_is_sent_again_by_a_worker(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Redis took the proposal's message and then lost it (restarted without persistence,
    or flushed): the row says sent, and no delivery will ever come. Once the delivery
    window (visibility timeout + time limit) has passed, a worker's outbox sweep sends it
    again and it is rendered once. (The window is made to have passed by moving the row's
    times back, not by waiting 55 s.)"""
    import redis

    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with _web_and_queue(site, tmp_path, media) as shape:
        project_id, _org = demo_project(shape.database_url, HOSPITALS)
        browser = signed_in_browser(shape)
        proposal_id = generate(shape, browser, project_id, "en")  # no worker runs yet
        sent = db_query(
            shape.database_url,
            "SELECT status, sent_at IS NOT NULL FROM reports_proposal WHERE id = %s",
            proposal_id,
        )
        assert sent == [("queued", True)], sent
        client = redis.Redis.from_url(shape.redis_url, socket_timeout=3)
        try:
            assert client.llen(shape.queue) == 1
            client.delete(shape.queue)  # the message is lost
        finally:
            client.close()
        db_query(
            shape.database_url,
            "UPDATE reports_proposal SET sent_at = sent_at - interval '1 hour', "
            "updated_at = updated_at - interval '1 hour' WHERE id = %s",
            proposal_id,
        )
        shape.worker = _worker(shape, shape.worker_log)
        try:
            _wait_for_badge(shape, browser, proposal_id, "ready", RENDER)
        finally:
            stop(shape.worker)
        counts = db_query(
            shape.database_url,
            "SELECT attempts, crashes FROM reports_proposal WHERE id = %s",
            proposal_id,
        )
        assert counts == [(1, 0)], counts
        assert "its message was lost, sending it again" in shape.worker_log.read_text()
        _one_stored_file(shape, media, proposal_id, project_id)


def _logo_that_does_not_match_fails_the_proposal_once(
    shape: Shape, browser: Any, media: Path
) -> None:
    """The organisation's logo in the store is not the file its SHA-256 names (the store
    was tampered with): a permanent failure, not retried, shown with its reason."""
    project_id, organization_id = demo_project(shape.database_url, ZURICH)
    recorded_hash = hashlib.sha256(b"the logo that was uploaded").hexdigest()
    key = f"brand-logos/{recorded_hash}.png"
    (media / "brand-logos").mkdir(exist_ok=True)
    (media / key).write_bytes(b"other bytes under the same name")
    db_query(
        shape.database_url,
        "UPDATE configurator_organization SET logo = %s, logo_sha256 = %s, "
        "logo_content_type = 'image/png' WHERE id = %s",
        key,
        recorded_hash,
        organization_id,
    )
    try:
        proposal_id = generate(shape, browser, project_id, "en")
        row = _wait_for_badge(shape, browser, proposal_id, "failed", RENDER)
    finally:
        db_query(
            shape.database_url,
            "UPDATE configurator_organization SET logo = '', logo_sha256 = '', "
            "logo_content_type = '' WHERE id = %s",
            organization_id,
        )
    recorded = proposal_row(shape.database_url, proposal_id)
    assert (recorded["failure_code"], recorded["attempts"]) == ("logo", 1), recorded
    assert "does not match its recorded SHA-256" in recorded["failure_detail"]
    assert "The organisation&#x27;s logo could not be read." in row, row
    assert "Try again" in row
    assert not list(media.glob(f"proposals/**/proposal-{project_id}-*.pdf"))


def test_a_file_store_that_stays_down_fails_the_proposal_after_its_retries(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The worker's S3 endpoint refuses every connection (nothing listens there): each
    attempt is a transient failure, retried `MAX_RETRIES` times, then the proposal fails
    with its reason, on the page."""
    from reports.tasks import MAX_RETRIES

    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    s3_down = {
        "S3_BUCKET": "proposals",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }
    with _web_and_queue(site, tmp_path, media) as shape:
        project_id, _org = demo_project(shape.database_url, REDUNDANCY)
        browser = signed_in_browser(shape)
        shape.worker = _worker(shape, shape.worker_log, **s3_down)
        try:
            proposal_id = generate(shape, browser, project_id, "it")
            row = _wait_for_badge(shape, browser, proposal_id, "failed", RENDER + WAIT)
        finally:
            stop(shape.worker)
    recorded = proposal_row(shape.database_url, proposal_id)
    assert recorded["failure_code"] == "unavailable", recorded
    assert recorded["attempts"] == MAX_RETRIES + 1, recorded
    assert "EndpointConnectionError" in recorded["failure_detail"], recorded
    log = shape.worker_log.read_text(errors="replace")
    assert log.count("retry: Retry in") == MAX_RETRIES, shape.logs()
    assert "The database or the file store stayed unavailable after several attempts." in row
    assert "Try again" in row, row
    assert not list(media.rglob("*.pdf"))
