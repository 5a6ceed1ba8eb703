"""The password reset is rate limited per account and per client address, and its answer
never tells whether an account exists: the same "if an account has this address" page for
a known address, an unknown one, and an account over its limit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import django_ratelimit.core
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.accounts import client_address
from configurator.models import User

from .factories import PASSWORD

UNKNOWN = "nobody@example.com"


def ask_reset(client: Client, email: str, address: str = "127.0.0.1", **meta: str) -> Any:
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, **meta)


def without_tokens(page: bytes) -> str:
    """The page with its CSRF tokens and CSP nonces blanked: both are new on every render."""
    page_text = re.sub(r'nonce="[^"]+"', 'nonce=""', page.decode())
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page_text)


@pytest.fixture(autouse=True)
def _mail_sent_in_process(eager_tasks: None) -> None:
    """The reset's mail task runs in the test's process, on the production shape too, so
    that these tests can count the mails (tests/test_broker_down.py has a real worker)."""


@pytest.fixture
def later() -> Iterator[Any]:
    """Moves django-ratelimit's clock, and only its clock, forward on demand."""
    offset = {"seconds": 0}
    clock = SimpleNamespace(time=lambda: time.time() + offset["seconds"])
    with mock.patch.object(django_ratelimit.core, "time", clock):
        yield lambda seconds: offset.update(seconds=offset["seconds"] + seconds)


def test_twenty_requests_for_one_account_send_three_mails(alice: User) -> None:
    client = Client()
    # From twenty different addresses, so that only the per-account rule is at play; the
    # address is written in several ways, as the reset form matches it.
    spellings = [alice.email, alice.email.upper(), " Alice@Example.COM "]
    for n in range(20):
        response = ask_reset(client, spellings[n % 3], address=f"192.0.2.{n + 1}")
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")

    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {alice.email}


def test_the_answer_is_the_same_for_a_known_an_unknown_and_a_limited_account(
    alice: User,
) -> None:
    for n in range(3):
        ask_reset(Client(), alice.email, address=f"198.51.100.{n + 1}")
    assert len(mail.outbox) == 3

    answers = {
        "known, now over its limit": ask_reset(Client(), alice.email, "203.0.113.1"),
        "unknown": ask_reset(Client(), UNKNOWN, "203.0.113.2"),
        "unknown, many times": [ask_reset(Client(), UNKNOWN, "203.0.113.3") for _ in range(5)][-1],
    }

    assert len(mail.outbox) == 3
    for response in answers.values():
        assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    pages = {
        name: without_tokens(Client().get(response["Location"]).content)
        for name, response in answers.items()
    }
    assert len(set(pages.values())) == 1
    assert "If an account has this address" in pages["unknown"]


def test_a_second_account_from_the_same_address_is_limited_by_the_address_rule(
    alice: User, bob: User
) -> None:
    client = Client()
    for _ in range(9):
        ask_reset(client, UNKNOWN)
    assert ask_reset(client, alice.email).status_code == 302  # the tenth request
    assert len(mail.outbox) == 1

    limited = ask_reset(client, bob.email)

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assertContains(limited, "Too many password reset requests", status_code=429)
    assert [message.to[0] for message in mail.outbox] == [alice.email]
    # Another client address is not affected.
    assert ask_reset(Client(), bob.email, address="192.0.2.77").status_code == 302
    assert len(mail.outbox) == 2


def test_the_address_limit_answers_the_same_for_known_and_unknown_accounts(
    alice: User,
) -> None:
    client = Client()
    for _ in range(10):
        ask_reset(client, UNKNOWN)
    known, unknown = ask_reset(client, alice.email), ask_reset(client, UNKNOWN)
    assert known.status_code == unknown.status_code == 429
    assert without_tokens(known.content) == without_tokens(unknown.content)


def test_the_limits_reset_after_their_window(alice: User, later: Any) -> None:
    client = Client()
    for _ in range(10):
        ask_reset(client, alice.email)
    assert ask_reset(client, alice.email).status_code == 429
    assert len(mail.outbox) == 3

    later(3600 + 1)

    assert ask_reset(client, alice.email).status_code == 302
    assert len(mail.outbox) == 4


def test_it_asks_nothing_of_the_limits_for_the_form_itself(client: Client, db: None) -> None:
    for _ in range(15):
        assert client.get(reverse("password_reset")).status_code == 200


def test_behind_the_proxy_each_client_address_has_its_own_limit(alice: User, settings: Any) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client = Client()
    proxy = "10.0.0.2"
    for n in range(10):
        # What the client writes itself, left of the address the proxy appends, is ignored.
        ask_reset(client, UNKNOWN, proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")
    assert ask_reset(client, UNKNOWN, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == (
        429
    )
    assert ask_reset(client, UNKNOWN, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == (
        302
    )


def test_without_a_proxy_a_forged_forwarded_for_header_changes_nothing(db: None) -> None:
    client = Client()
    for n in range(10):
        ask_reset(client, UNKNOWN, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert ask_reset(client, UNKNOWN, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_limits_are_settings(alice: User, settings: Any) -> None:
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    client = Client()
    for n in range(3):
        ask_reset(client, alice.email, address=f"192.0.2.{n + 1}")
    assert len(mail.outbox) == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_on_the_production_shape_the_counters_live_in_redis(alice: User) -> None:
    import redis

    assert (
        django_settings.CACHES["default"]["BACKEND"]
        == "django.core.cache.backends.redis.RedisCache"
    )
    ask_reset(Client(), alice.email)
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
    keys = list(client.scan_iter(f"*{django_settings.RATELIMIT_CACHE_PREFIX}*", count=1000))
    assert len(keys) == 2  # one counter for the address, one for the account
    assert all(client.ttl(key) > 3500 for key in keys)
    # Another connection, as another web process would open, reads the same counters.
    assert caches.create_connection("default").get(keys[0].decode().split(":", 2)[2]) == 1


def test_behind_the_proxy_a_sign_in_lockout_is_per_client_address(
    alice: User, settings: Any
) -> None:
    # The lockout reads the client's address the same way: one client's failures behind the
    # compose file's proxy must not lock alice out for everybody.
    settings.AXES_IPWARE_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(5):
        attacker.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert (
        attacker.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code
        == 429
    )

    alice_at_work = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10")
    response = alice_at_work.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "value"),
    [("PASSWORD_RESET_ACCOUNT_LIMIT", "0"), ("PASSWORD_RESET_ADDRESS_LIMIT", "many")],
)
def test_a_bad_limit_in_the_environment_stops_start_up_naming_it(name: str, value: str) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**environment, name: value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert name in result.stderr


# --- The cache down: refused as limited, never a 500 --------------------------------------

# Django's own Redis cache on a port nobody listens on: every counter read fails as it does
# when the production shape's Redis is down.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_with_the_cache_down_a_reset_is_refused_as_limited_and_sends_nothing(
    alice: User, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = UNREACHABLE_CACHE
    with caplog.at_level("WARNING", logger="configurator.accounts"):
        known, unknown = ask_reset(Client(), alice.email), ask_reset(Client(), UNKNOWN)

    assert known.status_code == unknown.status_code == 429
    assertContains(known, "Too many password reset requests", status_code=429)
    assert without_tokens(known.content) == without_tokens(unknown.content)
    assert int(known["Retry-After"]) > 0
    assert mail.outbox == []
    warnings = [r for r in caplog.records if r.name == "configurator.accounts"]
    assert len(warnings) == 2, caplog.text
    assert all("rate-limit counters unavailable" in r.getMessage() for r in warnings)
    assert alice.email not in caplog.text  # the log names no address


def test_with_the_cache_down_the_reset_form_itself_still_opens(db: None, settings: Any) -> None:
    settings.CACHES = UNREACHABLE_CACHE
    assert Client().get(reverse("password_reset")).status_code == 200


# --- The client's bucket ------------------------------------------------------------------


def _bucket(address: str) -> str:
    return client_address(RequestFactory().post("/", REMOTE_ADDR=address))


def test_an_ipv4_mapped_ipv6_address_shares_the_bucket_of_its_ipv4_address() -> None:
    assert _bucket("::ffff:203.0.113.7") == _bucket("203.0.113.7") == "203.0.113.7"
    assert _bucket("::FFFF:cb00:7107") == "203.0.113.7"  # the same address, spelled in hex


def test_two_ipv4_mapped_clients_have_buckets_of_their_own() -> None:
    assert _bucket("::ffff:203.0.113.7") != _bucket("::ffff:203.0.113.8")


def test_an_ipv6_client_is_still_counted_by_its_64() -> None:
    assert _bucket("2001:db8:1:2::7") == _bucket("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
