"""Benchmark: read and check a site inventory upload, hostile and legitimate.

    uv run python bench/bench_import.py                     # every case, best and median of 5
    uv run python bench/bench_import.py --case hostile      # one case, once (for a timer)
    uv run python bench/bench_import.py --case hostile --claimed-rows 20000

Needs no prepared database: the script migrates a throw-away SQLite file and creates one
project through the ORM. Each case is one file built here and passed, as an upload, through
what the preview does: `validate_rows(project, read_upload(file))` (read, check what the
file claims to be, validate every row with `SiteForm`). Nothing is written. The cases:

- hostile: a tester's file, under 5 KB: the sheet claims the dimension
  `A1:XFD1048576`, holds the header, one site and one cell in row 1,048,576;
- wide: wide and sparse, 3,000 rows each with one cell in column XFD (16,384 columns);
- xlsx-5000 / csv-5000: a normal inventory of 5,000 sites (the most an import takes),
  the XLSX written by openpyxl as Excel would, the CSV as the export writes it;
- xlsx-10000: a normal inventory of 10,000 sites, refused at its 5,001st.
- split-cell: one cell's text split into 300,000 rich-text runs of a random letter
  (600,000 elements, within the elements a part may have; 380 KB);
- nested-cell: one cell holding 300,000 elements nested in each other, random names (2 MB);
- unread-children: one cell's text followed by 200,000 phonetic guides (<rPh>), which the
  value is not read from (600,000 elements; 1.6 MB).

`--setup-only` migrates and stops, the baseline of a whole-process timer.
`--memory` adds a run of each case under tracemalloc and prints its peak (the time of that
run is not counted: tracemalloc slows Python down several times).
`--claimed-rows N` makes the hostile sheet claim (and reach) N rows instead of 1,048,576,
to see how the time grows with the claim on a reader that pads to it.

Prints, per case, the outcome (sites ready, or the refusal) and the best and median of N
runs with time.perf_counter; never fails because of a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import string
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = (
    "name",
    "address",
    "connectivity",
    "users",
    "sip_phones",
    "mobile_apps",
    "web_clients",
    "widgets",
    "smart_working_webclient",
    "smart_working_team",
)
CONNECTIVITIES = ("lan", "vpn", "mpls", "internet")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package"


def setup_django(workdir: Path) -> Any:
    """A fresh SQLite file in `workdir`, migrated; returns a project to validate against."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from configurator.models import Customer, Organization, Project, User

    org = Organization.objects.create(name="Partner Bench S.r.l.")
    owner = User.objects.create_user("bench", organization=org)
    customer = Customer.objects.create(organization=org, created_by=owner, company_name="Cliente")
    return Project.objects.create(organization=org, customer=customer, owner=owner, title="Bench")


