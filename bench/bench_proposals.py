"""Benchmark: render the proposal PDF of a 3-site and of a 200-site project.

    uv run python bench/bench_proposals.py [--repeat 5] [--language it]

Needs no prepared database: the script migrates a throw-away SQLite file (the seed sizing
table and prerequisites come with the migrations), creates an organisation, a user, a
customer and two projects through the ORM, and freezes each project into its snapshot
once. Then, for each project, best and median of N runs with time.perf_counter of:

- ours: `render_pdf(snapshot, None, 1)`, templates and WeasyPrint with our fetcher;
- html: `proposal_html(snapshot, 1)` alone, our template work;
- weasyprint: WeasyPrint alone on the same HTML, with the same parsed stylesheet and fonts
  (`reports.render._stylesheet()`) and the same options as `html_to_pdf`.

One warm-up render per project comes first, so these are the times of a warm worker;
garbage is collected before each timed step, and ours and weasyprint take turns going
first. The cold case (`import weasyprint` and the first render of a fresh process,
slower than a warm one) is measured in a subprocess running this script with `--cold-only`.

Prints a markdown table. Exits with status 1 if a render fails, fetches a refused URL or
gives something that is not a PDF; never because of a time.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (name, connectivity, users, SIP phones, mobile apps, web clients, widgets)
TYPICAL_SITES = (
    ("Milano - sede centrale", "mpls", 180, 120, 60, 40, 10),
    ("Bergamo", "mpls", 60, 40, 20, 12, 0),
    ("Lodi", "internet", 25, 12, 8, 6, 0),
)
BRANCHES = 200


class BenchError(Exception):
    """A render failed or gave something wrong: the benchmark exits with status 1."""


def setup_django(workdir: Path) -> None:
    """Point Django at a fresh SQLite file in `workdir` and migrate it (quietly)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_projects() -> dict[str, Any]:
    """A typical 3-site project and a 200-site one, in one organisation."""
    from decimal import Decimal

    from configurator.models import Customer, Organization, Project, Site, User

    org = Organization.objects.create(
        name="Partner Bench S.r.l.",
        legal_name="Partner Bench S.r.l.",
        address="Via Roma 1, 20121 Milano",
        vat_number="01234567897",
        email="info@partner.example",
        website="https://partner.example",
    )
    user = User.objects.create(
        username="bench",
        email="bench@partner.example",
        first_name="Giulia",
        last_name="Bianchi",
        organization=org,
    )
    customer = Customer.objects.create(
        organization=org,
        created_by=user,
        company_name="Ospedale San Luca S.p.A.",
        vat_number="01234567897",
        contact_name="Mario Rossi",
        contact_email="mario.rossi@example.com",
    )
    projects = {}
    for key, title, count in (
        ("3 sites", "Three hospitals", len(TYPICAL_SITES)),
        (f"{BRANCHES} sites", "Branch network", BRANCHES),
    ):
        project = Project.objects.create(
            organization=org,
            customer=customer,
            owner=user,
            title=title,
            tvox_systems=2,
            concurrency=Decimal("0.6"),
            hypervisor="vmware",
            reuse_local_lines_and_phones=True,
        )
        rows = list(TYPICAL_SITES[:count]) + [
            (f"Filiale {n:03d}", "vpn", 12, 8, 3, 2, 0) for n in range(count - len(TYPICAL_SITES))
        ]
        Site.objects.bulk_create(
            Site(
                project=project,
                position=position,
                name=name,
                address=f"Via Garibaldi {position + 1}",
                connectivity=link,
                users=users,
                sip_phones=phones,
                mobile_apps=apps,
                web_clients=web,
                widgets=widgets,
            )
            for position, (name, link, users, phones, apps, web, widgets) in enumerate(rows)
        )
        projects[key] = project
    return projects


def snapshots(language: str) -> dict[str, dict[str, Any]]:
    from reports.snapshot import build_snapshot

    return {
        key: build_snapshot(project, language, None) for key, project in make_projects().items()
    }


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()  # no garbage of the previous step is collected on this one's time
    start = time.perf_counter()
    value = step()
    return time.perf_counter() - start, value


def check_pdf(what: str, pdf: bytes, refused: list[str] | tuple[str, ...]) -> None:
    if not pdf.startswith(b"%PDF-"):
        raise BenchError(f"{what}: the output is not a PDF")
    if refused:
        raise BenchError(f"{what}: refused to fetch {', '.join(refused)}")


def page_count(pdf: bytes, html: str) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf is a dev dependency; WeasyPrint can count the pages too
        import weasyprint

        from reports.render import BASE_URL, ProposalFetcher, _stylesheet

        css, fonts = _stylesheet()
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=ProposalFetcher())
        return len(document.render(stylesheets=[css], font_config=fonts).pages)
    return len(PdfReader(io.BytesIO(pdf)).pages)


def weasyprint_alone(html: str) -> bytes:
    """The WeasyPrint call of `html_to_pdf`, with nothing of ours around it."""
    import weasyprint

    from reports.render import BASE_URL, ProposalFetcher, _stylesheet

    css, fonts = _stylesheet()
    fetcher = ProposalFetcher()
    pdf: bytes = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[css], font_config=fonts, pdf_identifier=b"tvox-proposal"
    )
    check_pdf("weasyprint", pdf, fetcher.refused)
    return pdf


