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

import contextlib
import functools
import gzip
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.production_shape

ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(ROOT / "manage.py")
DEMO_USER, DEMO_PASSWORD = "sales", "demo-sales-2026"
DEMO_PROJECT = "Contact centre for 3 hospitals"
# Every wait is bounded by this (seconds).
WAIT = 60


# --- Is the production shape configured and answering? --------------------------------


@functools.cache
def _service_problems(database_url: str, redis_url: str) -> tuple[str, ...]:
    """What does not answer, as readable sentences (empty when both servers answer)."""
    import psycopg
    import redis

    problems = []
    try:
        psycopg.connect(**_maintenance_params(database_url), connect_timeout=3).close()
    except Exception as exc:
        problems.append(f"PostgreSQL of DATABASE_URL does not answer: {exc}")
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        problems.append(f"Redis of REDIS_URL does not answer: {exc}")
    return tuple(problems)


def require_production_shape() -> tuple[str, str]:
    """Skip unless configured; with CI=true a configured server that is down fails."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")) or not redis_url:
        pytest.skip(
            "production shape not configured: set DATABASE_URL=postgres://... and "
            "REDIS_URL=redis://... to run these tests"
        )
    problems = _service_problems(database_url, redis_url)
    if problems:
        message = "production shape configured but not answering: " + "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return database_url, redis_url


# --- PostgreSQL databases of our own --------------------------------------------------


def _maintenance_params(database_url: str) -> dict[str, Any]:
    url = urlsplit(database_url)
    params: dict[str, Any] = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": unquote(url.username or "postgres"),
        "dbname": "postgres",
    }
    if url.password:
        params["password"] = unquote(url.password)
    return params


def _with_database(database_url: str, name: str) -> str:
    url = urlsplit(database_url)
    return urlunsplit((url.scheme, url.netloc, "/" + name, url.query, url.fragment))


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _create_database(database_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    params = _maintenance_params(database_url)
    with psycopg.connect(**params, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(database_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    params = _maintenance_params(database_url)
    with psycopg.connect(**params, connect_timeout=5, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- Subprocesses ---------------------------------------------------------------------


def _subprocess_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """A copy of this environment shaped for production (manifest static files, no DEBUG)."""
    env = os.environ.copy()
    # tests/conftest.py turns the manifest off for the in-process tests; not here.
    for name in ("STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        env.pop(name, None)
    media = tmp / "media"
    media.mkdir(parents=True, exist_ok=True)
    env.update(
        DEBUG="0",
        STATIC_MANIFEST="1",
        MEDIA_ROOT=str(media),
        SECRET_KEY="production-shape-test-" + uuid.uuid4().hex,
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, MANAGE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, (
        f"manage.py {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process in a new session (its own process group), output into `log`."""
    with log.open("wb") as handle:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _session_members(sid: int) -> dict[int, str]:
    """Processes of session `sid` (Linux /proc), pid -> command line."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command name (which is in parentheses and may hold spaces).
            fields = stat.rsplit(")", 1)[1].split()
            state, session = fields[0], int(fields[3])
            if session != sid or state == "Z":
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, IndexError, ValueError):
            continue
        members[int(entry.name)] = cmdline
    return members


def _stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM the process group, SIGKILL what is left after `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    deadline = time.monotonic() + grace
    while _session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


def _tail(log: Path, lines: int = 60) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- HTTP without requests ------------------------------------------------------------


def _get(url: str, timeout: float = 10, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def _wait_for_answer(
    url: str, process: subprocess.Popen[bytes], log: Path, want: int | None = 200
) -> tuple[int, dict[str, Any]]:
    """Poll `url` until it answers (with `want`, or with anything when None), bounded."""
    deadline = time.monotonic() + WAIT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"process exited ({process.returncode}) before {url} answered:\n" + _tail(log)
            )
        try:
            status, _headers, body = _get(url, timeout=10)
        except (OSError, urllib.error.URLError) as exc:
            last = repr(exc)
        else:
            last = f"{status} {body[:300]!r}"
            if want is None or status == want:
                return status, json.loads(body)
        time.sleep(0.25)
    pytest.fail(
        f"{url} did not answer {want or 'anything'} within {WAIT}s ({last}):\n" + _tail(log)
    )


class Browser:
    """Just enough of a browser: cookies, redirects, CSRF token from the form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        request = urllib.request.Request(  # noqa: S310 (http only)
            self.base + path, data=body, headers=headers
        )
        with self.opener.open(request, timeout=15) as answer:
            return answer.status, answer.url, answer.read().decode()

    def sign_in(self, username: str, password: str) -> tuple[int, str, str]:
        _status, _url, form = self.open("/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', form)
        assert match, "the sign-in form has no CSRF token"
        assert any(cookie.name == "csrftoken" for cookie in self.cookies)
        return self.open(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": password,
                "next": "/projects/",
            },
        )


