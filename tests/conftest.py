"""Shared fixtures: named personas in two organisations.

alice is a sales engineer and owns projects; bob is alice's teammate (another sales
engineer); maria is their manager; adam their administrator; charlie is a sales engineer
of another organisation and must never see any of theirs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from configurator.models import Customer, Organization, Project, Role, User

from .browser_support import browser, console_errors, nojs_page, page, sized_project  # noqa: F401
from .factories import PASSWORD, make_customer, make_project, make_user  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # The real hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings: pytest.FixtureRequest) -> None:
    # Pages link unhashed static names, served from the finders by the test servers; the
    # manifest storage of production is covered by the gunicorn test of the production shape.
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    # A page in Italian leaves Italian active in the test's thread; the next test (a
    # chart, a command) would then read Italian where it expects the default language.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _rate_limits_of_this_test_only(settings: Any) -> None:
    # The password reset's counters live in the cache, Redis on the production shape, which
    # outlives a test and a run: each test counts from zero under a prefix of its own.
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Celery tasks run in-process, as on the embedded default, also when the suite runs on
    the production shape (REDIS_URL set): these tests are about what a task does, not about
    the queue; tests/test_proposals_production.py covers real workers."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def media_storage(settings: Any, tmp_path: Path) -> Path:
    """A media folder of this test only (the embedded default's storage)."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"allow_overwrite": True, "location": str(media)},
        },
    }
    return media


@pytest.fixture
def sizing_table(db: None) -> None:
    """The seed sizing table (data migration 0002). Tests on a transactional database (the
    browser tests) need it re-created: the database is emptied after each of them."""
    import importlib

    from django.apps import apps

    importlib.import_module("sizing.migrations.0002_seed_table").add_seed_version(apps, None)


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(name="Partner One S.r.l.")


@pytest.fixture
def other_org(db: None) -> Organization:
    return Organization.objects.create(name="Partner Two S.r.l.")


@pytest.fixture
def alice(org: Organization) -> User:
    return make_user(org, "alice")


@pytest.fixture
def bob(org: Organization) -> User:
    return make_user(org, "bob")


@pytest.fixture
def maria(org: Organization) -> User:
    return make_user(org, "maria", Role.MANAGER)


@pytest.fixture
def adam(org: Organization) -> User:
    return make_user(org, "adam", Role.ADMINISTRATOR)


@pytest.fixture
def charlie(other_org: Organization) -> User:
    return make_user(other_org, "charlie")


@pytest.fixture
def operator(db: None) -> User:
    """olga, Telenia's platform operator: an administrator of Telenia's own organisation to
    whom a superuser granted the permission that stands for the shared rules (sizing
    tables, prerequisites; see configurator.admin_access). Partners only read those."""
    from django.contrib.auth.models import Permission

    telenia = Organization.objects.create(name="Telenia S.p.A.")
    user = make_user(telenia, "olga", Role.ADMINISTRATOR)
    user.user_permissions.add(Permission.objects.get(codename="change_sizingtableversion"))
    return User.objects.get(pk=user.pk)  # without the permissions cached before the grant


@pytest.fixture
def customer(org: Organization, alice: User) -> Customer:
    return make_customer(org, alice, "Ospedale San Luca S.p.A.", vat_number="01234567897")


@pytest.fixture
def project(alice: User, customer: Customer) -> Project:
    return make_project(alice, customer, "Three hospitals")
