"""A PostgreSQL connection dropped in the middle of a request: a clear error page, and the
database holds the whole change or none of it; the next request works.

The connection is really dropped: a statement chosen by its first words is held back by
`connection.execute_wrapper` while another connection ends this one's backend with
`pg_terminate_backend`; then it runs, on a connection the server has closed. Only on
PostgreSQL (skipped on the embedded SQLite): the pytest-django test database of the suite's
second pass, where DATABASE_URL is a postgres:// URL. A configured server that does not
answer fails the database setup, so it is never a silent skip.

Django's test client turns off the `close_old_connections` a WSGI server runs at the start
and end of every request (it would close the test's transaction); these tests use a
transactional database and call it themselves where a server would (`_between_requests`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Project, User

from .factories import make_site, project_edit_data, signed_in, site_data
from .spreadsheets import HEADER, csv_file, token_of, upload

pytestmark = pytest.mark.django_db(transaction=True)

# What the error page says, whatever the language of the request.
NOTHING_HALF_SAVED = "Nothing was saved halfway"


@pytest.fixture(autouse=True)
def _postgresql_only() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("database faults need PostgreSQL: set DATABASE_URL=postgres://...")
    yield
    # A test that failed before `_between_requests` leaves the dropped connection behind:
    # reconnect for pytest-django's flush.
    _between_requests()


def _terminate_backend_of_this_connection() -> None:
    """End this connection's server process from a second connection, and wait for it."""
    import psycopg

    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "dbname": db["NAME"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(**params, connect_timeout=5, autocommit=True) as other:
        (ended,) = other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()
        assert ended, f"backend {pid} did not end"


@contextlib.contextmanager
def dropped_before(statement: str) -> Iterator[list[str]]:
    """Drop the connection just before the first SQL statement starting with `statement`
    runs; the statements seen up to then (the list is empty if it never ran)."""
    seen: list[str] = []
    dropped: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        seen.append(sql)
        if not dropped and sql.lstrip().upper().startswith(statement.upper()):
            dropped.append(sql)
            _terminate_backend_of_this_connection()
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield dropped
    assert dropped, f"no statement starting with {statement!r} ran; saw:\n" + "\n".join(seen)


def _between_requests() -> None:
    """What the WSGI handler does at the end of a request and the start of the next."""
    close_old_connections()


def _assert_error_page(response: Any) -> None:
    status = response.status_code
    assert status in (500, 503)
    assert "500.html" in [t.name for t in response.templates]
    assertContains(response, NOTHING_HALF_SAVED, status_code=status)
    # It says what to do, in both languages, and is the product's page (not a bare error).
    assertContains(response, "Open the page again", status_code=status)
    assertContains(response, 'lang="it"', status_code=status)
    assertContains(response, 'lang="en"', status_code=status)
    assertContains(response, "TVox", status_code=status)


def test_it_saves_a_site_whole_or_not_at_all_when_the_connection_drops(
    alice: User, project: Project
) -> None:
    make_site(project, "Bergamo")
    client = signed_in(alice, raise_request_exception=False)
    url = reverse("site_create", args=[project.pk])
    with dropped_before('INSERT INTO "configurator_site"'):
        # The project's revision was already counted in this transaction: rolled back too.
        response = client.post(url, site_data("new", 1, name="Lodi"))
    _assert_error_page(response)
    _between_requests()

    project.refresh_from_db()
    assert project.revision == 1
    assert list(project.sites.values_list("name", flat=True)) == ["Bergamo"]

    # The next request works and the same form, sent again, is saved.
    response = client.post(url, site_data("new", 1, name="Lodi"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.revision == 2
    assert sorted(project.sites.values_list("name", flat=True)) == ["Bergamo", "Lodi"]


def test_it_imports_the_whole_spreadsheet_or_nothing_when_the_connection_drops(
    alice: User, project: Project
) -> None:
    make_site(project, "Bergamo")
    make_site(project, "Como")
    client = signed_in(alice, raise_request_exception=False)
    page = upload(client, project, csv_file(HEADER, "Milano,,mpls,100,80,20,30,1,5,2"))
    token = token_of(page)
    url = reverse("sites_import", args=[project.pk])
    # Replace: the old sites are deleted, then the new ones inserted, in one transaction.
    with dropped_before('INSERT INTO "configurator_site"') as dropped:
        response = client.post(url, {"token": token, "mode": "replace"})
    _assert_error_page(response)
    assert dropped
    _between_requests()

    project.refresh_from_db()
    assert project.revision == 1
    assert sorted(project.sites.values_list("name", flat=True)) == ["Bergamo", "Como"]

    # Nothing of the failed request was kept, not even the use of its preview: confirming
    # again imports the file.
    response = client.post(url, {"token": token, "mode": "replace"})
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.revision == 2
    assert list(project.sites.values_list("name", flat=True)) == ["Milano"]


def test_it_keeps_the_project_as_it_was_when_the_connection_drops_during_its_save(
    alice: User, project: Project
) -> None:
    client = signed_in(alice, raise_request_exception=False)
    url = reverse("project_edit", args=[project.pk])
    title = project.title
    with dropped_before('UPDATE "configurator_project"'):
        response = client.post(url, project_edit_data(project, title="Renamed"))
    _assert_error_page(response)
    _between_requests()

    project.refresh_from_db()
    assert (project.title, project.revision) == (title, 1)
    response = client.post(url, project_edit_data(project, title="Renamed"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.revision) == ("Renamed", 2)


def test_it_reconnects_when_the_idle_connection_was_dropped_between_requests(
    alice: User, project: Project
) -> None:
    """A persistent connection (CONN_MAX_AGE) ended while idle, as a database restart or a
    failover does: the next request checks it first (CONN_HEALTH_CHECKS) and reconnects."""
    client = signed_in(alice, raise_request_exception=False)
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    _between_requests()
    assert connection.connection is not None, "the connection was not kept between requests"
    _terminate_backend_of_this_connection()
    time.sleep(0.1)
    _between_requests()
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 200
    assertContains(response, project.title)