# --- Fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh PostgreSQL database, migrated, with demo data; static files collected.

    Requested through `request.getfixturevalue` after `require_production_shape()`, so an
    unconfigured machine skips before anything is created.
    """
    database_url, redis_url = require_production_shape()
    name = _unique_name("tvox_prodshape_test")
    tmp = tmp_path_factory.mktemp("prepared_site")
    site_url = _with_database(database_url, name)
    env = _subprocess_env(tmp, DATABASE_URL=site_url, REDIS_URL=redis_url)
    _create_database(database_url, name)
    try:
        # collectstatic touches no database: let it run beside migrate and load_demo.
        log = tmp / "collectstatic.log"
        collectstatic = _start([sys.executable, MANAGE, "collectstatic", "--noinput"], env, log)
        try:
            _manage(env, "migrate", "--noinput")
            _manage(env, "load_demo")
            returncode = collectstatic.wait(timeout=WAIT)
        finally:
            _stop(collectstatic)
        assert returncode == 0, "collectstatic failed:\n" + _tail(log)
        yield {"database_url": site_url, "env": env, "tmp": tmp}
    finally:
        _drop_database(database_url, name)


def _gunicorn(port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--access-logfile", "-",
        "--no-control-socket",
    ]  # fmt: skip


# --- a. gunicorn serves the application against PostgreSQL ----------------------------


def test_gunicorn_serves_pages_and_static_files_against_postgresql(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    gunicorn = _start(_gunicorn(port), site["env"], log)
    try:
        status, health = _wait_for_answer(base + "/healthz", gunicorn, log)
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
        status, headers, body = _get(base + match.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Type", "").startswith("text/css")
        # WhiteNoise marks hashed names cacheable forever.
        assert "immutable" in headers.get("Cache-Control", ""), headers
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        collected = ROOT / "staticfiles" / "css" / f"app.{match.group(2)}.css"
        assert body == collected.read_bytes()
    finally:
        _stop(gunicorn)


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

    queue = _unique_name("prodshape_test")
    node = f"{queue}@127.0.0.1"
    env = _subprocess_env(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", node,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip
    worker = _start(command, env, log)
    result = None
    try:
        result = app.send_task("config.ping", queue=queue)
        deadline = time.monotonic() + WAIT
        while not result.ready() and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited ({worker.returncode}):\n" + _tail(log))
            time.sleep(0.25)
        assert result.ready(), f"no answer from the worker within {WAIT}s:\n" + _tail(log)
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
        _stop(worker)
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
    port = _free_port()
    dead_redis = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    env = dict(site["env"], REDIS_URL=dead_redis)
    log = tmp_path / "gunicorn.log"
    gunicorn = _start(_gunicorn(port), env, log)
    try:
        status, health = _wait_for_answer(
            f"http://127.0.0.1:{port}/healthz", gunicorn, log, want=None
        )
        assert status == 503, health
        assert health["status"] == "error"
        assert health["checks"]["broker"].startswith("error"), health
        assert health["checks"]["database"] == "ok"
        assert health["checks"]["storage"] == "ok"
    finally:
        _stop(gunicorn)


# --- d. scripts/prodshape starts everything and stops it on SIGTERM --------------------


def test_prodshape_script_starts_and_stops_cleanly(tmp_path: Path) -> None:
    database_url, redis_url = require_production_shape()
    name = _unique_name("tvox_prodshape_script")
    port = _free_port()
    env = _subprocess_env(
        tmp_path,
        DATABASE_URL=_with_database(database_url, name),
        REDIS_URL=redis_url,
        PORT=str(port),
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        HEALTH_TIMEOUT=str(WAIT),
        STOP_TIMEOUT="20",
    )
    log = tmp_path / "prodshape.log"
    script = _start([str(ROOT / "scripts" / "prodshape")], env, log)
    try:
        status, health = _wait_for_answer(f"http://127.0.0.1:{port}/healthz", script, log)
        assert status == 200
        assert health["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}

        members = _session_members(script.pid)
        commands = list(members.values())
        assert any("gunicorn" in command for command in commands), commands
        assert any("celery" in command and "worker" in command for command in commands), commands

        # Only the script gets the signal: it has to stop its children itself.
        script.send_signal(signal.SIGTERM)
        try:
            returncode = script.wait(timeout=45)
        except subprocess.TimeoutExpired:
            pytest.fail("scripts/prodshape did not exit within 45 s of SIGTERM:\n" + _tail(log))
        assert returncode == 143, _tail(log)
        deadline = time.monotonic() + 10
        while _session_members(script.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _session_members(script.pid)
        assert not left, f"processes left behind after SIGTERM: {left}"
        assert not any(pid in left for pid in members)
    finally:
        _stop(script, grace=20)
        _drop_database(database_url, name)
