"""The production shape, for real: PostgreSQL, Redis, gunicorn, WhiteNoise, a Celery worker.

Nothing here is mocked. The tests start gunicorn, a Celery worker and `scripts/prodshape` as
subprocesses (each in its own process group, always stopped in a `finally`), against
databases they create on the PostgreSQL server of DATABASE_URL (unique names, dropped at
the end) and the Redis of REDIS_URL.

They run when DATABASE_URL is a postgres:// URL and REDIS_URL is set; otherwise they skip.
With CI=true and both set, a server that does not answer is a failure, not a skip.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tvox_test \
    REDIS_URL=redis://127.0.0.1:6379/3 uv run pytest tests/test_production_shape.py
"""

from __future__ import annotations

import gzip
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .production_support import (
    DEMO_PASSWORD,
    DEMO_PROJECT,
    DEMO_USER,
    ROOT,
    WAIT,
    Browser,
    drop_database,
    free_port,
    http_get,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    require_production_shape,
    session_members,
    start,
    start_gunicorn,
    stop,
    subprocess_env,
    tail,
    unique_name,
    wait_for_answer,
    with_database,
)

pytestmark = pytest.mark.production_shape


# --- a. gunicorn serves the application against PostgreSQL ----------------------------


def test_gunicorn_serves_pages_and_static_files_against_postgresql(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    log = tmp_path / "gunicorn.log"
    gunicorn, base = start_gunicorn(site["env"], log)
    try:
        status, health = wait_for_answer(base + "/healthz", gunicorn, log)
        assert status == 200
        assert health["status"] == "ok", health
        assert health["checks"]["database"] == "ok"
        assert health["checks"]["broker"] == "ok"
        assert health["checks"]["storage"] == "ok"

        browser = Browser(base)
        status, landed, _page = browser.sign_in(DEMO_USER, DEMO_PASSWORD)
        assert status == 200
        assert landed == base + "/projects/", f"sign-in did not redirect to the list: {landed}"
        status, _url, page = browser.open("/projects/")
        assert status == 200
        assert DEMO_PROJECT in page

        # The stylesheet is linked under its manifest (hashed) name and served by WhiteNoise.
        match = re.search(r'href="(/static/css/app\.([0-9a-f]{12})\.css)"', page)
        assert match, "the page does not link app.css under a hashed name"
        status, headers, body = http_get(base + match.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Type", "").startswith("text/css")
        # WhiteNoise marks hashed names cacheable forever.
        assert "immutable" in headers.get("Cache-Control", ""), headers
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        collected = ROOT / "staticfiles" / "css" / f"app.{match.group(2)}.css"
        assert body == collected.read_bytes()
    finally:
        stop(gunicorn)


# --- b. a real Celery worker process ---------------------------------------------------


def test_celery_worker_process_runs_ping(tmp_path: Path) -> None:
    database_url, redis_url = require_production_shape()
    from config.celery import app

    # The settings the pitfalls call for, as the application loads them.
    conf = app.conf
    assert conf.task_always_eager is False
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] > conf.task_time_limit

    queue = unique_name("prodshape_test")
    node = f"{queue}@127.0.0.1"
    env = subprocess_env(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", node,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip
    worker = start(command, env, log)
    result = None
    try:
        result = app.send_task("config.ping", queue=queue)
        deadline = time.monotonic() + WAIT
        while not result.ready() and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited ({worker.returncode}):\n" + tail(log))
            time.sleep(0.25)
        assert result.ready(), f"no answer from the worker within {WAIT}s:\n" + tail(log)
        assert result.get(timeout=5) == "pong"

        # The running worker has the same delivery guarantees (asked over the broker).
        replies = app.control.inspect(destination=[node], timeout=10).conf(with_defaults=True)
        assert replies and node in replies, f"the worker did not answer inspect: {replies}"
        worker_conf = replies[node]
        assert worker_conf["task_acks_late"] is True
        assert worker_conf["task_reject_on_worker_lost"] is True
        assert worker_conf["worker_prefetch_multiplier"] == 1
        assert (
            worker_conf["broker_transport_options"]["visibility_timeout"]
            > worker_conf["task_time_limit"]
        )
    finally:
        stop(worker)
        if result is not None:
            result.forget()
        import redis

        client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        finally:
            client.close()


# --- c. /healthz names the broker when Redis is not there ------------------------------


def test_healthz_is_503_naming_the_broker_when_redis_does_not_answer(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = dict(site["env"], REDIS_URL=dead_redis)
    log = tmp_path / "gunicorn.log"
    gunicorn, base = start_gunicorn(env, log)
    try:
        status, health = wait_for_answer(base + "/healthz", gunicorn, log, want=None)
        assert status == 503, health
        assert health["status"] == "error"
        assert health["checks"]["broker"].startswith("error"), health
        assert health["checks"]["database"] == "ok"
        assert health["checks"]["storage"] == "ok"
    finally:
        stop(gunicorn)


# --- d. scripts/prodshape starts everything and stops it on SIGTERM --------------------


def test_prodshape_script_starts_and_stops_cleanly(tmp_path: Path) -> None:
    database_url, redis_url = require_production_shape()
    name = unique_name("tvox_prodshape_script")
    port = free_port()
    env = subprocess_env(
        tmp_path,
        DATABASE_URL=with_database(database_url, name),
        REDIS_URL=redis_url,
        PORT=str(port),
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        HEALTH_TIMEOUT=str(WAIT),
        STOP_TIMEOUT="20",
    )
    log = tmp_path / "prodshape.log"
    script = start([str(ROOT / "scripts" / "prodshape")], env, log)
    try:
        status, health = wait_for_answer(f"http://127.0.0.1:{port}/healthz", script, log)
        assert status == 200
        assert health["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}

        members = session_members(script.pid)
        commands = list(members.values())
        assert any("gunicorn" in command for command in commands), commands
        assert any("celery" in command and "worker" in command for command in commands), commands

        # Only the script gets the signal: it has to stop its children itself.
        script.send_signal(signal.SIGTERM)
        try:
            returncode = script.wait(timeout=45)
        except subprocess.TimeoutExpired:
            pytest.fail("scripts/prodshape did not exit within 45 s of SIGTERM:\n" + tail(log))
        assert returncode == 143, tail(log)
        deadline = time.monotonic() + 10
        while session_members(script.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = session_members(script.pid)
        assert not left, f"processes left behind after SIGTERM: {left}"
        assert not any(pid in left for pid in members)
    finally:
        stop(script, grace=20)
        drop_database(database_url, name)
