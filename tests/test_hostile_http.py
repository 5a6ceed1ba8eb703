"""Header and path tricks: a foreign Host, forwarded headers without a proxy, absurd URLs and
headers, traversal and encoded paths, media and static paths, unknown export formats,
methods the views do not allow, ids that are no integer or overflow a bigint, garbage
Accept-Language, oversized and forged cookies. None is a 500, none leaks a file or puts a
foreign host in a link.

The URL patterns are walked by introspection, so a new URL is covered without a new test.
Run it on both databases: a 20-digit id overflows PostgreSQL's bigint, not SQLite's check.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from configurator.models import Customer, Organization, Project, Site, User

from .access_matrix_rows import MATRIX, url_args
from .factories import png

FOREIGN_HOST = "evil.example"
HUGE_IDS = ["99999999999999999999", "9223372036854775808"]  # 20 digits; bigint max + 1
NOT_IDS = ["abc", "1.0", "-1", "0x1", "\u0661", "1%00", "1%20", "%20"]


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[tuple[str, Any]]:
    """Every route of the project as written (`projects/<int:pk>/`), with its pattern."""
    found: list[tuple[str, Any]] = []
    for pattern in patterns:
        route = getattr(pattern.pattern, "_route", None)
        if route is None:  # a regular expression: the admin, Django's own
            continue
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            found += _routes(pattern.url_patterns, prefix + route)
        else:
            found.append((prefix + route, pattern))
    return found


ROUTES = _routes(get_resolver().url_patterns)
INT_ROUTES = [route for route, _ in ROUTES if "<int:" in route]
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, integer: str) -> str:
    """The route with `integer` for each int and a plausible value for each other part."""

    def value(match: re.Match[str]) -> str:
        return integer if match.group(1) == "int" else "csv"

    return "/" + CONVERTER.sub(value, route)


@pytest.fixture
def alice_client(client: Client, alice: User, sizing_table: None) -> Client:
    client.force_login(alice)
    return client


def test_the_walk_finds_the_id_urls() -> None:
    assert "projects/<int:pk>/sites/<int:site_pk>/edit/" in INT_ROUTES
    assert "proposals/<int:pk>/download/" in INT_ROUTES
    assert len(INT_ROUTES) >= 15


# --- Ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", INT_ROUTES)
@pytest.mark.parametrize("integer", HUGE_IDS)
def test_an_id_over_a_bigint_is_404_in_every_url(
    alice_client: Client, route: str, integer: str
) -> None:
    url = fill(route, integer)
    answers = {alice_client.get(url).status_code, alice_client.post(url, {}).status_code}
    assert answers <= {404, 405}, (url, answers)
    assert 404 in answers, (url, answers)  # the method the view takes reached the lookup


@pytest.mark.parametrize("route", INT_ROUTES)
def test_an_id_that_is_no_integer_matches_no_url(alice_client: Client, route: str) -> None:
    for text in NOT_IDS:
        url = fill(route, text)
        assert alice_client.get(url).status_code == 404, url
        assert alice_client.post(url, {}).status_code == 404, url


# --- Methods --------------------------------------------------------------------------------

ODD_METHODS = ["PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "FOO"]


def _matrix_urls(project: Project, customer: Customer, site: Site) -> dict[str, str]:
    urls: dict[str, str] = {}
    for row in MATRIX:
        if row.name not in urls:
            urls[row.name] = reverse(row.name, args=url_args(row.obj, project, customer, site))
    return urls


def test_methods_the_views_do_not_take_get_405_never_500(
    alice_client: Client, project: Project, customer: Customer, media_storage: Path
) -> None:
    site = Site.objects.create(project=project, name="Milano", connectivity="lan", mobile_apps=1)
    loose = {
        (name, method, status)
        for name, url in _matrix_urls(project, customer, site).items()
        for method in ODD_METHODS
        if (status := alice_client.generic(method, url).status_code) != 405
    }
    assert not loose


def test_the_api_answers_other_methods_with_405_json(alice_client: Client) -> None:
    for url, allowed in ((reverse("sizing"), "POST"), (reverse("sizing_openapi"), "GET")):
        for method in ODD_METHODS:
            response = alice_client.generic(method, url)
            assert response.status_code == 405
            assert response["Allow"] == allowed
            assert response.json()["errors"][0]["field"] == "$"


# --- Paths ----------------------------------------------------------------------------------

TRICK_PATHS = [
    "/projects/../customers/",
    "/projects/%2e%2e/customers/",
    "/projects/%252e%252e/customers/",
    "/projects/%2e%2e%2fcustomers/",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/../config/settings.py",
    "/static/%2e%2e/config/settings.py",
    "/static/..%2fconfig%2fsettings.py",
    "/static/%252e%252e/config/settings.py",
    "/static/../../../../etc/passwd",
    "/media/../config/settings.py",
    "/projects/%00/",
    "/projects/1%00/",
    "/%00",
    "/projects/\u0661/",
    "/progetti/città/",
    "/\U0001f600/",
    "/projects/%ff%fe/",
    "/" + "a" * 100_000,
    "/projects/" + "9" * 10_000 + "/",
    "/%2f%2fevil.example/",
    "/\\evil.example/",
]


@pytest.mark.parametrize("path", TRICK_PATHS, ids=lambda p: p[:40])
def test_a_trick_path_is_404_and_leaks_no_file(alice_client: Client, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code in (301, 404), (path, response.status_code)
    body = b"".join(response) if response.streaming else response.content
    assert b"SECRET_KEY" not in body and b"root:" not in body
    if response.status_code == 301:  # APPEND_SLASH: to this site, never another
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")


def test_media_files_are_not_served_by_path(
    client: Client, alice: User, charlie: User, media_storage: Path, other_org: Organization
) -> None:
    # Media is served only through views that check access (logo, proposal PDF); there is
    # no /media/ URL, so knowing a file's name gives nothing.
    data = png(1, 1)
    other_org.set_logo("image/png", hashlib.sha256(data).hexdigest(), data)
    other_org.save()
    name = other_org.logo.name
    assert (media_storage / name).exists()
    client.force_login(alice)
    for path in (f"/media/{name}", f"/media/./{name}", f"/media/%2e/{name}", f"/{name}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert data not in response.content
    assert client.get(reverse("organization_logo")).status_code == 404  # her org has none


@pytest.mark.parametrize(
    "fmt",
    ["exe", "CSV", "csv.", "xlsx.csv", "json", "csv%00", "%2e%2e", "..", "csv%2f..", "x" * 5000],
)
def test_an_unknown_export_format_is_404(alice_client: Client, project: Project, fmt: str) -> None:
    for url in (f"/projects/{project.pk}/sites/export.{fmt}", f"/sites-template.{fmt}"):
        response = alice_client.get(url)
        assert response.status_code == 404, (url, response.status_code)


# --- Host and forwarded headers -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/projects/", "/api/sizing", "/healthz"])
def test_a_host_not_allowed_gets_400_without_its_name(client: Client, db: None, path: str) -> None:
    response = client.get(path, headers={"host": FOREIGN_HOST})
    assert response.status_code == 400
    assert FOREIGN_HOST.encode() not in response.content


def test_a_password_reset_under_a_foreign_host_sends_no_mail(client: Client, alice: User) -> None:
    response = client.post(
        reverse("password_reset"), {"email": alice.email}, headers={"host": FOREIGN_HOST}
    )
    assert response.status_code == 400
    assert mail.outbox == []


@pytest.mark.usefixtures("eager_tasks")  # the mail is sent by a Celery task
def test_forwarded_host_is_ignored_in_the_reset_link(client: Client, alice: User) -> None:
    response = client.post(
        reverse("password_reset"),
        {"email": alice.email},
        headers={"x-forwarded-host": FOREIGN_HOST, "x-forwarded-proto": "https"},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert FOREIGN_HOST not in message.body
    assert "http://testserver/accounts/reset/" in message.body  # not https: no proxy said so


def test_forwarded_proto_does_not_make_a_request_secure_without_a_proxy(
    client: Client, db: None, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_forwarded_host_does_not_steer_redirects(client: Client, db: None) -> None:
    response = client.get("/projects/", headers={"x-forwarded-host": FOREIGN_HOST})
    assert response.status_code == 302
    assert FOREIGN_HOST not in response["Location"]
    slash = client.get("/projects", headers={"x-forwarded-host": FOREIGN_HOST})
    assert slash.status_code == 301 and slash["Location"] == "/projects/"


# --- Headers and cookies --------------------------------------------------------------------


def test_an_absurdly_long_header_or_query_is_no_500(alice_client: Client) -> None:
    assert alice_client.get("/projects/", headers={"x-junk": "x" * 200_000}).status_code == 200
    response = alice_client.get("/projects/?q=" + "%ff" * 30_000 + "&page=" + "9" * 5_000)
    assert response.status_code == 200


ACCEPT_LANGUAGES = [
    "*",
    "xx-YY;q=abc",
    "it;q=1e400",
    "it;q=-1, en;q=2",
    "," * 10_000,
    "en-" + "a" * 10_000,
    "zh-Hant-TW-x-private;q=0.5",
    "../../etc/passwd",
    "it\x00",
    "ïtaliano",
]


@pytest.mark.parametrize("value", ACCEPT_LANGUAGES, ids=lambda v: v[:20])
def test_garbage_accept_language_falls_back_without_error(alice_client: Client, value: str) -> None:
    response = alice_client.get("/projects/", headers={"accept-language": value})
    assert response.status_code == 200
    assert response["Content-Language"] in ("en", "it")
    api = alice_client.post(
        "/api/sizing",
        '{"sites": []}',
        content_type="application/json",
        headers={"accept-language": value},
    )
    assert api.status_code == 200 and api.json()["lang"] in ("en", "it")


def test_a_garbage_language_cookie_falls_back(alice_client: Client) -> None:
    alice_client.cookies["django_language"] = "../../etc/passwd"
    response = alice_client.get("/projects/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


def test_an_oversized_cookie_header_is_no_500(alice_client: Client) -> None:
    alice_client.cookies["junk"] = "x" * 100_000
    assert alice_client.get("/projects/").status_code == 200


@pytest.mark.parametrize(
    "session", ["garbage", "a" * 32, "x" * 5_000, "../../../etc/passwd", "' OR 1=1 --"]
)
def test_a_forged_session_cookie_is_anonymous(client: Client, alice: User, session: str) -> None:
    client.cookies["sessionid"] = session
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    api = client.post("/api/sizing", "{}", content_type="application/json")
    assert api.status_code == 401


def test_forged_messages_and_csrf_cookies_are_no_500(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies["messages"] = "forged:signature"
    client.cookies["csrftoken"] = "<script>!"
    assert client.get("/projects/").status_code == 200
    response = client.post(
        "/api/sizing", "{}", content_type="application/json", headers={"x-csrftoken": "<script>!"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "$"
