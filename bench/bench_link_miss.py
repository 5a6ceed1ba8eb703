"""Benchmark: a customer link's token that opens nothing answers in the same time however
it is wrong.

    .venv/bin/python bench/bench_link_miss.py [--requests 400] [--repeat 7]

Needs no prepared database: it migrates a throw-away SQLite file, writes one organisation,
an approved project with a rendered proposal and one real link (tests/factories.py), then
times with time.perf_counter GET /offer/<token>/ through Django's test client (middleware,
the rate counter, the lookup, the template) for tokens that are wrong in different ways:

- **random**: 32 random bytes, as a guesser would send;
- **tampered**: the real token with its last character changed;
- **truncated**: the real token without its last character;
- **short**: three characters;
- **long**: 1,000 characters.

The lookup is by the token's SHA-256 (portal.links.find_link): one indexed query whatever
the token, so nothing in the time tells how close a guess came. Each case's time is the
median over `repeat` batches of `requests` requests; the ratio is to the random case.
Every answer is checked to be the same 404 bytes. Exits with status 1 when a ratio is
outside 0.8–1.25. The miss limit is raised for the run (CUSTOMER_LINK_MISS_LIMIT): the
limit's own answer (429) is covered by tests/test_portal_public.py.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import setup_django

LOW, HIGH = 0.8, 1.25


def make_link(media: Path) -> str:
    """One real link of an approved, rendered proposal; its token."""
    from django.conf import settings

    settings.MEDIA_ROOT = media
    from configurator.models import Organization, Role
    from portal import links
    from tests.factories import approved_project_with_proposal, make_user

    org = Organization.objects.create(name="Bench S.r.l.")
    owner = make_user(org, "bench-sales")
    manager = make_user(org, "bench-manager", Role.MANAGER)
    proposal = approved_project_with_proposal(owner, manager)
    issued = links.create_link(
        proposal,
        owner,
        recipient_name="Giulia Bianchi",
        recipient_email="giulia@cliente.example",
        language="it",
    )
    return issued.token


def time_case(client: object, path: str, requests: int, expected: bytes) -> float:
    """Seconds per request of one batch; every answer checked to be the 404 expected."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(path)  # type: ignore[attr-defined]
        if response.status_code != 404 or response.content != expected:
            raise SystemExit(f"{path[:60]}: {response.status_code}, not the same 404")
    return (time.perf_counter() - start) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    os.environ["CUSTOMER_LINK_MISS_LIMIT"] = "100000000/h"
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(Path(workdir))
        import importlib
        import logging

        logging.disable(logging.WARNING)  # "Not Found: ..." for each of the misses

        from django.apps import apps
        from django.test import Client

        importlib.import_module("sizing.migrations.0002_seed_table").add_seed_version(apps, None)
        token = make_link(Path(workdir) / "media")
        last = "A" if token[-1] != "A" else "B"
        cases: dict[str, Callable[[], str]] = {
            "random": lambda: secrets.token_urlsafe(32),
            "tampered": lambda: token[:-1] + last,
            "truncated": lambda: token[:-1],
            "short": lambda: "abc",
            "long": lambda: "x" * 1000,
        }
        client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
        assert client.get(f"/offer/{token}/").status_code == 200, "the real link does not open"
        expected = client.get(f"/offer/{secrets.token_urlsafe(32)}/").content
        for make in cases.values():  # warm every path once
            time_case(client, f"/offer/{make()}/", 20, expected)
        batches: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(options.repeat):  # interleaved, so drifts of the machine hit all
            for name, make in cases.items():
                batches[name].append(
                    time_case(client, f"/offer/{make()}/", options.requests, expected)
                )
    print(f"{platform.processor() or platform.machine()}, CPython {platform.python_version()}")
    print(f"{options.repeat} batches of {options.requests} requests per case\n")
    print(f"{'case':<10} {'median':>10} {'best':>10} {'ratio':>7}")
    base = statistics.median(batches["random"])
    failed = []
    for name, times in batches.items():
        median = statistics.median(times)
        ratio = median / base
        print(f"{name:<10} {median * 1e6:>8.0f}µs {min(times) * 1e6:>8.0f}µs {ratio:>7.3f}")
        if not LOW <= ratio <= HIGH:
            failed.append(name)
    if failed:
        print(f"\noutside {LOW}–{HIGH} of the random case: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