def measure(snapshot: dict[str, Any], repeat: int) -> dict[str, Any]:
    from reports.render import proposal_html, render_pdf

    warm = render_pdf(snapshot, None, 1)  # first render of this document: not counted
    check_pdf("ours", warm.content, warm.refused_urls)
    html = proposal_html(snapshot, 1)
    times: dict[str, list[float]] = {"ours": [], "html": [], "weasyprint": []}
    outputs: dict[str, bytes] = {}

    def ours() -> None:
        seconds, rendered = timed(lambda: render_pdf(snapshot, None, 1))
        check_pdf("ours", rendered.content, rendered.refused_urls)
        times["ours"].append(seconds)
        outputs["ours"] = rendered.content

    def weasyprint() -> None:
        seconds, outputs["weasyprint"] = timed(lambda: weasyprint_alone(html))
        times["weasyprint"].append(seconds)

    for run in range(repeat):
        seconds, again = timed(lambda: proposal_html(snapshot, 1))
        if again != html:
            raise BenchError("proposal_html gave two different documents for one snapshot")
        times["html"].append(seconds)
        # Alternate which of the two goes first, so neither always follows the other.
        for step in (ours, weasyprint) if run % 2 == 0 else (weasyprint, ours):
            step()
    return {
        "times": times,
        "pages": page_count(outputs["ours"], html),
        "pdf_bytes": len(outputs["ours"]),
        "html_bytes": len(html.encode()),
        "same_bytes": outputs["weasyprint"] == outputs["ours"],
    }


def cold_only(language: str) -> int:
    """In a fresh process: `import weasyprint`, then the first and second renders of the
    3-site proposal. Prints one line of JSON."""
    with tempfile.TemporaryDirectory(prefix="tvox-bench-cold-") as workdir:
        setup_django(Path(workdir))
        snapshot = snapshots(language)["3 sites"]
        if "weasyprint" in sys.modules:
            raise BenchError("weasyprint was imported before the cold measurement")
        import_seconds, _ = timed(lambda: importlib.import_module("weasyprint"))
        module_seconds, render = timed(lambda: importlib.import_module("reports.render"))
        first_seconds, first = timed(lambda: render.render_pdf(snapshot, None, 1))
        check_pdf("cold", first.content, first.refused_urls)
        second_seconds, second = timed(lambda: render.render_pdf(snapshot, None, 1))
        check_pdf("cold", second.content, second.refused_urls)
    print(
        json.dumps(
            {
                "import_weasyprint": import_seconds,
                "import_render": module_seconds,
                "first_render": first_seconds,
                "second_render": second_seconds,
            }
        )
    )
    return 0


def cold_in_subprocess(language: str) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - this very script, with our own interpreter
        [sys.executable, str(Path(__file__).resolve()), "--cold-only", "--language", language],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise BenchError(f"the cold run failed:\n{done.stderr.strip()}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(results: dict[str, dict[str, Any]], cold: dict[str, float], repeat: int) -> None:
    print(
        f"Proposal PDF, best / median of {repeat} warm runs; Python "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print()
    print(
        "| case | pages | PDF | html | weasyprint | ours | ours / weasyprint |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    for case, result in results.items():
        cells = []
        for step in ("html", "weasyprint", "ours"):
            values = result["times"][step]
            cells.append(f"{ms(min(values))} / {ms(statistics.median(values))}")
        ratio = min(result["times"]["ours"]) / min(result["times"]["weasyprint"])
        median_ratio = statistics.median(result["times"]["ours"]) / statistics.median(
            result["times"]["weasyprint"]
        )
        print(
            f"| {case} | {result['pages']} | {result['pdf_bytes'] / 1024:,.0f} KB | "
            f"{' | '.join(cells)} | {ratio:.2f} / {median_ratio:.2f} |"
        )
    print()
    for case, result in results.items():
        same = "identical to" if result["same_bytes"] else "differs from"
        print(
            f"{case}: {result['html_bytes'] / 1024:,.0f} KB of HTML; "
            f"WeasyPrint's PDF {same} ours, byte for byte"
        )
    first, second = cold["first_render"], cold["second_render"]
    print()
    print("Cold, fresh process, 3 sites (one run):")
    print()
    print("| step | time |\n|---|---:|")
    print(f"| import weasyprint | {ms(cold['import_weasyprint'])} |")
    print(f"| import reports.render (after it) | {ms(cold['import_render'])} |")
    print(f"| first render_pdf (parses the stylesheet and fonts) | {ms(first)} |")
    print(f"| **import + first render** | **{ms(cold['import_weasyprint'] + first)}** |")
    print(f"| second render_pdf, same process | {ms(second)} |")
    warm = min(results["3 sites"]["times"]["ours"]) if "3 sites" in results else second
    print()
    print(
        f"The first render took {first / second:.2f} times the second of its process, "
        f"{first / warm:.2f} times the best warm render of the table above."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--language", choices=("it", "en"), default="it")
    parser.add_argument("--cold-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        if args.cold_only:
            return cold_only(args.language)
        cold = cold_in_subprocess(args.language)
        workdir = Path(tempfile.mkdtemp(prefix="tvox-bench-"))
        try:
            setup_django(workdir)
            results = {
                case: measure(snapshot, args.repeat)
                for case, snapshot in snapshots(args.language).items()
            }
        finally:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(workdir, ignore_errors=True)
    except Exception as exc:  # any failure is the benchmark's failure
        traceback.print_exc()
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    report(results, cold, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