# --- Files ---------------------------------------------------------------------------------


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _workbook(sheet_xml: str) -> bytes:
    """A workbook of one sheet, written by hand: the smallest file that claims anything."""
    members = {
        "[Content_Types].xml": (
            f'<Types xmlns="{PKG}/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}/2006/relationships"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Sites" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}/2006/relationships"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _header_row() -> str:
    letters = "ABCDEFGHIJ"
    return (
        '<row r="1">'
        + "".join(_inline(f"{c}1", n) for c, n in zip(letters, COLUMNS, strict=True))
        + "</row>"
    )


def hostile(claimed_rows: int = 1_048_576) -> bytes:
    site = '<row r="2">' + _inline("A2", "Milano") + _inline("C2", "mpls") + "</row>"
    last = f'<row r="{claimed_rows}">' + _inline(f"A{claimed_rows}", "Fondo") + "</row>"
    return _workbook(
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD{claimed_rows}"/>'
        f"<sheetData>{_header_row()}{site}{last}</sheetData></worksheet>"
    )


def wide(rows: int = 3_000) -> bytes:
    body = "".join(
        f'<row r="{n}">' + _inline(f"XFD{n}", "x") + "</row>" for n in range(2, rows + 2)
    )
    return _workbook(
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD{rows + 1}"/>'
        f"<sheetData>{_header_row()}{body}</sheetData></worksheet>"
    )


def _one_cell(cell_xml: str) -> bytes:
    """The header, and a second row of one cell written as given."""
    return _workbook(
        f'<worksheet xmlns="{MAIN}"><sheetData>{_header_row()}'
        f'<row r="2">{cell_xml}</row></sheetData></worksheet>'
    )


def _rng() -> random.Random:
    # Random letters and numbers, so that a file is not refused for its compression ratio
    # first; the same file every run, and no secret.
    return random.Random(8)  # noqa: S311


def split_cell(runs: int = 300_000) -> bytes:
    letters = _rng().choices(string.ascii_letters, k=runs)
    text = "".join(f"<r><t>{letter}</t></r>" for letter in letters)
    return _one_cell(f'<c r="A2" t="inlineStr"><is>{text}</is></c>')


def nested_cell(depth: int = 300_000) -> bytes:
    rng = _rng()
    names = [f"{rng.choice(string.ascii_letters)}{rng.randrange(10_000)}" for _ in range(depth)]
    opening = "".join(f"<{name}>" for name in names)
    closing = "".join(f"</{name}>" for name in reversed(names))
    return _one_cell(f'<c r="A2" t="inlineStr"><is>{opening}{closing}</is></c>')


def unread_children(guides: int = 200_000) -> bytes:
    rng = _rng()
    phonetic = "".join(
        f'<rPh sb="{rng.randrange(10**6)}" eb="{rng.randrange(10**6)}">'
        f"<t>{rng.choice(string.ascii_letters)}</t></rPh>"
        for _ in range(guides)
    )
    return _one_cell(f'<c r="A2" t="inlineStr"><is><t>Milano</t>{phonetic}</is></c>')


def site_rows(count: int) -> list[list[object]]:
    return [
        [f"Sede {i:05d}", f"Via Roma {i}, Milano", CONNECTIVITIES[i % 4]]
        + [(i * k) % 97 for k in range(1, 8)]
        for i in range(count)
    ]


def normal_xlsx(count: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sites")
    sheet.append(list(COLUMNS))
    for values in site_rows(count):
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def normal_csv(count: int) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows(site_rows(count))
    return ("\ufeff" + text.getvalue()).encode()


CASES: dict[str, tuple[str, Callable[[argparse.Namespace], bytes]]] = {
    "hostile": ("sites.xlsx", lambda args: hostile(args.claimed_rows)),
    "wide": ("sites.xlsx", lambda args: wide()),
    "xlsx-5000": ("sites.xlsx", lambda args: normal_xlsx(5_000)),
    "csv-5000": ("sites.csv", lambda args: normal_csv(5_000)),
    "xlsx-10000": ("sites.xlsx", lambda args: normal_xlsx(10_000)),
    "split-cell": ("sites.xlsx", lambda args: split_cell()),
    "nested-cell": ("sites.xlsx", lambda args: nested_cell()),
    "unread-children": ("sites.xlsx", lambda args: unread_children()),
}


# --- Timing --------------------------------------------------------------------------------


def preview(project: Any, name: str, data: bytes) -> str:
    """What the preview does with an upload, and what the engineer would read."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from configurator.inventory_io import ImportRefused, read_upload, validate_rows

    try:
        rows = validate_rows(project, read_upload(SimpleUploadedFile(name, data)))
    except ImportRefused as exc:
        return f"refused: {exc}"
    refused = sum(1 for row in rows if row.errors)
    return f"{len(rows):,} sites read, {refused:,} with errors"


def run_case(project: Any, case: str, args: argparse.Namespace) -> None:
    name, build = CASES[case]
    data = build(args)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        outcome = preview(project, name, data)
        times.append(time.perf_counter() - start)
    best, median = min(times) * 1000, statistics.median(times) * 1000
    line = (
        f"| {case} | {len(data) / 1024:,.0f} KB | {outcome} | {best:,.0f} ms | {median:,.0f} ms |"
    )
    if args.memory:
        tracemalloc.start()
        try:
            preview(project, name, data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        line += f" {peak / 2**20:,.1f} MiB |"
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--claimed-rows", type=int, default=1_048_576)
    parser.add_argument(
        "--setup-only", action="store_true", help="migrate and stop: a whole-process baseline"
    )
    parser.add_argument("--memory", action="store_true", help="also the tracemalloc peak")
    args = parser.parse_args()
    cases = args.case or list(CASES)
    if args.repeat is None:
        args.repeat = 1 if args.case else 5
    with tempfile.TemporaryDirectory() as workdir:
        project = setup_django(Path(workdir))
        if args.setup_only:
            return 0
        print(f"Python {platform.python_version()} on {platform.machine()}; ", end="")
        print(f"best and median of {args.repeat} runs")
        if args.memory:
            print("| case | file | outcome | best | median | peak |\n|---|---:|---|---:|---:|---:|")
        else:
            print("| case | file | outcome | best | median |\n|---|---:|---|---:|---:|")
        for case in cases:
            run_case(project, case, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
