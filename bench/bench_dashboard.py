"""Benchmark: the managers' dashboard and the project list's export at 5,000 projects of
3 sites each.

    .venv/bin/python bench/bench_dashboard.py [--projects 5000] [--repeat 5]

Needs no prepared database: it migrates a throw-away SQLite file (which brings the seed
sizing table), writes an organisation, three users and the projects with bulk_create, then
times with time.perf_counter, best and median of N runs, the whole request through
Django's test client (middleware, templates, the SVG charts):

- **size per request**: what the page would do without stored summaries: load the
  projects, their 15,000 sites in one query, and size each in Python (no page around it);
- **dashboard, first visit**: no summary yet, so every project is sized and its summary
  written (once: the next visits find them);
- **dashboard, warm**: the summaries up to date, a page of aggregates;
- **dashboard, one project changed**: one summary stale, sized again on the way;
- **export CSV / XLSX**: the project list's export, warm.

It also counts the queries of each request. Exits with status 1 if the warm dashboard's
best run is not under a second.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_SECONDS = 1.0


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0, interactive=False)


def make_data(count: int) -> Any:
    """`count` projects of 3 sites among 3 owners and 3 statuses; the manager."""
    from configurator.models import Customer, Organization, Project, Role, Site, User

    org = Organization.objects.create(name="Partner Bench S.r.l.")
    owners = [
        User.objects.create_user(f"se{n}", organization=org, first_name=f"SE {n}") for n in range(3)
    ]
    manager = User.objects.create_user("manager", organization=org, role=Role.MANAGER)
    customer = Customer.objects.create(organization=org, created_by=owners[0], company_name="C")
    statuses = ["draft", "in_review", "approved", "sent"]
    Project.objects.bulk_create(
        (
            Project(
                organization=org,
                customer=customer,
                owner=owners[n % 3],
                title=f"Progetto {n:05d}",
                status=statuses[n % 4],
                keep_tvox_private=n % 3 == 0,
            )
            for n in range(count)
        ),
        batch_size=500,
    )
    links = ("lan", "vpn", "mpls", "internet")
    Site.objects.bulk_create(
        (
            Site(
                project_id=pk,
                name=f"Sede {i}",
                connectivity=links[(pk + i) % 4],
                users=20 + i,
                sip_phones=5,
                mobile_apps=30 + pk % 50,
                web_clients=10,
                widgets=2,
            )
            for pk in Project.objects.values_list("pk", flat=True)
            for i in range(3)
        ),
        batch_size=1000,
    )
    return manager


def timed(step: Callable[[], Any]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def size_per_request() -> None:
    """Load every project and its sites (two queries) and size each in Python."""
    from configurator.models import Project
    from dashboard.summaries import summarize
    from sizing.models import SizingTableVersion

    version = SizingTableVersion.objects.in_effect()
    assert version is not None
    table = version.as_table()
    for project in Project.objects.prefetch_related("sites"):
        summarize(project, list(project.sites.all()), table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tvox-bench-dashboard-"))
    setup_django(workdir)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from configurator.models import Project
    from dashboard.models import ProjectSummary

    manager = make_data(args.projects)
    client = Client()
    client.force_login(manager)

    def get(url: str) -> Callable[[], None]:
        def step() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return step

    def forget() -> None:
        ProjectSummary.objects.all().delete()

    def change_one() -> None:
        project = Project.objects.order_by("pk").first()
        assert project is not None
        Project.objects.filter(pk=project.pk).update(revision=project.revision + 1)

    cases: list[tuple[str, Callable[[], None], Callable[[], None] | None]] = [
        ("size per request (no page)", size_per_request, None),
        ("dashboard, first visit", get("/dashboard/?period=all"), forget),
        ("dashboard, warm", get("/dashboard/?period=all"), None),
        ("dashboard, this quarter, warm", get("/dashboard/"), None),
        ("dashboard, one project changed", get("/dashboard/?period=all"), change_one),
        ("export CSV, warm", get("/projects/export.csv"), None),
        ("export XLSX, warm", get("/projects/export.xlsx"), None),
    ]
    print(
        f"{args.projects:,} projects × 3 sites; {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}; best and median of {args.repeat}"
    )
    print("| case | best | median | queries |\n|---|---:|---:|---:|")
    results: dict[str, float] = {}
    for name, step, prepare in cases:
        times = []
        for _ in range(args.repeat):
            if prepare:
                prepare()
            times.append(timed(step))
        if prepare:
            prepare()
        with CaptureQueriesContext(connection) as captured:
            step()
        results[name] = min(times)
        print(
            f"| {name} | {min(times) * 1000:,.0f} ms | {statistics.median(times) * 1000:,.0f} ms"
            f" | {len(captured)} |"
        )
    return 0 if results["dashboard, warm"] < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
