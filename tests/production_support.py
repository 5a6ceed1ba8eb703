"""What the production-shape tests share: the check that PostgreSQL and Redis are configured
and answer, databases of their own, subprocesses in their own process groups (gunicorn, a
Celery worker, moto's S3 server), HTTP without requests, and the demo site they run against.

Imported by tests/test_production_shape.py, tests/test_proposals_production.py,
tests/test_broker_down.py, tests/test_worker_faults.py and tests/test_backup.py; no test
module imports another.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.cookiejar
import io
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(ROOT / "manage.py")
DEMO_USER, DEMO_PASSWORD = "sales", "demo-sales-2026"
DEMO_PROJECT = "Contact centre for 3 hospitals"
# Every wait is bounded by this (seconds).
WAIT = 60


# --- Is the production shape configured and answering? --------------------------------


@functools.cache
def service_problems(database_url: str, redis_url: str) -> tuple[str, ...]:
    """What does not answer, as readable sentences (empty when both servers answer)."""
    import psycopg
    import redis

    problems = []
    try:
        psycopg.connect(**maintenance_params(database_url), connect_timeout=3).close()
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
    problems = service_problems(database_url, redis_url)
    if problems:
        message = "production shape configured but not answering: " + "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return database_url, redis_url


# --- PostgreSQL databases of our own --------------------------------------------------


def maintenance_params(database_url: str) -> dict[str, Any]:
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


def with_database(database_url: str, name: str) -> str:
    url = urlsplit(database_url)
    return urlunsplit((url.scheme, url.netloc, "/" + name, url.query, url.fragment))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def create_database(database_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    params = maintenance_params(database_url)
    with psycopg.connect(**params, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    params = maintenance_params(database_url)
    with psycopg.connect(**params, connect_timeout=5, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- Subprocesses ---------------------------------------------------------------------


def subprocess_env(tmp: Path, **overrides: str) -> dict[str, str]:
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


def manage(env: dict[str, str], *args: str) -> None:
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


def free_port() -> int:
    """A port free at this moment. Another process may bind it before the server the caller
    starts does (the window lasts until that server binds): gunicorn avoids it by binding
    port 0 itself (start_gunicorn); redis-server, moto's server and scripts/prodshape are
    given a port from here, as before."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
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


