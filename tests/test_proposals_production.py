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

import hashlib
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .production_support import (
    HOSPITALS,
    REDUNDANCY,
    RENDER_WAIT,
    WAIT,
    ZURICH,
    db_query,
    demo_project,
    download,
    generate,
    generate_through_http,
    moto_server,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    production,
    proposal_key,
    proposal_row,
    render_again,
    require_production_shape,
    s3_client,
    s3_objects,
    session_members,
    signed_in_browser,
    unique_name,
    wait_for_ready,
)

pytestmark = pytest.mark.production_shape


# --- 1. local media shared by worker and web --------------------------------------------


def test_worker_renders_a_proposal_that_gunicorn_serves(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with production(site, tmp_path, MEDIA_ROOT=str(media)) as shape:
        downloaded = generate_through_http(shape, HOSPITALS, "it")
        # The worker wrote it into the shared media folder, under the deterministic key.
        key = proposal_key(downloaded, "it")
        assert proposal_row(shape.database_url, downloaded.proposal_id)["pdf_key"] == key
        stored = [str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()]
        assert stored == [key]
        assert (media / key).read_bytes() == downloaded.pdf


def test_worker_renders_into_s3_and_gunicorn_serves_from_s3(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    bucket = unique_name("proposals").replace("_", "-")
    empty_media = tmp_path / "media"  # must stay empty: every file goes to S3
    empty_media.mkdir()
    with moto_server(tmp_path) as endpoint:
        client = s3_client(endpoint)
        client.create_bucket(Bucket=bucket)
        s3 = {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "S3_REGION": "us-east-1",
        }
        with production(site, tmp_path, MEDIA_ROOT=str(empty_media), **s3) as shape:
            downloaded = generate_through_http(shape, ZURICH, "en")
            key = proposal_key(downloaded, "en")
            first = proposal_row(shape.database_url, downloaded.proposal_id)
            assert first["pdf_key"] == key
            assert s3_objects(client, bucket) == {key: downloaded.pdf}

            # Delivered again once ready: nothing to do, still one object.
            assert render_again(shape, downloaded.proposal_id) == "ready"
            again = proposal_row(shape.database_url, downloaded.proposal_id)
            assert again == first
            assert s3_objects(client, bucket) == {key: downloaded.pdf}

            # Delivered again while marked rendering (as a worker killed mid-render leaves
            # it): rendered once more, overwriting the same object.
            db_query(
                shape.database_url,
                "UPDATE reports_proposal SET status = 'rendering' WHERE id = %s",
                downloaded.proposal_id,
            )
            # The killed worker's own message comes back (another message would leave the
            # rendering to it: reports.services._claim).
            ((message_id,),) = db_query(
                shape.database_url,
                "SELECT render_task_id FROM reports_proposal WHERE id = %s",
                downloaded.proposal_id,
            )
            assert message_id
            assert render_again(shape, downloaded.proposal_id, message_id) == "ready"
            rerendered = proposal_row(shape.database_url, downloaded.proposal_id)
            assert rerendered["status"] == "ready"
            assert rerendered["attempts"] == first["attempts"] + 1
            assert rerendered["rendered_at"] > first["rendered_at"]
            assert rerendered["pdf_key"] == key
            objects = s3_objects(client, bucket)
            assert list(objects) == [key]
            assert hashlib.sha256(objects[key]).hexdigest() == rerendered["sha256"]
            # The snapshot fixes every byte: the same PDF again.
            assert rerendered["sha256"] == first["sha256"]

            # The web process streams what is in S3.
            browser = signed_in_browser(shape)
            _headers, pdf = download(browser, downloaded.proposal_id)
            assert pdf == objects[key]

            # The object lost from the bucket: the download is a 404, not a 500 (the S3
            # backend's error is a FileNotFoundError), and a new delivery renders it back.
            client.delete_object(Bucket=bucket, Key=key)
            with pytest.raises(urllib.error.HTTPError) as lost:
                download(browser, downloaded.proposal_id)
            assert lost.value.code == 404
            assert render_again(shape, downloaded.proposal_id) == "ready"
            assert proposal_row(shape.database_url, downloaded.proposal_id)["attempts"] == (
                first["attempts"] + 2
            )
            _headers, pdf = download(browser, downloaded.proposal_id)
            assert s3_objects(client, bucket) == {key: pdf}
            assert hashlib.sha256(pdf).hexdigest() == first["sha256"]
        assert not any(empty_media.iterdir()), list(empty_media.rglob("*"))


# --- 3. a worker killed mid-render: the task is delivered again -------------------------


def _pool_children(worker: Any) -> list[int]:
    """The prefork pool's child processes of `worker` (same session, not the parent)."""
    return [pid for pid in session_members(worker.pid) if pid != worker.pid]


def test_killed_pool_child_is_redelivered_and_the_proposal_completes(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    media = tmp_path / "media"
    media.mkdir()
    with production(site, tmp_path, MEDIA_ROOT=str(media)) as shape:
        project_id, _organization_id = demo_project(shape.database_url, REDUNDANCY)
        browser = signed_in_browser(shape)
        children: list[int] = []

        def wait_for_the_pool_child() -> None:
            # Generate only once the child is up, so that the kill hits the render.
            deadline = time.monotonic() + WAIT
            while not _pool_children(shape.worker) and time.monotonic() < deadline:
                time.sleep(0.1)
            children.extend(_pool_children(shape.worker))
            assert len(children) == 1, f"one pool child expected: {children}\n" + shape.logs()

        proposal_id = generate(shape, browser, project_id, "en", wait_for_the_pool_child)

        # SIGKILL the child as soon as it has claimed the proposal (status rendering).
        deadline = time.monotonic() + RENDER_WAIT
        while time.monotonic() < deadline:
            status = proposal_row(shape.database_url, proposal_id)["status"]
            if status != "queued":
                break
            time.sleep(0.02)
        assert status == "rendering", (
            f"the render was not caught in progress ({status})\n" + shape.logs()
        )
        os.kill(children[0], signal.SIGKILL)

        wait_for_ready(shape, browser, proposal_id)
        recorded = proposal_row(shape.database_url, proposal_id)
        assert recorded["attempts"] == 2, recorded
        assert db_query(
            shape.database_url,
            "SELECT crashes FROM reports_proposal WHERE project_id = %s AND version = 1",
            project_id,
        ) == [(1,)]  # one row for the version, one crash counted
        assert "WorkerLostError" in shape.worker_log.read_text(errors="replace"), shape.logs()
        assert _pool_children(shape.worker) != children, "no new pool child"
        _headers, pdf = download(browser, proposal_id)
        assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]
        assert [p.relative_to(media).as_posix() for p in media.rglob("*.pdf")] == [
            recorded["pdf_key"]
        ]
        assert (
            hashlib.sha256((media / recorded["pdf_key"]).read_bytes()).hexdigest()
            == (recorded["sha256"])
        )
