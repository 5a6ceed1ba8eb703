"""The security checklist (SECURITY.md), proven with production values.

`check --deploy` runs as CI runs it (the values of .ci/production.env), so a regression
fails the suite and not only CI's step. Real pages, served with the settings that those
values make, carry a Content Security Policy that allows no inline script without the
request's nonce, no inline style, no framing and no plugins; and no template holds what
that policy would block (an inline handler, a `style` attribute, a script without nonce).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import secrets
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from http.cookies import Morsel
from pathlib import Path
from typing import Any

import django.contrib.admin
import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from configurator.models import Customer, Organization, Project, Site, User

from .factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = ROOT / ".ci" / "production.env"
HOST = "configurator.example.com"
# The settings config/settings.py makes of the production values that the pages below are
# served with (the rest, database and storage, stay the test's).
SECURITY_SETTINGS = (
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_CSP",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
)


def production_values() -> dict[str, str]:
    """.ci/production.env: the values CI's deploy check runs with."""
    values = {}
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


# --- 1. check --deploy -------------------------------------------------------------------


def _deploy_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    production = production_values()
    kept = {
        name: value
        for name, value in os.environ.items()
        if name not in production
        and not name.startswith(("S3_", "SECURE_", "SECRET_KEY"))
        # tests/conftest.py sets it for Playwright; `check --deploy` refuses it, rightly.
        and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env = {**kept, **production, "SECRET_KEY": secrets.token_urlsafe(50), **overrides}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_passes_the_deploy_checks_with_production_values() -> None:
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def test_the_deploy_check_fails_when_a_production_value_is_weakened() -> None:
    # The step can fail: without HSTS the same check refuses.
    result = _deploy_check(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


# --- 2. headers of real pages ---------------------------------------------------------


@pytest.fixture
def production(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Apply the security settings that config/settings.py makes of the production values."""
    with monkeypatch.context() as patch:
        for name, value in production_values().items():
            patch.setenv(name, value)
        patch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
        values = runpy.run_path(str(ROOT / "config" / "settings.py"))
    for name in SECURITY_SETTINGS:
        setattr(settings, name, values[name])
    return values


def _https_client() -> Client:
    """A browser behind the production proxy, which terminates TLS."""
    return Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")


@pytest.fixture
def superuser(org: Organization) -> User:
    """A superuser: every page of the admin."""
    user = make_user(org, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def site(project: Project) -> Site:
    return Site.objects.create(project=project, name="Milano", connectivity="mpls", sip_phones=40)


def _pages(project: Project, customer: Customer, site: Site) -> list[str]:
    """Pages of every kind the organisation's administrator reaches."""
    on_project = {"pk": project.pk}
    return [
        reverse("project_list"),
        reverse("project_create"),
        reverse("project_detail", kwargs=on_project),
        reverse("project_edit", kwargs=on_project),
        reverse("project_questionnaire", kwargs=on_project),
        reverse("project_sites", kwargs=on_project),
        reverse("project_sites", kwargs=on_project) + f"?edit={site.pk}",
        reverse("sites_import", kwargs=on_project),
        reverse("project_proposals", kwargs=on_project),
        reverse("customer_list"),
        reverse("customer_create"),
        reverse("customer_detail", kwargs={"pk": customer.pk}),
        reverse("customer_edit", kwargs={"pk": customer.pk}),
        reverse("organization_branding"),
        reverse("password_change"),
    ]


def _admin_pages(customer: Customer) -> list[str]:
    """The admin's pages, as a superuser sees them."""
    return [
        reverse("admin:index"),
        reverse("admin:configurator_customer_changelist"),
        reverse("admin:configurator_customer_change", args=[customer.pk]),
        reverse("admin:configurator_customer_add"),
        reverse("admin:sizing_sizingtableversion_changelist"),
        reverse("admin:sizing_sizingtableversion_add"),
    ]


ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/password_reset/", "/no-such-page/"]


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


class _Markup(HTMLParser):
    """What of a page's markup a CSP decides on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.style_elements = 0
        self.blocked_attributes: list[str] = []
        self.htmx_config: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        elif tag == "style":
            self.style_elements += 1
        elif tag == "meta" and attributes.get("name") == "htmx-config":
            self.htmx_config = json.loads(attributes.get("content") or "{}")
        for name, value in attrs:
            if name == "style" or name.startswith(("on", "hx-on")):
                self.blocked_attributes.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.blocked_attributes.append(f"<{tag} {name}={value}>")


def _check_page(path: str, response: HttpResponse) -> None:
    assert response.status_code in (200, 404), (path, response.status_code)
    policy = _policy(response)
    script_src = policy["script-src"]
    assert "'self'" in script_src, (path, script_src)
    allowed_anywhere = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:")
    assert not set(script_src) & set(allowed_anywhere), (path, script_src)
    assert policy["style-src"] == ["'self'"], (path, policy["style-src"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]

    markup = _Markup()
    markup.feed(response.content.decode())
    nonces = [source for source in script_src if source.startswith("'nonce-")]
    assert markup.scripts, f"{path}: no script at all; is this a page?"
    for script in markup.scripts:
        src = script.get("src") or ""
        if not src:  # inline: runs only with the request's nonce
            assert nonces == [f"'nonce-{script.get('nonce')}'"], (path, script, nonces)
        else:  # external: served by us ('self'), never a third party
            assert src.startswith("/") and not src.startswith("//"), (path, src)
            if script.get("nonce") is not None:
                assert nonces == [f"'nonce-{script['nonce']}'"], (path, script, nonces)
    # style-src 'self' blocks <style> and style="…": htmx's own indicator <style> is off.
    assert markup.style_elements == 0, path
    assert markup.blocked_attributes == [], path
    if any("htmx" in (script.get("src") or "") for script in markup.scripts):
        assert markup.htmx_config is not None, f"{path}: htmx without htmx-config"
        assert markup.htmx_config.get("includeIndicatorStyles") is False, path


def _check_security_headers(path: str, response: HttpResponse) -> None:
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["Referrer-Policy"] == "same-origin", path
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path


def test_it_serves_every_page_with_the_policy_and_headers(
    production: dict[str, Any],
    adam: User,
    superuser: User,
    project: Project,
    customer: Customer,
    site: Site,
) -> None:
    client = _https_client()
    for path in ANONYMOUS_PAGES:
        response = client.get(path)
        _check_page(path, response)
        _check_security_headers(path, response)
    for user, pages in (
        (adam, _pages(project, customer, site)),
        (superuser, _admin_pages(customer)),
    ):
        client.force_login(user)
        for path in pages:
            response = client.get(path)
            _check_page(path, response)
            _check_security_headers(path, response)


def test_each_response_has_its_own_nonce(production: dict[str, Any], db: None) -> None:
    client = _https_client()
    first, second = (_policy(client.get("/accounts/login/"))["script-src"] for _ in range(2))
    assert first != second


def test_it_redirects_plain_http_to_https(production: dict[str, Any], db: None) -> None:
    response = Client(HTTP_HOST=HOST).get("/accounts/login/?next=/projects/")
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/accounts/login/?next=/projects/"


def _cookie(response: HttpResponse, name: str) -> Morsel[str]:
    assert name in response.cookies, f"{name} not set: {list(response.cookies)}"
    return response.cookies[name]


def test_it_sets_cookies_secure_httponly_and_same_site(
    production: dict[str, Any], alice: User
) -> None:
    client = _https_client()
    csrf = _cookie(client.get("/accounts/login/"), "csrftoken")
    signed_in = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content[:500]
    session = _cookie(signed_in, "sessionid")

    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    # Readable by scripts on purpose (Django's default): no script reads it, the token goes
    # in the page (hx-headers), and HttpOnly would add no protection against CSRF.
    assert csrf["httponly"] == ""


def test_it_refuses_a_form_post_without_the_csrf_token(
    production: dict[str, Any], alice: User
) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    client.force_login(alice)
    form = {"company_name": "Forged S.p.A.", "country": "IT", "preferred_language": "it"}
    page = client.get(reverse("customer_create"))
    token = page.cookies["csrftoken"].value

    forged = client.post(reverse("customer_create"), form, HTTP_REFERER=f"https://{HOST}/")
    assert forged.status_code == 403
    assert not Customer.objects.filter(company_name="Forged S.p.A.").exists()
    # The same post with the page's token goes through (the refusal was the token's).
    sent = client.post(
        reverse("customer_create"),
        {**form, "csrfmiddlewaretoken": token},
        HTTP_REFERER=f"https://{HOST}/",
    )
    assert sent.status_code == 302, sent.content[:300]
    assert Customer.objects.filter(company_name="Forged S.p.A.").exists()


# --- 3. templates hold nothing the policy would block ------------------------------------

# The PDF's templates are rendered by WeasyPrint in a worker and never served to a browser:
# no CSP applies to them, and their <style> carries the brand colours.
PDF_TEMPLATES = ROOT / "templates" / "reports"
ADMIN_TEMPLATES = Path(django.contrib.admin.__file__).parent / "templates"

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
BLOCKED = {
    "an inline event handler": re.compile(r"(?<![\w-])on[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "a style attribute": re.compile(r"(?<![\w-])style\s*=\s*[\"'{]", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    # hx-on runs its code through Function(), which script-src without 'unsafe-eval' blocks.
    "an hx-on attribute": re.compile(r"\bhx-on", re.IGNORECASE),
}


def blocked_by_the_policy(template: str) -> list[str]:
    """What in a template's source the production CSP would block."""
    problems = [what for what, pattern in BLOCKED.items() if pattern.search(template)]
    for match in SCRIPT_TAG.finditer(template):
        attributes = match.group(1)
        if "src=" not in attributes and 'nonce="{{ csp_nonce }}"' not in attributes:
            problems.append(f"an inline script without the nonce: {match.group(0)}")
        if re.search(r"src=[\"'](https?:)?//", attributes):
            problems.append(f"a script of another origin: {match.group(0)}")
    return problems


def _templates() -> Iterator[tuple[str, Path]]:
    """(name, path) of every template served to a browser: ours and the admin's."""
    for label, folder in (("templates", ROOT / "templates"), ("admin", ADMIN_TEMPLATES)):
        for path in sorted(folder.rglob("*.html")):
            if not path.is_relative_to(PDF_TEMPLATES):
                yield f"{label}:{path.relative_to(folder)}", path


# Django's change list adds a <style> (with the nonce) only for a ModelAdmin that turns off
# both action bars: style-src has no nonce, so the browser would drop it (a column width).
# None of ours does (test below), so it is never served.
ADMIN_ONLY_WITHOUT_ACTIONS = {"admin:admin/change_list.html": ["a <style> element"]}


def test_no_template_holds_what_the_policy_blocks() -> None:
    templates = list(_templates())
    assert len(templates) > 60, "the walk found too few templates"
    problems = {
        name: found
        for name, path in templates
        if (found := blocked_by_the_policy(path.read_text()))
    }
    assert problems == ADMIN_ONLY_WITHOUT_ACTIONS


def test_no_admin_serves_the_change_list_style() -> None:
    from django.contrib import admin

    without_actions = [
        str(model_admin)
        for model_admin in admin.site._registry.values()
        if not model_admin.actions_on_top and not model_admin.actions_on_bottom
    ]
    assert without_actions == []


def test_every_script_of_our_templates_carries_the_nonce() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        for match in SCRIPT_TAG.finditer(path.read_text()):
            assert 'nonce="{{ csp_nonce }}"' in match.group(1), (path, match.group(0))


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ('<button onclick="go()">', "an inline event handler"),
        ("<p style='color: red'>", "a style attribute"),
        ("<style>p { color: red }</style>", "a <style> element"),
        ('<a href="javascript:go()">', "a javascript: URL"),
        ('<div hx-on:click="go()">', "an hx-on attribute"),
        ("<script>go()</script>", "an inline script without the nonce: <script>"),
        (
            '<script src="https://cdn.example.com/x.js" nonce="{{ csp_nonce }}">',
            'a script of another origin: <script src="https://cdn.example.com/x.js" '
            'nonce="{{ csp_nonce }}">',
        ),
    ],
)
def test_the_template_check_finds_what_the_policy_blocks(template: str, found: str) -> None:
    assert blocked_by_the_policy(template) == [found]


def test_the_template_check_accepts_what_the_policy_allows() -> None:
    allowed = (
        '<script src="{% static \'js/app.js\' %}" nonce="{{ csp_nonce }}" defer></script>'
        '<script nonce="{{ csp_nonce }}">go()</script><p class="on-call" data-style="x">'
        '<a href="/projects/" hx-get="/projects/" hx-target="#results">Projects</a>'
    )
    assert blocked_by_the_policy(allowed) == []