def session_members(sid: int) -> dict[int, str]:
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


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM the process group, SIGKILL what is left after `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    deadline = time.monotonic() + grace
    while session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


def tail(log: Path, lines: int = 60) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- HTTP without requests ------------------------------------------------------------


def http_get(url: str, timeout: float = 10, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def wait_for_answer(
    url: str, process: subprocess.Popen[bytes], log: Path, want: int | None = 200
) -> tuple[int, dict[str, Any]]:
    """Poll `url` until it answers (with `want`, or with anything when None), bounded."""
    deadline = time.monotonic() + WAIT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"process exited ({process.returncode}) before {url} answered:\n" + tail(log)
            )
        try:
            status, _headers, body = http_get(url, timeout=10)
        except (OSError, urllib.error.URLError) as exc:
            last = repr(exc)
        else:
            last = f"{status} {body[:300]!r}"
            if want is None or status == want:
                return status, json.loads(body)
        time.sleep(0.25)
    pytest.fail(f"{url} did not answer {want or 'anything'} within {WAIT}s ({last}):\n" + tail(log))


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
    name = unique_name("tvox_prodshape_test")
    tmp = tmp_path_factory.mktemp("prepared_site")
    site_url = with_database(database_url, name)
    env = subprocess_env(tmp, DATABASE_URL=site_url, REDIS_URL=redis_url)
    create_database(database_url, name)
    try:
        # collectstatic touches no database: let it run beside migrate and load_demo.
        log = tmp / "collectstatic.log"
        collectstatic = start([sys.executable, MANAGE, "collectstatic", "--noinput"], env, log)
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "load_demo")
            returncode = collectstatic.wait(timeout=WAIT)
        finally:
            stop(collectstatic)
        assert returncode == 0, "collectstatic failed:\n" + tail(log)
        yield {"database_url": site_url, "env": env, "tmp": tmp}
    finally:
        drop_database(database_url, name)


def gunicorn_command(port: int = 0, workers: int = 1) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--access-logfile", "-",
        "--no-control-socket",
    ]  # fmt: skip


LISTENING = re.compile(rb"Listening at: (http://127\.0\.0\.1:\d+) ")


def start_gunicorn(
    env: dict[str, str], log: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn on a port it binds itself (port 0, so no other process can take the port
    between choosing and binding it); the process and its base URL, read from the log line
    "Listening at: ...". A gunicorn that exits or does not listen within WAIT is stopped."""
    process = start(gunicorn_command(0, workers), env, log)
    deadline = time.monotonic() + WAIT
    try:
        while time.monotonic() < deadline:
            listening = LISTENING.search(log.read_bytes())
            if listening:
                return process, listening.group(1).decode()
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited ({process.returncode}) before listening:\n" + tail(log)
                )
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not listen within {WAIT}s:\n" + tail(log))
    except BaseException:
        stop(process)
        raise


# Rendering includes the worker's start (WeasyPrint import, warm-up): a longer bound.
RENDER_WAIT = 2 * WAIT
# Demo projects of the sales engineer, one per test so that each proposal is version 1.
HOSPITALS = "Contact centre for 3 hospitals"
ZURICH = "Cloud migration Zurich and Lugano"
REDUNDANCY = "Emergency line redundancy"


# --- Reading the site's database directly (the test process has no Django database) ----


def db_query(database_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    connect = dict(maintenance_params(database_url), dbname=urlsplit(database_url).path[1:])
    with psycopg.connect(**connect, connect_timeout=5, autocommit=True) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def demo_project(database_url: str, title: str) -> tuple[int, int]:
    """(project id, organisation id) of the demo project called `title`."""
    rows = db_query(
        database_url,
        "SELECT id, organization_id FROM configurator_project WHERE title = %s",
        title,
    )
    assert len(rows) == 1, f"demo project {title!r}: {rows}"
    return rows[0][0], rows[0][1]


def proposal_row(database_url: str, proposal_id: int) -> dict[str, Any]:
    columns = ("status", "attempts", "pdf_key", "sha256", "size_bytes", "rendered_at")
    rows = db_query(
        database_url,
        f"SELECT {', '.join(columns)}, failure_code, failure_detail "  # noqa: S608 (constants)
        "FROM reports_proposal WHERE id = %s",
        proposal_id,
    )
    assert len(rows) == 1
    return dict(zip((*columns, "failure_code", "failure_detail"), rows[0], strict=True))


# --- Redis queue of our own ------------------------------------------------------------


def purge_queue(redis_url: str, queue: str) -> None:
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
            f"--- worker log ---\n{tail(self.worker_log)}\n"
            f"--- gunicorn log ---\n{tail(self.web_log)}"
        )


def worker_command(queue: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=prefork", "--concurrency=1", "-Q", queue, "-n", f"{queue}@127.0.0.1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip


@contextlib.contextmanager
def production(site: dict[str, Any], tmp: Path, **overrides: str) -> Iterator[Shape]:
    """A Celery worker and gunicorn on `site`'s database, with `overrides` in both
    environments; both stopped and the queue deleted on the way out."""
    redis_url = site["env"]["REDIS_URL"]
    queue = unique_name("proposals_test")
    env = dict(site["env"], CELERY_TASK_DEFAULT_QUEUE=queue, **overrides)
    purge_queue(redis_url, queue)
    worker_log, web_log = tmp / "worker.log", tmp / "gunicorn.log"
    with contextlib.ExitStack() as stack:
        stack.callback(purge_queue, redis_url, queue)
        worker = start(worker_command(queue), env, worker_log)
        stack.callback(stop, worker)
        gunicorn, base = start_gunicorn(env, web_log)
        stack.callback(stop, gunicorn)
        status, health = wait_for_answer(base + "/healthz", gunicorn, web_log)
        assert status == 200
        assert health["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}, health
        yield Shape(base, env, site["database_url"], redis_url, queue, worker, worker_log, web_log)


def htmx_get(browser: Browser, path: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (http only)
        browser.base + path, headers={"HX-Request": "true"}
    )
    with browser.opener.open(request, timeout=15) as answer:
        assert answer.status == 200
        return str(answer.read().decode())


def wait_for_ready(shape: Shape, browser: Browser, proposal_id: int) -> str:
    """Poll the status row (as htmx does) until the proposal is ready; its HTML."""
    deadline = time.monotonic() + RENDER_WAIT
    row = ""
    while time.monotonic() < deadline:
        if shape.worker.poll() is not None:
            pytest.fail(f"the worker exited ({shape.worker.returncode}):\n" + shape.logs())
        row = htmx_get(browser, f"/proposals/{proposal_id}/status/")
        if "badge--proposal-ready" in row:
            return row
        if "badge--proposal-failed" in row:
            pytest.fail(
                f"proposal {proposal_id} failed: {proposal_row(shape.database_url, proposal_id)}\n"
                + shape.logs()
            )
        time.sleep(0.5)
    pytest.fail(
        f"proposal {proposal_id} not ready within {RENDER_WAIT}s "
        f"({proposal_row(shape.database_url, proposal_id)['status']}):\n{row}\n" + shape.logs()
    )


@dataclass
class Downloaded:
    proposal_id: int
    project_id: int
    organization_id: int
    sha256: str
    pdf: bytes


def download(browser: Browser, proposal_id: int) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 (http only)
        browser.base + f"/proposals/{proposal_id}/download/"
    )
    with browser.opener.open(request, timeout=30) as answer:
        assert answer.status == 200
        return dict(answer.headers.items()), answer.read()


def signed_in_browser(shape: Shape) -> Browser:
    browser = Browser(shape.base)
    status, landed, _page = browser.sign_in(DEMO_USER, DEMO_PASSWORD)
    assert (status, landed) == (200, shape.base + "/projects/"), landed
    return browser


def generate(
    shape: Shape, browser: Browser, project_id: int, language: str, before_post: Any = None
) -> int:
    """Post the generate form of the project's proposal page (as the browser does); the new
    proposal's id, checked to be the project's next version in `language`, listed on the
    page. (Tests of a module share its database: a project may have versions already.)"""
    query = "SELECT id, version, language FROM reports_proposal WHERE project_id = %s"
    before = db_query(shape.database_url, query, project_id)
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
    rows = [row for row in db_query(shape.database_url, query, project_id) if row not in before]
    assert len(rows) == 1, f"expected one new proposal: {rows}"
    proposal_id, version, proposal_language = rows[0]
    assert (version, proposal_language) == (len(before) + 1, language)
    assert f'id="proposal-{proposal_id}"' in page
    return int(proposal_id)


def generate_through_http(shape: Shape, title: str, language: str) -> Downloaded:
    """Sign in as the demo sales engineer, generate a proposal of `title` from its page,
    wait until the worker has rendered it, download it through gunicorn and check it."""
    project_id, organization_id = demo_project(shape.database_url, title)
    browser = signed_in_browser(shape)
    page_path = f"/projects/{project_id}/proposal/"
    proposal_id = generate(shape, browser, project_id, language)

    wait_for_ready(shape, browser, proposal_id)
    recorded = proposal_row(shape.database_url, proposal_id)
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

    headers, pdf = download(browser, proposal_id)
    assert pdf.startswith(b"%PDF-")
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Proposal-SHA256"] == recorded["sha256"]
    assert headers["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(pdf).hexdigest() == recorded["sha256"]
    assert len(pdf) == recorded["size_bytes"]
    # A real document of this project's customer, not an empty or error page.
    (customer,) = db_query(
        shape.database_url,
        "SELECT c.company_name FROM configurator_customer c "
        "JOIN configurator_project p ON p.customer_id = c.id WHERE p.id = %s",
        project_id,
    )[0]
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert customer in " ".join(text.split()), text[:2000]
    return Downloaded(proposal_id, project_id, organization_id, recorded["sha256"], pdf)


def proposal_key(downloaded: Downloaded, language: str) -> str:
    return (
        f"proposals/org-{downloaded.organization_id}/project-{downloaded.project_id}/"
        f"proposal-{downloaded.project_id}-v1-{language}.pdf"
    )


def render_again(shape: Shape, proposal_id: int, task_id: str | None = None) -> str:
    """Send the task once more, over the broker, to the test's worker; its result. With
    `task_id`, the same message again (a redelivery), not a new one."""
    from config.celery import app

    # The task stores no result (the row is the outcome); this delivery asks for one.
    result = app.send_task(
        "reports.render_proposal",
        args=[proposal_id],
        queue=shape.queue,
        ignore_result=False,
        task_id=task_id,
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


# --- 2. S3-compatible storage (moto's server) -------------------------------------------


@contextlib.contextmanager
def moto_server(tmp: Path) -> Iterator[str]:
    """moto's S3 server on a free port; its endpoint URL once it answers."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp / "moto.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    server = start(command, dict(moto_env(), PYTHONUNBUFFERED="1"), log)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto exited ({server.returncode}):\n" + tail(log))
            try:
                status, _headers, _body = http_get(endpoint + "/moto-api/", timeout=3)
            except (OSError, urllib.error.URLError):
                status = 0
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"moto did not answer within {WAIT}s:\n" + tail(log))
            time.sleep(0.25)
        yield endpoint
    finally:
        stop(server, grace=10)


def moto_env() -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "S3_", "MOTO_"))
    }
    return env


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def s3_objects(client: Any, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }
